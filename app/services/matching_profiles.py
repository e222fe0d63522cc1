"""What a participant states about meetings (offers, why they come, when they are free),
and what they record after each meeting. The caller commits."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, time

from sqlalchemy import select

from ..extensions import db
from ..models import OUTCOMES, MatchingProfile, Meeting, MeetingSeat, Registration, Role, SupportOffer, Village
from ..timeutil import local_datetime, to_utc_naive, utcnow
from . import audit

# Who states offers: those who come for an organisation that supports projects.
OFFERING_ROLES = (Role.INSTITUTIONNEL, Role.ELU)


class OutcomeRefused(Exception):
    """The outcome cannot be recorded; the message is meant for people."""


def profile_of(registration: Registration) -> MatchingProfile:
    if registration.matching_profile is None:
        # Column defaults apply at flush only: state them, so that the new profile reads right at once.
        registration.matching_profile = MatchingProfile(accepts_requests=True, comes_for="")
    return registration.matching_profile


def save_preferences(registration: Registration, *, accepts_requests: bool, comes_for: str,
                     available_from: time | None, available_until: time | None, offers: list[dict]) -> None:
    profile = profile_of(registration)
    profile.accepts_requests = accepts_requests
    profile.comes_for = comes_for or ""
    profile.available_from, profile.available_until = available_from, available_until
    if registration.role in OFFERING_ROLES:
        registration.support_offers[:] = [SupportOffer(**values) for values in offers]
    audit.record("participant", "matching_preferences_saved", registration,
                 accepts_requests=accepts_requests, offers=len(offers))


def state_at_registration(registration: Registration, comes_for: str, offers: list[dict]) -> None:
    """The optional answers of the registration form; nothing is stored when nothing was said
    (the defaults then apply), and only institutionnels and élus state offers."""
    comes_for = (comes_for or "").strip()
    offers = offers if registration.role in OFFERING_ROLES else []
    if comes_for or offers:
        save_preferences(registration, accepts_requests=True, comes_for=comes_for,
                         available_from=None, available_until=None, offers=offers)


def meeting_end(meeting: Meeting, village: Village) -> datetime:
    """When the meeting is over (naive UTC): the end of its slot, or, for a meeting without a
    time, the end of the village's day (its closing hour). What came of it can be said from then."""
    if meeting.is_placed and meeting.ends_at is not None:
        return to_utc_naive(local_datetime(village.day, meeting.ends_at))
    return to_utc_naive(village.ends)


def has_passed(meeting: Meeting, village: Village, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= meeting_end(meeting, village)


def record_outcome(meeting: Meeting, registration: Registration, took_place: bool, outcomes: list[str],
                   note: str) -> None:
    """What came of a meeting, as one of its two people says, once it is over."""
    seat = next((s for s in meeting.seats if s.registration_id == registration.id), None)
    if seat is None or meeting.cancelled_at is not None:
        raise OutcomeRefused("Ce rendez-vous n'est pas le vôtre, ou il a été supprimé.")
    if not has_passed(meeting, registration.village):
        raise OutcomeRefused("Ce rendez-vous n'a pas encore eu lieu : vous pourrez dire ce qui en est sorti "
                             "une fois qu'il sera passé.")
    if set(outcomes) - set(OUTCOMES):
        raise OutcomeRefused("Choisissez parmi les suites proposées.")
    seat.took_place = took_place
    seat.outcomes = [key for key in OUTCOMES if key in outcomes] if took_place else []
    seat.outcome_note = note or ""
    seat.recorded_at = utcnow()
    audit.record("participant", "meeting_outcome_recorded", meeting, took_place=took_place, outcomes=seat.outcomes)


def outcome_counts(village: Village) -> dict:
    """For the funders' report: meetings held (either person said so) and what came of them.
    An answer given before its meeting was over says nothing of it and is not counted."""
    rows = db.session.execute(
        select(MeetingSeat, Meeting).join(Meeting).where(Meeting.village_id == village.id, Meeting.cancelled_at.is_(None))
    )
    held, outcomes, recorded = set(), Counter(), set()
    for seat, meeting in rows:
        if seat.recorded_at is None or seat.recorded_at < meeting_end(meeting, village):
            continue
        recorded.add(seat.meeting_id)
        if seat.took_place:
            held.add(seat.meeting_id)
            outcomes.update((seat.meeting_id, key) for key in seat.outcomes)
    by_outcome = Counter(key for _, key in outcomes)
    return {
        "recorded": len(recorded),
        "held": len(held),
        "outcomes": [(label, by_outcome[key]) for key, label in OUTCOMES.items()],
    }
