"""The audit log: who changed what. Entries are added to the caller's transaction."""
from ..extensions import db
from ..models import AuditEntry


def record(actor: str, action: str, target, village_id: int | None = None, **details) -> AuditEntry:
    entry = AuditEntry(
        actor=actor,
        action=action,
        target_type=target.__tablename__,
        target_id=target.id,
        village_id=village_id,
        details=details,
    )
    db.session.add(entry)
    return entry
