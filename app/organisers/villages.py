"""Creating, editing, duplicating and archiving villages."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..models import OrganiserRole, Role
from ..services import roster, villages as village_service
from ..timeutil import local_zone, to_local, to_utc_naive
from . import blueprint
from .access import role_required
from .forms import VillageForm, quota_field_name, quota_fields, validate_quotas

LOCAL_DATETIME_FIELDS = ("registration_opens_at", "registration_closes_at")


def village_or_404(village_id: int):
    return village_service.by_id(village_id) or abort(404)


def form_values(fields: dict, quotas: dict[str, int]) -> dict:
    """Stored values as the form shows them: registration dates in local time."""
    values = dict(fields)
    for name in LOCAL_DATETIME_FIELDS:
        if values.get(name) is not None:
            values[name] = to_local(values[name]).replace(tzinfo=None)
    values.update({quota_field_name(role): cap for role, cap in quotas.items()})
    return values


def submitted(form: VillageForm) -> tuple[dict, dict[str, int | None]]:
    """The form's values as stored: registration dates in UTC, blanks as None."""
    fields = {name: form[name].data for name in village_service.EDITABLE_FIELDS}
    for name in ("description", "programme", "practical_info"):
        fields[name] = (fields[name] or "").strip()
    fields["contact_email"] = (fields["contact_email"] or "").strip() or None
    for name in LOCAL_DATETIME_FIELDS:
        if fields[name] is not None:
            fields[name] = to_utc_naive(fields[name].replace(tzinfo=local_zone()))
    quotas = {role.value: form[quota_field_name(role)].data for role in Role}
    return fields, quotas


def render_form(form: VillageForm, village=None, title: str = "Nouveau village"):
    return render_template(
        "organisers/village_form.html", form=form, village=village, title=title,
        quota_fields=quota_fields(form),
    )


def save_new(form: VillageForm, title: str):
    if form.validate_on_submit() & validate_quotas(form):
        fields, quotas = submitted(form)
        try:
            village = village_service.create(fields, quotas, actor=current_user.email)
        except village_service.SlugTaken:
            form.slug.errors.append("Cette adresse courte est déjà utilisée par un autre village.")
        else:
            db.session.commit()
            flash(f"Village « {village.name} » créé.", "success")
            return redirect(url_for("organisers.village", village_id=village.id))
    return render_form(form, title=title)


@blueprint.get("/villages")
@role_required(OrganiserRole.ORGANISER)
def villages():
    found = village_service.all_villages(include_archived=True)
    return render_template(
        "organisers/villages.html",
        villages=found,
        places_left=village_service.places_left_by_village(found),
    )


@blueprint.route("/villages/nouveau", methods=["GET", "POST"])
@role_required(OrganiserRole.ORGANISER)
def village_new():
    return save_new(VillageForm(lunch_offered=True), title="Nouveau village")


@blueprint.route("/villages/<id:village_id>/dupliquer", methods=["GET", "POST"])
@role_required(OrganiserRole.ORGANISER)
def village_duplicate(village_id: int):
    original = village_or_404(village_id)
    form = VillageForm(data=form_values(*village_service.duplicate_fields(original)))
    return save_new(form, title=f"Nouveau village d'après « {original.name} »")


@blueprint.get("/villages/<id:village_id>")
@role_required(OrganiserRole.ORGANISER)
def village(village_id: int):
    found = village_or_404(village_id)
    return render_template(
        "organisers/village.html",
        village=found,
        summary=roster.summary(found),
        logistics=roster.logistics(found),
    )


@blueprint.route("/villages/<id:village_id>/modifier", methods=["GET", "POST"])
@role_required(OrganiserRole.ORGANISER)
def village_edit(village_id: int):
    found = village_or_404(village_id)
    stored = {name: getattr(found, name) for name in village_service.EDITABLE_FIELDS}
    form = VillageForm(data=form_values(stored, {q.role: q.capacity for q in found.quotas}))
    if form.validate_on_submit() & validate_quotas(form):
        fields, quotas = submitted(form)
        try:
            changes = village_service.update(found, fields, quotas, actor=current_user.email)
        except village_service.SlugTaken:
            form.slug.errors.append("Cette adresse courte est déjà utilisée par un autre village.")
        else:
            db.session.commit()
            if set(changes) & set(village_service.CALENDAR_FIELDS):
                flash("Village enregistré. Les participants confirmés vont recevoir l'invitation mise à jour.", "success")
            else:
                flash("Village enregistré." if changes else "Aucune modification.", "success")
            return redirect(url_for("organisers.village", village_id=found.id))
    return render_form(form, village=found, title=f"Modifier « {found.name} »")


@blueprint.post("/villages/<id:village_id>/archiver")
@role_required(OrganiserRole.ORGANISER)
def village_archive(village_id: int):
    found = village_or_404(village_id)
    if found.is_archived:
        village_service.unarchive(found, actor=current_user.email)
        flash("Village sorti des archives.", "success")
    else:
        village_service.archive(found, actor=current_user.email)
        flash("Village archivé : il n'apparaît plus sur le site public.", "success")
    db.session.commit()
    return redirect(url_for("organisers.village", village_id=found.id))
