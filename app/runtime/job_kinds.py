"""The kinds of background job (app/runtime/jobs.py): each is the work a web request used to
do itself, now done by a worker while the organiser watches its progress."""
from __future__ import annotations

import io
import tempfile

from sqlalchemy import select

from ..extensions import db
from ..models import Job, Registration, Village
from ..services import (
    followup_asks, observatory, participant_messages as messages, report as report_service, scheduling,
)
from ..templating import quantity
from ..timeutil import utcnow
from . import jobs
from .jobs import Outcome, Progress

# Schedule building, out of SCHEDULE_STEPS: requests closed at SCHEDULE_CLOSED, then the
# solver's time limit fills the bar until SCHEDULE_SOLVED; saving ends it.
SCHEDULE_STEPS, SCHEDULE_CLOSED, SCHEDULE_SOLVED = 100, 10, 95
# Messages queued per transaction: each batch and the count of those sent are committed together.
MESSAGE_BATCH = 50


@jobs.kind("export")
def export(job: Job, progress: Progress) -> Outcome:
    """A long document of a village's registrations (app/documents/exports)."""
    from ..documents.exports import FORMATS, rows

    with tempfile.TemporaryFile() as file, rows.reporting_progress(progress):
        FORMATS[job.params["format"]].write(job.village, file)
        file.seek(0)
        return Outcome(content=file.read())


@jobs.kind("report")
def report_document(job: Job, progress: Progress) -> Outcome:
    """The report of one village or several, as PDF or spreadsheet: figures, then the document."""
    from ..documents.report import REPORT_FORMATS

    villages = sorted(db.session.scalars(select(Village).where(Village.id.in_(job.params["villages"]))),
                      key=lambda v: v.day)
    if not villages:
        raise jobs.Refused("Les villages de ce bilan n'existent plus : il n'y a rien à préparer.")
    progress(0, 2, now=True)
    report = report_service.build(villages, for_outsiders=job.params["for_outsiders"])
    progress(1, 2, now=True)
    buffer = io.BytesIO()
    REPORT_FORMATS[job.params["format"]].write(report, buffer)
    return Outcome(content=buffer.getvalue())


@jobs.kind("observatory")
def observatory_document(job: Job, progress: Progress) -> Outcome:
    """The observatory over the years asked, as PDF or spreadsheet: figures, then the document."""
    from ..documents.observatory import FORMATS

    progress(0, 2, now=True)
    try:
        chosen = observatory.period(job.params["first"], job.params["last"])
    except observatory.BadPeriod as bad:
        raise jobs.Refused(str(bad)) from bad
    if chosen is None:
        raise jobs.Refused(observatory.NOTHING_YET)
    built = observatory.build(chosen)
    progress(1, 2, now=True)
    buffer = io.BytesIO()
    FORMATS[job.params["format"]](built, buffer)
    return Outcome(content=buffer.getvalue())


@jobs.kind("schedule", exclusive=True)
def schedule(job: Job, progress: Progress) -> Outcome:
    """Close the meeting requests, then place the meetings (CP-SAT within its time limit)."""
    village, actor = job.village, job.requested_by
    expired = scheduling.close_requests(village, actor=actor)
    db.session.commit()
    progress(SCHEDULE_CLOSED, SCHEDULE_STEPS, now=True)
    try:
        built = scheduling.build(village, actor=actor, solving=lambda seconds: progress.ticking(
            SCHEDULE_CLOSED, SCHEDULE_SOLVED, SCHEDULE_STEPS, seconds))
    except scheduling.ScheduleChanged as changed:
        raise jobs.Refused(str(changed)) from changed
    db.session.commit()
    placed = quantity(built.placed, "rendez-vous placé", "rendez-vous placés")
    return Outcome(summary=f"Programme provisoire calculé : {placed} sur {built.meetings}"
                   + (f" ; {quantity(expired, 'demande sans réponse a', 'demandes sans réponse ont')} expiré"
                      if expired else "")
                   + ". Vérifiez-le, ajustez-le puis publiez-le.")


@jobs.kind("message")
def message(job: Job, progress: Progress) -> Outcome:
    """An organiser's message: one e-mail per recipient in the outbox, then the message kept.

    The recipients are fixed on the first run and each batch is committed with the count of
    those sent: a job retried after its worker died goes on after them, nobody gets it twice.
    """
    params, village = job.params, job.village
    audience = messages.Audience(**params["audience"])
    subject, body, with_certificate = params["subject"], params["body"], params["with_certificate"]
    if "recipients" not in params:
        found = messages.chosen(village, audience, with_certificate)
        if not found:
            raise jobs.Refused(messages.NOBODY)
        job.params = {**params, "recipients": [r.id for r in found], "sent": 0}
        db.session.commit()
    ids, sent = job.params["recipients"], job.params["sent"]
    while sent < len(ids):
        batch = ids[sent:sent + MESSAGE_BATCH]
        messages.queue_to(list(db.session.scalars(select(Registration).where(Registration.id.in_(batch)))),
                          audience, subject, body, job.request_key or job.token, with_certificate)
        sent += len(batch)
        job.params = {**job.params, "sent": sent}
        job.done, job.total, job.heartbeat_at = sent, len(ids), utcnow()
        db.session.commit()
    if not job.params.get("kept"):
        messages.keep(village, audience, subject, body, job.requested_by, len(ids), with_certificate)
        job.params = {**job.params, "kept": True}
        db.session.commit()
    return Outcome(summary=f"Message envoyé à {quantity(len(ids), 'personne')} : il part dans les minutes qui viennent.")


@jobs.kind("followup", exclusive=True)
def followup(job: Job, progress: Progress) -> Outcome:
    """« Relancer maintenant »: the village's next follow-up round, at once."""
    sent = followup_asks.send(job.village, at_once=True, actor=job.requested_by)
    db.session.commit()
    return Outcome(summary=sent.summary)
