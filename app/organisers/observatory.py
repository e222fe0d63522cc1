"""The observatory across villages and years (app/services/observatory.py), with exact figures,
on screen and as PDF or spreadsheet prepared in the background."""
from flask import abort, redirect
from flask_login import current_user

from ..observatory_page import chosen_period, render
from ..documents.figures import FILE_FORMATS
from ..models import OrganiserRole
from ..runtime import jobs
from . import blueprint, jobs as job_pages
from .access import role_required

TEMPLATE = "organisers/observatory.html"


@blueprint.get("/observatoire")
@role_required(OrganiserRole.ORGANISER)
def observatory_page():
    return render(TEMPLATE, for_public=False)


@blueprint.post("/observatoire.<file_format>")
@role_required(OrganiserRole.ORGANISER)
def observatory_file(file_format: str):
    """Start preparing the document; the organiser follows it on the job's page (app/organisers/jobs.py)."""
    if file_format not in FILE_FORMATS:
        abort(404)
    chosen, _ = chosen_period()
    if chosen is None:
        return render(TEMPLATE, for_public=False)
    job = jobs.start("observatory", {
        "first": chosen.first, "last": chosen.last, "format": file_format,
        "filename": f"observatoire-{chosen.first}-{chosen.last}.{file_format}",
    }, current_user.email)
    return redirect(job_pages.job_url(job), 303)
