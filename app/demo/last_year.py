"""A demo village held about a year ago, in Forcalquier, whose follow-ups were sent and answered
one, three and six months after the day: its needs' threads have dated steps (porteurs' and
partners' answers, an organiser's notes), so that the first start shows an observatory over two
years and a Suivi page with history. Three of its initiatives come back at Manosque (new and
returning initiatives). Runs before app/demo/past.py's loader, so that Manosque continues its threads;
the people are invented (app/demo/data.py)."""
from __future__ import annotations

from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, select

from ..extensions import db
from ..models import NeedThread, OutboxMessage, Registration, SupportOffer, Village
from ..models.followup import Answer, ThreadStatus
from ..services import checkin, followup, followup_asks
from .data import DEMO_ADMIN_EMAIL, DESCRIPTION, OTHER_ROLES, PRACTICAL_INFO, PROGRAMME
from .matching import OFFERS
from .past import _at, _hold_meetings, _present_demo_initiatives, _register, working_day_before

SLUG = "forcalquier"
TOWN = "Forcalquier"
POSTCODE = "04300"
SCANNER = "Accueil (démonstration)"
# The demo initiatives presented here, by their place in the demo's list (Provence comes first,
# app/demo/data.py; the first nine are in the Alpes-de-Haute-Provence): the first three come back at
# Manosque (demo_past presents the first five there).
PRESENTED = [0, 1, 2, 5, 6, 7, 8]
# (porteur's index above, institution or élu's index in OTHER_ROLES' partners, intent, outcomes):
# an orientation noted after the meeting orients the porteur's needs the partner offers support for.
MEETINGS = [
    (3, 0, "appui", ["orientation"]),
    (6, 1, "appui", ["orientation"]),
    (4, 3, "appui", ["orientation", "introduction"]),
    (1, 1, "appui", ["orientation"]),
]
# At each follow-up (months after the day): (porteur's index, need, who answers, answer or
# status, towards, note). « porteur » and « partenaire » answer on their private link a few days
# after the e-mail; « organisateur » sets a status with a note, as on the Suivi page.
FOLLOWUPS = {
    1: [
        (0, "communication", "porteur", Answer.IN_PROGRESS, "", "Un atelier avec la médiathèque se prépare."),
        (1, "financement", "porteur", Answer.IN_PROGRESS, "", "Dossier déposé au Conseil départemental."),
        (2, "financement", "porteur", Answer.NOT_YET, "", ""),
        (3, "financement", "porteur", Answer.IN_PROGRESS, "", "Rendez-vous pris avec la Caf."),
        (4, "mise_en_reseau", "porteur", Answer.IN_PROGRESS, "", ""),
        (5, "mise_en_reseau", "porteur", Answer.NOT_YET, "", ""),
        (6, "financement", "porteur", Answer.IN_PROGRESS, "", ""),
    ],
    3: [
        (3, "financement", "partenaire", Answer.MET, "", "Subvention accordée pour les sorties familles."),
        (3, "locaux", "porteur", Answer.MET, "Mairie", "Une salle prêtée le mercredi après-midi."),
        (5, "locaux", "porteur", Answer.IN_PROGRESS, "Bailleur social", "Un local en pied d'immeuble à l'étude."),
        (6, "mise_en_reseau", "porteur", Answer.MET, "", "Mise en relation avec deux centres sociaux voisins."),
        (0, "locaux", "porteur", Answer.NOT_YET, "", ""),
    ],
    6: [
        (4, "mise_en_reseau", "porteur", Answer.MET, "", "Le réseau intercommunal nous a ouvert ses réunions."),
        (4, "locaux", "porteur", Answer.NO_LONGER, "", "L'activité se tient désormais dehors."),
        (5, "mise_en_reseau", "organisateur", ThreadStatus.NOT_MET, "",
         "Pas de partenaire trouvé sur le territoire ; à reprendre au prochain village."),
        (5, "locaux", "organisateur", ThreadStatus.PARTLY_MET, "", "Local prêté deux jours par semaine seulement."),
        (6, "financement", "organisateur", ThreadStatus.NOT_MET, "", "Appel à projets refusé en juin."),
        (2, "mise_en_reseau", "porteur", Answer.IN_PROGRESS, "", ""),
    ],
}
ANSWERED_DAYS_AFTER = 3


