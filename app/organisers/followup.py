"""« Suivi »: the support needs followed after the villages, across villages and years."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..documents.figures import DEFINITIONS, MET, PARTLY_MET
from ..extensions import db
from ..models import SUPPORT_NEEDS, Initiative, NeedThread, OrganiserRole, ThreadStatus, VillagePhase
from ..models.followup import DEFAULT_FOLLOWUP_MONTHS
from .. import routing
from ..runtime import jobs
from ..services import followup, followup_asks, report as report_service, villages as village_service
from . import blueprint, jobs as job_pages
from .access import role_required
from .villages import village_or_404


def chosen_filter() -> followup.ThreadFilter:
    """The filters of the query string; values that name nothing are ignored."""
    args = request.args
    category = args.get("besoin")
    status = args.get("statut")
    year = args.get("annee", type=int)
    if year is not None and not followup.FIRST_YEAR <= year <= followup.LAST_YEAR:
        flash(f"L'année {year} n'est pas valable : toutes les années sont montrées.", "warning")
        year = None
    return followup.ThreadFilter(
        village_id=args.get("village", type=routing.database_id),
        year=year,
        category=category if category in SUPPORT_NEEDS else None,
        departement=args.get("territoire") or None,
        partner=args.get("partenaire") or None,
        status=status if status in {s.value for s in ThreadStatus} else None,
        no_news=args.get("sans_nouvelles") == "1",
    )


@blueprint.get("/suivi")
@role_required(OrganiserRole.ORGANISER)
def followup_page():
    chosen = chosen_filter()
    village = village_service.by_id(chosen.village_id) if chosen.village_id else None
    schedule = followup_asks.schedule(village) if village is not None and village.phase() is VillagePhase.AFTER else None
    db.session.commit()  # a past village's default schedule, set on first sight
    return render_template(
        "organisers/followup.html", chosen=chosen, threads=followup.search(chosen),
        counts=followup.status_counts(chosen), statuses=ThreadStatus, categories=SUPPORT_NEEDS,
        villages=sorted(village_service.all_villages(include_archived=True), key=lambda v: v.day, reverse=True),
        years=report_service.years(), departements=followup.departements_of_threads(),
        partners=followup.partners_named(), village=village, schedule=schedule,
        default_months=", ".join(str(m) for m in DEFAULT_FOLLOWUP_MONTHS),
        # What « obtenu » counts, as the report and the observatory say it.
        met_definitions=[(label, DEFINITIONS[label]) for label in (MET, PARTLY_MET)],
    )


@blueprint.get("/suivi/initiatives/<id:initiative_id>")
@role_required(OrganiserRole.ORGANISER)
def followup_timeline(initiative_id: int):
    initiative = db.session.get(Initiative, initiative_id) or abort(404)
    threads = db.session.scalars(select(NeedThread).where(NeedThread.initiative_id == initiative.id)
                                 .order_by(NeedThread.id)).all()
    return render_template("organisers/followup_timeline.html", initiative=initiative, threads=threads,
                           events=followup.timeline(initiative), statuses=ThreadStatus)


@blueprint.post("/suivi/besoins/<id:thread_id>/statut")
@role_required(OrganiserRole.ORGANISER)
def followup_set_status(thread_id: int):
    thread = db.session.get(NeedThread, thread_id) or abort(404)
    try:
        followup.set_status(thread, request.form.get("status", ""), request.form.get("note", ""),
                            current_user.email)
    except followup.Refused as refused:
        db.session.rollback()
        flash(str(refused), "warning")
    else:
        db.session.commit()
        flash(f"« {thread.category_label} » est maintenant « {thread.status_label} ».", "success")
    return redirect(url_for("organisers.followup_timeline", initiative_id=thread.initiative_id,
                            _anchor=f"besoin-{thread.id}"), 303)


@blueprint.post("/villages/<id:village_id>/suivi/relancer")
@role_required(OrganiserRole.ORGANISER)
def followup_send_now(village_id: int):
    """« Relancer maintenant »: the village's next follow-up round, sent by the background queue."""
    village = village_or_404(village_id)
    try:
        job = jobs.start("followup", {}, current_user.email, village)
    except jobs.AlreadyRunning as running:
        flash(f"Une relance est déjà en cours, à la demande de {running.job.requested_by} : en voici l'avancement.",
              "warning")
        job = running.job
    return redirect(job_pages.job_url(job), 303)


@blueprint.post("/villages/<id:village_id>/suivi/calendrier")
@role_required(OrganiserRole.ORGANISER)
def followup_schedule(village_id: int):
    village = village_or_404(village_id)
    words = request.form.get("months", "").replace(",", " ").split()
    try:
        if not words or not all(word.isdigit() for word in words):
            raise followup.Refused("Indiquez des nombres de mois séparés par des virgules, par exemple « 1, 3, 6 ».")
        followup_asks.set_schedule(village, [int(word) for word in words])
    except followup.Refused as refused:
        db.session.rollback()
        flash(str(refused), "warning")
    else:
        db.session.commit()
        flash("Le calendrier des relances est enregistré.", "success")
    return redirect(url_for("organisers.followup_page", village=village.id), 303)
