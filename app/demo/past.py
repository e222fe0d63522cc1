"""A demo village that took place a few weeks ago, so that its report, certificates and
questionnaire have something to show: confirmed people of every role, demo initiatives
presented there before their next village, check-ins at the door, walk-ins, absentees,
questionnaire answers and meetings with what came of them. Runs after demo_data's loaders."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Initiative, OutboxMessage, QuestionKind, Registration, Role, SupportOffer, Village
from ..services import (
    checkin, followup, followup_asks, matching_profiles, meeting_area, meeting_requests, privacy, registration,
    survey,
)
from ..timeutil import local_datetime, to_utc_naive
from .data import CIVILITIES, DEMO_DOMAIN, DESCRIPTION, OTHER_ROLES, PRACTICAL_INFO, PROGRAMME, _person, is_working_day
from .matching import OFFERS

SLUG = "manosque"
TOWN = "Manosque"
POSTCODE = "04100"
WEEKS_AGO = 3
# The first demo initiatives, all of the Alpes-de-Haute-Provence (app/demo/data.py), presented
# here, then again at Sisteron; the first three had come to Forcalquier a year ago.
PRESENTED_AGAIN = 5
SCANNER = "Accueil (démonstration)"
WALK_INS = [
    checkin.WalkInData(first_name="Gisèle", last_name="Arnaud", role=Role.HABITANT, commune=TOWN,
                       organisation="Comité de quartier"),
    checkin.WalkInData(first_name="Olivier", last_name="Reynaud", role=Role.INSTITUTIONNEL, commune=TOWN,
                       organisation="France Travail"),
]
# (rating for each rating question, comment) of some of the people present.
ANSWERS = [
    (5, "Les échanges avec la Caf sur le financement de notre projet."),
    (4, "Rencontrer d'autres porteurs du département ; il faudrait plus de temps pour les ateliers."),
    (5, "Découvrir des initiatives que l'on pourrait faire venir dans notre commune."),
    (3, "Une journée riche, mais le déjeuner était trop court pour discuter."),
    (4, ""),
]
# (porteur's index, institution or élu's index, intent, outcomes recorded by both)
MEETINGS = [
    (0, 0, "appui", ["orientation"]),
    (1, 1, "appui", ["orientation", "introduction"]),
    (2, 2, "mutualiser", ["mutualisation"]),
]


def working_day_before(day: date) -> date:
    """`day`, or the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def load(today: date | None = None) -> list[str]:
    if db.session.scalar(select(Village).where(Village.slug == SLUG)):
        return [f"Village passé {TOWN} : déjà présent"]
    day = working_day_before((today or date.today()) - timedelta(weeks=WEEKS_AGO))
    village = Village(
        slug=SLUG, name=f"Village des initiatives solidaires – {TOWN}", town=TOWN, venue="Centre social",
        address="Place de l'Hôtel de Ville, 04100 Manosque", day=day, starts_at=time(9, 0), ends_at=time(17, 0),
        description=DESCRIPTION, programme=PROGRAMME, practical_info=PRACTICAL_INFO, capacity=120,
        lunch_offered=True,
    )
    db.session.add(village)
    db.session.flush()
    porteurs = _present_demo_initiatives(village)
    others = [_register(village, role, details, 130 + n) for n, (role, details) in enumerate(OTHER_ROLES)]
    for person in others:
        person.support_offers.extend(SupportOffer(**values) for values in OFFERS.get(person.structure, []))
    people = porteurs + others
    for days_before, person in enumerate(people, start=10):  # registered in the weeks before the day
        person.created_at = person.confirmed_at = _at(day - timedelta(days=days_before), 10, 0)
    absent = {porteurs[-1].id, others[-1].id}
    present = [p for p in people if p.id not in absent]
    for minutes, person in enumerate(present):
        checkin.check_in(village, person.badge_code, scanner=SCANNER, scanned_at=_at(day, 8, 50 + 4 * minutes))
    for n, walk_in in enumerate(WALK_INS):
        checkin.walk_in(village, walk_in, scanner=SCANNER, actor="demo", scanned_at=_at(day, 10, 15 + 20 * n))
    _answer_questionnaire(present)
    meetings = _hold_meetings(village, porteurs, [p for p in others if p.role in (Role.INSTITUTIONNEL, Role.ELU)])
    # The people of a past village are told nothing now: no confirmation or meeting e-mail.
    db.session.flush()
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(
        select(Registration.id).where(Registration.village_id == village.id))))
    # Its needs are followed, and the first follow-up is due: `flask followup send` asks its porteurs.
    followup.feed(village)
    followup_asks.schedule(village)[0].due_on = today or date.today()
    db.session.commit()
    return [f"Village passé {TOWN} ({day:%d/%m/%Y}) : {len(people)} inscrits dont {len(porteurs)} initiatives "
            f"déjà en démonstration, {len(present) + len(WALK_INS)} présents dont {len(WALK_INS)} venus sans "
            f"inscription, {len(absent)} absents, {len(ANSWERS)} questionnaires, {meetings} rendez-vous : créé"]


