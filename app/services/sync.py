"""Offline check-in: what a phone decided without network, sent when the network returns.

A phone keeps the roster (app/services/checkin_roster.py), decides each scan itself and queues what
it did: admissions ("scan"), people registered at the door ("walk_in") and admissions taken
back ("undo"), each with the device's own id and clock. This module replays that queue.

The server stays the source of truth:
- every event carries a unique id (CheckIn.scan_id): sending it again changes nothing and
  returns the same answer, so a phone may resend its whole queue after a cut connection;
- the moment a scan was made (its device clock) decides whether the door was open: a scan
  made before or after the village's day is answered "not_village_day" and writes nothing;
- when two phones admitted the same badge while offline, both admissions are kept; the
  earlier one by device clock wins, the other points at it (CheckIn.conflict_with_id) and is
  listed for the organisers and sent back to the phones; Registration.checked_in_at is the
  winner's time, so nobody is counted twice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from sqlalchemy import select

from ..extensions import db
from ..models import CheckIn, Registration, Village
from ..timeutil import utcnow
from . import audit
from .checkin import (
    MAX_CODE_LENGTH,
    Result,
    WalkInData,
    WalkInRefused,
    attendee,
    check_in,
    iso_utc,
    not_village_day_message,
    walk_in,
)
from .checkin_roster import code_hash
from .registration import lock

MAX_EVENTS = 500
EVENT_TYPES = ("scan", "walk_in", "undo")
SCAN_METHODS = ("scan", "search")
HEX64 = re.compile(r"[0-9a-f]{64}")


class MalformedSync(ValueError):
    """The upload is not what a phone sends: nothing is written."""


@dataclass
class SyncEvent:
    id: str
    type: str
    scanned_at: datetime  # naive UTC, from the device's clock
    code: str | None = None
    code_hash: str | None = None
    method: str = "scan"
    scan_id: str | None = None  # for undo: the admission taken back
    reason: str = ""
    person: dict = field(default_factory=dict)  # for walk_in


def _text(value, name: str, index: int, limit: int, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise MalformedSync(f"Événement {index} : « {name} » manquant ou invalide.")
    return value.strip()


def _moment(value, index: int) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: past year 9999 (or before year 1) in UTC
        pass
    raise MalformedSync(
        f"Événement {index} : « scanned_at » doit être une date ISO 8601 avec fuseau "
        "(par exemple 2030-05-14T09:12:03.120Z)."
    )


def _event(raw, index: int) -> SyncEvent:
    if not isinstance(raw, dict):
        raise MalformedSync(f"Événement {index} : un objet JSON est attendu.")
    kind = raw.get("type")
    if kind not in EVENT_TYPES:
        raise MalformedSync(f"Événement {index} : « type » doit valoir scan, walk_in ou undo.")
    event = SyncEvent(
        id=_text(raw.get("id"), "id", index, 64),
        type=kind,
        scanned_at=_moment(raw.get("scanned_at"), index),
    )
    if kind == "scan":
        event.code = _text(raw.get("code"), "code", index, MAX_CODE_LENGTH, required=False)
        event.code_hash = _text(raw.get("code_hash"), "code_hash", index, 64, required=False)
        if event.code is None and (event.code_hash is None or not HEX64.fullmatch(event.code_hash)):
            raise MalformedSync(f"Événement {index} : « code » ou « code_hash » (sha256 hex) attendu.")
        event.method = raw.get("method", "scan")
        if event.method not in SCAN_METHODS:
            raise MalformedSync(f"Événement {index} : « method » doit valoir scan ou search.")
    elif kind == "undo":
        event.scan_id = _text(raw.get("scan_id"), "scan_id", index, 64)
        event.reason = str(raw.get("reason") or "")[:300]
    else:
        person = raw.get("person")
        if not isinstance(person, dict):
            raise MalformedSync(f"Événement {index} : « person » (prénom, nom, rôle…) attendu.")
        event.person = person
    return event


def parse(payload) -> tuple[str, list[SyncEvent]]:
    """The device id and its events, or MalformedSync with a French explanation."""
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise MalformedSync("Un objet JSON avec une liste « events » est attendu.")
    device = _text(payload.get("device", "inconnu"), "device", 0, 64)
    if len(payload["events"]) > MAX_EVENTS:
        raise MalformedSync(f"{MAX_EVENTS} événements au plus par envoi.")
    return device, [_event(raw, index) for index, raw in enumerate(payload["events"])]


class Scanner(Protocol):
    """Who sent the queue (app/checkin/access.py's Scanner)."""

    name: str  # kept on CheckIn rows
    actor: str  # written in the audit log


# Deciding ------------------------------------------------------------------------------------


def settle(registration: Registration) -> CheckIn | None:
    """Of the admissions not taken back, the earliest by device clock wins; the others point at it."""
    active = list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.registration_id == registration.id, CheckIn.undone_at.is_(None))
            .order_by(CheckIn.scanned_at, CheckIn.id)
        )
    )
    winner = active[0] if active else None
    for admission in active:
        admission.conflict_with_id = None if admission is winner else winner.id
    registration.checked_in_at = winner.scanned_at if winner else None
    return winner


