from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
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
        return {"admin": "Administrateur", "organiser": "Organisateur", "checkin": "Accueil"}[self]


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
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
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

    def has_role(self, *roles: str) -> bool:
        return self.role == OrganiserRole.ADMIN or self.role in roles

    def may_check_in(self, village: Village) -> bool:
        if self.role in (OrganiserRole.ADMIN, OrganiserRole.ORGANISER):
            return True
        return any(v.id == village.id for v in self.checkin_villages)

    def __repr__(self) -> str:
        return f"<Organiser {self.email} {self.role}>"


@login_manager.user_loader
def load_organiser(organiser_id: str) -> Organiser | None:
    organiser = db.session.get(Organiser, int(organiser_id)) if organiser_id.isdigit() else None
    return organiser if organiser is not None and organiser.active else None
