"""The dashboard, the check-in volunteers' home, and the audit log."""
from flask import redirect, render_template, request, url_for
from flask_login import current_user

from .. import routing
from ..models import OrganiserRole
from ..services import audit_log, roster, villages as village_service
from . import blueprint
from .access import role_required


@blueprint.get("/")
@role_required(OrganiserRole.ORGANISER, OrganiserRole.CHECKIN)
def dashboard():
    if current_user.role == OrganiserRole.CHECKIN:
        return redirect(url_for("organisers.checkin_home"))
    found = village_service.next_first(village_service.all_villages())
    return render_template("organisers/dashboard.html", villages=found, summaries=roster.summaries(found))


@blueprint.get("/accueil")
@role_required(OrganiserRole.ORGANISER, OrganiserRole.CHECKIN)
def checkin_home():
    if current_user.role == OrganiserRole.CHECKIN:
        found = sorted(
            (v for v in current_user.checkin_villages if not v.is_archived), key=lambda v: v.day
        )
    else:
        found = sorted(village_service.all_villages(), key=lambda v: v.day)
    return render_template("organisers/checkin_home.html", villages=found)


@blueprint.get("/journal")
@role_required()
def audit_log_page():
    village_id = request.args.get("village", type=routing.database_id)
    entries, page, pages = audit_log.entries(request.args.get("page", 1, type=int), village_id)
    return render_template(
        "organisers/audit_log.html",
        events=audit_log.events(entries), page=page, pages=pages, village_id=village_id,
        villages=village_service.all_villages(include_archived=True),
    )
