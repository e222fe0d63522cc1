"""Downloads of a village's registrations for the team: spreadsheets, sign-in sheet, badges."""
import tempfile
from functools import wraps

from flask import Response, abort, current_app, render_template, send_file, stream_with_context
from flask_login import current_user
from sqlalchemy import select

from ..documents.exports import FORMATS, csv_chunks
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
    audit.record(current_user.email, "export downloaded", village, format=export_name)
    db.session.commit()
    if export_name == "csv":
        chunks = (chunk.encode("utf-8") for chunk in csv_chunks(village))
        response = Response(stream_with_context(chunks), mimetype=export.mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{export.filename(village)}"'
    else:
        # Written to an unnamed temporary file, then sent from disk: memory stays flat.
        file = tempfile.TemporaryFile()
        export.write(village, file)
        file.seek(0)
        response = send_file(
            file, mimetype=export.mimetype, as_attachment=True, download_name=export.filename(village)
        )
    response.headers["Cache-Control"] = "no-store"
    return response
