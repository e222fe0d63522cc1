"""Support needs followed after the village: threads, their steps, and what feeds them.

A thread is one need of one initiative (app/models/followup.py). This module knows nothing of
HTTP or e-mail: it opens and continues threads from what the villages know (the needs of the
fiches presented, the meetings' outcomes), records the answers of porteurs and partners and
the statuses organisers set, and reads threads for pages and reports.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    SUPPORT_NEEDS, Initiative, InitiativePresentation, InitiativeVersion, Meeting, MeetingSeat, NeedThread, NeedThreadStep, NeedThreadVillage,
    Registration, RegistrationStatus, Role, SupportOffer, ThreadStatus, Village,
)
from ..models.followup import (  # noqa: F401  (Answer: the answers' names, for the views)
    CLOSED_STATUSES, Answer, FollowupAsk, FollowupOptOut, Recorder, followup_ask_thread,
)
from ..models.registration import email_key
from ..text import fold
from ..timeutil import to_utc_naive, utcnow
from . import audit

LONGEST_NOTE = 1000
# The years a filter may name.
FIRST_YEAR, LAST_YEAR = 2000, 2100
LONGEST_NAME = 200
# The roles whose structures support porteurs: asked « Avez-vous pu appuyer… ? » after a meeting.
PARTNER_ROLES = (Role.INSTITUTIONNEL, Role.ELU)
# Partners answer three of the four answers: « plus besoin » is for the porteur to say.
PARTNER_ANSWERS = {
    Answer.MET: "Oui, appui apporté",
    Answer.IN_PROGRESS: "En cours",
    Answer.NOT_YET: "Pas encore",
}
PORTEUR_ANSWERS = {answer: answer.label for answer in Answer}
# How a need met is counted by type of partner: named by what they are, not by a person in the
# masculine.
PARTNER_TYPES = {
    Role.INSTITUTIONNEL.value: "Institution",
    Role.ELU.value: "Collectivité, élu ou élue",
    Role.PORTEUR.value: "Autre initiative",
    Role.HABITANT.value: "Habitants ou usagers",
    None: "Structure ou dispositif nommé par le porteur",
}


class Refused(Exception):
    """An answer or a change that cannot be taken, with the French sentence to show."""


# --- Reading ---------------------------------------------------------------------------------

def threads_at_villages(village_ids: Iterable[int]):
    """SQL: the ids of the threads whose need was expressed at one of these villages (to join
    with need_thread, whose `status` column is the latest status)."""
    return select(NeedThreadVillage.thread_id).where(NeedThreadVillage.village_id.in_(list(village_ids)))


def threads_for_villages(village_ids: Iterable[int]) -> list[NeedThread]:
    """The threads of needs expressed at these villages, each with its current status
    (`thread.status`, a ThreadStatus value), its category and the villages of its history."""
    return list(db.session.scalars(
        select(NeedThread)
        .where(NeedThread.id.in_(threads_at_villages(village_ids)))
        .options(selectinload(NeedThread.villages))
        .order_by(NeedThread.id)
    ))


def threads_of_porteur(registration: Registration) -> list[NeedThread]:
    """All the threads of the initiative this registration presented, open ones first."""
    initiative = registration.initiative
    if initiative is None:
        return []
    found = db.session.scalars(
        select(NeedThread).where(NeedThread.initiative_id == initiative.id)
        .options(selectinload(NeedThread.steps), selectinload(NeedThread.villages))
    )
    return sorted(found, key=lambda t: (not t.is_open, list(SUPPORT_NEEDS).index(t.category)
                                        if t.category in SUPPORT_NEEDS else len(SUPPORT_NEEDS)))


def threads_asked_of_partner(registration: Registration) -> list[NeedThread]:
    """The threads a partner was asked about, and those only."""
    return list(db.session.scalars(
        select(NeedThread).join(followup_ask_thread, followup_ask_thread.c.thread_id == NeedThread.id)
        .join(FollowupAsk, FollowupAsk.id == followup_ask_thread.c.ask_id)
        .where(FollowupAsk.registration_id == registration.id, FollowupAsk.asked_as == Recorder.PARTNER)
        .distinct().order_by(NeedThread.initiative_id, NeedThread.id)
    ))


def is_partner(registration: Registration) -> bool:
    return registration.role in PARTNER_ROLES


def threads_for(registration: Registration) -> list[NeedThread]:
    """The threads this person may see and answer on their private link."""
    if registration.anonymised_at is not None:
        return []
    if registration.role == Role.PORTEUR:
        return threads_of_porteur(registration)
    return threads_asked_of_partner(registration)


def has_threads(registration: Registration) -> bool:
    """Whether the person has threads to see on their private link (one light query)."""
    if registration.anonymised_at is not None:
        return False
    if registration.role == Role.PORTEUR:
        presentation = registration.presentation
        return presentation is not None and db.session.scalar(
            select(NeedThread.id).where(NeedThread.initiative_id == presentation.initiative_id).limit(1)) is not None
    return db.session.scalar(select(FollowupAsk.id).where(
        FollowupAsk.registration_id == registration.id, FollowupAsk.asked_as == Recorder.PARTNER).limit(1)) is not None


def answers_for(registration: Registration) -> dict[Answer, str]:
    return PORTEUR_ANSWERS if registration.role == Role.PORTEUR else PARTNER_ANSWERS


@dataclass(frozen=True)
class ThreadFilter:
    """The Suivi page's filters; None: any."""

    village_id: int | None = None
    year: int | None = None
    category: str | None = None
    departement: str | None = None
    partner: str | None = None  # a structure's name as threads were oriented to it
    status: str | None = None
    no_news: bool = False


