"""Downloads of a village's registrations for the team: spreadsheets, sign-in sheet, badges.

They hold everyone's personal data: administrators and organisers only, never check-in.
The CSV is written in the request; longer documents are prepared by a background worker
(app/services/jobs.py): the organiser watches a progress bar, then downloads the file.
"""
import io
import tempfile

from flask import abort, jsonify, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..documents.exports import FORMATS
from ..extensions import db
from ..models import ExportJob, ExportJobStatus, OrganiserRole
from ..services import audit, jobs
from . import blueprint
from .access import role_required
from .villages import village_or_404

JOB_STATUS_LABELS = {
    ExportJobStatus.QUEUED: "En attente",
    ExportJobStatus.RUNNING: "En préparation",
    ExportJobStatus.DONE: "Prêt",
    ExportJobStatus.FAILED: "Échec",
}


@blueprint.get("/villages/<int:village_id>/exports")
@role_required(OrganiserRole.ORGANISER)
def village_exports(village_id: int):
    village = village_or_404(village_id)
    recent_jobs = db.session.scalars(
        select(ExportJob).where(ExportJob.village_id == village.id).order_by(ExportJob.id.desc()).limit(10)
    ).all()
    return render_template(
        "organisers/exports.html", village=village, formats=FORMATS, jobs=recent_jobs,
        status_labels=JOB_STATUS_LABELS,
    )


@blueprint.get("/villages/<int:village_id>/exports/<export_name>")
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


@blueprint.post("/villages/<int:village_id>/exports/<export_name>/preparer")
@role_required(OrganiserRole.ORGANISER)
def start_export(village_id: int, export_name: str):
    village = village_or_404(village_id)
    if export_name not in FORMATS:
        abort(404)
    job = jobs.start_export(village, export_name, current_user.email)
    return redirect(url_for("organisers.export_job", village_id=village.id, token=job.token), 303)


@blueprint.get("/villages/<int:village_id>/exports/taches/<token>")
@role_required(OrganiserRole.ORGANISER)
def export_job(village_id: int, token: str):
    job = _job_or_404(village_id, token)
    jobs.ensure_in_app_worker()
    return render_template(
        "organisers/export_job.html", village=job.village, job=job, export=FORMATS[job.export_format],
        status_labels=JOB_STATUS_LABELS,
    )


@blueprint.get("/villages/<int:village_id>/exports/taches/<token>/etat")
@role_required(OrganiserRole.ORGANISER)
def export_job_state(village_id: int, token: str):
    job = _job_or_404(village_id, token)
    response = jsonify(
        status=job.status,
        status_label=JOB_STATUS_LABELS[job.status],
        done=job.done,
        total=job.total,
        percent=job.percent,
        error=job.error,
        download_url=(
            url_for("organisers.export_job_file", village_id=village_id, token=token)
            if job.status == ExportJobStatus.DONE else None
        ),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/villages/<int:village_id>/exports/taches/<token>/fichier")
@role_required(OrganiserRole.ORGANISER)
def export_job_file(village_id: int, token: str):
    job = _job_or_404(village_id, token)
    if job.status != ExportJobStatus.DONE:
        return redirect(url_for("organisers.export_job", village_id=village_id, token=token), 303)
    return _send(io.BytesIO(job.content), job.village, FORMATS[job.export_format])


def _send(file, village, export):
    audit.record(current_user.email, "export downloaded", village, format=export.name)
    db.session.commit()
    response = send_file(
        file, mimetype=export.mimetype, as_attachment=True, download_name=export.filename(village)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _job_or_404(village_id: int, token: str) -> ExportJob:
    village = village_or_404(village_id)
    job = db.session.scalar(select(ExportJob).where(ExportJob.token == token, ExportJob.village_id == village.id))
    return job or abort(404)
