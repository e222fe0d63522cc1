"""Times are stored as naive UTC datetimes (identical on SQLite and PostgreSQL);
village dates and times are wall-clock times in the configured time zone."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Europe/Paris"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_zone() -> ZoneInfo:
    name = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def local_datetime(day: date, clock: time) -> datetime:
    """An aware datetime for a wall-clock time on a given day in the local zone."""
    return datetime.combine(day, clock, tzinfo=local_zone())


def to_utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def to_local(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A stored naive-UTC datetime shown in the local zone (`zone`: the local zone already looked
    up, for callers converting thousands of moments)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone or local_zone())
