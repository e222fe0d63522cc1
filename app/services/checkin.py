"""Admission at the door.

`check_in` is the single place that decides what a presented badge means; the scanner API,
the name search, walk-ins and the offline sync all go through it. Like the other services,
nothing here commits: the caller does, so that a decision and its CheckIn row are saved together.

The door opens on the village's day only (its phase, VillagePhase.DAY, at the moment of the
scan): before or after it, a scan is answered NOT_VILLAGE_DAY and nothing is written. A
rehearsal (volunteers training with real badges) answers as the day would, and writes nothing
either. Outside the day, an organiser may still record an exceptional entry, with a reason.
"""
from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Update, and_, bindparam, exists, func, insert, select, true, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from ..database import NOT_WAITING_FOR_DISK, is_postgresql
from ..extensions import db
from ..models import CheckIn, Registration, RegistrationStatus, Role, Village, VillagePhase
from ..models.registration import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, email_key
from ..templating import french_date
from ..text import fold, one_line
from ..timeutil import utcnow
from . import audit, capacity, roster_version
from .registration import lock, lock_village
from .scanner_links import LinkedVillage

# A scan by Bearer token knows its village by the few columns read with its link; the others
# pass the Village. Either gives id, slug and name, all that a scan uses.
ScanVillage = Village | LinkedVillage

# A badge secret is 32 characters; anything much longer is not one of ours.
MAX_CODE_LENGTH = 200


