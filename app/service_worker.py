"""Service workers are served by the app rather than as static files: the app writes, in front of
their source (static/js/…/sw.js), the files they keep and a version that changes whenever one of
those files does, so that phones fetch them all again. Used by the check-in scanner
(app/checkin/offline.py) and by the participant's private page (app/public/offline.py)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Response, current_app, url_for


def static_files(patterns: tuple[str, ...]) -> list[Path]:
    """The files of static/ that the patterns name, service workers left out."""
    static = Path(current_app.static_folder)
    found = [path for pattern in patterns for path in sorted(static.glob(pattern))]
    return [path for path in found if path.name != "sw.js"]


def response(source: str, assets: list[Path], scope: str | None = None, version_of: str = "",
             **constants) -> Response:
    """The worker `source` (a path under static/) with VERSION, ASSETS (URLs) and `constants`
    defined in front; `scope` lets it control pages above its own folder (Service-Worker-Allowed);
    `version_of` is added to what the version depends on."""
    static = Path(current_app.static_folder)
    digest = hashlib.sha256(version_of.encode())
    for path in assets:
        digest.update(path.read_bytes())
    urls = [url_for("static", filename=path.relative_to(static).as_posix()) for path in assets]
    defined = {"VERSION": digest.hexdigest()[:16], "ASSETS": urls, **constants}
    body = "".join(f"const {name} = {json.dumps(value)};\n" for name, value in defined.items())
    body += (static / source).read_text()
    served = current_app.response_class(body, mimetype="text/javascript")
    served.headers["Cache-Control"] = "no-cache"
    if scope:
        served.headers["Service-Worker-Allowed"] = scope
    return served
