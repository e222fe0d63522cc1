from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, String, and_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .registration import Registration
from .village import Village


class CheckIn(db.Model):
    """One admission at the door. Kept when undone, so that history and conflicts stay visible."""

    __tablename__ = "checkin"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    # A unique id chosen by the device for this scan: resending it changes nothing.
    scan_id: Mapped[str] = mapped_column(String(64), unique=True)
    scanned_at: Mapped[datetime]          # the device's clock, when it was scanned
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    scanner: Mapped[str] = mapped_column(String(120))  # who scanned: a token's label or an organiser
    method: Mapped[str] = mapped_column(String(20), default="scan")  # scan, search, walk_in, exceptional
    # An entry recorded by an organiser outside the village's day, and why (checkin.exceptional_entry).
    exception_reason: Mapped[str | None] = mapped_column(String(300))
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(120))
    undo_reason: Mapped[str | None] = mapped_column(String(300))
    # Set when another device had already admitted the same badge (found on offline sync).
    conflict_with_id: Mapped[int | None] = mapped_column(ForeignKey("checkin.id"))

    registration: Mapped[Registration] = relationship()
    village: Mapped[Village] = relationship()


class ScannerToken(db.Model):
    """A link granting one village's check-in to a volunteer without an account."""

    __tablename__ = "scanner_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    # Only a hash of the token is stored; the token itself is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    village: Mapped[Village] = relationship()

    @hybrid_method
    def is_valid(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and now < self.expires_at

    @is_valid.expression
    def is_valid(cls, now) -> ColumnElement[bool]:
        """The same rule in SQL, for the queries that look a link up."""
        return and_(cls.revoked_at.is_(None), cls.expires_at > now)
