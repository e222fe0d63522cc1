"""The three villages of the seed documents, dated in the future so that registration is open."""
from datetime import date, time, timedelta

from dateutil.easter import easter
from sqlalchemy import select

from ..extensions import db
from ..models import OrganiserRole, Village
from . import accounts

PRACTICAL_INFO = (
    "Accueil à partir de 9 h. Merci de vous présenter avec votre badge (sur papier ou sur "
    "votre téléphone). Le lieu est accessible aux personnes à mobilité réduite."
)
PROGRAMME = (
    "9 h 00 – Accueil, café\n"
    "9 h 30 – Ouverture : repérer, valoriser et relier les initiatives solidaires\n"
    "10 h 00 – Village des initiatives : stands des porteurs de projets\n"
    "12 h 30 – Déjeuner partagé\n"
    "14 h 00 – Ateliers : besoins d'appui des porteurs d'initiatives\n"
    "16 h 00 – Restitution et clôture"
)
DESCRIPTION = (
    "Une journée pour faire se rencontrer les porteurs d'initiatives solidaires, les "
    "institutionnels, les élus locaux et les représentants d'habitants et d'usagers "
    "autour de la lutte contre la pauvreté et du développement social local."
)

DEMO_VILLAGES = [
    # slug, town, venue, address, days from today
    ("avignon", "Avignon", "Maison des associations", "2 rue Saint-Jean le Vieux, 84000 Avignon", 30),
    ("draguignan", "Draguignan", "Salle polyvalente", "Boulevard Georges Clemenceau, 83300 Draguignan", 44),
    ("sisteron", "Sisteron", "Salle des fêtes", "Place de la République, 04200 Sisteron", 58),
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
    for slug, town, venue, address, days_ahead in DEMO_VILLAGES:
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
        return [f"Compte administrateur {DEMO_ADMIN_EMAIL} : déjà présent"]
    accounts.create(DEMO_ADMIN_EMAIL, OrganiserRole.ADMIN, DEMO_ADMIN_PASSWORD, actor="demo",
                    name="Administrateur de démonstration")
    db.session.commit()
    return [f"Compte administrateur créé : {DEMO_ADMIN_EMAIL}, mot de passe : {DEMO_ADMIN_PASSWORD}"
            " (à utiliser sur /organisation/connexion)"]
