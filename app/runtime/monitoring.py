"""What a monitoring service needs to know: whether the dependencies answer, and a few counts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import (
    CheckIn, Job, JobStatus, OutboxMessage, OutboxStatus, Registration, RegistrationStatus,
)
from ..timeutil import utcnow
from . import jobs


def dependencies() -> dict[str, bool]:
    """Each dependency a request needs, and whether it answers now."""
    return {"base": _database_answers(), "taches": jobs.queue_reachable()[0]}


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


@dataclass(frozen=True)
class Figures:
    registrations_by_status: dict[str, int]
    check_ins: int
    outbox_by_status: dict[str, int]
    oldest_pending_age_seconds: float
    export_jobs_by_status: dict[str, int]
    jobs_waiting: int | None  # None: the queue does not answer


def figures() -> Figures:
    registrations = dict(db.session.execute(
        select(Registration.status, func.count()).group_by(Registration.status)
    ).all())
    outbox = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all())
    check_ins = db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.undone_at.is_(None)))
    export_jobs = dict(db.session.execute(
        select(Job.status, func.count()).group_by(Job.status)
    ).all())
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    return Figures(
        registrations_by_status={str(s): registrations.get(s, 0) for s in RegistrationStatus},
        check_ins=check_ins,
        outbox_by_status={str(s): outbox.get(s, 0) for s in OutboxStatus},
        oldest_pending_age_seconds=(utcnow() - oldest).total_seconds() if oldest else 0.0,
        export_jobs_by_status={str(s): export_jobs.get(s, 0) for s in JobStatus},
        jobs_waiting=_jobs_waiting(),
    )


def _jobs_waiting() -> int | None:
    try:
        return jobs.queue().pending_count()
    except Exception:  # noqa: BLE001 — any failure of the queue's storage reads the same
        return None
