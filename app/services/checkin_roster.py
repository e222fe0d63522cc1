"""The check-in roster that phones keep offline, and its change cursor.

Every village has a counter, Village.roster_version. Whenever a flush changes something a
check-in phone must know about a registration (a new registration, a cancellation, a
promotion, a name or role edit, a check-in, an undo, a conflict flag), the counter is raised
by one and the registration is stamped with the new value (Registration.roster_version).
A phone that has seen everything up to cursor N asks for `roster_version > N` and gets only
what changed.

The counter is raised with an UPDATE of the village row, which holds that row's lock until
the transaction ends: two transactions touching the same village's roster take their
versions in the order they commit, so a phone can never receive version N+1 before a
still-uncommitted N (the cursor would then skip N forever). Services that lock the village
row themselves (capacity checks) should do so first, as usual.

The hook lives here, on every Session, so that the registration services need not know
about it. The exceptions are a scan (checkin.check_in), which admits in direct SQL (one
statement on PostgreSQL), and a new registration (registration.register): written without the
ORM's unit of work, they take their versions themselves (app/services/roster_version.py).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import CheckIn, Registration, RegistrationStatus, Village
from ..timeutil import local_zone
from . import roster_version
from .checkin import attendee, iso_utc

# What a phone shows or decides on; other changes (reminder sent, consents...) do not count.
ROSTER_FIELDS = (
    "village_id",
    "status",
    "first_name",
    "last_name",
    "role",
    "civility",
    "organisation",
    "collectivity",
    "represented_group",
    "badge_code",
    "is_walk_in",
    "checked_in_at",
    "anonymised_at",
)
CHECKIN_FIELDS = ("undone_at", "conflict_with_id", "scanned_at")


def code_hash(badge_code: str) -> str:
    """What phones store instead of the badge secret: a stolen phone cannot forge badges."""
    return hashlib.sha256(badge_code.encode()).hexdigest()


def _changed(obj, fields: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _registrations_to_stamp(session: Session) -> set[Registration]:
    found: set[Registration] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Registration):
            if obj in session.new or _changed(obj, ROSTER_FIELDS):
                found.add(obj)
        elif isinstance(obj, CheckIn):
            if obj in session.new or _changed(obj, CHECKIN_FIELDS):
                registration = obj.registration or session.get(Registration, obj.registration_id)
                if registration is not None:
                    found.add(registration)
    return found


def _village_id(registration: Registration) -> int | None:
    if registration.village_id is not None:
        return registration.village_id
    return registration.village.id if registration.village is not None else None


def _stamp_roster_changes(session: Session, _flush_context, _instances) -> None:
    by_village: dict[int, list[Registration]] = defaultdict(list)
    for registration in _registrations_to_stamp(session):
        village_id = _village_id(registration)
        if village_id is None:  # a village created in this very flush
            village = registration.village
            village.roster_version = (village.roster_version or 0) + 1
            registration.roster_version = village.roster_version
        else:
            by_village[village_id].append(registration)
    for village_id, registrations in by_village.items():
        version = roster_version.take_next(session, village_id)
        for registration in registrations:
            registration.roster_version = version


def watch_changes() -> None:
    """Install the flush hook (once per process)."""
    if not event.contains(Session, "before_flush", _stamp_roster_changes):
        event.listen(Session, "before_flush", _stamp_roster_changes)


@dataclass
class Roster:
    cursor: int
    entries: list[dict]
    conflicts: list[dict]
    # Other villages' badges, so that an offline phone can say "wrong village" (full downloads only).
    other_villages: list[dict] | None
    # The village's day and time zone: an offline phone admits on that day only (as checkin.check_in).
    day: date
    time_zone: str

    def as_json(self) -> dict:
        data = {"cursor": self.cursor, "entries": self.entries, "conflicts": self.conflicts,
                "day": self.day.isoformat(), "time_zone": self.time_zone}
        if self.other_villages is not None:
            data["other_villages"] = self.other_villages
        return data


def entry(registration: Registration, admission: CheckIn | None = None) -> dict:
    """A person as the scanner page shows them (checkin.attendee), plus their badge's hash."""
    if registration.anonymised_at is not None:
        return {"id": registration.id, "removed": True}
    # The short code lets an offline phone find the person, as a name does; the QR secret never leaves.
    return attendee(registration, admission) | {
        "code_hash": code_hash(registration.badge_code), "short_code": registration.short_code,
    }


def admissions(registrations: list[Registration]) -> dict[int, CheckIn]:
    """The admission that counts for each of these registrations, in one query."""
    found = db.session.scalars(
        select(CheckIn).where(
            CheckIn.registration_id.in_([r.id for r in registrations]),
            CheckIn.undone_at.is_(None),
            CheckIn.conflict_with_id.is_(None),
        )
    )
    return {admission.registration_id: admission for admission in found}


def conflict(checkin: CheckIn, winner: CheckIn) -> dict:
    registration = checkin.registration
    return {
        "scan_id": checkin.scan_id,
        "registration_id": registration.id,
        "name": registration.full_name,
        "scanner": checkin.scanner,
        "scanned_at": iso_utc(checkin.scanned_at),
        "undone": checkin.undone_at is not None,
        "winner": {
            "scan_id": winner.scan_id,
            "scanner": winner.scanner,
            "scanned_at": iso_utc(winner.scanned_at),
        },
    }


def conflicts(village: Village) -> list[tuple[CheckIn, CheckIn]]:
    """Scans of a badge already admitted elsewhere, each with the scan that won, by time."""
    winner = db.aliased(CheckIn)
    rows = db.session.execute(
        select(CheckIn, winner)
        .join(winner, CheckIn.conflict_with_id == winner.id)
        .where(CheckIn.village_id == village.id)
        .order_by(CheckIn.scanned_at)
    )
    return [(row[0], row[1]) for row in rows]


def roster(village: Village, since: int = 0) -> Roster:
    # Read the cursor before the entries: anything committed in between is sent again next
    # time rather than skipped.
    cursor = db.session.scalar(select(Village.roster_version).where(Village.id == village.id))
    changed = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.village_id == village.id, Registration.roster_version > since)
            .order_by(Registration.roster_version, Registration.id)
        )
    )
    admitted = admissions(changed)
    others = None
    if since == 0:
        others = [
            {"code_hash": code_hash(badge_code), "village": name}
            for badge_code, name in db.session.execute(
                select(Registration.badge_code, Village.name)
                .join(Village, Registration.village_id == Village.id)
                .where(
                    Village.id != village.id,
                    Village.archived_at.is_(None),
                    Registration.status != RegistrationStatus.CANCELLED,
                    Registration.anonymised_at.is_(None),
                )
            )
        ]
    return Roster(
        cursor=cursor,
        entries=[entry(r, admitted.get(r.id)) for r in changed],
        conflicts=[conflict(c, w) for c, w in conflicts(village)],
        other_villages=others,
        day=village.day,
        time_zone=local_zone().key,
    )
