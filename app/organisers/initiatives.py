"""Moderating initiatives, and seeing and editing every field of one."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from ..extensions import db
from ..forms_common import FilledIn
from ..forms_initiative import FicheForm, fiche_answers
from ..models import Initiative, OrganiserRole
from ..models import initiative_lists as lists
from ..services import initiatives
from . import blueprint
from .access import role_required


class RefusalForm(FlaskForm):
    reason = TextAreaField("Raison du refus, envoyée au porteur", [
        FilledIn(message="Indiquez au porteur la raison du refus."),
        Length(max=2000, message="2000 caractères au maximum."),
    ])


def initiative_or_404(initiative_id: int) -> Initiative:
    found = db.session.get(Initiative, initiative_id)
    if found is None or found.anonymised_at is not None:
        abort(404)
    return found


@blueprint.get("/initiatives")
@role_required(OrganiserRole.ORGANISER)
def initiatives_queue():
    state = request.args.get("etat", "")
    if state and state not in lists.MODERATION_STATES:
        abort(404)
    return render_template("organisers/initiatives.html", found=initiatives.moderation_queue(state or None),
                           state=state, states=lists.MODERATION_STATES, counts=initiatives.moderation_counts())


@blueprint.route("/initiatives/<id:initiative_id>", methods=["GET", "POST"])
@role_required(OrganiserRole.ORGANISER)
def initiative(initiative_id: int):
    found = initiative_or_404(initiative_id)
    form = FicheForm(data=fiche_answers(found.current))
    if form.validate_on_submit():
        changed = initiatives.edit(found, form.fiche(), actor=current_user.email, by_organiser=True)
        db.session.commit()
        flash("Fiche enregistrée." if changed else "Aucune modification à enregistrer.", "success")
        return redirect(url_for("organisers.initiative", initiative_id=found.id))
    return render_template("organisers/initiative.html", initiative=found, form=form, refusal=RefusalForm()), \
        422 if form.errors else 200


@blueprint.post("/initiatives/<id:initiative_id>/valider")
@role_required(OrganiserRole.ORGANISER)
def approve_initiative(initiative_id: int):
    found = initiative_or_404(initiative_id)
    if FlaskForm().validate_on_submit():
        initiatives.approve(found, actor=current_user.email)
        db.session.commit()
        flash(f"« {found.name} » est publiée.", "success")
    return redirect(url_for("organisers.initiatives_queue"))


@blueprint.post("/initiatives/<id:initiative_id>/refuser")
@role_required(OrganiserRole.ORGANISER)
def refuse_initiative(initiative_id: int):
    found = initiative_or_404(initiative_id)
    refusal = RefusalForm()
    if refusal.validate_on_submit():
        initiatives.refuse(found, refusal.reason.data, actor=current_user.email)
        db.session.commit()
        flash(f"« {found.name} » : refus envoyé au porteur.", "success")
        return redirect(url_for("organisers.initiatives_queue"))
    form = FicheForm(data=fiche_answers(found.current), formdata=None)
    return render_template("organisers/initiative.html", initiative=found, form=form, refusal=refusal), 422
