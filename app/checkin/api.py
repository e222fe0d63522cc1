"""The JSON API of the scanner page, of hand-held readers and of the offline sync.

Every view is exempt from the session CSRF check because Bearer-token calls have no session;
calls that rely on the session cookie are checked here instead (header X-CSRFToken).
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from flask import abort, current_app, g, jsonify, request, session
from flask_login import current_user
from sqlalchemy import select

from ..extensions import csrf, db
from ..models import Village
from ..services import checkin as service
from . import blueprint
from .access import SESSION_KEY, Scanner, bearer_link, bearer_token, checkin_limit, scanner_for

# A scan is a few dozen bytes; a walk-in form well under 2 KiB.
MAX_BODY_BYTES = 8 * 1024
SCAN_METHODS = {"scan", "manual", "search"}
# A sync upload is the deepest body: {"events": [{"person": {…}}]}.
MAX_JSON_DEPTH = 8
NOT_AUTHENTICATED = (
    "Identification requise : ouvrez un lien d'accueil valable (il a peut-être expiré "
    "ou été révoqué) ou connectez-vous."
)


def json_error(status: int, message: str, **extra):
    response = jsonify(error=message, status=status, **extra)
    response.status_code = status
    return response


def fail(status: int, message: str, **extra):
    abort(json_error(status, message, **extra))


@blueprint.before_request
def start_timer():
    g.checkin_started = time.perf_counter()


@blueprint.after_request
def server_timing(response):
    # Lets the bench (and the browser's dev tools) read the time spent inside the app.
    if request.path.startswith("/api/checkin") and "checkin_started" in g:
        elapsed_ms = (time.perf_counter() - g.checkin_started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
    return response


def json_payload(max_bytes: int):
    """The request's JSON under `max_bytes`, or None when it is not JSON that a phone sends:
    malformed, nested deeper than MAX_JSON_DEPTH, or holding text that no phone can type
    (a lone UTF-16 surrogate such as "\\ud800", which no database or e-mail can store)."""
    request.max_content_length = max_bytes
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        return None
    return payload if _sendable(payload) else None


def _sendable(payload) -> bool:
    pending = [(payload, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return False
        if isinstance(value, str) and not _encodable(value):
            return False
        if isinstance(value, dict):
            if not all(_encodable(key) for key in value):
                return False
            pending.extend((inner, depth + 1) for inner in value.values())
        elif isinstance(value, list):
            pending.extend((inner, depth + 1) for inner in value)
    return True


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_body() -> dict:
    body = json_payload(MAX_BODY_BYTES)
    if not isinstance(body, dict):
        fail(400, "Le corps de la demande doit être un objet JSON.")
    return body


def has_credentials() -> bool:
    return bearer_token() is not None or current_user.is_authenticated or bool(session.get(SESSION_KEY))


def authorise(village: service.ScanVillage) -> Scanner:
    scanner = scanner_for(village)
    if scanner is None:
        if bearer_token() is None and current_user.is_authenticated:
            fail(403, "Votre compte ne permet pas l'accueil de ce village.")
        fail(401, NOT_AUTHENTICATED)
    if not scanner.by_bearer and request.method == "POST" and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    return scanner


def village_named(slug) -> Village:
    village = db.session.scalar(select(Village).where(Village.slug == str(slug)))
    if village is None:
        fail(404, "Ce village n'existe pas.")
    return village


def requested_village(body: dict) -> service.ScanVillage:
    """The token's village for Bearer calls; otherwise the one named in the body."""
    if bearer_token() is not None:
        link = bearer_link()
        if link is None:
            fail(401, NOT_AUTHENTICATED)
        if body.get("village") not in (None, link.village.slug):
            fail(403, f"Ce lien d'accueil est celui du village « {link.village.name} ».")
        return link.village
    if not body.get("village"):
        fail(400, "Indiquez le village (champ « village »).")
    return village_named(body["village"])


