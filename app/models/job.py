from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .village import Village


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """Work done by a background worker (app/runtime/jobs.py): what to do, its progress, its result.

    `kind` names the work (an export, a report document, the schedule, a message) and `params`
    what it needs, in JSON. The result is a file (`content`), kept in the database so that any
    web server can hand it out whichever machine's worker wrote it, or a short French `summary`.
    """

    # The table was created for exports alone (0012); its name stayed when jobs became general.
    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Named in URLs instead of the id, so that jobs cannot be enumerated.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(16))
    kind: Mapped[str] = mapped_column(String(30))
    # The key of the form that asked for the work (a message's): the same form posted twice
    # (a double click, two tabs, a retry) finds the job its first post started.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Absent for work about several villages (a consolidated report).
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # Written with every move of the progress: a running job whose heartbeat stops has lost its worker.
    heartbeat_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # Times a worker took the job up (more than one when a worker died under it).
    attempts: Mapped[int] = mapped_column(default=0)
    # The machine and process of the worker that took it up last (host:pid).
    worker: Mapped[str | None] = mapped_column(String(120))

    village: Mapped[Village | None] = relationship()

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def working(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
