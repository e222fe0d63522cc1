"""Public feeds: the calendar of the villages, to subscribe to from any calendar application."""
from flask import Response
from sqlalchemy import select

from ..documents.calendar import villages_feed
from ..extensions import db
from ..models import Village
from . import blueprint


@blueprint.get("/villages.ics")
def villages_calendar():
    found = db.session.scalars(
        select(Village).where(Village.archived_at.is_(None)).order_by(Village.day, Village.starts_at)
    )
    return Response(
        villages_feed(list(found)),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="villages.ics"',
            "Cache-Control": "public, max-age=3600",
        },
    )
