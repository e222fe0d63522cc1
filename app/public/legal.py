"""The information notice on personal data, the accessibility statement, and the rights a
participant exercises from their private link (download, erasure)."""
import json

from flask import Response, current_app, render_template, request

from ..extensions import db
from ..services import privacy
from . import blueprint
from .private_link import registration_or_404


def legal_page(template: str, **context) -> str:
    """Legal pages name the association and how to reach it."""
    config = current_app.config
    return render_template(
        f"public/legal/{template}", organiser=config["ORGANISER_NAME"], contact=config["ORGANISER_EMAIL"], **context
    )


@blueprint.get("/donnees-personnelles")
def personal_data_notice():
    config = current_app.config
    return legal_page(
        "personal_data.html",
        retention_months=config["RETENTION_MONTHS"],
        attendance_retention_months=config["ATTENDANCE_RETENTION_MONTHS"],
        consents=privacy.CONSENTS.values(),
    )


@blueprint.get("/accessibilite")
def accessibility_statement():
    return legal_page("accessibility.html")


# --- A participant's own data, from their private link ------------------------------------------


def personal_data_file(registration) -> Response:
    response = Response(
        json.dumps(privacy.personal_data(registration), ensure_ascii=False, indent=2),
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = 'attachment; filename="donnees-villages.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.get("/inscription/<token>/mes-donnees.json")
def download_personal_data(token: str):
    return personal_data_file(registration_or_404(token))


@blueprint.route("/inscription/<token>/effacer", methods=["GET", "POST"])
def erase_personal_data(token: str):
    found = registration_or_404(token)
    if request.method == "POST":
        privacy.erase(found, actor="participant")
        db.session.commit()
        return render_template("public/legal/erased.html")
    return render_template("public/legal/erase.html", registration=found, village=found.village)
