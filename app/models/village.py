from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import local_datetime, local_today, to_utc_naive, utcnow


class VillagePhase(enum.Enum):
    """Where a village stands in time. Every rule that depends on time asks `Village.phase`
    (or, in SQL, the `Village.*_clause` methods) rather than comparing dates itself."""

    NOT_YET_OPEN = "not_yet_open"  # before the day; registrations not open yet
    OPEN = "open"  # before the day; registrations open (a full village is still OPEN: places are counted elsewhere)
    CLOSED = "closed"  # before the day; registrations closed (deadline passed, or archived)
    DAY = "day"  # the village's calendar day, in the village's time zone
    AFTER = "after"  # the days after

    @property
    def is_before_day(self) -> bool:
        return self in (VillagePhase.NOT_YET_OPEN, VillagePhase.OPEN, VillagePhase.CLOSED)


class Village(db.Model):
    """One gathering: a day, a venue, a capacity."""

    __tablename__ = "village"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(120))
    venue: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    day: Mapped[date]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    description: Mapped[str] = mapped_column(Text, default="")
    programme: Mapped[str] = mapped_column(Text, default="")
    practical_info: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int]
    lunch_offered: Mapped[bool] = mapped_column(default=True)
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # iCalendar SEQUENCE: raised whenever the date, times or venue change.
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    # Raised on every change to the village's check-in roster (app/services/checkin_roster.py).
    roster_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    quotas: Mapped[list[VillageRoleQuota]] = relationship(
        back_populates="village", cascade="all, delete-orphan"
    )

    @property
    def starts(self) -> datetime:
        """Start as an aware datetime in the local zone."""
        return local_datetime(self.day, self.starts_at)

    @property
    def ends(self) -> datetime:
        return local_datetime(self.day, self.ends_at)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @staticmethod
    def day_phase(day: date, now: datetime | None = None) -> VillagePhase | None:
        """DAY or AFTER for a village held on `day`, as its date alone tells; None before the
        day, where the phase also depends on the registration window. For callers that hold
        the date without the village (a scan reads a few columns of it)."""
        today = local_today(now or utcnow())
        if today > day:
            return VillagePhase.AFTER
        if today == day:
            return VillagePhase.DAY
        return None

    def phase(self, now: datetime | None = None) -> VillagePhase:
        """The village's phase at `now` (naive UTC, default: now)."""
        now = now or utcnow()
        by_date = self.day_phase(self.day, now)
        if by_date is not None:
            return by_date
        if self.archived_at is not None:
            return VillagePhase.CLOSED
        if self.registration_opens_at and now < self.registration_opens_at:
            return VillagePhase.NOT_YET_OPEN
        if self.registration_closes_at and now >= self.registration_closes_at:
            return VillagePhase.CLOSED
        return VillagePhase.OPEN

    def has_begun(self, now: datetime | None = None) -> bool:
        """The day has come and its opening hour has passed (and so for every day after)."""
        return (now or utcnow()) >= to_utc_naive(self.starts)

    @classmethod
    def before_day_clause(cls, now: datetime | None = None):
        """SQL twin of `phase(now).is_before_day`."""
        return cls.day > local_today(now or utcnow())

    @classmethod
    def day_clause(cls, now: datetime | None = None):
        """SQL twin of `phase(now) is VillagePhase.DAY`."""
        return cls.day == local_today(now or utcnow())

    @classmethod
    def after_day_clause(cls, now: datetime | None = None):
        """SQL twin of `phase(now) is VillagePhase.AFTER`."""
        return cls.day < local_today(now or utcnow())

    def is_registration_open(self, now: datetime | None = None) -> bool:
        """Registrations are taken in the OPEN phase, and on the day until the village begins
        (unless their deadline has passed or the village is archived)."""
        now = now or utcnow()
        phase = self.phase(now)
        if phase is VillagePhase.OPEN:
            return True
        if phase is not VillagePhase.DAY or self.has_begun(now) or self.archived_at is not None:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)

    def quota_for(self, role: str) -> int | None:
        return next((q.capacity for q in self.quotas if q.role == role), None)

    def __repr__(self) -> str:
        return f"<Village {self.slug}>"


class VillageRoleQuota(db.Model):
    """An optional cap on confirmed places for one role in one village."""

    __tablename__ = "village_role_quota"
    __table_args__ = (UniqueConstraint("village_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int]

    village: Mapped[Village] = relationship(back_populates="quotas")
