"""Times are stored as naive UTC datetimes (identical on SQLite and PostgreSQL);
village dates and times are wall-clock times in the configured time zone."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Europe/Paris"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_zone() -> ZoneInfo:
    name = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def local_today(now: datetime | None = None) -> date:
    """The calendar date in the local zone at `now` (naive UTC, default: now)."""
    return to_local(now or utcnow()).date()


def local_datetime(day: date, clock: time) -> datetime:
    """An aware datetime for a wall-clock time on a given day in the local zone."""
    return datetime.combine(day, clock, tzinfo=local_zone())


def to_utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def to_local(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A stored naive-UTC datetime shown in the local zone (`zone`: the local zone already looked
    up, for callers converting thousands of moments)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone or local_zone())


class WallClock:
    """Stored naive-UTC datetimes as naive wall-clock times of `zone`, for callers converting
    thousands of them (the exports): as `to_local(moment, zone).replace(tzinfo=None)`, five
    times faster. ZoneInfo works out the year's changes of offset from the zone's rule for each
    moment converted; here the offset is looked up once for each hour of UTC time, and moments
    of an hour within which the zone changes its offset are converted one by one."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        # (year, month, day, hour) of UTC time: the offset all through that hour, or None.
        self._offsets: dict[tuple[int, int, int, int], timedelta | None] = {}

    def __call__(self, moment: datetime) -> datetime:
        hour = (moment.year, moment.month, moment.day, moment.hour)
        try:
            offset = self._offsets[hour]
        except KeyError:
            offset = self._offsets[hour] = self._offset_through(moment.replace(minute=0, second=0, microsecond=0))
        if offset is None:
            return to_local(moment, self.zone).replace(tzinfo=None)
        return moment + offset

    def _offset_through(self, hour: datetime) -> timedelta | None:
        """The zone's offset all through the hour of UTC time that starts at `hour`, or None if
        it changes within it (no zone changes it twice within an hour)."""
        first = to_local(hour, self.zone).utcoffset()
        last = to_local(hour + timedelta(hours=1, microseconds=-1), self.zone).utcoffset()
        return first if first == last else None
