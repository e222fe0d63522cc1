"""Following a background job (app/runtime/jobs.py): its progress page, its state for the
progress bar, its file or its summary, and « Relancer » when it failed.

Every kind of job is shown by the same page; what differs (title, link back, how progress
reads, the file's name and the audit of its download) is described once per kind below.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, jsonify, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..documents.exports import FORMATS
from ..extensions import db
from ..models import Job, JobStatus, OrganiserRole, Village
from ..runtime import jobs
from ..runtime.job_kinds import SCHEDULE_CLOSED
from ..services import audit, participant_messages as messages, report as report_service
from ..templating import typography
from . import blueprint
from .access import role_required

STATUS_LABELS = {
    JobStatus.QUEUED: "En attente",
    JobStatus.RUNNING: "En préparation",
    JobStatus.DONE: "Prêt",
    JobStatus.FAILED: "Échec",
}


@dataclass(frozen=True)
class KindPage:
    title: Callable[[Job], str]
    back: Callable[[Job], tuple[str, str]]  # (link text, address)
    steps: Callable[[Job], str]  # how far it went, in words
    file: Callable[[Job], tuple[str, str]] | None = None  # (file name, MIME type)
    downloaded: Callable[[Job], None] | None = None  # the audit record of a download


def _count(unit: str) -> Callable[[Job], str]:
    return lambda job: f"({job.done} / {job.total} {unit})" if job.total else ""


def _export_downloaded(job: Job) -> None:
    audit.record(current_user.email, "export downloaded", job.village, format=job.params["format"])


def _report_downloaded(job: Job) -> None:
    villages = db.session.scalars(select(Village).where(Village.id.in_(job.params["villages"])))
    for village in villages:
        audit.record(current_user.email, "report downloaded", village, format=job.params["format"],
                     version=job.params["version"])


def _report_back(job: Job) -> tuple[str, str]:
    version = {"version": job.params["version"]} if job.params["for_outsiders"] else {}
    if job.village_id:
        return "Retour au bilan", url_for("organisers.village_report", village_id=job.village_id, **version)
    return "Retour au bilan", url_for("organisers.consolidated_report", **job.params["choice"], **version)


def _observatory_downloaded(job: Job) -> None:
    audit.record(current_user.email, "observatory downloaded", None, format=job.params["format"],
                 first=job.params["first"], last=job.params["last"])


def _schedule_steps(job: Job) -> str:
    if job.status == JobStatus.DONE:
        return ""
    if job.done < SCHEDULE_CLOSED:
        return "Clôture des demandes…"
    return "Demandes closes · calcul du programme…"


KIND_PAGES = {
    "export": KindPage(
        title=lambda job: FORMATS[job.params["format"]].label,
        back=lambda job: (f"Exports de {job.village.name}",
                          url_for("organisers.village_exports", village_id=job.village_id)),
        steps=_count("inscriptions"),
        file=lambda job: (FORMATS[job.params["format"]].filename(job.village), FORMATS[job.params["format"]].mimetype),
        downloaded=_export_downloaded,
    ),
    "report": KindPage(
        title=lambda job: "Bilan " + ("en PDF" if job.params["format"] == "pdf" else "en classeur Excel")
        + (" (version à diffuser)" if job.params["for_outsiders"] else ""),
        back=_report_back,
        steps=lambda job: "" if job.status == JobStatus.DONE else (
            "Calcul des chiffres…" if job.done == 0 else "Écriture du document…"),
        file=lambda job: (job.params["filename"], report_service.FILE_FORMATS[job.params["format"]]),
        downloaded=_report_downloaded,
    ),
    "observatory": KindPage(
        title=lambda job: "Observatoire " + ("en PDF" if job.params["format"] == "pdf" else "en classeur Excel"),
        back=lambda job: ("Retour à l'observatoire",
                          url_for("organisers.observatory_page", de=job.params["first"], a=job.params["last"])),
        steps=lambda job: "" if job.status == JobStatus.DONE else (
            "Calcul des chiffres…" if job.done == 0 else "Écriture du document…"),
        file=lambda job: (job.params["filename"], report_service.FILE_FORMATS[job.params["format"]]),
        downloaded=_observatory_downloaded,
    ),
    "schedule": KindPage(
        title=lambda job: "Calcul du programme de rendez-vous",
        back=lambda job: ("Retour aux rendez-vous", url_for("organisers.village_meetings", village_id=job.village_id)),
        steps=_schedule_steps,
    ),
    "message": KindPage(
        title=lambda job: f"Envoi du message « {messages.for_the_village(job.params['subject'], job.village)} »",
        back=lambda job: ("Retour aux messages", url_for("organisers.village_messages", village_id=job.village_id)),
        steps=_count("personnes"),
    ),
    "followup": KindPage(
        title=lambda job: f"Relance du suivi – {job.village.name}",
        back=lambda job: ("Retour au suivi", url_for("organisers.followup_page", village=job.village_id)),
        steps=lambda job: "" if job.status == JobStatus.DONE else "Préparation des e-mails…",
    ),
}


@blueprint.get("/taches/<token>")
@role_required(OrganiserRole.ORGANISER)
def job(token: str):
    return show(job_or_404(token))


@blueprint.get("/taches/<token>/etat")
@role_required(OrganiserRole.ORGANISER)
def job_state(token: str):
    return state(job_or_404(token))


@blueprint.get("/taches/<token>/fichier")
@role_required(OrganiserRole.ORGANISER)
def job_file(token: str):
    return send(job_or_404(token))


@blueprint.post("/taches/<token>/relancer")
@role_required(OrganiserRole.ORGANISER)
def retry_job(token: str):
    job = job_or_404(token)
    try:
        job = jobs.retry(job)
    except jobs.AlreadyRunning as running:
        job = running.job
    return redirect(job_url(job), 303)


def show(job: Job):
    _fail_if_stale(job)
    jobs.ensure_in_app_worker()
    page = KIND_PAGES[job.kind]
    return render_template("organisers/job.html", job=job, page=page, title=page.title(job),
                           back=page.back(job), status_labels=STATUS_LABELS, job_url=job_url,
                           steps=steps)


def state(job: Job):
    _fail_if_stale(job)
    page = KIND_PAGES[job.kind]
    response = jsonify(
        status=job.status,
        status_label=STATUS_LABELS[job.status],
        done=job.done,
        total=job.total,
        percent=job.percent,
        # Shown as they are by the page's script: with French typography already.
        steps=typography(steps(job)),
        error=job.error and typography(job.error),
        summary=job.summary and typography(job.summary),
        download_url=(job_url(job, "_file")
                      if job.status == JobStatus.DONE and page.file else None),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def send(job: Job):
    page = KIND_PAGES[job.kind]
    if page.file is None:
        abort(404)
    if job.status != JobStatus.DONE:
        return redirect(job_url(job), 303)
    page.downloaded(job)
    db.session.commit()
    name, mimetype = page.file(job)
    response = send_file(io.BytesIO(job.content), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def steps(job: Job) -> str:
    """How far the job went, in words; nothing once it failed (its error says what happened)."""
    return "" if job.status == JobStatus.FAILED else KIND_PAGES[job.kind].steps(job)


def job_url(job: Job, page: str = "", **args) -> str:
    """The address of a job's page (`page`: "_state", "_file"). Exports kept theirs, under the
    village's exports; the other jobs are under /organisation/taches/."""
    if job.kind == "export":
        return url_for(f"organisers.export_job{page}", village_id=job.village_id, token=job.token, **args)
    return url_for(f"organisers.job{page}", token=job.token, **args)


def job_or_404(token: str, village: Village | None = None) -> Job:
    query = select(Job).where(Job.token == token)
    if village is not None:
        query = query.where(Job.village_id == village.id)
    return db.session.scalar(query) or abort(404)


def _fail_if_stale(job: Job) -> None:
    if jobs.fail_if_stale(job):
        db.session.commit()