def load(today: date | None = None) -> list[str]:
    if db.session.scalar(select(Village).where(Village.slug == SLUG)):
        return [f"Village de l'an dernier {TOWN} : déjà présent"]
    day = working_day_before((today or date.today()) - relativedelta(years=1))
    village = Village(
        slug=SLUG, name=f"Village des initiatives solidaires – {TOWN}", town=TOWN, venue="Salle polyvalente",
        address=f"Place du Bourguet, {POSTCODE} {TOWN}", day=day, starts_at=time(9, 0), ends_at=time(17, 0),
        description=DESCRIPTION, programme=PROGRAMME, practical_info=PRACTICAL_INFO, capacity=100,
        lunch_offered=True,
    )
    db.session.add(village)
    db.session.flush()
    porteurs = _present_demo_initiatives(village, PRESENTED, POSTCODE)
    others = [_register(village, role, details, 150 + n, POSTCODE) for n, (role, details) in enumerate(OTHER_ROLES)]
    for person in others:
        person.support_offers.extend(SupportOffer(**values) for values in OFFERS.get(person.structure, []))
    people = porteurs + others
    for days_before, person in enumerate(people, start=12):
        person.created_at = person.confirmed_at = _at(day - timedelta(days=days_before), 10, 0)
    for minutes, person in enumerate(people[:-1]):  # the last one did not come
        checkin.check_in(village, person.badge_code, scanner=SCANNER, scanned_at=_at(day, 8, 45 + 3 * minutes))
    partners = [p for p in others if p.role in followup.PARTNER_ROLES]
    _hold_meetings(village, porteurs, partners, MEETINGS)
    db.session.flush()
    followup.feed(village)
    answers = sum(_follow_up(village, months, porteurs, partners) for months in FOLLOWUPS)
    # Those e-mails went out a year ago: none of them leaves now.
    db.session.flush()
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(
        select(Registration.id).where(Registration.village_id == village.id))))
    db.session.commit()
    return [f"Village de l'an dernier {TOWN} ({day:%d/%m/%Y}) : {len(people)} inscrits dont {len(porteurs)} "
            f"initiatives (3 revenues à Manosque), relances à 1, 3 et 6 mois avec {answers} réponses : créé"]


def _follow_up(village: Village, months: int, porteurs: list[Registration], partners: list[Registration]) -> int:
    """The round sent `months` after the day, then the answers given a few days later."""
    sent_at = _at(followup_asks.due_on(village, months), 9, 0)
    followup_asks.send(village, now=sent_at)
    db.session.flush()
    answered_at = sent_at + timedelta(days=ANSWERED_DAYS_AFTER, hours=9)
    for n, (porteur_index, need, who, given, towards, note) in enumerate(FOLLOWUPS[months]):
        porteur = porteurs[porteur_index]
        thread = db.session.scalar(select(NeedThread).where(
            NeedThread.initiative_id == porteur.presentation.initiative_id, NeedThread.category == need))
        at = answered_at + timedelta(minutes=37 * n)
        if who == "organisateur":
            followup.set_status(thread, given, note, DEMO_ADMIN_EMAIL, now=at)
            continue
        person = porteur if who == "porteur" else _partner_of(thread, partners)
        followup.answer(person, thread.id, followup.Given(given, None, towards, note), now=at)
        db.session.flush()
    return len(FOLLOWUPS[months])


def _partner_of(thread: NeedThread, partners: list[Registration]) -> Registration:
    return next(p for p in partners if p.id == thread.oriented_registration_id)
