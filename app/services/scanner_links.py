"""Scanner links: a volunteer without an account checks people in for one village.

The token is shown once (as a link and a QR code); only its SHA-256 is stored, so a copy
of the database lets nobody scan. Looking a token up by its hash compares nothing secret
byte by byte, so the lookup does not leak the token through timing.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..database import upsert_for
from ..extensions import db
from ..models import ScannerToken, Village, VillagePhase
from ..timeutil import local_datetime, to_utc_naive, utcnow
from . import audit
from .form_keys import is_send_key


class LinkRefused(Exception):
    pass


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def end_of_village_day(village: Village) -> datetime:
    """Midnight after the village's day, local time, as naive UTC."""
    return to_utc_naive(local_datetime(village.day + timedelta(days=1), time(0)))


def create(village: Village, label: str, created_by: str, send_key: str | None = None) -> tuple[ScannerToken, str]:
    """A new link for `village`, valid until the end of its day. Returns the row and the token.

    `send_key` is the key the form carried from its first display: the token is made from it, so
    the same form posted twice (a double click, a retry, even at the same instant) makes one link
    (its hash is unique), and the second answer shows the same address as the first."""
    label = label.strip()[:120] or "Accueil"
    if village.phase() is VillagePhase.AFTER:
        raise LinkRefused("Ce village est passé : un lien d'accueil n'y servirait plus.")
    token = _token_of(village, send_key) if is_send_key(send_key) else secrets.token_urlsafe(32)
    inserted = db.session.execute(
        upsert_for(db.session, ScannerToken.__table__).on_conflict_do_nothing(index_elements=["token_hash"]),
        {"village_id": village.id, "token_hash": token_hash(token), "label": label, "created_by": created_by,
         "expires_at": end_of_village_day(village), "created_at": utcnow()},
    ).rowcount
    link = db.session.scalar(select(ScannerToken).where(ScannerToken.token_hash == token_hash(token)))
    if inserted:
        audit.record(created_by, "scanner_link.create", link, village_id=village.id, label=label)
    return link, token


def _token_of(village: Village, send_key: str) -> str:
    # Keyed with the application's secret: the form's key alone, seen in a page, opens nothing.
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"scanner-link:{village.id}:{send_key}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash_if_plausible(token: str | None) -> str | None:
    """The hash of `token`, or None when it cannot be one of ours (ours have 43 characters)."""
    return token_hash(token) if token and len(token) <= 200 else None


def valid_link(token: str | None) -> ScannerToken | None:
    """The unrevoked, unexpired link of this token, if any."""
    hashed = _hash_if_plausible(token)
    return valid_link_by_hash(hashed) if hashed else None


def valid_link_by_hash(hashed: str) -> ScannerToken | None:
    return db.session.scalar(
        select(ScannerToken).options(joinedload(ScannerToken.village))
        .where(ScannerToken.token_hash == hashed, ScannerToken.is_valid(utcnow()))
    )


class LinkedVillage(NamedTuple):
    """What a scan uses of its link's village: its id, its day (the door opens on it only), and
    the slug and name its answers show."""

    id: int
    slug: str
    name: str
    day: date


class ScanningLink(NamedTuple):
    """A valid link as a scan uses it: who scans (its label) and for which village."""

    label: str
    village: LinkedVillage

    @property
    def village_id(self) -> int:
        return self.village.id


# Built once, since every scan runs it: five columns read as one row cost a fraction of a
# ScannerToken and its whole Village loaded by the ORM (a quarter of a scan's Python).
_SCANNING_LINK = (
    select(ScannerToken.label, Village.id, Village.slug, Village.name, Village.day)
    .join_from(ScannerToken, Village, ScannerToken.village_id == Village.id)
    .where(ScannerToken.token_hash == bindparam("hashed"), ScannerToken.is_valid(bindparam("now")))
)


def scanning_link(token: str | None) -> ScanningLink | None:
    """The valid link of this token, as a scan uses it (valid_link gives the ScannerToken)."""
    hashed = _hash_if_plausible(token)
    return scanning_link_by_hash(hashed) if hashed else None


def scanning_link_by_hash(hashed: str) -> ScanningLink | None:
    # On the session's connection: the statement is Core, the ORM's dispatch of it adds nothing.
    row = db.session.connection().execute(_SCANNING_LINK, {"hashed": hashed, "now": utcnow()}).first()
    return ScanningLink(row.label, LinkedVillage(row.id, row.slug, row.name, row.day)) if row else None


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