def _conflict_of(admission: CheckIn) -> dict | None:
    """The other admission of the same badge this one clashed with, if any."""
    if admission.conflict_with_id is not None:
        other, won = db.session.get(CheckIn, admission.conflict_with_id), False
    else:
        other = db.session.scalar(
            select(CheckIn)
            .where(CheckIn.conflict_with_id == admission.id, CheckIn.undone_at.is_(None))
            .order_by(CheckIn.scanned_at)
            .limit(1)
        )
        won = True
    if other is None:
        return None
    return {
        "won": won,
        "other": {"scan_id": other.scan_id, "scanner": other.scanner, "scanned_at": iso_utc(other.scanned_at)},
    }


def _answer(event: SyncEvent, admission: CheckIn) -> dict:
    conflict = _conflict_of(admission)
    answer = {
        "id": event.id,
        "type": event.type,
        "result": "conflict" if conflict else Result.OK.value,
        "attendee": attendee(admission.registration, admission),
    }
    if conflict:
        answer["conflict"] = conflict
    return answer


def _refusal(event: SyncEvent, result: str, registration: Registration | None = None, **extra) -> dict:
    answer = {"id": event.id, "type": event.type, "result": result}
    if registration is not None:
        answer["attendee"] = attendee(registration)
    return answer | extra


def _badge_code(village: Village, event: SyncEvent) -> str | None:
    if event.code is not None:
        return event.code
    # Searched by name offline: the phone only knows the hash. This village first, then the others.
    for in_village in (True, False):
        where = Registration.village_id == village.id if in_village else Registration.village_id != village.id
        for badge_code in db.session.scalars(select(Registration.badge_code).where(where)):
            if code_hash(badge_code) == event.code_hash:
                return badge_code
    return None


def _scan(village: Village, event: SyncEvent, scanner: Scanner, device: str) -> dict:
    code = _badge_code(village, event)
    if code is None:
        return _refusal(event, Result.UNKNOWN.value)
    outcome = check_in(
        village, code, scanner=scanner.name, scan_id=event.id,
        scanned_at=event.scanned_at, method=event.method,
    )
    if outcome.result == Result.OK:
        return _answer(event, outcome.admission)
    if outcome.result == Result.NOT_VILLAGE_DAY:
        return _refusal(event, outcome.result.value, outcome.registration,
                        message=not_village_day_message(village))
    if outcome.result != Result.ALREADY_CHECKED_IN:
        return _refusal(event, outcome.result.value, outcome.registration)
    # The phone admitted someone another device had already admitted: keep both, flag one.
    registration = outcome.registration
    admission = CheckIn(
        registration=registration,
        village=village,
        scan_id=event.id,
        scanned_at=min(event.scanned_at, utcnow()),
        scanner=scanner.name,
        method=event.method,
    )
    db.session.add(admission)
    db.session.flush()
    winner = settle(registration)
    audit.record(
        scanner.actor, "checkin.conflict", registration, village_id=village.id,
        scan_id=admission.scan_id, winner_scan_id=winner.scan_id, device=device,
    )
    return _answer(event, admission)


def _walk_in(village: Village, event: SyncEvent, scanner: Scanner) -> dict:
    data = WalkInData.from_mapping(event.person)
    errors = data.errors()
    if errors:
        return _refusal(event, "invalid", errors=errors)
    try:
        # The person is already inside: a full village cannot undo that.
        outcome = walk_in(
            village, data, scanner=scanner.name, actor=scanner.actor, over_capacity=True,
            scan_id=event.id, scanned_at=event.scanned_at,
        )
    except WalkInRefused as refused:
        return _refusal(event, "refused", message=refused.message, **refused.details)
    if outcome.result == Result.NOT_VILLAGE_DAY:
        return _refusal(event, outcome.result.value, message=not_village_day_message(village))
    return _answer(event, outcome.admission)


def _undo(village: Village, event: SyncEvent, scanner: Scanner) -> dict:
    admission = db.session.scalar(
        select(CheckIn).where(CheckIn.scan_id == event.scan_id, CheckIn.village_id == village.id)
    )
    if admission is None:
        return _refusal(event, "not_found")
    _, registration = lock(admission.registration)
    # Read again under the lock: another phone may have taken it back meanwhile.
    db.session.refresh(admission)
    if admission.undone_at is None:
        admission.undone_at = min(event.scanned_at, utcnow())
        admission.undone_by = scanner.name
        admission.undo_reason = event.reason.strip() or None
        settle(registration)
        audit.record(
            scanner.actor, "checkin.undo", registration, village_id=village.id,
            reason=event.reason, scan_id=admission.scan_id, offline=True,
        )
    return {"id": event.id, "type": "undo", "result": "undone", "attendee": attendee(registration)}


def replay(village: Village, device: str, events: list[SyncEvent], scanner: Scanner) -> list[dict]:
    """Apply a phone's queue in order; one answer per event. The caller commits."""
    answers = []
    for event in events:
        if event.type != "undo":
            earlier = db.session.scalar(select(CheckIn).where(CheckIn.scan_id == event.id))
            if earlier is not None:
                answers.append(
                    _answer(event, earlier) if earlier.village_id == village.id
                    else _refusal(event, "wrong_village")
                )
                continue
        if event.type == "scan":
            answers.append(_scan(village, event, scanner, device))
        elif event.type == "walk_in":
            answers.append(_walk_in(village, event, scanner))
        else:
            answers.append(_undo(village, event, scanner))
    return answers
