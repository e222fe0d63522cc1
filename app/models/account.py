from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login_manager
from ..timeutil import utcnow
from .village import Village


class OrganiserRole(enum.StrEnum):
    ADMIN = "admin"          # everything, including accounts
    ORGANISER = "organiser"  # villages, registrations, exports, mailings
    CHECKIN = "checkin"      # only the check-in screens of the villages given to them

    @property
    def label(self) -> str:
        """The access it gives, named as a task rather than as a person (no gender to choose)."""
        return {"admin": "Administration", "organiser": "Organisation", "checkin": "Accueil"}[self]


checkin_assignment = Table(
    "checkin_assignment",
    db.metadata,
    Column("organiser_id", ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True),
    Column("village_id", ForeignKey("village.id", ondelete="CASCADE"), primary_key=True),
)


class Organiser(UserMixin, db.Model):
    """A member of the association's team who logs in to the back office."""

    __tablename__ = "organiser"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    # Raised to end every open session of the account (logout, new password, deactivation…):
    # sessions carry the version they were opened with (get_id), and older ones are refused.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Base32 secret of the authenticator app (TOTP), for admins who turned it on.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    # The time step of the last code accepted: a code is accepted once (RFC 6238, 5.2), so that
    # one seen over a shoulder or in a proxy's log cannot be used again within its 90 seconds.
    totp_last_step: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    checkin_villages: Mapped[list[Village]] = relationship(secondary=checkin_assignment)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie holds
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Every session opened so far stops working at the next request."""
        self.session_version = (self.session_version or 0) + 1

    def has_role(self, *roles: str) -> bool:
        return self.role == OrganiserRole.ADMIN or self.role in roles

    def may_check_in(self, village: Village) -> bool:
        if self.role in (OrganiserRole.ADMIN, OrganiserRole.ORGANISER):
            return True
        return any(v.id == village.id for v in self.checkin_villages)

    def __repr__(self) -> str:
        return f"<Organiser {self.email} {self.role}>"


class LoginThrottle(db.Model):
    """Failed logins sent from one address for one e-mail (known or not), and how long that pair waits.

    Counting per address and account slows down whoever guesses, and never the account's owner
    logging in from elsewhere (an attacker cannot lock the door team out).
    """

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("email", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)


@login_manager.user_loader
def load_organiser(session_id: str) -> Organiser | None:
    organiser_id, _, version = session_id.partition(":")
    if not (organiser_id.isdigit() and version.isdigit()):
        return None
    organiser = db.session.get(Organiser, int(organiser_id))
    if organiser is None or not organiser.active or organiser.session_version != int(version):
        return None
    return organiser
