from flask import abort, render_template
from sqlalchemy import select

from ..extensions import db
from ..models import Village
from ..services import villages
from . import blueprint


@blueprint.get("/")
def home():
    upcoming = villages.upcoming()
    return render_template(
        "public/home.html",
        villages=upcoming,
        places_left=villages.places_left_by_village(upcoming),
    )


@blueprint.get("/villages/<slug>")
def village(slug: str):
    found = db.session.scalar(select(Village).where(Village.slug == slug))
    if found is None or found.is_archived:
        abort(404)
    return render_template(
        "public/village.html", village=found, places_left=villages.places_left(found)
    )