def scan_request() -> tuple[service.ScanVillage, Scanner, str, dict]:
    """Village, scanner, badge code and the body of a check-in or undo call."""
    if not has_credentials():
        fail(401, NOT_AUTHENTICATED)
    body = json_body()
    village = requested_village(body)
    scanner = authorise(village)
    code = body.get("code")
    if "registration_id" in body and code is None:
        registration_id = body["registration_id"]
        if not isinstance(registration_id, int) or isinstance(registration_id, bool):
            fail(400, "« registration_id » doit être un nombre entier.")
        code = service.badge_code_of(village, registration_id)
        if code is None:
            fail(404, "Cette personne n'est pas inscrite à ce village.")
    if not isinstance(code, str) or not code.strip():
        fail(400, "Le code du badge (champ « code ») est manquant.")
    return village, scanner, code, body


def device_time(value) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: past year 9999 (or before year 1) in UTC
        fail(400, "« scanned_at » doit être une date ISO 8601.")
    return moment


def scan_id_of(body: dict) -> str | None:
    scan_id = body.get("scan_id")
    if scan_id is not None and (not isinstance(scan_id, str) or not 0 < len(scan_id) <= 64):
        fail(400, "« scan_id » doit être un texte de 1 à 64 caractères.")
    return scan_id


def rehearsal_of(body: dict) -> bool:
    """Whether the call is a rehearsal (the scanner page's « mode entraînement »)."""
    rehearsal = body.get("rehearsal", False)
    if not isinstance(rehearsal, bool):
        fail(400, "« rehearsal » doit valoir true ou false.")
    return rehearsal


def outcome_json(outcome, village: service.ScanVillage) -> dict:
    answer = {"result": outcome.result.value, "attendee": outcome.attendee, "village": village.slug}
    if outcome.result == service.Result.NOT_VILLAGE_DAY:
        answer["message"] = service.not_village_day_message(village)
    if outcome.rehearsal:
        answer["rehearsal"] = True
    return answer


def committed_outcome(outcome, village: service.ScanVillage):
    """The JSON answer, built once committed: a scan keeps its village locked until its commit,
    and the other phones wait that long. The commit leaves the objects the answer shows loaded
    (it would expire them, and the answer would read them again)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    return jsonify(outcome_json(outcome, village))


@blueprint.post("/api/checkin")
@csrf.exempt
@checkin_limit
def api_check_in():
    village, scanner, code, body = scan_request()
    method = "search" if "registration_id" in body else body.get("method", "scan")
    if not isinstance(method, str) or method not in SCAN_METHODS:
        fail(400, "« method » doit valoir scan, manual ou search.")
    if rehearsal_of(body):
        return committed_outcome(service.rehearse(village, code), village)
    outcome = service.check_in(
        village,
        code,
        scanner=scanner.name,
        scan_id=scan_id_of(body),
        scanned_at=device_time(body.get("scanned_at")),
        method=method,
    )
    return committed_outcome(outcome, village)


@blueprint.post("/api/checkin/undo")
@csrf.exempt
@checkin_limit
def api_undo():
    village, scanner, code, body = scan_request()
    reason = body.get("reason") or ""
    if not isinstance(reason, str):
        fail(400, "« reason » doit être un texte.")
    outcome = service.undo_check_in(village, code, actor=scanner.actor, reason=reason)
    return committed_outcome(outcome, village)


@blueprint.get("/api/checkin/<slug>/search")
@csrf.exempt
@checkin_limit
def api_search(slug: str):
    village = village_named(slug)
    authorise(village)
    query = request.args.get("q", "")[:100]
    return jsonify(village=village.slug, results=service.search(village, query))


@blueprint.get("/api/checkin/<slug>/attendance")
@csrf.exempt
@checkin_limit
def api_attendance(slug: str):
    village = village_named(slug)
    authorise(village)
    return jsonify(service.attendance(village))


@blueprint.post("/api/checkin/<slug>/walk-in")
@csrf.exempt
@checkin_limit
def api_walk_in(slug: str):
    village = village_named(slug)
    scanner = authorise(village)
    body = json_body()
    data = service.WalkInData.from_mapping(body)
    errors = data.errors()
    if errors:
        return json_error(422, "Certains champs sont à corriger.", errors=errors)
    try:
        outcome = service.walk_in(
            village,
            data,
            scanner=scanner.name,
            actor=scanner.actor,
            over_capacity=body.get("over_capacity") is True,
            scan_id=scan_id_of(body),
            rehearsal=rehearsal_of(body),
        )
    except service.WalkInRefused as refused:
        db.session.rollback()
        return json_error(409, refused.message, may_override=refused.may_override, **refused.details)
    return committed_outcome(outcome, village)
