"""Downloads of a village's registrations for the team: spreadsheets, sign-in sheet, badges.

They hold everyone's personal data: administrators and organisers only, never check-in.
The CSV is written in the request; longer documents are prepared by a background worker
(app/runtime/jobs.py): the organiser watches a progress bar, then downloads the file.
"""
import tempfile

from flask import abort, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..documents.exports import FORMATS
from ..extensions import db
from ..models import Job, OrganiserRole
from ..runtime import jobs
from ..services import audit
from . import blueprint, jobs as job_pages
from .access import role_required
from .villages import village_or_404


@blueprint.get("/villages/<id:village_id>/exports")
@role_required(OrganiserRole.ORGANISER)
def village_exports(village_id: int):
    village = village_or_404(village_id)
    recent_jobs = db.session.scalars(
        select(Job).where(Job.village_id == village.id, Job.kind == "export").order_by(Job.id.desc()).limit(10)
    ).all()
    if any([jobs.fail_if_stale(job) for job in recent_jobs]):  # a list: every stale job is failed
        db.session.commit()
    return render_template(
        "organisers/exports.html", village=village, formats=FORMATS, jobs=recent_jobs,
        status_labels=job_pages.STATUS_LABELS,
    )


@blueprint.get("/villages/<id:village_id>/exports/<export_name>")
@role_required(OrganiserRole.ORGANISER)
def download_export(village_id: int, export_name: str):
    village = village_or_404(village_id)
    export = FORMATS.get(export_name) or abort(404)
    if export.background:
        return redirect(url_for("organisers.village_exports", village_id=village.id), 303)
    # Written to an unnamed temporary file, then sent from disk: memory stays flat, and the
    # database transaction ends with this commit, before a slow download begins.
    file = tempfile.TemporaryFile()
    export.write(village, file)
    file.seek(0)
    return _send(file, village, export)


@blueprint.post("/villages/<id:village_id>/exports/<export_name>/preparer")
@role_required(OrganiserRole.ORGANISER)
def start_export(village_id: int, export_name: str):
    village = village_or_404(village_id)
    if export_name not in FORMATS:
        abort(404)
    job = jobs.start_export(village, export_name, current_user.email)
    return redirect(url_for("organisers.export_job", village_id=village.id, token=job.token), 303)


# The progress page of an export keeps its address under the village's exports; it is the
# page of every job (app/organisers/jobs.py).
@blueprint.get("/villages/<id:village_id>/exports/taches/<token>")
@role_required(OrganiserRole.ORGANISER)
def export_job(village_id: int, token: str):
    return job_pages.show(job_pages.job_or_404(token, village_or_404(village_id)))


@blueprint.get("/villages/<id:village_id>/exports/taches/<token>/etat")
@role_required(OrganiserRole.ORGANISER)
def export_job_state(village_id: int, token: str):
    return job_pages.state(job_pages.job_or_404(token, village_or_404(village_id)))


@blueprint.get("/villages/<id:village_id>/exports/taches/<token>/fichier")
@role_required(OrganiserRole.ORGANISER)
def export_job_file(village_id: int, token: str):
    return job_pages.send(job_pages.job_or_404(token, village_or_404(village_id)))


def _send(file, village, export):
    audit.record(current_user.email, "export downloaded", village, format=export.name)
    db.session.commit()
    response = send_file(
        file, mimetype=export.mimetype, as_attachment=True, download_name=export.filename(village)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
