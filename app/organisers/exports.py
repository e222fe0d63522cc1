"""Downloads of a village's registrations for the team: spreadsheets, sign-in sheet, badges."""
import tempfile
from functools import wraps

from flask import abort, current_app, render_template, send_file
from flask_login import current_user
from sqlalchemy import select

from ..documents.exports import FORMATS
from ..extensions import db
from ..models import OrganiserRole, Village
from ..services import audit
from . import blueprint


def exporters_only(view):
    """Exports hold everyone's personal data: administrators and organisers only, never check-in."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.has_role(OrganiserRole.ORGANISER):
            abort(403)
        return view(*args, **kwargs)

    return guarded


def village_or_404(slug: str) -> Village:
    village = db.session.scalar(select(Village).where(Village.slug == slug))
    if village is None:
        abort(404)
    return village


@blueprint.get("/villages/<slug>/exports")
@exporters_only
def village_exports(slug: str):
    return render_template("organisers/exports.html", village=village_or_404(slug), formats=FORMATS)


@blueprint.get("/villages/<slug>/exports/<export_name>")
@exporters_only
def download_export(slug: str, export_name: str):
    village = village_or_404(slug)
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
