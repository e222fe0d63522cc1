"""The audit trail: who changed what, and when."""
import enum
from datetime import date, datetime, time

from sqlalchemy import insert

from ..extensions import db
from ..models import AuditEntry, Village


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
    db.session.execute(_INSERT_ENTRY, _entry(actor, action, target, village_id, details))


# Built once, as every registration runs it.
_INSERT_ENTRY = insert(AuditEntry.__table__)


def _entry(actor: str, action: str, target, village_id: int | None, details: dict) -> dict:
    if village_id is None:
        village_id = target.id if isinstance(target, Village) else getattr(target, "village_id", None)
    return dict(
        actor=actor,
        action=action,
        target_type=target.__tablename__ if target is not None else "",
        target_id=getattr(target, "id", None),
        village_id=village_id,
        details=_jsonable(details),
    )
