"""Downloads of a village's registrations for the team: spreadsheets, sign-in sheet, badges.

They hold everyone's personal data: administrators and organisers only, never check-in.
"""
import tempfile

from flask import abort, render_template, send_file
from flask_login import current_user

from ..documents.exports import FORMATS
from ..extensions import db
from ..models import OrganiserRole
from ..services import audit
from . import blueprint
from .access import role_required
from .villages import village_or_404


@blueprint.get("/villages/<int:village_id>/exports")
@role_required(OrganiserRole.ORGANISER)
def village_exports(village_id: int):
    return render_template(
        "organisers/exports.html", village=village_or_404(village_id), formats=FORMATS
    )


@blueprint.get("/villages/<int:village_id>/exports/<export_name>")
@role_required(OrganiserRole.ORGANISER)
def download_export(village_id: int, export_name: str):
    village = village_or_404(village_id)
    export = FORMATS.get(export_name) or abort(404)
    # Written to an unnamed temporary file, then sent from disk: memory stays flat, and the
    # database transaction (a write lock on SQLite) ends with this commit, before a slow
    # download begins.
    file = tempfile.TemporaryFile()
    export.write(village, file)
    file.seek(0)
    audit.record(current_user.email, "export downloaded", village, format=export_name)
    db.session.commit()
    response = send_file(
        file, mimetype=export.mimetype, as_attachment=True, download_name=export.filename(village)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
