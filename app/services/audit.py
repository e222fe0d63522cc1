"""The audit trail: who changed what, and when."""
from ..extensions import db
from ..models import AuditEntry


def record(actor: str, action: str, target, village_id: int | None = None, **details) -> AuditEntry:
    """Add an entry about `target` (a model instance) to the session; the caller commits.

    The target is flushed first when new, so that its id is known.
    """
    if target is not None and getattr(target, "id", None) is None:
        db.session.add(target)
        db.session.flush()
    if village_id is None:
        village_id = getattr(target, "village_id", None)
    entry = AuditEntry(
        actor=actor,
        action=action,
        target_type=type(target).__tablename__ if target is not None else "",
        target_id=getattr(target, "id", None),
        village_id=village_id,
        details=details,
    )
    db.session.add(entry)
    return entry
