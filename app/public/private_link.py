"""What the pages reached by a participant's private link share: finding the registration from
its token, and handing a document (badge, agenda, certificate) to download."""
from flask import Response, abort
from sqlalchemy import select

from ..extensions import db
from ..models import Registration


def registration_or_404(token: str) -> Registration:
    found = db.session.scalar(select(Registration).where(Registration.manage_token == token))
    if found is None or found.anonymised_at is not None:
        abort(404)
    return found


def document(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