def _filtered(chosen: ThreadFilter, with_status: bool = True):
    query = select(NeedThread).join(Initiative, Initiative.id == NeedThread.initiative_id)
    if chosen.village_id is not None:
        query = query.where(NeedThread.id.in_(threads_at_villages([chosen.village_id])))
    if chosen.year is not None:
        in_year = select(NeedThreadVillage.thread_id).join(Village, Village.id == NeedThreadVillage.village_id) \
            .where(Village.day >= date(chosen.year, 1, 1), Village.day <= date(chosen.year, 12, 31))
        query = query.where(NeedThread.id.in_(in_year))
    if chosen.category:
        query = query.where(NeedThread.category == chosen.category)
    if chosen.departement:
        query = query.join(InitiativeVersion, (InitiativeVersion.initiative_id == Initiative.id)
                           & (InitiativeVersion.number == Initiative.current_number)) \
            .where(InitiativeVersion.departement_code == chosen.departement)
    if chosen.partner:
        query = query.where(NeedThread.oriented_to == chosen.partner)
    if chosen.no_news:
        query = query.where(NeedThread.is_open, NeedThread.last_news_at.is_(None))
    if with_status and chosen.status:
        query = query.where(NeedThread.status == chosen.status)
    return query


def search(chosen: ThreadFilter, limit: int = 500) -> list[NeedThread]:
    """Threads as filtered, the longest without news first."""
    return list(db.session.scalars(
        _filtered(chosen).options(selectinload(NeedThread.villages).selectinload(NeedThreadVillage.village),
                                  selectinload(NeedThread.initiative).selectinload(Initiative.versions))
        .order_by(func.coalesce(NeedThread.last_news_at, NeedThread.opened_at), NeedThread.id).limit(limit)
    ))


def status_counts(chosen: ThreadFilter) -> dict[str, int]:
    """Threads by status under the filters (whatever status is chosen), every status named."""
    found = dict(db.session.execute(
        _filtered(chosen, with_status=False).with_only_columns(NeedThread.status, func.count())
        .group_by(NeedThread.status)).all())
    return {status.value: found.get(status.value, 0) for status in ThreadStatus}


def partners_named() -> list[str]:
    """The structures threads were oriented to, in French order."""
    names = db.session.scalars(select(NeedThread.oriented_to).where(NeedThread.oriented_to != "").distinct())
    return sorted(names, key=fold)


