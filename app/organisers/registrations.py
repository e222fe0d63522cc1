"""A village's registrations: the searchable list, and one registration's page."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import OrganiserRole, Registration, Role
from ..services import registration as registration_service
from ..services import audit_log, checkin, roster
from . import blueprint
from .access import role_required
from .forms import ExceptionalEntryForm, RegistrationForm, RoleForm
from .villages import village_or_404


def registration_or_404(registration_id: int) -> Registration:
    return db.session.get(Registration, registration_id) or abort(404)


def roster_query() -> roster.RosterQuery:
    args = request.args
    return roster.RosterQuery(
        text=args.get("q", ""),
        role=args.get("role", ""),
        status=args.get("statut", ""),
        lunch=args.get("dejeuner", ""),
        checked_in=args.get("accueilli", ""),
        sort=args.get("tri", "nom"),
        descending=args.get("ordre") == "desc",
        page=args.get("page", 1, type=int) or 1,
    )


def list_args(query: roster.RosterQuery, **overrides) -> dict:
    """The list's URL parameters for `query`, with some changed (another page, another sort)."""
    args = {
        "q": query.text, "role": query.role, "statut": query.status, "dejeuner": query.lunch,
        "accueilli": query.checked_in, "tri": query.sort, "ordre": "desc" if query.descending else "",
        "page": query.page,
    }
    args.update(overrides)
    return {key: value for key, value in args.items() if value not in ("", None)}


@blueprint.get("/villages/<id:village_id>/inscriptions")
@role_required(OrganiserRole.ORGANISER)
def village_registrations(village_id: int):
    village = village_or_404(village_id)
    query = roster_query()
    return render_template(
        "organisers/registrations.html",
        village=village,
        query=query,
        found=roster.search(village, query),
        summary=roster.summary(village),
        sorts=roster.SORT_LABELS,
        list_args=list_args,
    )


def back_to_registration(registration: Registration):
    return redirect(url_for("organisers.registration", registration_id=registration.id))


@blueprint.route("/inscriptions/<id:registration_id>", methods=["GET", "POST"])
@role_required(OrganiserRole.ORGANISER)
def registration(registration_id: int):
    found = registration_or_404(registration_id)
    form = RegistrationForm(obj=found)
    if form.validate_on_submit():
        try:
            changed = registration_service.update_details(
                found, form.changes_from(found), actor=current_user.email
            )
        except registration_service.AlreadyRegistered as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        except registration_service.RegistrationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Inscription enregistrée." if changed else "Aucune modification.", "success")
            return back_to_registration(found)
    return registration_page(found, form)


def registration_page(found: Registration, form: RegistrationForm, entry_form: ExceptionalEntryForm | None = None,
                      status: int = 200):
    return render_template(
        "organisers/registration.html",
        registration=found,
        entry_form=entry_form or ExceptionalEntryForm(formdata=None),
        exceptional_entry_refusal=checkin.exceptional_entry_refusal(found),
        admission=checkin.current_admission(found) if found.checked_in_at else None,
        village_phase=found.village.phase(),
        cancellation_refusal=registration_service.cancellation_refusal(found),
        form=form,
        role_form=RoleForm(role=found.role),
        role_fields=registration_service.ROLE_FIELDS[Role(found.role)],
        waiting_position=registration_service.waiting_position(found),
        history=audit_log.events(roster.history(found)),
    ), status


@blueprint.post("/inscriptions/<id:registration_id>/entree-exceptionnelle")
@role_required(OrganiserRole.ORGANISER)
def exceptional_entry(registration_id: int):
    found = registration_or_404(registration_id)
    entry_form = ExceptionalEntryForm()
    if not entry_form.validate_on_submit():
        return registration_page(found, RegistrationForm(obj=found), entry_form, status=422)
    try:
        checkin.record_exceptional_entry(found, actor=current_user.email, scanner=current_user.name or current_user.email,
                                         reason=entry_form.reason.data)
    except checkin.ExceptionalEntryRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return back_to_registration(found)
    db.session.commit()
    counted = found.agreed("compté présent", "comptée présente")
    flash(f"Entrée exceptionnelle enregistrée : {found.full_name} est {counted}.", "success")
    return back_to_registration(found)


def apply(action, success: str):
    """Run a registration service action, commit, and tell the organiser how it went."""
    try:
        outcome = action()
    except registration_service.RegistrationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return None
    db.session.commit()
    flash(success, "success")
    return outcome


@blueprint.post("/inscriptions/<id:registration_id>/role")
@role_required(OrganiserRole.ORGANISER)
def registration_role(registration_id: int):
    found = registration_or_404(registration_id)
    form = RoleForm()
    if form.validate_on_submit():
        new_role = Role(form.role.data)
        apply(lambda: registration_service.change_role(
            found, new_role, actor=current_user.email, force=request.form.get("force") == "1"
        ), f"Rôle changé : {new_role.label}.")
    return back_to_registration(found)


# The buttons of a registration's page: (service function, what to tell the organiser).
ACTIONS = {
    "annuler": (registration_service.cancel, "Inscription annulée ; la personne en est informée par e-mail."),
    "confirmer": (registration_service.promote, "Place confirmée ; la personne en est informée par e-mail."),
    "renvoyer": (registration_service.resend_confirmation, "Le message de confirmation va être renvoyé."),
}


@blueprint.post("/inscriptions/<id:registration_id>/<any(annuler, confirmer, renvoyer):action>")
@role_required(OrganiserRole.ORGANISER)
def registration_action(registration_id: int, action: str):
    found = registration_or_404(registration_id)
    service_function, success = ACTIONS[action]
    outcome = apply(lambda: service_function(found, actor=current_user.email), success)
    if isinstance(outcome, Registration):  # a cancellation gave the freed place to someone waiting
        flash(f"La place libérée revient à {outcome.full_name}, première sur la liste d'attente.", "success")
    return back_to_registration(found)
