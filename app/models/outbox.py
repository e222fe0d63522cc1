from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .registration import Registration


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS or a permanent refusal


class OutboxMessage(db.Model):
    """An e-mail decided in the same transaction as the change it reports, sent later.

    The row says what to send (kind, recipient, subject, the details of the change): the
    message itself, with its badge, QR code and calendar, is written at delivery
    (app/documents/mail.py, render), so that registering stays quick and the row small.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # confirmation, waitlisted, promoted, cancellation, update, reminder…
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    # What this e-mail is, for one that must reach its recipient once (an organiser's message
    # to one participant): a second row for the same key is never written.
    once_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    # Given when queued, so that every attempt sends a recognisably identical message.
    message_id: Mapped[str] = mapped_column(String(255))
    # What the message reports, fixed when queued: documents attached, calendar method, changes.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    registration: Mapped[Registration | None] = relationship()
