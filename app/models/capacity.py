from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ConfirmedCount(db.Model):
    """How many confirmed registrations a village has for one role, kept exact at every
    change (app/services/capacity.py) so that a registration reads it instead of counting."""

    __tablename__ = "confirmed_count"

    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    confirmed: Mapped[int] = mapped_column(default=0)
