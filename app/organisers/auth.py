"""Logging in and out of the back office, a forgotten password, and admins' two-factor authentication."""
import base64
import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..documents.qr import qr_png
from ..extensions import db
from ..models import OrganiserRole
from ..security import login_limit
from ..services import accounts
from . import blueprint
from .access import role_required
from .forms import ForgottenPasswordForm, LoginForm, NewPasswordForm, TotpCodeForm


def home_for(organiser) -> str:
    if organiser.role == OrganiserRole.CHECKIN:
        return url_for("organisers.checkin_home")
    return url_for("organisers.dashboard")


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never send someone elsewhere after logging in."""
    if not target:
        return None
    parts = urlsplit(target)
    # Browsers read a backslash as a slash: "/\evil.example" would lead to //evil.example.
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    # A line break cannot go into the Location header: the redirect would fail (a 500).
    if not target.isprintable():
        return None
    return target


@blueprint.route("/connexion", methods=["GET", "POST"])
@login_limit
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    failed, wait = False, None
    if form.validate_on_submit():
        try:
            organiser = accounts.authenticate(form.email.data, form.password.data, client_address(),
                                              form.code.data or "")
        except accounts.TooManyFailures as refused:
            organiser, wait = None, refused.wait
        db.session.commit()
        if organiser is not None:
            login_user(organiser)
            return redirect(safe_next(request.args.get("next")) or home_for(organiser))
        failed = True
    status = 429 if wait else 401 if failed else 200
    return render_template(
        "organisers/login.html", form=form, failed=failed, wait_minutes=minutes_to_wait(wait),
    ), status


def client_address() -> str:
    # The proxy's X-Forwarded-For is already applied (PROXY_COUNT, app/security.py).
    return request.remote_addr or "inconnue"


def minutes_to_wait(wait: timedelta | None) -> int | None:
    return None if wait is None else max(1, math.ceil(wait.total_seconds() / 60))


@blueprint.post("/deconnexion")
def logout():
    if current_user.is_authenticated:
        # Ends this session and any copy of its cookie, wherever it is.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    return redirect(url_for("organisers.login"))


@blueprint.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@login_limit
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        accounts.request_reset(
            form.email.data,
            lambda token: current_app.config["PUBLIC_URL"] + url_for("organisers.password_reset", token=token),
        )
        db.session.commit()
        return render_template("organisers/password_reset_sent.html")
    return render_template("organisers/forgotten_password.html", form=form), 422 if form.errors else 200


@blueprint.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@login_limit
def password_reset(token: str):
    organiser = accounts.account_for_reset(token)
    if organiser is None:
        abort(404)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(organiser, form.password.data)
        except accounts.AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            logout_user()
            flash("Votre nouveau mot de passe est enregistré : connectez-vous avec.", "success")
            return redirect(url_for("organisers.login"))
    return render_template("organisers/password_reset.html", form=form), 422 if form.errors else 200


# --- Two-factor authentication (admins) ----------------------------------------------------------

PENDING_TOTP_SECRET = "pending_totp_secret"


@blueprint.route("/compte/double-authentification", methods=["GET", "POST"])
@role_required()
def two_factor():
    form = TotpCodeForm()
    if current_user.totp_secret is not None:
        return render_template("organisers/two_factor.html", form=form, enabled=True), 200
    if not form.is_submitted() or PENDING_TOTP_SECRET not in session:
        session[PENDING_TOTP_SECRET] = accounts.new_totp_secret()
    secret = session[PENDING_TOTP_SECRET]
    if form.validate_on_submit():
        try:
            accounts.enable_totp(current_user, secret, form.code.data)
        except accounts.AccountError as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            session.pop(PENDING_TOTP_SECRET)
            flash("Double authentification activée : le code vous sera demandé à chaque connexion.", "success")
            return redirect(url_for("organisers.two_factor"))
    uri = accounts.totp_uri(current_user, secret)
    return render_template(
        "organisers/two_factor.html", form=form, enabled=False, secret=secret, uri=uri,
        qr=base64.b64encode(qr_png(uri)).decode(),
    ), 422 if form.errors else 200


@blueprint.post("/compte/double-authentification/desactiver")
@role_required()
def two_factor_off():
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            accounts.disable_totp(current_user, form.code.data)
        except accounts.AccountError as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash("Double authentification désactivée.", "success")
            return redirect(url_for("organisers.two_factor"))
    return render_template("organisers/two_factor.html", form=form, enabled=True), 422


@blueprint.app_template_filter("role_label")
def role_label(role: str) -> str:
    return OrganiserRole(role).label
