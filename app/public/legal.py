"""The information notice on personal data and the accessibility statement."""
from flask import current_app, render_template

from ..services import privacy
from . import blueprint


@blueprint.get("/donnees-personnelles")
def personal_data_notice():
    config = current_app.config
    return render_template(
        "public/legal/personal_data.html",
        organiser=config["ORGANISER_NAME"],
        contact=config["ORGANISER_EMAIL"],
        retention_months=config["RETENTION_MONTHS"],
        attendance_retention_months=config["ATTENDANCE_RETENTION_MONTHS"],
        consents=privacy.CONSENTS.values(),
        consent_version=privacy.CONSENT_VERSION,
    )


@blueprint.get("/accessibilite")
def accessibility_statement():
    config = current_app.config
    return render_template(
        "public/legal/accessibility.html",
        organiser=config["ORGANISER_NAME"],
        contact=config["ORGANISER_EMAIL"],
    )
