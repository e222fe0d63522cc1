"""A person's data handed over or erased by an organiser, at that person's request."""
from flask import flash, redirect, url_for
from flask_login import current_user

from ..extensions import db
from ..models import OrganiserRole
from ..public.legal import personal_data_file
from ..services import privacy
from . import blueprint
from .access import role_required
from .registrations import registration_or_404


@blueprint.get("/inscriptions/<id:registration_id>/donnees.json")
@role_required(OrganiserRole.ORGANISER)
def registration_personal_data(registration_id: int):
    return personal_data_file(registration_or_404(registration_id))


@blueprint.post("/inscriptions/<id:registration_id>/effacer")
@role_required(OrganiserRole.ORGANISER)
def registration_erase(registration_id: int):
    found = registration_or_404(registration_id)
    if found.anonymised_at is None:
        privacy.erase(found, actor=current_user.email)
        db.session.commit()
        flash("Les données personnelles de cette inscription sont effacées.", "success")
    return redirect(url_for("organisers.registration", registration_id=found.id))