def departements_of_threads() -> list[str]:
    return sorted(code for code in db.session.scalars(
        select(InitiativeVersion.departement_code).join(Initiative, (InitiativeVersion.initiative_id == Initiative.id)
                                                        & (InitiativeVersion.number == Initiative.current_number))
        .where(Initiative.id.in_(select(NeedThread.initiative_id)), InitiativeVersion.departement_code.is_not(None))
        .distinct()) if code)


def timeline(initiative: Initiative) -> list[tuple[datetime, str, NeedThread | None, NeedThreadStep | None]]:
    """The initiative's story across villages, oldest first: each village it came to, and each
    step of each of its threads."""
    events: list = []
    for presentation in initiative.presentations:
        events.append((to_utc_naive(presentation.village.starts), "village", None, presentation.village))
    threads = db.session.scalars(select(NeedThread).where(NeedThread.initiative_id == initiative.id)
                                 .options(selectinload(NeedThread.steps))).all()
    for thread in threads:
        for step in thread.steps:
            events.append((step.at, "step", thread, step))
    return sorted(events, key=lambda event: (event[0], event[1] != "village"))


# --- Fed by the village ----------------------------------------------------------------------

def feed(village: Village) -> int:
    """Open or continue the threads of the needs expressed at `village`, and orient them after
    its meetings; safe to run again (the nightly run does, before asking). Returns how many
    threads gained this village. The caller commits."""
    day_start = to_utc_naive(village.starts)
    added = 0
    presentations = db.session.scalars(
        select(InitiativePresentation).join(Registration, InitiativePresentation.registration_id == Registration.id)
        .where(InitiativePresentation.village_id == village.id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(selectinload(InitiativePresentation.initiative))
    ).all()
    for presentation in presentations:
        version = presentation.version or presentation.initiative.current
        if version is None:
            continue
        added += _express(presentation, version.support_needs or [], version.support_details or {}, village,
                          day_start)
    _orient_after_meetings(village)
    return added


def _express(presentation: InitiativePresentation, needs: list[str], details: dict, village: Village,
             at: datetime) -> int:
    threads = {t.category: t for t in db.session.scalars(
        select(NeedThread).where(NeedThread.initiative_id == presentation.initiative_id))}
    added = 0
    for need in needs:
        if need not in SUPPORT_NEEDS:
            continue
        thread = threads.get(need)
        if thread is None:
            thread = NeedThread(initiative_id=presentation.initiative_id, category=need,
                                status=ThreadStatus.EXPRESSED, status_changed_at=at, opened_at=at,
                                first_village_id=village.id)
            db.session.add(thread)
            threads[need] = thread
        if any(link.village_id == village.id for link in thread.villages):
            continue
        added += 1
        thread.villages.append(NeedThreadVillage(village_id=village.id, expressed_at=at))
        thread.detail = (details.get(need) or "")[:LONGEST_NOTE]
        thread.absent_from_fiche_since = None
        if thread.id is None or thread.status in CLOSED_STATUSES:
            # New, or a need met or given up that comes back: expressed (again).
            _step(thread, ThreadStatus.EXPRESSED, Recorder.PORTEUR, at, village=village,
                  registration_id=presentation.registration_id)
    # A need ticked before and no longer on the fiche is asked about, not closed.
    for thread in threads.values():
        if thread.category not in needs and thread.is_open and thread.absent_from_fiche_since is None \
                and not any(link.village_id == village.id for link in thread.villages):
            thread.absent_from_fiche_since = at
    return added


def _orient_after_meetings(village: Village) -> None:
    """A meeting held where either person noted « une orientation vers un dispositif d'appui »
    orients the porteur's needs expressed at this village towards the other person's structure:
    those the other offered support for, or all of them when they offered none."""
    seats = db.session.scalars(
        select(MeetingSeat).join(Meeting).where(Meeting.village_id == village.id, Meeting.cancelled_at.is_(None),
                                                MeetingSeat.took_place.is_(True))
        .options(selectinload(MeetingSeat.meeting).selectinload(Meeting.seats))
    ).all()
    for seat in seats:
        if "orientation" not in (seat.outcomes or []):
            continue
        people = seat.meeting.people
        if len(people) != 2:
            continue
        for porteur in people:
            other = next(p for p in people if p.id != porteur.id)
            if porteur.role != Role.PORTEUR or porteur.initiative is None or other.role == Role.PORTEUR:
                continue
            offered = set(db.session.scalars(select(SupportOffer.category)
                                             .where(SupportOffer.registration_id == other.id)))
            recorder = Recorder.PORTEUR if seat.registration_id == porteur.id else Recorder.PARTNER
            for thread in db.session.scalars(select(NeedThread).where(
                    NeedThread.initiative_id == porteur.initiative.id, NeedThread.status == ThreadStatus.EXPRESSED,
                    NeedThread.id.in_(threads_at_villages([village.id])))):
                if offered and thread.category not in offered:
                    continue
                _orient(thread, other)
                _step(thread, ThreadStatus.ORIENTED, recorder, seat.recorded_at or to_utc_naive(village.ends),
                      village=village, registration_id=seat.registration_id,
                      oriented_to=thread.oriented_to, oriented_registration_id=other.id,
                      partner_role=other.role, note="Orientation notée après un rendez-vous du village.")


def _orient(thread: NeedThread, partner: Registration) -> None:
    thread.oriented_to = (partner.structure or partner.full_name)[:LONGEST_NAME]
    thread.oriented_registration_id = partner.id
    thread.partner_role = partner.role


def _step(thread: NeedThread, status: ThreadStatus, recorder: Recorder, at: datetime, *,
          village: Village | None = None, **values) -> NeedThreadStep:
    step = NeedThreadStep(status=status, recorded_by=recorder, at=at,
                          village_id=village.id if village is not None else None, **values)
    thread.steps.append(step)
    if status != thread.status:
        thread.status, thread.status_changed_at = status, at
    return step


# --- Answers and changes ---------------------------------------------------------------------

@dataclass(frozen=True)
class Given:
    """An answer as submitted: the thread's step count as the page showed it guards against
    a double submit or an answer given meanwhile from another page."""

    answer: str
    seen_steps: int | None
    towards: str = ""
    note: str = ""
    correcting: bool = False


def answer(registration: Registration, thread_id: int, given: Given, now: datetime | None = None) -> NeedThreadStep:
    """Record a porteur's or a partner's answer about one thread; Refused with a French reason
    (nothing written) when it cannot be taken. The caller commits."""
    now = now or utcnow()
    # Locked, and read afresh: of two submits at once, the second sees the first's step.
    thread = db.session.scalar(select(NeedThread).where(NeedThread.id == thread_id).with_for_update()
                               .execution_options(populate_existing=True))
    if thread is None or thread.id not in {t.id for t in threads_for(registration)}:
        raise Refused("Ce besoin ne fait pas partie de ceux que nous vous avons demandés : rien n'a été enregistré.")
    choices = answers_for(registration)
    try:
        chosen = Answer(given.answer)
    except ValueError:
        chosen = None
    if chosen not in choices:
        raise Refused("Choisissez une des réponses proposées.")
    if given.seen_steps is not None and given.seen_steps != len(thread.steps):
        latest = thread.steps[-1] if thread.steps else None
        if latest is not None and latest.answer == chosen and latest.registration_id == registration.id:
            raise Refused("Cette réponse était déjà enregistrée : rien n'a été ajouté.")
        raise Refused(f"Ce besoin a changé entre-temps (il est maintenant « {thread.status_label} ») : "
                      "vérifiez puis répondez de nouveau si besoin.")
    if not thread.is_open and not (given.correcting and registration.role == Role.PORTEUR):
        raise Refused(f"Ce besoin est déjà clos (« {thread.status_label} ») : rien n'a été enregistré.")
    towards, note = given.towards.strip(), given.note.strip()
    if len(towards) > LONGEST_NAME:
        raise Refused(f"Le nom de la structure dépasse {LONGEST_NAME} caractères : raccourcissez-le.")
    if len(note) > LONGEST_NOTE:
        raise Refused(f"Le commentaire dépasse {LONGEST_NOTE} caractères : raccourcissez-le.")
    as_partner = registration.role != Role.PORTEUR
    status = chosen.status or (thread.status if thread.is_open else ThreadStatus.EXPRESSED)
    values = {"answer": chosen, "registration_id": registration.id, "note": note}
    if as_partner and chosen in (Answer.MET, Answer.IN_PROGRESS):
        _orient(thread, registration)
        values.update(oriented_to=thread.oriented_to, oriented_registration_id=registration.id,
                      partner_role=registration.role)
    elif towards:
        thread.oriented_to, thread.oriented_registration_id, thread.partner_role = towards, None, None
        values["oriented_to"] = towards
    step = _step(thread, status, Recorder.PARTNER if as_partner else Recorder.PORTEUR, now,
                 village=registration.village, **values)
    thread.last_news_at = now
    db.session.execute(update(FollowupAsk).where(FollowupAsk.registration_id == registration.id,
                                                 FollowupAsk.answered_at.is_(None)).values(answered_at=now))
    return step


def set_status(thread: NeedThread, status: str, note: str, organiser_email: str,
               now: datetime | None = None) -> NeedThreadStep:
    """An organiser sets a thread's status, with a note; audited. The caller commits."""
    try:
        chosen = ThreadStatus(status)
    except ValueError:
        raise Refused("Choisissez un des statuts proposés.") from None
    note = note.strip()
    if len(note) > LONGEST_NOTE:
        raise Refused(f"La note dépasse {LONGEST_NOTE} caractères : raccourcissez-la.")
    # Read again under a lock: the same status and note posted twice (a double click) are set once.
    db.session.scalar(select(NeedThread).where(NeedThread.id == thread.id).with_for_update()
                      .execution_options(populate_existing=True))
    db.session.refresh(thread, ["steps"])
    last = thread.steps[-1] if thread.steps else None
    if (last is not None and last.status == chosen and last.note == note
            and last.recorded_by == Recorder.ORGANISER and last.organiser_email == organiser_email):
        return last
    now = now or utcnow()
    before = thread.status
    step = _step(thread, chosen, Recorder.ORGANISER, now, organiser_email=organiser_email, note=note)
    thread.last_news_at = now
    audit.record(organiser_email, audit.Action.FOLLOWUP_STATUS_SET, thread.initiative,
                 village_id=thread.first_village_id, need=thread.category, before=before, status=chosen, note=note)
    return step


# --- Opting out, erasure ---------------------------------------------------------------------

def has_opted_out(registration: Registration) -> bool:
    key = email_key(registration.email)
    return key is None or db.session.scalar(select(FollowupOptOut.id).where(FollowupOptOut.email_key == key)) \
        is not None


def opt_out(registration: Registration) -> bool:
    """No more follow-up e-mails to this person's address; whether it is new. The caller commits."""
    if has_opted_out(registration):
        return False
    db.session.add(FollowupOptOut(email_key=email_key(registration.email)))
    audit.record("participant", audit.Action.REGISTRATION_FOLLOWUP_OPT_OUT, registration)
    return True


def forget_texts(registration: Registration) -> None:
    """Erasure or retention: the texts that may name people go (the person's notes, the details
    of their initiative's needs, names of whom they were oriented to); statuses and counts stay."""
    initiative = registration.initiative
    if initiative is not None:
        own = select(NeedThread.id).where(NeedThread.initiative_id == initiative.id)
        db.session.execute(update(NeedThread).where(NeedThread.id.in_(own)).values(detail="", oriented_to=""))
        db.session.execute(update(NeedThreadStep).where(NeedThreadStep.thread_id.in_(own))
                           .values(note="", oriented_to=""))
    db.session.execute(update(NeedThreadStep).where(NeedThreadStep.registration_id == registration.id)
                       .values(note="", oriented_to=""))
    db.session.execute(update(NeedThreadStep).where(NeedThreadStep.oriented_registration_id == registration.id)
                       .values(oriented_to=""))
    db.session.execute(update(NeedThread).where(NeedThread.oriented_registration_id == registration.id)
                       .values(oriented_to=""))
    # An opt-out stays: the same address may be registered at other villages, and keeping who
    # objected is what honours the objection.
