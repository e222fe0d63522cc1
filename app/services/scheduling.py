"""Placing the accepted meetings of a village in slots and at tables.

The placement is an assignment problem solved with OR-Tools CP-SAT: one yes/no choice per
meeting and slot the two people can both attend; each meeting in at most one slot, each
person in at most one meeting per slot, no more meetings in a slot than there are tables;
maximise the meetings placed. Tables are interchangeable, so they are handed out slot by
slot afterwards. A greedy placement seeds the search, and the solver stops at the time
limit (SCHEDULING_TIME_LIMIT seconds) with the best placement found.

Organisers then move or remove meetings by hand and publish; every change is checked under
the village's lock and by the database's unique constraints (see app/models/matching.py).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    MatchingProfile, Meeting, MeetingRequest, MeetingSeat, MeetingTable, Registration, RequestStatus, Village,
)
from ..templating import french_time
from ..timeutil import utcnow
from . import audit, meeting_area, meeting_requests, notifications
from .meeting_area import Slot
from .meeting_requests import RequestRefused

DEFAULT_TIME_LIMIT = 3.0


@dataclass
class Problem:
    """Meetings as (meeting key, person, person); `allowed_slots` maps a person to the slot
    indexes they can attend (absent: all)."""

    meetings: list[tuple[int, int, int]]
    slot_count: int
    table_count: int
    allowed_slots: dict[int, set[int]] = field(default_factory=dict)

    def slots_for(self, first: int, second: int) -> list[int]:
        every = range(self.slot_count)
        return [s for s in every
                if s in self.allowed_slots.get(first, every) and s in self.allowed_slots.get(second, every)]


@dataclass
class Placement:
    """Meeting key -> (slot index, table index); `optimal` when the solver proved nothing better exists."""

    places: dict[int, tuple[int, int]]
    optimal: bool
    seconds: float


def solve(problem: Problem, time_limit: float = DEFAULT_TIME_LIMIT, workers: int = 2) -> Placement:
    # Imported here: OR-Tools takes a second or two to load, which every request would pay.
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    choices = {}
    by_person_slot: dict[tuple[int, int], list] = defaultdict(list)
    by_slot: dict[int, list] = defaultdict(list)
    for key, first, second in problem.meetings:
        options = problem.slots_for(first, second) if problem.table_count else []
        for slot in options:
            choice = model.new_bool_var("")  # unnamed: names cost time on thousands of meetings
            choices[key, slot] = choice
            by_person_slot[first, slot].append(choice)
            by_person_slot[second, slot].append(choice)
            by_slot[slot].append(choice)
        if options:
            model.add_at_most_one(choices[key, slot] for slot in options)
    for together in by_person_slot.values():
        if len(together) > 1:
            model.add_at_most_one(together)
    for in_slot in by_slot.values():
        if len(in_slot) > problem.table_count:
            model.add(cp_model.LinearExpr.sum(in_slot) <= problem.table_count)
    model.maximize(cp_model.LinearExpr.sum(list(choices.values())))
    hint = _greedy(problem)
    for key, slot in hint.items():  # the meetings placed; the solver takes the others as unplaced
        model.add_hint(choices[key, slot], True)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        slots_of = hint
    else:
        slots_of = {key: slot for (key, slot), choice in choices.items() if solver.value(choice)}
    return Placement(_hand_out_tables(slots_of), status == cp_model.OPTIMAL, solver.wall_time)


def _greedy(problem: Problem) -> dict[int, int]:
    """The solver's starting point: meetings of the busiest people first (meetings wanted over
    slots they attend), each in the first slot where both people and a table are free."""
    wanted = Counter(person for _, first, second in problem.meetings for person in (first, second))

    def busyness(person: int) -> float:
        return wanted[person] / max(1, len(problem.allowed_slots.get(person, range(problem.slot_count))))

    busy, used, found = set(), defaultdict(int), {}
    for key, first, second in sorted(problem.meetings, key=lambda m: -(busyness(m[1]) + busyness(m[2]))):
        for slot in problem.slots_for(first, second):
            if (first, slot) not in busy and (second, slot) not in busy and used[slot] < problem.table_count:
                busy |= {(first, slot), (second, slot)}
                used[slot] += 1
                found[key] = slot
                break
    return found


def _hand_out_tables(slots_of: dict[int, int]) -> dict[int, tuple[int, int]]:
    next_table: dict[int, int] = defaultdict(int)
    places = {}
    for key in sorted(slots_of):
        slot = slots_of[key]
        places[key] = (slot, next_table[slot])
        next_table[slot] += 1
    return places


# --- The village's schedule -------------------------------------------------------------


class ScheduleChanged(RequestRefused):
    def __init__(self):
        super().__init__("Des rendez-vous ont changé pendant le calcul : relancez le calcul du programme.")


@dataclass
class BuildReport:
    meetings: int
    placed: int
    optimal: bool
    seconds: float


def close_requests(village: Village, actor: str) -> int:
    """Close requests before the schedule is built: pending ones expire. Returns how many."""
    settings = meeting_area.lock_settings(village)
    if settings.requests_closed_at is None:
        settings.requests_closed_at = utcnow()
    pending = list(db.session.scalars(select(MeetingRequest).where(
        MeetingRequest.village_id == village.id, MeetingRequest.status == RequestStatus.PENDING)))
    for request in pending:
        request.status = RequestStatus.EXPIRED
    settings.schedule_version += 1
    audit.record(actor, "meeting_requests_closed", village, expired=len(pending))
    return len(pending)


def build(village: Village, actor: str,
          solving: Callable[[float], AbstractContextManager] = lambda seconds: nullcontext()) -> BuildReport:
    """Compute a provisional schedule and save it (replacing the previous placement).

    The solver runs without holding the village's lock; the result is saved only if no
    meeting changed meanwhile (ScheduleChanged otherwise). The caller commits. `solving(time
    limit)` is entered around the solver alone (a job's progress bar moves meanwhile).
    """
    settings = meeting_area.settings_of(village)
    version = settings.schedule_version
    slot_list = meeting_area.slots(settings)
    table_list = meeting_area.tables(village)
    problem = Problem(
        meetings=_meeting_pairs(village),
        slot_count=len(slot_list),
        table_count=len(table_list),
        allowed_slots=_availability(village, slot_list),
    )
    db.session.commit()  # ends the read transaction: the solver may take seconds
    time_limit = current_app.config.get("SCHEDULING_TIME_LIMIT", DEFAULT_TIME_LIMIT)
    with solving(time_limit):
        placement = solve(problem, time_limit)

    settings = meeting_area.lock_settings(village)
    if settings.schedule_version != version:
        raise ScheduleChanged()
    _save_placement(village, placement, table_list, slot_list)
    settings.schedule_version += 1
    report = BuildReport(len(problem.meetings), len(placement.places), placement.optimal, placement.seconds)
    audit.record(actor, "schedule_built", village, meetings=report.meetings, placed=report.placed)
    return report


def _save_placement(village: Village, placement: Placement, table_list: list[MeetingTable],
                    slot_list: list[Slot]) -> None:
    """Replace the village's placement in a few statements (thousands of meetings)."""
    of_village = select(Meeting.id).where(Meeting.village_id == village.id)
    db.session.execute(update(MeetingSeat).where(MeetingSeat.meeting_id.in_(of_village)).values(starts_at=None))
    db.session.execute(update(Meeting).where(Meeting.village_id == village.id)
                       .values(table_id=None, starts_at=None, ends_at=None))
    meeting_rows, seat_rows = [], []
    for key, (slot, table) in placement.places.items():
        starts_at, ends_at = slot_list[slot].starts_at, slot_list[slot].ends_at
        meeting_rows.append({"id": key, "table_id": table_list[table].id, "starts_at": starts_at, "ends_at": ends_at})
        seat_rows.append({"key": key, "starts_at": starts_at})
    if meeting_rows:
        db.session.execute(update(Meeting), meeting_rows)
        db.session.connection().execute(
            update(MeetingSeat).where(MeetingSeat.meeting_id == bindparam("key"))
            .values(starts_at=bindparam("starts_at")),
            seat_rows,
        )
    db.session.expire_all()


def move(meeting: Meeting, table: MeetingTable | None, slot: Slot | None, actor: str) -> None:
    """Put a meeting at a table and time (None, None: take it out of the schedule)."""
    settings = meeting_area.lock_settings(_village(meeting))
    db.session.refresh(meeting)
    if meeting.cancelled_at is not None:
        raise RequestRefused("Ce rendez-vous a été supprimé entre-temps.")
    if slot is not None:
        if slot not in meeting_area.slots(settings):
            raise RequestRefused("Ce créneau n'existe pas dans l'espace de rendez-vous.")
        if table is None or table.village_id != meeting.village_id:
            raise RequestRefused("Choisissez une table de ce village.")
        _check_free(meeting, table, slot)
    _place(meeting, table, slot)
    settings.schedule_version += 1
    audit.record(actor, "meeting_moved", meeting, table=table.name if table else None,
                 starts_at=slot.starts_at if slot else None)


def remove(meeting: Meeting, actor: str) -> None:
    settings = meeting_area.lock_settings(_village(meeting))
    db.session.refresh(meeting)
    if meeting.cancelled_at is not None:
        return
    _place(meeting, None, None)
    meeting.cancelled_at = utcnow()
    settings.schedule_version += 1
    audit.record(actor, "meeting_removed", meeting)


def publish(village: Village, actor: str) -> int:
    """Send each person whose agenda changed since the last publication their agenda (PDF)
    and the calendar events of what changed. Returns how many people were written to."""
    settings = meeting_area.lock_settings(village)
    changed_for: dict[int, list[tuple[Meeting, str]]] = defaultdict(list)
    people = {}
    for meeting in _all_meetings(village):
        method = announce(meeting)
        if method is None:
            continue
        for person in meeting.people:
            changed_for[person.id].append((meeting, method))
            people[person.id] = person
    settings.schedule_published_at = utcnow()
    settings.schedule_version += 1
    for person_id, changes in changed_for.items():
        notifications.agenda_published(people[person_id], changes)
    audit.record(actor, "schedule_published", village, people=len(changed_for))
    return len(changed_for)


def announce(meeting: Meeting) -> str | None:
    """Record that people are being told of the meeting's change, and return how to tell their
    calendars (REQUEST, CANCEL), or None when there is nothing new to tell."""
    method = _calendar_change(meeting)
    if method is None:
        return None
    if meeting.announced_at is not None:
        meeting.calendar_sequence += 1
    meeting.announced_at = utcnow()
    meeting.announced_starts_at = meeting.starts_at if method == "REQUEST" else None
    meeting.announced_table = meeting.table.name if method == "REQUEST" else None
    return method


def withdraw_person(person: Registration, actor: str) -> None:
    """A person cancelled their registration: their open requests (sent and received) are
    withdrawn and their meetings cancelled; each other person is told by e-mail, with a
    calendar cancellation when the meeting had already been sent to their calendar."""
    if person.village.matching_settings is None:  # nobody asked anybody at this village yet
        return
    settings = meeting_area.lock_settings(person.village)
    open_requests = db.session.scalars(select(MeetingRequest).where(
        or_(MeetingRequest.requester_id == person.id, MeetingRequest.recipient_id == person.id),
        MeetingRequest.status.in_(meeting_requests.OPEN_STATUSES),
    ).order_by(MeetingRequest.id))
    for request in open_requests:
        was_pending = request.status == RequestStatus.PENDING
        request.status = RequestStatus.WITHDRAWN
        request.answered_at = utcnow()
        if was_pending:  # an accepted request is told of through its meeting, below
            other = request.recipient if request.requester_id == person.id else request.requester
            notifications.meeting_withdrawn(other, person, "request")
    out_of_calendar = []
    for meeting in agenda(person):
        remove(meeting, actor)
        method = announce(meeting)  # CANCEL if their calendars hold it, else None
        notifications.meeting_withdrawn(meeting.other(person), person, "meeting", meeting=meeting,
                                        calendar_method=method)
        if method:
            out_of_calendar.append((meeting, method))
    if out_of_calendar:  # the leaving person's calendar is cleared too, as publishing would
        notifications.agenda_published(person, out_of_calendar)
    settings.schedule_version += 1


def active_meetings(village: Village) -> list[Meeting]:
    return [m for m in _all_meetings(village) if m.cancelled_at is None]


def agenda(registration) -> list[Meeting]:
    """A person's active meetings, placed ones first by time."""
    return list(db.session.scalars(Meeting.agenda_of(registration)).unique())


def _calendar_change(meeting: Meeting) -> str | None:
    """REQUEST when people must learn of a new or moved meeting, CANCEL when of its removal."""
    if not meeting.is_placed:
        return "CANCEL" if meeting.announced_starts_at is not None else None
    if meeting.announced_starts_at == meeting.starts_at and meeting.announced_table == meeting.table.name:
        return None
    return "REQUEST"


def _all_meetings(village: Village) -> list[Meeting]:
    return list(db.session.scalars(
        select(Meeting).where(Meeting.village_id == village.id).order_by(Meeting.id)
        .options(selectinload(Meeting.seats).selectinload(MeetingSeat.registration), selectinload(Meeting.table))
        .execution_options(populate_existing=True)
    ))


def _meeting_pairs(village: Village) -> list[tuple[int, int, int]]:
    rows = db.session.execute(
        select(MeetingSeat.meeting_id, MeetingSeat.registration_id).join(Meeting)
        .where(Meeting.village_id == village.id, Meeting.cancelled_at.is_(None))
        .order_by(MeetingSeat.meeting_id, MeetingSeat.id)
    )
    people: dict[int, list[int]] = defaultdict(list)
    for meeting_id, registration_id in rows:
        people[meeting_id].append(registration_id)
    return [(key, first, second) for key, (first, second) in people.items()]


def _availability(village: Village, slot_list: list[Slot]) -> dict[int, set[int]]:
    """Slot indexes of the people who said when they are available."""
    profiles = db.session.scalars(
        select(MatchingProfile).join(Registration)
        .where(Registration.village_id == village.id,
               (MatchingProfile.available_from.is_not(None)) | (MatchingProfile.available_until.is_not(None)))
    )
    return {
        profile.registration_id: {
            index for index, slot in enumerate(slot_list)
            if (profile.available_from is None or slot.starts_at >= profile.available_from)
            and (profile.available_until is None or slot.ends_at <= profile.available_until)
        }
        for profile in profiles
    }


def _check_free(meeting: Meeting, table: MeetingTable, slot: Slot) -> None:
    taken = db.session.scalar(select(Meeting).where(
        Meeting.table_id == table.id, Meeting.starts_at == slot.starts_at, Meeting.id != meeting.id))
    if taken is not None:
        raise RequestRefused(f"La {table.name} est déjà prise à {french_time(slot.starts_at)}.")
    for seat in meeting.seats:
        busy = db.session.scalar(select(MeetingSeat).where(
            MeetingSeat.registration_id == seat.registration_id, MeetingSeat.starts_at == slot.starts_at,
            MeetingSeat.meeting_id != meeting.id))
        if busy is not None:
            raise RequestRefused(f"{seat.registration.full_name} a déjà un rendez-vous à {french_time(slot.starts_at)}.")


def _place(meeting: Meeting, table: MeetingTable | None, slot: Slot | None) -> None:
    meeting.table = table
    meeting.starts_at = slot.starts_at if slot else None
    meeting.ends_at = slot.ends_at if slot else None
    for seat in meeting.seats:
        seat.starts_at = meeting.starts_at


def _village(meeting: Meeting) -> Village:
    return db.session.get(Village, meeting.village_id)
