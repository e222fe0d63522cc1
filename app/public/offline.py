"""The participant's agenda, readable without network once opened on a phone: a service worker
scoped to one private link (/inscription/<token>…) keeps that page, the badge, its agenda as PDF
and calendar, and the files the page needs; it serves them from the network first and falls back on
the kept copy, which then shows « Hors connexion : programme enregistré le … ».

Only once a schedule is published (before, there is no agenda to keep). Each private link has
its own worker and its own cache: nothing of one person is ever kept under another's link, and
nothing but that link's pages (never its forms' answers) is kept."""
from __future__ import annotations

from flask import url_for

from ..models import Registration
from ..timeutil import utcnow
from ..service_worker import response as worker_response, static_files
from ..services import meeting_area
from . import blueprint
from .meetings import published_agenda_or_404

# What the private page needs to show without network (static/ paths).
OFFLINE_ASSETS = (
    "favicon.svg",
    "css/site.css",
    "css/hardening.css",
    "css/registration.css",
    "css/initiatives.css",
    "js/private/page.js",
)


def keeps_agenda_offline(registration: Registration) -> bool:
    """Whether the private page installs its offline worker: a confirmed place, a published schedule."""
    return registration.is_confirmed and \
        meeting_area.settings_of(registration.village).schedule_published_at is not None


def scope(token: str) -> str:
    # No trailing slash: the page itself is /inscription/<token>. Tokens all have the same
    # length, so no other link starts with this one.
    return url_for("public.registration", token=token)


def kept_urls(token: str) -> list[str]:
    # The badge too: it is what the person shows at the door, where the network is often poor.
    return [url_for(endpoint, token=token) for endpoint in (
        "public.registration", "public.badge", "public.agenda_document", "public.agenda_calendar")]


def offline_context(registration: Registration) -> dict:
    """What the private page needs to install (or remove) its worker; `saved_at` is when this copy
    was made, which the kept copy's banner shows."""
    token = registration.manage_token
    keeps = keeps_agenda_offline(registration)
    return {
        "offline_scope": scope(token),
        "offline_worker": url_for("public.private_service_worker", token=token) if keeps else None,
        "offline_kept": kept_urls(token) if keeps else [],
        "saved_at": utcnow(),
    }


@blueprint.get("/inscription/<token>/hors-connexion.js")
def private_service_worker(token: str):
    registration = published_agenda_or_404(token)
    published = meeting_area.settings_of(registration.village).schedule_published_at
    return worker_response("js/private/sw.js", static_files(OFFLINE_ASSETS), scope=scope(token),
                           version_of=f"{token} {published.isoformat()}", SCOPE=scope(token), KEPT=kept_urls(token))
