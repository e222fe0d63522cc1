"""Admission at the door.

`check_in` is the single place that decides what a presented badge means; the scanner API,
the name search, walk-ins and the offline sync all go through it. Like the other services,
nothing here commits: the caller does, so that a decision and its CheckIn row are saved together.
"""
from __future__ import annotations

import enum
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import CheckIn, Registration, RegistrationStatus, Role, Village
from ..models.registration import email_key
from ..timeutil import utcnow
from . import audit, capacity

# A badge secret is 32 characters; anything much longer is not one of ours.
MAX_CODE_LENGTH = 200


class Result(enum.StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    WRONG_VILLAGE = "wrong_village"


class UndoResult(enum.StrEnum):
    UNDONE = "undone"
    NOT_CHECKED_IN = "not_checked_in"
    UNKNOWN = "unknown"
    WRONG_VILLAGE = "wrong_village"


REFUSED_BY_STATUS = {
    RegistrationStatus.CANCELLED: Result.CANCELLED,
    RegistrationStatus.WAITLISTED: Result.WAITLISTED,
}


def iso_utc(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def attendee(registration: Registration, admission: CheckIn | None = None) -> dict:
    """What a volunteer needs to see about a person, as JSON-ready values."""
    return {
        "id": registration.id,
        "name": registration.full_name,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "role": registration.role_label,
        "role_code": registration.role,
        "organisation": registration.structure,
        "status": registration.status,
        "is_walk_in": registration.is_walk_in,
        "village": registration.village.slug,
        "village_name": registration.village.name,
        "checked_in_at": iso_utc(registration.checked_in_at),
        "checked_in_by": admission.scanner if admission else None,
    }


@dataclass
class CheckInOutcome:
    """The answer to a check-in (Result) or to its undoing (UndoResult)."""

    result: Result | UndoResult
    registration: Registration | None = None
    # The admission this answer is about: the new one (ok) or the earlier one (already_checked_in).
    admission: CheckIn | None = None

    @property
    def attendee(self) -> dict | None:
        if self.registration is None:
            return None
        return attendee(self.registration, self.admission)


def normalise_code(code: str) -> str:
    # Hand-held readers and copy-paste add spaces or line ends; badge secrets have none.
    return "".join(code.split())


def _badge_code(code: str) -> str | None:
    """The code as stored on a badge, or None when it cannot be one of ours."""
    code = normalise_code(code)
    return code if code and len(code) <= MAX_CODE_LENGTH else None


def _registration(code: str, *conditions, lock: bool = False) -> Registration | None:
    """The badge's registration, if it meets `conditions`; with `lock`, its row stays locked until commit."""
    code = _badge_code(code)
    if code is None:
        return None
    query = select(Registration).where(Registration.badge_code == code, *conditions)
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def _admissible(village: Village, code: str) -> Registration | None:
    """The badge's registration, locked until commit, if it may be admitted to `village` now.

    The conditions are in the query, so that a first scan is one statement. On PostgreSQL,
    a scan waiting for another phone's lock on the row reads the row again once that phone
    commits, and no longer finds it if it was admitted meanwhile; nothing is locked when
    nothing is found, so that a refused scan costs no disk flush at commit.
    """
    return _registration(
        code,
        Registration.village_id == village.id,
        Registration.status.not_in(list(REFUSED_BY_STATUS)),
        Registration.checked_in_at.is_(None),
        lock=True,
    )


def _is_current(admission) -> list:
    """Conditions on a CheckIn (or an alias of it) for the admission that counts."""
    return [admission.undone_at.is_(None), admission.conflict_with_id.is_(None)]


def current_admission(registration: Registration) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn)
        .where(CheckIn.registration_id == registration.id, *_is_current(CheckIn))
        .order_by(CheckIn.id.desc())
        .limit(1)
    )


