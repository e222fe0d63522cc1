"""Offline check-in: the roster download and queue upload of the scanner page (see
app/services/sync.py), and the organisers' list of badges admitted twice."""
from __future__ import annotations

from flask import jsonify, render_template, request

from ..extensions import csrf, db
from ..services import roster as rosters
from ..services import sync
from . import blueprint
from .access import organiser_required
from .api import authorise, fail, village_named
from .views import village_or_404

# 500 events of a few hundred bytes each.
MAX_SYNC_BYTES = 512 * 1024


@blueprint.get("/api/checkin/<slug>/roster")
@csrf.exempt
def api_roster(slug: str):
    village = village_named(slug)
    authorise(village)
    since = request.args.get("since", "0")
    if not since.isdigit():
        fail(400, "« since » doit être un nombre entier positif (le « cursor » de la réponse précédente).")
    return jsonify(rosters.roster(village, int(since)).as_json())


@blueprint.post("/api/checkin/<slug>/sync")
@csrf.exempt
def api_sync(slug: str):
    village = village_named(slug)
    scanner = authorise(village)
    request.max_content_length = MAX_SYNC_BYTES
    try:
        device, events = sync.parse(request.get_json(silent=True))
    except sync.MalformedSync as malformed:
        fail(400, str(malformed))
    results = sync.replay(village, device, events, scanner)
    db.session.commit()
    return jsonify(village=village.slug, results=results)


@blueprint.get("/checkin/<slug>/conflits")
@organiser_required
def conflicts(slug: str):
    village = village_or_404(slug)
    return render_template(
        "checkin/conflicts.html", village=village, conflicts=rosters.conflicts(village)
    )
