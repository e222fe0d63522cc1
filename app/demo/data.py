"""The three villages of the seed documents, dated in the future so that registration is open."""
import json
from datetime import date, time, timedelta
from pathlib import Path

from dateutil.easter import easter
from sqlalchemy import delete, select

from ..extensions import db
from ..models import Initiative, OrganiserRole, OutboxMessage, Role, Village, VillageRoleQuota, Visibility
from ..reference import communes
from ..services import accounts, initiatives, privacy, registration
from ..text import Civility

PRACTICAL_INFO = (
    "Accueil à partir de 9 h. Merci de vous présenter avec votre badge (sur papier ou sur "
    "votre téléphone). Le lieu est accessible aux personnes à mobilité réduite."
)
PROGRAMME = (
    "9\u00a0h – Accueil, café\n"
    "9\u00a0h\u00a030 – Ouverture : repérer, valoriser et relier les initiatives solidaires\n"
    "10\u00a0h – Village des initiatives : stands des porteurs de projets\n"
    "12\u00a0h\u00a030 – Déjeuner partagé\n"
    "14\u00a0h – Ateliers : besoins d'appui des porteurs d'initiatives\n"
    "16\u00a0h – Restitution et clôture"
)
DESCRIPTION = (
    "Une journée pour faire se rencontrer les porteurs d'initiatives solidaires, les "
    "institutionnels, les élus locaux et les représentants d'habitants et d'usagers "
    "autour de la lutte contre la pauvreté et du développement social local."
)

DEMO_VILLAGES = [
    # slug, town, venue, address, days from today, département
    ("avignon", "Avignon", "Maison des associations", "2 rue Saint-Jean le Vieux, 84000 Avignon", 30, "84"),
    ("draguignan", "Draguignan", "Salle polyvalente", "Boulevard Georges Clemenceau, 83300 Draguignan", 44, "83"),
    ("sisteron", "Sisteron", "Salle des fêtes", "Place de la République, 04200 Sisteron", 58, "04"),
    # The seed documents' fiches are from the Pas-de-Calais: they are presented at a village there.
    ("arras", "Arras", "Maison des sociétés", "16 rue Aristide Briand, 62000 Arras", 72, "62"),
]


# Public holidays in France on a fixed date (month, day); those tied to Easter are computed.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a French public holiday."""
    easter_sunday = easter(day.year)
    movable = {easter_sunday + timedelta(days=offset) for offset in (1, 39, 50)}  # lundi de Pâques, Ascension, Pentecôte
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS and day not in movable


def working_day_from(day: date) -> date:
    """`day`, or the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def load(today: date | None = None) -> list[str]:
    """Create the demo villages that do not exist yet; report what was done."""
    today = today or date.today()
    report = []
    for slug, town, venue, address, days_ahead, _ in DEMO_VILLAGES:
        if db.session.scalar(select(Village).where(Village.slug == slug)):
            report.append(f"Village {town} : déjà présent")
            continue
        db.session.add(
            Village(
                slug=slug,
                name=f"Village des initiatives solidaires – {town}",
                town=town,
                venue=venue,
                address=address,
                day=working_day_from(today + timedelta(days=days_ahead)),
                starts_at=time(9, 0),
                ends_at=time(17, 0),
                description=DESCRIPTION,
                programme=PROGRAMME,
                practical_info=PRACTICAL_INFO,
                capacity=120,
                lunch_offered=True,
            )
        )
        report.append(f"Village {town} : créé")
    db.session.commit()
    return report


DEMO_ADMIN_EMAIL = "admin@villages.test"
DEMO_ADMIN_PASSWORD = "demo-villages"


def load_accounts() -> list[str]:
    """The demo admin account, to log in to the back office (/organisation) right away."""
    if accounts.find_by_email(DEMO_ADMIN_EMAIL) is not None:
        return [f"Compte d'administration {DEMO_ADMIN_EMAIL} : déjà présent"]
    accounts.create(DEMO_ADMIN_EMAIL, OrganiserRole.ADMIN, DEMO_ADMIN_PASSWORD, actor="demo",
                    name="Équipe de démonstration")
    db.session.commit()
    return [f"Compte d'administration créé : {DEMO_ADMIN_EMAIL}, mot de passe : {DEMO_ADMIN_PASSWORD}"
            " (à utiliser sur /organisation/connexion)"]


# --- Initiatives and participants -------------------------------------------------------------
# Invented initiatives in Provence, and the 25 « fiches action » of the seed documents (structures,
# places and texts as published, all in the Pas-de-Calais), each presented at the demo village of its
# département by an invented holder: no real person's name or contact details. Provence comes first:
# the past villages in Provence (last_year.py, past.py) take theirs by their place in this list.
DEMO_FICHES = Path(__file__).with_name("fiches.json")
DEMO_FICHES_PROVENCE = Path(__file__).with_name("fiches_provence.json")
FIRST_NAMES = ["Camille", "Nadia", "Julien", "Sofia", "Malik", "Claire", "Yanis", "Léa", "Thomas", "Inès",
               "Hugo", "Aïcha", "Romain", "Chloé", "Karim", "Manon", "Bastien", "Zoé", "Samir", "Lucie"]
# How each asked to be addressed, as their first name suggests; Camille did not say: the screens
# show roles in the feminine, the masculine, and both.
CIVILITIES = {
    **dict.fromkeys(["Nadia", "Sofia", "Claire", "Léa", "Inès", "Aïcha", "Chloé", "Manon", "Zoé", "Lucie"],
                    Civility.MADAME),
    **dict.fromkeys(["Julien", "Malik", "Yanis", "Thomas", "Hugo", "Romain", "Karim", "Bastien", "Samir"],
                    Civility.MONSIEUR),
}
LAST_NAMES = ["Morel", "Benali", "Fournier", "Garnier", "Lemoine", "Roussel", "Chevalier", "Mercier", "Blanc",
              "Guérin", "Faure", "Renaud", "Barbier", "Collin", "Vidal", "Marchand", "Perrin", "Aubert"]
# Positions and mandates named by what they are, whoever holds them.
OTHER_ROLES = [
    (Role.INSTITUTIONNEL, {"organisation": "Caf du territoire", "position": "Service d'action sociale"}),
    (Role.INSTITUTIONNEL, {"organisation": "Conseil départemental", "position": "Mission insertion"}),
    (Role.ELU, {"collectivity": "Commune voisine", "mandate": "Délégation aux solidarités"}),
    (Role.ELU, {"collectivity": "Communauté de communes", "mandate": "Vice-présidence cohésion sociale"}),
    (Role.HABITANT, {"represented_group": "Conseil citoyen"}),
    (Role.HABITANT, {"represented_group": "Association de locataires"}),
]


# The invented people's addresses: nothing is ever mailed there.
DEMO_DOMAIN = "exemple.org"


def silence() -> list[str]:
    """The demo's people are invented: the messages their registrations queued are dropped, so
    that a first start shows the newcomer's own e-mails only."""
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like(f"%@{DEMO_DOMAIN}")))
    db.session.commit()
    return ["Personnes de démonstration : aucun e-mail ne leur est envoyé"]


