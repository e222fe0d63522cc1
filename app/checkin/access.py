"""Who may scan for a village: a scanner link (Bearer token, or remembered in the session)
or a logged-in organiser allowed to check in there."""
from __future__ import annotations

from dataclasses import dataclass

import hashlib

from flask import g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..extensions import limiter
from ..models import Organiser, ScannerToken, Village
from ..security import configured_limit
from ..services import scanner_links

# village slug -> sha256 of the scanner token opened in this browser
SESSION_KEY = "scanner_links"


@dataclass(frozen=True)
class Scanner:
    village_id: int
    name: str   # kept on CheckIn rows, shown on an orange screen (« par … »)
    actor: str  # written in the audit log
    # Bearer calls carry their own credential: no session, hence no CSRF check.
    by_bearer: bool = False


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def link_scanner(link: scanner_links.ScanningLink, by_bearer: bool = False) -> Scanner:
    return Scanner(link.village_id, link.label, f"scanner:{link.label}", by_bearer)


def organiser_scanner(village: Village) -> Scanner | None:
    if not current_user.is_authenticated or not isinstance(current_user, Organiser):
        return None
    if not current_user.may_check_in(village):
        return None
    return Scanner(village.id, current_user.name or current_user.email, current_user.email)


def remember_link(link: ScannerToken) -> None:
    session.permanent = True
    session[SESSION_KEY] = {**session.get(SESSION_KEY, {}), link.village.slug: link.token_hash}


def session_scanner(village: Village) -> Scanner | None:
    hashed = session.get(SESSION_KEY, {}).get(village.slug)
    link = scanner_links.scanning_link_by_hash(hashed) if hashed else None
    if link is None or link.village_id != village.id:
        return None
    return link_scanner(link)


def bearer_link() -> scanner_links.ScanningLink | None:
    """The valid link of the request's Bearer token, looked up once per request."""
    # Keyed by token: an app context shared by several requests (tests, CLI) must not
    # hand one phone's link to another.
    token = bearer_token()
    if g.get("bearer_link_token") != token or "bearer_link" not in g:
        g.bearer_link_token, g.bearer_link = token, scanner_links.scanning_link(token)
    return g.bearer_link


def scanner_for(village: Village | scanner_links.LinkedVillage) -> Scanner | None:
    """The scanner acting for `village` in this request, if it is allowed to."""
    if bearer_token() is not None:
        link = bearer_link()
        return link_scanner(link, by_bearer=True) if link and link.village_id == village.id else None
    return organiser_scanner(village) or session_scanner(village)


def checkin_key() -> str:
    """Each scanner has its own allowance, whatever venue wifi it shares with the others:
    its Bearer token, else the scanner links its browser session holds, else its organiser account.

    Only a valid token counts as one: made-up tokens share their address's allowance, so that
    changing the token does not buy a fresh one. Tokens are secrets: only digests go to the storage.
    """
    token = bearer_token()
    if token is not None and bearer_link() is not None:
        return "token:" + _digest(token)
    links = session.get(SESSION_KEY)
    if links:
        return "links:" + _digest(" ".join(sorted(map(str, links.values()))))
    if current_user.is_authenticated:
        return f"account:{current_user.get_id()}"
    return "address:" + get_remote_address()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


checkin_limit = limiter.shared_limit(
    configured_limit("RATELIMIT_CHECKIN"), scope="checkin", key_func=checkin_key
)
