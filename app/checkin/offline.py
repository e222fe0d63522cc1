"""Offline check-in: the installable scanner (service worker, manifest), the roster download
and queue upload of its offline layer (see app/services/sync.py), and the organisers' list
of badges admitted twice."""
from __future__ import annotations

import json
import re
from pathlib import Path

from flask import current_app, jsonify, render_template, request, url_for

from ..extensions import csrf, db
from ..models import OrganiserRole
from ..organisers.access import role_required
from ..service_worker import response as worker_response, static_files
from ..services import checkin_roster as rosters
from ..services import sync
from . import blueprint
from .access import checkin_limit
from .api import authorise, fail, json_payload, village_named
from .views import village_or_404

# 500 events of a few hundred bytes each.
MAX_SYNC_BYTES = 512 * 1024
# ASCII digits only (str.isdigit() takes « ² »), and few enough to fit any database's integers.
CURSOR = re.compile(r"[0-9]{1,18}")
# What the scanner page needs to reload and scan without network (static/ paths).
OFFLINE_ASSETS = (
    "css/site.css",
    "css/backoffice.css",
    "css/checkin.css",
    "css/offline.css",
    "vendor/jsqr/jsQR.js",
    "js/checkin/*.js",
    "img/checkin-192.png",
)


def offline_assets() -> list[Path]:
    return static_files(OFFLINE_ASSETS)


@blueprint.get("/checkin/sw.js")
def service_worker():
    return worker_response("js/checkin/sw.js", offline_assets())


@blueprint.get("/checkin/<slug>/manifest.webmanifest")
def manifest(slug: str):
    village = village_or_404(slug)
    body = {
        "name": f"Accueil – {village.name}",
        "short_name": f"Accueil {village.town}",
        "start_url": url_for("checkin.scanner", slug=village.slug),
        "scope": url_for("checkin.scanner", slug=village.slug),
        "display": "standalone",
        "background_color": "#f4f1ea",
        "theme_color": "#0b5d4b",
        "lang": "fr",
        "icons": [
            {"src": url_for("static", filename=f"img/checkin-{size}.png"), "sizes": f"{size}x{size}",
             "type": "image/png"}
            for size in (192, 512)
        ],
    }
    return current_app.response_class(json.dumps(body), mimetype="application/manifest+json")


@blueprint.get("/api/checkin/<slug>/roster")
@csrf.exempt
@checkin_limit
def api_roster(slug: str):
    village = village_named(slug)
    authorise(village)
    since = request.args.get("since", "0")
    if not CURSOR.fullmatch(since):
        fail(400, "« since » doit être un nombre entier positif (le « cursor » de la réponse précédente).")
    return jsonify(rosters.roster(village, int(since)).as_json())


@blueprint.post("/api/checkin/<slug>/sync")
@csrf.exempt
@checkin_limit
def api_sync(slug: str):
    village = village_named(slug)
    scanner = authorise(village)
    try:
        device, events = sync.parse(json_payload(MAX_SYNC_BYTES))
    except sync.MalformedSync as malformed:
        fail(400, str(malformed))
    results = sync.replay(village, device, events, scanner)
    db.session.commit()
    return jsonify(village=village.slug, results=results)


@blueprint.get("/checkin/<slug>/conflits")
@role_required(OrganiserRole.ORGANISER)
def conflicts(slug: str):
    village = village_or_404(slug)
    return render_template(
        "checkin/conflicts.html", village=village, conflicts=rosters.conflicts(village)
    )