def _person(number: int) -> tuple[str, str, str]:
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = LAST_NAMES[(number * 7) % len(LAST_NAMES)]
    address = initiatives.fold(f"{first}.{last}").replace(" ", "-")
    return first, last, f"{address}.{number}@{DEMO_DOMAIN}"


def load_initiatives() -> list[str]:
    """The initiatives, published, each at the village of its département; participants of every role."""
    demo_villages = [db.session.scalar(select(Village).where(Village.slug == slug)) for slug, *_ in DEMO_VILLAGES]
    if db.session.scalar(select(Initiative.id).where(Initiative.holder_email.like(f"%@{DEMO_DOMAIN}")).limit(1)):
        return ["Initiatives et participants de démonstration : déjà présents"]
    communes.prepare()
    village_of = {departement: village for (*_, departement), village in zip(DEMO_VILLAGES, demo_villages)}
    fiches = json.loads(DEMO_FICHES_PROVENCE.read_text()) + json.loads(DEMO_FICHES.read_text())
    for number, fiche in enumerate(fiches):
        village = village_of[fiche["departement_code"]]
        first, last, email = _person(number)
        choice = registration.InitiativeChoice(
            fiche=fiche, stand={"wants_stand": number % 2 == 0, "stand_table": number % 4 == 0},
            visibility=Visibility.PUBLIC, show_holder_contact=number % 3 == 0, consent_given=True,
        )
        data = registration.RegistrationData(
            role=Role.PORTEUR, civility=CIVILITIES.get(first), first_name=first, last_name=last, email=email,
            commune=fiche["commune_name"] or "",
            organisation=fiche["structure"] or None, consent_listing=number % 2 == 0,
            consent_version=privacy.CONSENT_VERSION, initiative=choice,
        )
        holder = registration.register(village, data, actor="demo", even_if_closed=True)
        initiatives.approve(holder.initiative, actor="demo")
    # Draguignan takes one local elected official only: the second one waits for a place.
    demo_villages[1].quotas.append(VillageRoleQuota(role=Role.ELU, capacity=1))
    for village_number, village in enumerate(demo_villages):
        for number, (role, details) in enumerate(OTHER_ROLES):
            first, last, email = _person(100 + village_number * 10 + number)
            registration.register(village, registration.RegistrationData(
                role=role, civility=CIVILITIES.get(first), first_name=first, last_name=last, email=email,
                commune=village.town, consent_listing=True, consent_version=privacy.CONSENT_VERSION, **details,
            ), actor="demo", even_if_closed=True)
    db.session.commit()
    return [f"{len(fiches)} initiatives publiées et {len(OTHER_ROLES) * len(demo_villages)} autres participants "
            "de démonstration (dont un sur liste d'attente à Draguignan) : créés"]
