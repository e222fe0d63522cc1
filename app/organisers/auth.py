"""Logging in and out of the back office."""
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import db
from ..models import OrganiserRole
from ..security import login_limit
from ..services import accounts
from . import blueprint
from .forms import LoginForm


def home_for(organiser) -> str:
    if organiser.role == OrganiserRole.CHECKIN:
        return url_for("organisers.checkin_home")
    return url_for("organisers.dashboard")


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never send someone elsewhere after logging in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@blueprint.route("/connexion", methods=["GET", "POST"])
@login_limit
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        organiser = accounts.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if organiser is not None:
            login_user(organiser)
            return redirect(safe_next(request.args.get("next")) or home_for(organiser))
        failed = True
    return render_template(
        "organisers/login.html",
        form=form,
        failed=failed,
        max_failures=accounts.MAX_FAILED_LOGINS,
        lock_minutes=int(accounts.LOCK_DURATION.total_seconds() // 60),
    ), (401 if failed else 200)


@blueprint.post("/deconnexion")
def logout():
    logout_user()
    return redirect(url_for("organisers.login"))


@blueprint.app_template_filter("role_label")
def role_label(role: str) -> str:
    return OrganiserRole(role).label