class Result(enum.StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    WRONG_VILLAGE = "wrong_village"
    NOT_VILLAGE_DAY = "not_village_day"


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
    """What a volunteer needs to see about a person, as JSON-ready values.

    `registration` is a Registration, or the ScannedRow that a scan wrote.
    """
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


def is_village_day(village: ScanVillage, moment: datetime) -> bool:
    """Whether the door is open at `moment` (naive UTC): the village's phase then is its day.

    Its twin on the phone, for scans decided offline, is isVillageDay in
    static/js/checkin/offline.js (the roster carries the village's day and time zone)."""
    return Village.day_phase(village.day, moment) is VillagePhase.DAY


def not_village_day_message(village: ScanVillage) -> str:
    return (f"Ce n'est pas le jour du village ({french_date(village.day)}) : personne n'entre et rien "
            "n'est enregistré. Pour vous exercer avec de vrais badges, activez le mode entraînement.")


@dataclass
class CheckInOutcome:
    """The answer to a check-in (Result) or to its undoing (UndoResult)."""

    result: Result | UndoResult
    registration: Registration | None = None
    # The admission this answer is about: the new one (ok) or the earlier one (already_checked_in).
    admission: CheckIn | None = None
    # A rehearsal's answer: what the day would have answered, nothing written.
    rehearsal: bool = False

    @property
    def attendee(self) -> dict | None:
        if self.registration is None:
            return None
        return attendee(self.registration, self.admission)


class ScannedRow:
    """The admitted registration as check_in's UPDATE … RETURNING read it (ADMITTED_FIELDS), with
    what attendee() derives from it by the model's own rules: a scan loads no ORM object."""

    full_name = Registration.full_name
    role_label = Registration.role_label
    structure = Registration.structure

    def __init__(self, row, village: ScanVillage) -> None:
        self._row = row
        self.village = village

    def __getattr__(self, name: str):
        return getattr(self._row, name)


ADMITTED_FIELDS = ("id", "first_name", "last_name", "role", "civility", "organisation", "collectivity",
                   "represented_group", "status", "is_walk_in", "checked_in_at")


@dataclass
class Admitted:
    """A first admission by check_in: its answer comes from the rows written, and the CheckIn
    row is loaded only for callers that ask for it (offline sync)."""

    person: ScannedRow
    scanner: str
    admission_id: int
    result: Result = Result.OK
    rehearsal: bool = False  # never: a rehearsal admits nobody

    @property
    def attendee(self) -> dict:
        return attendee(self.person, self)

    @property
    def admission(self) -> CheckIn:
        return db.session.get(CheckIn, self.admission_id)

    @property
    def registration(self) -> Registration:
        return self.admission.registration


def normalise_code(code: str) -> str:
    # Hand-held readers and copy-paste add spaces or line ends; badge secrets have none.
    return "".join(code.split())


def _badge_code(code: str) -> str | None:
    """The code as stored on a badge, or None when it cannot be one of ours."""
    code = normalise_code(code)
    return code if code and len(code) <= MAX_CODE_LENGTH else None


def _locked_registration(code: str) -> Registration | None:
    """The badge's registration, its row locked until commit."""
    code = _badge_code(code)
    if code is None:
        return None
    # NO KEY UPDATE: inserting rows that refer to the registration (audit, outbox) need not wait.
    return db.session.scalar(
        select(Registration)
        .where(Registration.badge_code == code)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


_REGISTRATION = Registration.__table__
_CHECKIN = CheckIn.__table__
_VILLAGE = Village.__table__
# The badge's registration may be admitted to the village now.
_ADMISSIBLE = and_(
    _REGISTRATION.c.badge_code == bindparam("code"),
    _REGISTRATION.c.village_id == bindparam("village"),
    # One comparison per status rather than NOT IN (…), whose list SQLAlchemy expands again at
    # every execution (about 45 Python calls a scan).
    *(_REGISTRATION.c.status != status for status in REFUSED_BY_STATUS),
    _REGISTRATION.c.checked_in_at.is_(None),
)
# Built once: a scan is the busiest request of the day, and building a statement costs more
# than running it.
_TAKE_VERSION = roster_version.next_if(exists().where(_ADMISSIBLE))


def _admission(version) -> Update:
    """The conditional update that admits the badge's holder, stamped with the roster `version`."""
    return (
        update(_REGISTRATION)
        .where(_ADMISSIBLE)
        # updated_at said here: its default (onupdate) is not applied to an UPDATE inside a CTE.
        .values(checked_in_at=bindparam("moment"), roster_version=version, updated_at=bindparam("now"))
        .returning(*(_REGISTRATION.c[name] for name in ADMITTED_FIELDS))
    )


# The CheckIn row of an admission, but for its registration_id: its columns, from the parameters.
_ADMISSION_ROW = {
    column: bindparam(parameter, type_=_CHECKIN.c[column].type) for column, parameter in (
        ("village_id", "village"), ("scan_id", "scan_id"), ("scanned_at", "moment"),
        ("received_at", "now"), ("scanner", "scanner"), ("method", "method"))
}
# SQLite: three statements, the version taken first (it locks the village), then the
# registration and its CheckIn row.
_ADMIT = _admission(bindparam("version"))
_RECORD_ADMISSION = (
    insert(_CHECKIN).values(registration_id=bindparam("registration"), **_ADMISSION_ROW).returning(_CHECKIN.c.id)
)
# PostgreSQL: the same three in one statement, so that the village stays locked for one round
# trip (and the commit's) rather than three. Its first column is the version taken, if any; the
# others are the admitted registration's and its CheckIn id, empty when the update found the
# badge admitted meanwhile (after waiting for another phone's lock on the village). The
# registration is updated from the village's row, hence after it is locked.
_VERSION_TAKEN = _TAKE_VERSION.returning(_VILLAGE.c.id).cte("version_taken")
_ADMITTED = (
    _admission(_VERSION_TAKEN.c.roster_version)
    .where(_REGISTRATION.c.village_id == _VERSION_TAKEN.c.id)
    .cte("admitted")
)
_ADMISSION_RECORDED = (
    insert(_CHECKIN)
    .from_select(["registration_id", *_ADMISSION_ROW], select(_ADMITTED.c.id, *_ADMISSION_ROW.values()))
    .returning(_CHECKIN.c.id)
    .cte("admission_recorded")
)
_ADMIT_AT_ONCE = (
    select(_VERSION_TAKEN.c.roster_version, *_ADMITTED.c, _ADMISSION_RECORDED.c.id.label("admission_id"),
           # The door's commit, like a registration's, need not wait for the disk (4 to 5 ms).
           NOT_WAITING_FOR_DISK)
    .select_from(_VERSION_TAKEN.outerjoin(_ADMITTED, true()).outerjoin(_ADMISSION_RECORDED, true()))
)


def _admit(village: ScanVillage, code: str, *, moment: datetime, now: datetime, scan_id: str,
           scanner: str, method: str) -> Admitted | None:
    """Admit the badge's holder to `village` if they may be admitted now; None if not.

    Called once _refusal found the badge admissible. Three writes, in direct SQL without the
    ORM's unit of work (which cost most of a scan's time): the roster version is taken if the
    badge may be admitted, the registration updated if it still may be, then its CheckIn row
    inserted. Hence the roster version, which the flush hook keeps for every other change
    (checkin_roster), is taken here. On PostgreSQL the three are one statement.

    Taking that version locks the village first: every path that changes a registration locks
    its village before it (registration.lock), so that a scan and a cancellation of the same
    person never wait for each other. The village stays locked until the caller commits, which
    it does before building its answer. The conditional update decides, under the lock: on
    PostgreSQL, an UPDATE waiting for another phone's lock on the row checks its conditions
    again once that phone commits, and no longer matches if the badge was admitted meanwhile;
    the version taken is then given back.
    """
    code = _badge_code(code)
    if code is None:
        return None
    # The Session itself rather than its proxy, which would look it up at every use; and its
    # statements run on its connection, which skips the ORM's dispatch of each (they are Core).
    session = db.session()
    connection = session.connection()
    scanner = scanner[:120]
    values = {"code": code, "village": village.id, "moment": moment, "now": now, "scan_id": scan_id,
              "scanner": scanner, "method": method}
    if is_postgresql(connection.engine):
        row = roster_version.take_next_with(session, _ADMIT_AT_ONCE, village.id, **values)
        if row is None:
            return None
        version, admission_id = row.roster_version, row.admission_id
    else:
        version = roster_version.take_next_if(session, _TAKE_VERSION, village.id, **values)
        if version is None:
            return None
        row = connection.execute(_ADMIT, {**values, "version": version}).first()
        admission_id = None if row is None else connection.execute(
            _RECORD_ADMISSION, {**values, "registration": row.id}).scalar_one()
    if admission_id is None:
        roster_version.give_back(session, village.id, version)
        return None
    loaded = session.identity_map.get(identity_key(Registration, row.id))
    if loaded is not None:
        session.expire(loaded)  # read again if used: its check-in was written around the ORM
    return Admitted(ScannedRow(row, village), scanner, admission_id)


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


# Built once, as _ADMIT: the badge's registration, its village and its current admission, if
# any, as one Core row. Why a badge is refused is read this way, without loading ORM objects
# (a re-scan at the door is as frequent as a first scan).
_REFUSAL = (
    select(*(_REGISTRATION.c[name] for name in ADMITTED_FIELDS), _REGISTRATION.c.village_id,
           _VILLAGE.c.slug.label("village_slug"), _VILLAGE.c.name.label("village_name"),
           _CHECKIN.c.id.label("admission_id"), _CHECKIN.c.scanner)
    .select_from(_REGISTRATION.join(_VILLAGE, _VILLAGE.c.id == _REGISTRATION.c.village_id).outerjoin(
        _CHECKIN, and_(_CHECKIN.c.registration_id == _REGISTRATION.c.id, *_is_current(_CHECKIN.c))))
    .where(_REGISTRATION.c.badge_code == bindparam("code"))
    .order_by(_CHECKIN.c.id.desc())
    .limit(1)
)


@dataclass(frozen=True)
class RowVillage:
    slug: str
    name: str


@dataclass
class Refused:
    """A refused scan, answered from the row _REFUSAL read; the ORM objects are loaded only for
    callers that ask for them (offline sync)."""

    result: Result
    row: object
    rehearsal: bool = False

    @property
    def attendee(self) -> dict:
        person = ScannedRow(self.row, RowVillage(self.row.village_slug, self.row.village_name))
        return attendee(person, self.row if self.row.admission_id is not None else None)

    @property
    def registration(self) -> Registration:
        return db.session.get(Registration, self.row.id)

    @property
    def admission(self) -> CheckIn | None:
        return db.session.get(CheckIn, self.row.admission_id) if self.row.admission_id is not None else None


def _refusal(village: ScanVillage, code: str) -> CheckInOutcome | Refused | None:
    """Why the badge `code` may not be admitted to `village` now, if it may not."""
    code = _badge_code(code)
    row = db.session.connection().execute(_REFUSAL, {"code": code}).first() if code else None
    if row is None:
        return CheckInOutcome(Result.UNKNOWN)
    if row.village_id != village.id:
        return Refused(Result.WRONG_VILLAGE, row)
    refused = REFUSED_BY_STATUS.get(row.status)
    if refused:
        return Refused(refused, row)
    if row.checked_in_at is not None:
        return Refused(Result.ALREADY_CHECKED_IN, row)
    return None


def _in_village(village: ScanVillage, registration: Registration | None) -> Registration | None:
    return registration if registration is not None and registration.village_id == village.id else None


def _registration_of(code: str) -> Registration | None:
    """The badge's registration with its village, which a scan by Bearer token has not loaded
    (for the rarer answers that show a Registration: outside the day, a rehearsal)."""
    code = _badge_code(code)
    if code is None:
        return None
    return db.session.scalar(select(Registration).options(joinedload(Registration.village))
                             .where(Registration.badge_code == code).execution_options(populate_existing=True))


def rehearse(village: ScanVillage, code: str) -> CheckInOutcome | Refused:
    """What check_in would answer on the village's day, writing nothing (the rehearsal mode)."""
    refusal = _refusal(village, code)
    if refusal is not None:
        refusal.rehearsal = True
        return refusal
    return CheckInOutcome(Result.OK, _registration_of(code), rehearsal=True)


def check_in(
    village: ScanVillage,
    code: str,
    *,
    scanner: str,
    scan_id: str | None = None,
    scanned_at: datetime | None = None,
    method: str = "scan",
) -> CheckInOutcome | Admitted | Refused:
    """Admit the holder of badge `code` to `village`, once, on the village's day.

    `scan_id` is the device's id for this scan: sending it again returns the first answer
    and writes nothing. `scanned_at` (naive UTC, the device's clock) becomes the check-in time;
    a time in the future is taken as now. That moment decides whether the door is open
    (is_village_day): a scan made offline on the day and sent the day after still counts; one
    made before or after the day is answered NOT_VILLAGE_DAY and writes nothing.

    The rule has a twin for phones without network: `decide` in static/js/checkin/offline.js
    answers from the roster kept on the phone (its day: isVillageDay). A change to the rule is
    made in both places.
    """
    if (replayed := _replayed(village, scan_id)) is not None:
        return replayed

    now = utcnow()
    moment = min(scanned_at, now) if scanned_at else now
    if not is_village_day(village, moment):
        return CheckInOutcome(Result.NOT_VILLAGE_DAY, _in_village(village, _registration_of(code)))
    admit = dict(
        moment=moment,
        now=now,
        scan_id=scan_id or uuid.uuid4().hex,
        scanner=scanner,
        method=method,
    )
    # Direct SQL does not flush: earlier changes of this transaction (an undo replayed by the
    # offline sync, a walk-in's registration) must reach the database before it decides.
    db.session.flush()
    # Read first, without a lock: a badge scanned again (as frequent as a first scan) is answered
    # by this one statement, and takes no version, locks and writes nothing.
    while (refusal := _refusal(village, code)) is None:
        if (outcome := _admit(village, code, **admit)) is not None:
            return outcome
        # Refused after all: admitted by another phone (or cancelled) between the two
        # statements. Rare; the refusal is read again.
    return refusal


def _replayed(village: ScanVillage, scan_id: str | None) -> CheckInOutcome | None:
    """The first answer to the device's `scan_id`, sent again (a retry, a sync after a timeout)."""
    if scan_id is None:
        return None
    replayed = db.session.scalar(select(CheckIn).where(CheckIn.scan_id == scan_id))
    if replayed is None or replayed.village_id != village.id:
        return None
    return CheckInOutcome(Result.OK, replayed.registration, replayed)


def undo_check_in(village: ScanVillage, code: str, *, actor: str, reason: str = "") -> CheckInOutcome:
    """Take back an admission (wrong person, scanned by mistake); the CheckIn row is kept."""
    lock_village(village)
    registration = _locked_registration(code)
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


def exceptional_entry_refusal(registration: Registration, now: datetime | None = None) -> str | None:
    """Why an organiser may not record an exceptional entry for this person, if they may not."""
    if registration.village.phase(now) is VillagePhase.DAY:
        return "Le jour du village, les entrées se font à l'accueil (scan du badge ou recherche par nom)."
    if registration.status != RegistrationStatus.CONFIRMED:
        return "Seule une personne dont la place est confirmée peut être comptée présente."
    if registration.checked_in_at is not None:
        return f"{registration.full_name} est déjà {registration.agreed('entré', 'entrée')}."
    return None


class ExceptionalEntryRefused(Exception):
    """The exceptional entry cannot be recorded; the message is meant for people."""


def record_exceptional_entry(registration: Registration, *, actor: str, scanner: str, reason: str) -> CheckIn:
    """An organiser records that this person came although the door did not admit them on the
    village's day (not scanned, scanned on a phone never synchronised…): an admission outside
    the door's rule, kept with its reason and written in the audit log. It counts as an
    admission on the day (admitted_on_the_day)."""
    reason = one_line(reason)[:300]
    if not reason:
        raise ExceptionalEntryRefused("Indiquez la raison de cette entrée exceptionnelle.")
    village, registration = lock(registration)
    now = utcnow()
    refusal = exceptional_entry_refusal(registration, now)
    if refusal is not None:
        raise ExceptionalEntryRefused(refusal)
    admission = CheckIn(
        registration=registration, village=village, scan_id=uuid.uuid4().hex, scanned_at=now,
        received_at=now, scanner=scanner[:120], method="exceptional", exception_reason=reason,
    )
    db.session.add(admission)
    registration.checked_in_at = now
    audit.record(actor, "checkin.exceptional_entry", registration, village_id=village.id, reason=reason)
    return admission


def admitted_on_the_day(registration: Registration) -> bool:
    """Whether this person was admitted on their village's day: by the door (whose rule admits
    nobody outside it), or by an organiser's exceptional entry. An admission recorded on another
    day before the door knew the village's phase does not count."""
    if not registration.is_confirmed or registration.checked_in_at is None:
        return False
    if registration.village.phase(registration.checked_in_at) is VillagePhase.DAY:
        return True
    admission = current_admission(registration)
    return admission is not None and admission.exception_reason is not None


def came_to_the_village(registration: Registration, now: datetime | None = None) -> bool:
    """Whether this person took part in their village: it has begun, and they were admitted on
    its day. Their attendance certificate and the questionnaire exist for them only."""
    return registration.village.has_begun(now) and admitted_on_the_day(registration)


def badge_code_of(village: ScanVillage, registration_id: int) -> str | None:
    """The badge code of one of the village's registrations (for check-in from a name search)."""
    return db.session.scalar(
        select(Registration.badge_code).where(
            Registration.id == registration_id, Registration.village_id == village.id
        )
    )


def short_code(text: str) -> str | None:
    """The badge's short code typed in `text` ("k7m 4qx", "K7M-4QX"), or None if it is not one."""
    letters = "".join(text.split()).replace("-", "").upper()
    if len(letters) == SHORT_CODE_LENGTH and all(letter in SHORT_CODE_ALPHABET for letter in letters):
        return letters
    return None


def search(village: Village, query: str, limit: int = 15) -> list[dict]:
    """People of the village whose name or organisation contains every word of `query`, or
    whose badge shows the short code `query`.

    A short code only finds people, as a name does: it is printed in clear on the badge, so the
    volunteer checks the name before admitting them (a QR scan needs no such check).
    """
    code = short_code(query)
    if code is not None:
        by_code = db.session.scalars(
            select(Registration)
            .where(Registration.village_id == village.id, Registration.short_code == code)
            .order_by(Registration.last_name, Registration.first_name)
            .limit(limit)
        )
        found_by_code = [attendee(r) for r in by_code]
        if found_by_code:
            return found_by_code
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
        """The person as sent by a phone; a value that is not a text is kept for errors() to refuse."""
        return cls(**{name: one_line(values.get(name) or "") for name in cls.__dataclass_fields__})

    def errors(self) -> dict[str, str]:
        errors = {
            name: "Ce champ doit être un texte."
            for name in self.__dataclass_fields__ if not isinstance(getattr(self, name), str)
        }
        if errors:
            return errors
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
            return (f"Les places réservées aux {Role(role).several.lower()} sont toutes prises : "
                    f"{taken_in_role} sur {quota}.")
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
    rehearsal: bool = False,
) -> CheckInOutcome | Admitted:
    """Register someone at the door and admit them at once, on the village's day (as check_in).

    They take a place like anyone else: when none is left, WalkInRefused(may_override=True)
    lets the volunteer decide, and `over_capacity=True` admits them anyway. Outside the day the
    answer is NOT_VILLAGE_DAY; in a rehearsal, what the day would answer: neither writes anything.
    `scan_id` is the phone's id for this person's arrival: sent again (a double tap, a retry, the
    offline queue after a call that timed out), it returns the first answer and writes nothing.
    """
    if not rehearsal and not is_village_day(village, min(scanned_at or utcnow(), utcnow())):
        return CheckInOutcome(Result.NOT_VILLAGE_DAY)
    # Capacity decisions are made one at a time per village (as registrations do); so are the
    # arrivals of one scan_id, read under the lock.
    lock_village(village)
    if not rehearsal and (replayed := _replayed(village, scan_id)) is not None:
        return replayed
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
                f"{duplicate.full_name} est déjà {duplicate.agreed('inscrit', 'inscrite')} avec cette adresse : "
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
    if rehearsal:  # shown as the day would show them, never added to the session
        return CheckInOutcome(Result.OK, registration, rehearsal=True)
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
