"""Reminders sent a few days before a village to everyone who has a place."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import Registration, RegistrationStatus, Village
from ..timeutil import to_local, utcnow
from . import notifications

BATCH_SIZE = 50


def queue_due(now: datetime | None = None) -> int:
    """Queue a reminder for each confirmed participant of a village taking place within
    REMINDER_DAYS_BEFORE days and not over yet; returns how many were queued.

    Each person gets one: the registration row is locked (concurrent runs skip it) and
    marked in the transaction that queues the message. Safe to run every hour.
    """
    now = now or utcnow()
    local_now = to_local(now)
    last_day = local_now.date() + timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
    # Before the day, or on the day until its closing hour: never to a past village.
    not_over = or_(
        Village.before_day_clause(now), and_(Village.day_clause(now), Village.ends_at > local_now.time())
    )
    due = (
        select(Registration)
        .join(Registration.village)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.email.is_not(None),
            Registration.email != "",
            Registration.reminder_sent_at.is_(None),
            Village.archived_at.is_(None),
            Village.day <= last_day,
            not_over,
        )
        .order_by(Registration.id)
        .limit(BATCH_SIZE)
        .with_for_update(of=Registration, skip_locked=True)
        .execution_options(populate_existing=True)
    )
    queued = 0
    while batch := list(db.session.scalars(due)):
        for registration in batch:
            notifications.reminder(registration)
            registration.reminder_sent_at = utcnow()
        db.session.commit()
        queued += len(batch)
    db.session.commit()
    return queued