def _with_admission(code: str) -> tuple[Registration | None, CheckIn | None]:
    """The badge's registration and its current admission, if any, in one query."""
    code = _badge_code(code)
    if code is None:
        return None, None
    row = db.session.execute(
        select(Registration, CheckIn)
        .outerjoin(CheckIn, and_(CheckIn.registration_id == Registration.id, *_is_current(CheckIn)))
        .where(Registration.badge_code == code)
        .order_by(CheckIn.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def _refusal(village: Village, registration: Registration | None,
             admission: CheckIn | None) -> CheckInOutcome | None:
    """Why this registration may not be admitted to `village` now, if it may not."""
    if registration is None:
        return CheckInOutcome(Result.UNKNOWN)
    if registration.village_id != village.id:
        return CheckInOutcome(Result.WRONG_VILLAGE, registration)
    refused = REFUSED_BY_STATUS.get(registration.status)
    if refused:
        return CheckInOutcome(refused, registration)
    if registration.checked_in_at is not None:
        return CheckInOutcome(Result.ALREADY_CHECKED_IN, registration, admission)
    return None


def check_in(
    village: Village,
    code: str,
    *,
    scanner: str,
    scan_id: str | None = None,
    scanned_at: datetime | None = None,
    method: str = "scan",
) -> CheckInOutcome:
    """Admit the holder of badge `code` to `village`, once.

    `scan_id` is the device's id for this scan: sending it again returns the first answer
    and writes nothing. `scanned_at` (naive UTC, the device's clock) becomes the check-in time;
    a time in the future is taken as now.
    """
    if scan_id is not None:
        replayed = db.session.scalar(select(CheckIn).where(CheckIn.scan_id == scan_id))
        if replayed is not None and replayed.village_id == village.id:
            return CheckInOutcome(Result.OK, replayed.registration, replayed)

    registration = _admissible(village, code)
    while registration is None:
        refusal = _refusal(village, *_with_admission(code))
        if refusal is not None:
            return refusal
        # Admissible after all: its check-in was undone (or it was confirmed) between the two
        # reads. Rare; the locking read decides again.
        registration = _admissible(village, code)

    now = utcnow()
    moment = min(scanned_at, now) if scanned_at else now
    admission = CheckIn(
        registration=registration,
        village=village,
        scan_id=scan_id or uuid.uuid4().hex,
        scanned_at=moment,
        received_at=now,
        scanner=scanner[:120],
        method=method,
    )
    registration.checked_in_at = moment
    db.session.add(admission)
    db.session.flush()
    return CheckInOutcome(Result.OK, registration, admission)


def undo_check_in(village: Village, code: str, *, actor: str, reason: str = "") -> CheckInOutcome:
    """Take back an admission (wrong person, scanned by mistake); the CheckIn row is kept."""
    registration = _registration(code, lock=True)
    if registration is None:
        return CheckInOutcome(UndoResult.UNKNOWN)
    if registration.village_id != village.id:
        return CheckInOutcome(UndoResult.WRONG_VILLAGE, registration)
    admission = current_admission(registration)
    if registration.checked_in_at is None or admission is None:
        return CheckInOutcome(UndoResult.NOT_CHECKED_IN, registration)
    reason = reason.strip()[:300]
    admission.undone_at = utcnow()
    admission.undone_by = actor[:120]
    admission.undo_reason = reason or None
    registration.checked_in_at = None
    audit.record(
        actor,
        "checkin.undo",
        registration,
        village_id=village.id,
        reason=reason,
        checked_in_at=iso_utc(admission.scanned_at),
        checked_in_by=admission.scanner,
    )
    return CheckInOutcome(UndoResult.UNDONE, registration, admission)


def badge_code_of(village: Village, registration_id: int) -> str | None:
    """The badge code of one of the village's registrations (for check-in from a name search)."""
    return db.session.scalar(
        select(Registration.badge_code).where(
            Registration.id == registration_id, Registration.village_id == village.id
        )
    )


def fold(text: str) -> str:
    """Lower case without accents, so that « helene » finds « Hélène »."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search(village: Village, query: str, limit: int = 15) -> list[dict]:
    """People of the village whose name or organisation contains every word of `query`."""
    words = fold(query).split()
    if not words:
        return []
    rows = db.session.execute(
        select(
            Registration.id,
            Registration.first_name,
            Registration.last_name,
            Registration.organisation,
            Registration.collectivity,
            Registration.represented_group,
        ).where(Registration.village_id == village.id)
    )
    found = [
        row.id
        for row in rows
        if all(
            word in fold(" ".join(filter(None, row[1:]))) for word in words
        )
    ]
    if not found:
        return []
    # Confirmed people first: they are the ones a volunteer is looking for.
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.id.in_(found[: limit * 4]))
        .order_by(
            (Registration.status != RegistrationStatus.CONFIRMED),
            Registration.last_name,
            Registration.first_name,
        )
        .limit(limit)
    )
    return [attendee(r) for r in registrations]


def attendance(village: Village) -> dict:
    """Present / expected (confirmed), overall and by role."""
    rows = db.session.execute(
        select(Registration.role, func.count(), func.count(Registration.checked_in_at))
        .where(
            Registration.village_id == village.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(Registration.role)
    )
    counted = {role: (expected, present) for role, expected, present in rows}
    roles = [
        {
            "role": role.value,
            "label": role.label,
            "expected": counted.get(role.value, (0, 0))[0],
            "present": counted.get(role.value, (0, 0))[1],
        }
        for role in Role
    ]
    walk_ins = db.session.scalar(
        select(func.count()).where(
            Registration.village_id == village.id,
            Registration.is_walk_in.is_(True),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return {
        "village": village.slug,
        "present": sum(r["present"] for r in roles),
        "expected": sum(r["expected"] for r in roles),
        "capacity": village.capacity,
        "walk_ins": walk_ins,
        "roles": roles,
    }


# Walk-ins ------------------------------------------------------------------------------------

WALK_IN_LIMITS = {"first_name": 100, "last_name": 100, "organisation": 200, "commune": 120, "email": 254}


@dataclass
class WalkInData:
    first_name: str = ""
    last_name: str = ""
    role: str = ""
    organisation: str = ""
    commune: str = ""
    email: str = ""

    @classmethod
    def from_mapping(cls, values) -> WalkInData:
        return cls(**{name: str(values.get(name) or "").strip() for name in cls.__dataclass_fields__})

    def errors(self) -> dict[str, str]:
        errors = {}
        if not self.first_name:
            errors["first_name"] = "Indiquez le prénom."
        if not self.last_name:
            errors["last_name"] = "Indiquez le nom."
        if self.role not in set(Role):
            errors["role"] = "Choisissez le rôle de la personne."
        if self.email and ("@" not in self.email or " " in self.email or "." not in self.email.split("@")[-1]):
            errors["email"] = "Cette adresse e-mail ne semble pas valide (exemple : nom@domaine.fr)."
        for name, limit in WALK_IN_LIMITS.items():
            if len(getattr(self, name)) > limit and name not in errors:
                errors[name] = f"{limit} caractères au plus."
        return errors


@dataclass
class WalkInRefused(Exception):
    message: str
    # True when the volunteer may still admit the person by confirming (the village is full).
    may_override: bool = False
    details: dict = field(default_factory=dict)


def _capacity_problem(village: Village, role: str) -> str | None:
    counts = capacity.confirmed_counts(village)
    taken = sum(counts.values())
    if taken >= village.capacity:
        return f"Le village est complet : {taken} personnes confirmées pour {village.capacity} places."
    quota = village.quota_for(role)
    if quota is not None:
        taken_in_role = counts.get(role, 0)
        if taken_in_role >= quota:
            return f"Les places « {Role(role).label} » sont toutes prises : {taken_in_role} sur {quota}."
    return None


def walk_in(
    village: Village,
    data: WalkInData,
    *,
    scanner: str,
    actor: str,
    over_capacity: bool = False,
    scan_id: str | None = None,
    scanned_at: datetime | None = None,
) -> CheckInOutcome:
    """Register someone at the door and admit them at once.

    They take a place like anyone else: when none is left, WalkInRefused(may_override=True)
    lets the volunteer decide, and `over_capacity=True` admits them anyway.
    """
    # Capacity decisions are made one at a time per village (as registrations do). NO KEY UPDATE:
    # scans inserting CheckIn rows (a foreign key to the village) need not wait for this lock.
    db.session.scalar(select(Village).where(Village.id == village.id).with_for_update(key_share=True))
    if data.email:
        duplicate = db.session.scalar(
            select(Registration).where(
                Registration.village_id == village.id,
                Registration.email_key == email_key(data.email),
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
        if duplicate is not None:
            raise WalkInRefused(
                f"{duplicate.full_name} est déjà inscrit·e avec cette adresse : "
                "cherchez cette personne par son nom.",
                details={"attendee": attendee(duplicate)},
            )
    problem = _capacity_problem(village, data.role)
    if problem and not over_capacity:
        raise WalkInRefused(problem, may_override=True)

    now = utcnow()
    registration = Registration(
        village=village,
        role=data.role,
        status=RegistrationStatus.CONFIRMED,
        first_name=data.first_name,
        last_name=data.last_name,
        organisation=data.organisation or None,
        commune=data.commune,
        email=data.email or None,
        is_walk_in=True,
        confirmed_at=now,
    )
    db.session.add(registration)
    db.session.flush()
    audit.record(
        actor,
        "registration.walk_in",
        registration,
        village_id=village.id,
        over_capacity=bool(problem),
    )
    # scan_id and scanned_at: a walk-in registered offline and sent later (app/services/sync.py).
    return check_in(
        village, registration.badge_code, scanner=scanner, method="walk_in",
        scan_id=scan_id, scanned_at=scanned_at,
    )
