"""The meeting area of a village: rules, tables and slots, requests, the schedule and its publication."""
from __future__ import annotations

from datetime import time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Meeting, MeetingRequest, MeetingTable, OrganiserRole, Registration, RegistrationStatus, Role
from ..models.matching import REQUEST_STATUS_LABELS
from ..public.private_link import document
from ..runtime import jobs
from ..services import matching_profiles, meeting_area, meeting_requests, scheduling
from ..services.meeting_area import Slot
from . import blueprint, jobs as job_pages
from .access import role_required
from .forms import MeetingAreaForm, ask_rule_field_name
from .villages import village_or_404

REFUSED = "error"


def back(village_id: int):
    return redirect(url_for("organisers.village_meetings", village_id=village_id))


@blueprint.route("/villages/<id:village_id>/rendez-vous", methods=["GET", "POST"])
@role_required(OrganiserRole.ORGANISER)
def village_meetings(village_id: int):
    village = village_or_404(village_id)
    settings = meeting_area.settings_of(village)
    form = MeetingAreaForm(data={
        "area_starts_at": settings.area_starts_at, "area_ends_at": settings.area_ends_at,
        "slot_minutes": settings.slot_minutes, "breaks": meeting_area.breaks_text(settings),
        "tables": len(meeting_area.tables(village)), "max_requests_received": settings.max_requests_received,
        "suggestions_days_before": settings.suggestions_days_before,
        **{ask_rule_field_name(role): (settings.ask_rules or {}).get(role.value, []) for role in Role},
    })
    if form.validate_on_submit():
        try:
            values = {name: form[name].data for name in (
                "area_starts_at", "area_ends_at", "slot_minutes", "max_requests_received", "suggestions_days_before")}
            values["breaks"] = meeting_area.parse_breaks(form.breaks.data or "")
            values["ask_rules"] = {role.value: form[ask_rule_field_name(role)].data or [] for role in Role}
            meeting_area.update(village, values, form.tables.data, actor=current_user.email)
            db.session.commit()
        except meeting_area.AreaError as error:
            db.session.rollback()
            form.breaks.errors = [str(error)]
        except IntegrityError:
            db.session.rollback()
            form.tables.errors = ["Des rendez-vous sont placés aux tables à retirer : déplacez-les d'abord."]
        else:
            flash("Espace de rendez-vous enregistré.", "success")
            return back(village.id)
    return render_template(
        "organisers/meetings.html", village=village, settings=settings, form=form,
        slots=meeting_area.slots(settings), tables=meeting_area.tables(village),
        meetings=_in_time_order(scheduling.active_meetings(village)), request_counts=_request_counts(village),
        people=_confirmed(village), outcomes=matching_profiles.outcome_counts(village),
        ask_rule_fields=[form[ask_rule_field_name(role)] for role in Role],
    ), 422 if form.errors else 200


@blueprint.post("/villages/<id:village_id>/rendez-vous/calcul")
@role_required(OrganiserRole.ORGANISER)
def build_schedule(village_id: int):
    """Requests are closed and the schedule computed by a background job (app/runtime/job_kinds.py);
    a second organiser asking meanwhile follows the build already under way."""
    village = village_or_404(village_id)
    try:
        job = jobs.start("schedule", {}, current_user.email, village)
    except jobs.AlreadyRunning as running:
        flash("Le programme est déjà en cours de calcul, à la demande de "
              f"{running.job.requested_by} : en voici l'avancement.", "warning")
        job = running.job
    return redirect(job_pages.job_url(job), 303)


@blueprint.post("/villages/<id:village_id>/rendez-vous/publier")
@role_required(OrganiserRole.ORGANISER)
def publish_schedule(village_id: int):
    village = village_or_404(village_id)
    written = scheduling.publish(village, actor=current_user.email)
    db.session.commit()
    flash(f"Programme publié : {written} personnes reçoivent leur programme à jour par e-mail.", "success")
    return back(village.id)


