"""The audit trail: who changed what, and when."""
import enum
from datetime import date, datetime, time

from sqlalchemy import insert

from ..extensions import db
from ..models import AuditEntry, Village


class Action(enum.StrEnum):
    """Every action the journal records: the one list that record() accepts and that
    app/services/audit_log.py tells as a sentence (tests/test_audit_actions.py)."""

    ACCOUNT_CREATED = "account.created"
    ACCOUNT_UPDATED = "account.updated"
    ACCOUNT_LOCKED = "account.locked"  # written before logins were throttled per address: still told
    ACCOUNT_THROTTLED = "account.throttled"
    ACCOUNT_UNLOCKED = "account.unlocked"
    ACCOUNT_LOGGED_OUT_EVERYWHERE = "account.logged_out_everywhere"
    ACCOUNT_TOTP_ENABLED = "account.totp_enabled"
    ACCOUNT_TOTP_DISABLED = "account.totp_disabled"
    ACCOUNT_RESET_REQUESTED = "account.reset_requested"
    ACCOUNT_RESET_UNKNOWN = "account.reset_unknown"
    ACCOUNT_PASSWORD_RESET = "account.password_reset"
    CHECKIN_UNDO = "checkin.undo"
    CHECKIN_CONFLICT = "checkin.conflict"
    CHECKIN_EXCEPTIONAL_ENTRY = "checkin.exceptional_entry"
    EXPORT_DOWNLOADED = "export downloaded"
    FOLLOWUP_STATUS_SET = "followup.status_set"
    FOLLOWUP_SENT = "followup.sent"
    REPORT_DOWNLOADED = "report downloaded"
    OBSERVATORY_DOWNLOADED = "observatory downloaded"
    INITIATIVE_CREATED = "initiative.created"
    INITIATIVE_EDITED = "initiative.edited"
    INITIATIVE_CONSENT = "initiative.consent"
    INITIATIVE_CONSENT_WITHDRAWN = "initiative.consent_withdrawn"
    INITIATIVE_APPROVED = "initiative.approved"
    INITIATIVE_REFUSED = "initiative.refused"
    INITIATIVE_ANONYMISED = "initiative.anonymised"
    MATCHING_PREFERENCES_SAVED = "matching_preferences_saved"
    MEETING_REQUESTED = "meeting_requested"
    MEETING_ACCEPTED = "meeting_accepted"
    MEETING_DECLINED = "meeting_declined"
    MEETING_OUTCOME_RECORDED = "meeting_outcome_recorded"
    MEETING_ADDED = "meeting_added"
    MEETING_MOVED = "meeting_moved"
    MEETING_REMOVED = "meeting_removed"
    MEETING_AREA_UPDATED = "meeting_area_updated"
    MEETING_REQUESTS_CLOSED = "meeting_requests_closed"
    SCHEDULE_BUILT = "schedule_built"
    SCHEDULE_PUBLISHED = "schedule_published"
    MESSAGE_SENT = "message.sent"
    SURVEY_QUESTIONS = "survey.questions"
    REGISTRATION_CREATED = "registration.created"
    REGISTRATION_WALK_IN = "registration.walk_in"
    REGISTRATION_UPDATED = "registration.updated"
    REGISTRATION_CANCELLED = "registration.cancelled"
    REGISTRATION_CONFIRMATION_RESENT = "registration.confirmation_resent"
    REGISTRATION_PROMOTED = "registration.promoted"
    REGISTRATION_CONSENTS_CHANGED = "registration.consents_changed"
    REGISTRATION_ANONYMISED = "registration.anonymised"
    REGISTRATION_FOLLOWUP_OPT_OUT = "registration.followup_opt_out"
    SCANNER_LINK_CREATE = "scanner_link.create"
    SCANNER_LINK_REVOKE = "scanner_link.revoke"
    VILLAGE_CREATED = "village.created"
    VILLAGE_UPDATED = "village.updated"
    VILLAGE_ARCHIVED = "village.archived"
    VILLAGE_UNARCHIVED = "village.unarchived"
    VILLAGE_REGISTRATIONS_ANONYMISED = "village.registrations_anonymised"


def _jsonable(value):
    """Details are stored as JSON: dates, times and enums become their text form."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return value


def record(actor: str, action: str, target, village_id: int | None = None, **details) -> AuditEntry:
    """Add an entry about `target` (a model instance, or None) to the session; the caller commits.

    A new target is flushed first so that its id is known. The village defaults to the
    target's own village (or the target itself when it is a village).
    """
    if target is not None and getattr(target, "id", None) is None:
        db.session.add(target)
        db.session.flush()
    entry = AuditEntry(**_entry(actor, action, target, village_id, details))
    db.session.add(entry)
    return entry


def record_at_once(actor: str, action: str, target, village_id: int | None = None, **details) -> None:
    """As record, about a target already written, the entry inserted now in direct SQL rather
    than by the session's next flush: for a registration (registration.register), where the
    ORM's unit of work cost more Python than the rest of the request."""
    # On the connection: the statement is Core, the session's dispatch of it would add nothing.
    db.session.connection().execute(_INSERT_ENTRY, _entry(actor, action, target, village_id, details))


def entry_values(actor: str, action: str, target, village_id: int | None = None, **details) -> dict:
    """The columns of record's entry, for a statement that writes it itself (registration.register,
    on PostgreSQL, writes a new registration's entry in the INSERT of the registration)."""
    return _entry(actor, action, target, village_id, details)


# Built once, as every registration on SQLite runs it (on PostgreSQL the registration's INSERT
# writes its entry, with entry_values). Inline: without the RETURNING of the new id, that nothing reads.
_INSERT_ENTRY = insert(AuditEntry.__table__).inline()


def _entry(actor: str, action: str, target, village_id: int | None, details: dict) -> dict:
    if village_id is None:
        village_id = target.id if isinstance(target, Village) else getattr(target, "village_id", None)
    return dict(
        actor=actor,
        action=Action(action).value,  # ValueError for an action missing from the list
        target_type=target.__tablename__ if target is not None else "",
        target_id=getattr(target, "id", None),
        village_id=village_id,
        details=_jsonable(details),
    )