def _at(day: date, hour: int, minute: int) -> datetime:
    return to_utc_naive(local_datetime(day, time(hour + minute // 60, minute % 60)))


def _register(village: Village, role: str, details: dict, number: int, postcode: str = POSTCODE,
              **extra) -> Registration:
    first, last, email = _person(number)
    return registration.register(village, registration.RegistrationData(
        role=role, civility=CIVILITIES.get(first), first_name=first, last_name=last, email=email,
        commune=village.town, postcode=postcode,
        lunch=True, consent_listing=True, consent_version=privacy.CONSENT_VERSION, **details, **extra,
    ), actor="demo", even_if_closed=True)


def _present_demo_initiatives(village: Village, positions=range(PRESENTED_AGAIN),
                              postcode: str = POSTCODE) -> list[Registration]:
    """The holders of a few demo initiatives (by their place in the demo's list) came here with them."""
    demo = list(db.session.scalars(
        select(Initiative).where(Initiative.holder_email.like(f"%@{DEMO_DOMAIN}")).order_by(Initiative.id)
    ))
    holders = []
    for initiative in (demo[n] for n in positions):
        first, last = initiative.holder_name.split(" ", 1)
        holders.append(registration.register(village, registration.RegistrationData(
            role=Role.PORTEUR, civility=CIVILITIES.get(first), first_name=first, last_name=last,
            email=initiative.holder_email,
            commune=village.town, postcode=postcode, lunch=True, consent_listing=True, consent_version=privacy.CONSENT_VERSION,
            initiative=registration.InitiativeChoice(fiche={}, reuse_id=initiative.id),
        ), actor="demo", even_if_closed=True))
    return holders


def _answer_questionnaire(present: list[Registration]) -> None:
    questions = survey.questions(present[0].village)
    for person, (rating, comment) in zip(present, ANSWERS):
        survey.answer(person, {q.id: rating if q.kind == QuestionKind.RATING else comment for q in questions})


def _hold_meetings(village: Village, porteurs: list[Registration], offering: list[Registration],
                   meetings=MEETINGS) -> int:
    settings = meeting_area.settings_of(village)
    settings.area_starts_at, settings.area_ends_at = time(10), time(12, 30)
    db.session.flush()
    for porteur_index, offering_index, intent, outcomes in meetings:
        porteur, other = porteurs[porteur_index], offering[offering_index]
        # Asked and accepted in the weeks before the day, as the village's history goes.
        before = _at(village.day - timedelta(days=7), 10, 0)
        request = meeting_requests.ask(porteur, other, intent, "Pourrions-nous en parler pendant le village ?",
                                       now=before)
        meeting = meeting_requests.accept(request, other, now=before)
        for person in meeting.people:
            matching_profiles.record_outcome(meeting, person, True, outcomes, "")
    return len(meetings)