@blueprint.post("/villages/<id:village_id>/rendez-vous/<id:meeting_id>/deplacer")
@role_required(OrganiserRole.ORGANISER)
def move_meeting(village_id: int, meeting_id: int):
    village = village_or_404(village_id)
    meeting = _meeting_or_404(village, meeting_id)
    place = request.form.get("place", "")
    table, slot = None, None
    if place:
        table_id, _, starts = place.partition("@")
        table = db.session.get(MeetingTable, int(table_id)) if table_id.isdigit() else None
        slot = next((s for s in meeting_area.slots(meeting_area.settings_of(village))
                     if f"{s.starts_at:%H:%M}" == starts), Slot(time(0), time(0)))
    try:
        scheduling.move(meeting, table, slot, actor=current_user.email)
        db.session.commit()
    except scheduling.RequestRefused as refused:
        db.session.rollback()
        flash(str(refused), REFUSED)
    except IntegrityError:  # another organiser took the place at the same moment
        db.session.rollback()
        flash("Cette place vient d'être prise : rien n'a été changé.", REFUSED)
    else:
        flash("Rendez-vous déplacé." if slot else "Rendez-vous retiré du programme (sans horaire).", "success")
    return back(village.id)


@blueprint.post("/villages/<id:village_id>/rendez-vous/<id:meeting_id>/supprimer")
@role_required(OrganiserRole.ORGANISER)
def remove_meeting(village_id: int, meeting_id: int):
    village = village_or_404(village_id)
    scheduling.remove(_meeting_or_404(village, meeting_id), actor=current_user.email)
    db.session.commit()
    flash("Rendez-vous supprimé. Les deux personnes en seront informées à la prochaine publication.", "success")
    return back(village.id)


@blueprint.post("/villages/<id:village_id>/rendez-vous/ajouter")
@role_required(OrganiserRole.ORGANISER)
def add_meeting(village_id: int):
    village = village_or_404(village_id)
    people = [db.session.get(Registration, int(value)) if value.isdigit() else None
              for value in (request.form.get("first", ""), request.form.get("second", ""))]
    if any(p is None or p.village_id != village.id for p in people):
        flash("Choisissez deux participants de ce village.", REFUSED)
        return back(village.id)
    try:
        meeting_requests.add_meeting(*people, actor=current_user.email)
        db.session.commit()
    except meeting_requests.RequestRefused as refused:
        db.session.rollback()
        flash(str(refused), REFUSED)
    else:
        flash("Rendez-vous ajouté, sans horaire : placez-le ou recalculez le programme.", "success")
    return back(village.id)


@blueprint.get("/villages/<id:village_id>/rendez-vous/tables.pdf")
@role_required(OrganiserRole.ORGANISER)
def table_sheets(village_id: int):
    village = village_or_404(village_id)
    from ..documents.agenda import table_sheets_pdf  # reportlab: loaded by the workers that write a PDF

    pdf = table_sheets_pdf(village, meeting_area.tables(village), scheduling.active_meetings(village))
    return document(pdf, "application/pdf", f"tables-rendez-vous-{village.slug}.pdf")


def _meeting_or_404(village, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.village_id != village.id:
        abort(404)
    return meeting


def _in_time_order(meetings: list[Meeting]) -> list[Meeting]:
    return sorted(meetings, key=lambda m: (not m.is_placed, m.starts_at or time(0), m.table_id or 0, m.id))


def _request_counts(village) -> list[tuple[str, int]]:
    counts = dict(db.session.execute(
        select(MeetingRequest.status, func.count()).where(MeetingRequest.village_id == village.id)
        .group_by(MeetingRequest.status)
    ).all())
    return [(label, counts.get(status.value, 0)) for status, label in REQUEST_STATUS_LABELS.items()]


def _confirmed(village) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.village_id == village.id,
                                   Registration.status == RegistrationStatus.CONFIRMED,
                                   Registration.anonymised_at.is_(None))
        .order_by(Registration.last_name, Registration.first_name)
    ))
