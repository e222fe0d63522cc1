from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class PublicationVersion(db.Model):
    """One row counting the changes to what the public pages show of initiatives and villages
    (moderation, consents, villages edited): what is built from them is kept until it moves
    (app/services/publication.py). In the database, so that every worker of every server agrees."""

    __tablename__ = "publication_version"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    number: Mapped[int] = mapped_column(default=1)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicSnapshot(db.Model):
    """A public document or piece of page (open data, directory page, a village's initiatives)
    built at one publication version, served as it is while that version is the current one."""

    __tablename__ = "public_snapshot"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
