"""Scanner links: a volunteer without an account checks people in for one village.

The token is shown once (as a link and a QR code); only its SHA-256 is stored, so a copy
of the database lets nobody scan. Looking a token up by its hash compares nothing secret
byte by byte, so the lookup does not leak the token through timing.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import ScannerToken, Village
from ..timeutil import local_datetime, to_utc_naive, utcnow
from . import audit


class LinkRefused(Exception):
    pass


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def end_of_village_day(village: Village) -> datetime:
    """Midnight after the village's day, local time, as naive UTC."""
    return to_utc_naive(local_datetime(village.day + timedelta(days=1), time(0)))


def create(village: Village, label: str, created_by: str) -> tuple[ScannerToken, str]:
    """A new link for `village`, valid until the end of its day. Returns the row and the token."""
    label = label.strip()[:120] or "Accueil"
    expires_at = end_of_village_day(village)
    if expires_at <= utcnow():
        raise LinkRefused("Ce village est passé : un lien d'accueil n'y servirait plus.")
    token = secrets.token_urlsafe(32)
    link = ScannerToken(
        village=village,
        token_hash=token_hash(token),
        label=label,
        created_by=created_by,
        expires_at=expires_at,
    )
    db.session.add(link)
    db.session.flush()
    audit.record(created_by, "scanner_link.create", link, village_id=village.id, label=label)
    return link, token


def valid_link(token: str | None) -> ScannerToken | None:
    """The unrevoked, unexpired link of this token, if any."""
    if not token or len(token) > 200:
        return None
    return valid_link_by_hash(token_hash(token))


@functools.cache
def _link_by_hash() -> Select:
    """Built once, since every scan looks its link up and building the query costs more than running
    it; and at the first scan, not at import: its joinedload sets up every mapper, a tenth of a second
    that every command would pay at start, `flask --help` included."""
    return (
        select(ScannerToken).options(joinedload(ScannerToken.village))
        .where(ScannerToken.token_hash == bindparam("hashed"))
    )


def valid_link_by_hash(hashed: str) -> ScannerToken | None:
    link = db.session.scalar(_link_by_hash(), {"hashed": hashed})
    return link if link is not None and link.is_valid() else None


def links_of(village: Village) -> list[ScannerToken]:
    return list(
        db.session.scalars(
            select(ScannerToken)
            .where(ScannerToken.village_id == village.id)
            .order_by(ScannerToken.created_at.desc(), ScannerToken.id.desc())
        )
    )


def revoke(link: ScannerToken, actor: str) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        audit.record(actor, "scanner_link.revoke", link, village_id=link.village_id, label=link.label)
