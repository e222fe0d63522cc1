"""Accounts of the team, managed by admins."""
from dataclasses import replace

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..extensions import db
from ..forms_common import options
from ..models import Organiser, OrganiserRole, Village
from ..services import accounts
from . import blueprint
from .access import role_required
from .forms import AccountForm, NewAccountForm


def with_village_choices(form: AccountForm) -> AccountForm:
    villages = db.session.scalars(select(Village).order_by(Village.day.desc()))
    form.village_ids.choices = options({v.id: f"{v.name} ({v.day:%d/%m/%Y})" for v in villages})
    return form


def changes_from(form: AccountForm) -> accounts.AccountChanges:
    return accounts.AccountChanges(
        name=form.name.data or "",
        role=form.role.data,
        active=form.active.data,
        village_ids=form.village_ids.data or [],
        password=form.password.data or "",
    )


def create_from(form: NewAccountForm) -> None:
    organiser = accounts.create(form.email.data, form.role.data, form.password.data,
                                actor=current_user.email, name=form.name.data or "")
    db.session.flush()
    accounts.update(organiser, replace(changes_from(form), password=""), actor=current_user)


def saved(error_field, change) -> bool:
    """Run and commit `change`; on a refusal, roll back and show why next to `error_field`."""
    try:
        change()
    except accounts.AccountError as error:
        db.session.rollback()
        error_field.errors.append(str(error))
        return False
    db.session.commit()
    return True


@blueprint.get("/comptes")
@role_required()
def accounts_list():
    return render_template("organisers/accounts.html", accounts=accounts.all_accounts())


@blueprint.route("/comptes/nouveau", methods=["GET", "POST"])
@role_required()
def account_new():
    form = with_village_choices(NewAccountForm(role=OrganiserRole.ORGANISER))
    if form.validate_on_submit() and saved(form.email, lambda: create_from(form)):
        flash(f"Compte créé pour {form.email.data.strip().lower()}.", "success")
        return redirect(url_for("organisers.accounts_list"))
    return render_template("organisers/account_form.html", form=form, account=None)


@blueprint.route("/comptes/<id:account_id>", methods=["GET", "POST"])
@role_required()
def account_edit(account_id: int):
    organiser = db.session.get(Organiser, account_id) or abort(404)
    form = with_village_choices(AccountForm(obj=organiser))
    if not form.is_submitted():
        form.village_ids.data = [v.id for v in organiser.checkin_villages]
    if form.validate_on_submit() and saved(
        form.role, lambda: accounts.update(organiser, changes_from(form), actor=current_user)
    ):
        if organiser.id == current_user.id:
            # A new password ends every session, this one included: open a new one here.
            login_user(organiser)
        flash(f"Compte {organiser.email} enregistré.", "success")
        return redirect(url_for("organisers.accounts_list"))
    return render_template("organisers/account_form.html", form=form, account=organiser)


@blueprint.post("/comptes/<id:account_id>/deconnecter")
@role_required()
def account_log_out_everywhere(account_id: int):
    organiser = db.session.get(Organiser, account_id) or abort(404)
    accounts.log_out_everywhere(organiser, actor=current_user.email)
    db.session.commit()
    if organiser.id == current_user.id:
        logout_user()
        return redirect(url_for("organisers.login"))
    flash(f"Toutes les sessions de {organiser.email} sont fermées.", "success")
    return redirect(url_for("organisers.account_edit", account_id=organiser.id))


@blueprint.post("/comptes/<id:account_id>/debloquer")
@role_required()
def account_unlock(account_id: int):
    organiser = db.session.get(Organiser, account_id) or abort(404)
    accounts.unlock(organiser, actor=current_user.email)
    db.session.commit()
    flash(f"{organiser.email} peut de nouveau se connecter de partout, sans attendre.", "success")
    return redirect(url_for("organisers.account_edit", account_id=organiser.id))
