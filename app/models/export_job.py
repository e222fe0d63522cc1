from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .village import Village


class ExportJobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(db.Model):
    """A document written by a background worker (app/services/jobs.py), and its progress.

    The file is kept in the database so that any web server can hand it out, whichever
    machine's worker wrote it.
    """

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Named in URLs instead of the id, so that jobs cannot be enumerated.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(16))
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    export_format: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), default=ExportJobStatus.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    village: Mapped[Village] = relationship()

    @property
    def percent(self) -> int:
        if self.status == ExportJobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
