import functools

from flask import abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import bindparam, select

from ..database import reading_only
from ..errors import error_response
from ..extensions import db
from ..models import Registration, RegistrationStatus, Village
from ..security import registration_limit
from ..services import registration as registrations
from ..services import directory, matching_profiles, meeting_requests, privacy, publication, villages
from ..templating import of_place, page_with_fragments, typeset
from . import blueprint
from .forms import EditRegistrationForm, NewRegistrationForm, answers_of
from .meeting_forms import MeetingRequestForm, statement_answers
from .meetings import ANCHOR, confirmed_or_redirect, meetings_context, send_request
from .offline import offline_context
from .private_link import document, registration_or_404

CLOSED_STATUS = 403


@blueprint.get("/")
def home():
    upcoming = villages.upcoming()
    return render_template(
        "public/home.html",
        villages=upcoming,
        places_left=villages.places_left_by_village(upcoming),
    )


@blueprint.app_template_global()
def places_shown(village: Village, places_left: int) -> str | None:
    return villages.places_shown(village, places_left)


def village_or_404(slug: str) -> Village:
    return shown_or_404(db.session.scalar(_VILLAGE_BY_SLUG, {"slug": slug}))


def shown_or_404(found: Village | None) -> Village:
    if found is None or found.is_archived:
        abort(404)
    return found


# Built once: every registration reads its village (building the statement cost as much as running it).
_VILLAGE_BY_SLUG = select(Village).where(Village.slug == bindparam("slug"))


@blueprint.get("/villages/<slug>")
def village(slug: str):
    found = village_or_404(slug)
    section = publication.snapshot(f"village:{found.id}:initiatives", publication.current(), lambda: typeset(
        render_template("public/_village_initiatives.html", village=found,
                        presented=directory.search(directory.DirectoryQuery(village=found.slug)))).encode())
    page = page_with_fragments("public/village.html", {"initiatives_section": section}, village=found,
                               places_left=villages.places_left(found))
    db.session.commit()  # the section, if it was built
    return page


@blueprint.route("/villages/<slug>/inscription", methods=["GET", "POST"])
@registration_limit
def register(slug: str):
    if request.method == "GET":
        reading_only(db.session)
    found, places_left = villages.by_slug_with_places_left(slug)
    village = shown_or_404(found)
    if not village.is_registration_open():
        return closed(village)
    if request.method == "GET" and not request.args.get("depuis"):
        return render_template("public/register.html", village=village, form=None,
                               questions=blank_questions(village.lunch_offered), places_left=places_left)
    form_class = NewRegistrationForm.for_submission(request.form.get("role"))
    form = registration_form(village, form_class)
    if form.is_submitted() and form.is_from_a_robot():
        return render_template("security/received.html")
    if form.validate_on_submit():
        data = registrations.RegistrationData(
            **form.registration_fields(), **form.consents(), consent_version=privacy.CONSENT_VERSION,
            initiative=form.initiative_fields(),
        )
        try:
            registration = registrations.register(village, data)
        except registrations.RegistrationClosed:
            db.session.rollback()
            return closed(village)
        except registrations.AlreadyRegistered as duplicate:
            db.session.rollback()
            # Tell nothing of who is registered: the person, if it is them, gets the e-mail again.
            registrations.resend_confirmation(duplicate.existing)
            db.session.commit()
            return render_template("public/registration_duplicate.html", village=village), 409
        matching_profiles.state_at_registration(registration, *form.matching_statement())
        # Read before the commit, which expires the row: no second transaction to reload it.
        done = url_for("public.registration_done", token=registration.manage_token)
        db.session.commit()
        return redirect(done)
    if form_class is not NewRegistrationForm:
        # Refused: shown again whole, every role's questions with the answers given.
        form = registration_form(village, NewRegistrationForm)
        form.validate_on_submit()
    return render_template(
        "public/register.html", village=village, form=form, places_left=places_left,
        questions=Markup(render_template("public/_registration_questions.html", form=form)),
    ), 422 if form.errors else 200


@functools.cache
def blank_questions(lunch_offered: bool) -> Markup:
    """The questions of a blank form, the same for everybody (the CSRF token is outside them):
    rendered once per process, they were three quarters of the form's GET (92,000 Python calls)."""
    form = NewRegistrationForm(lunch_offered=lunch_offered, meta={"csrf": False})
    return typeset(render_template("public/_registration_questions.html", form=form))


def registration_form(village: Village, form_class: type[NewRegistrationForm]) -> NewRegistrationForm:
    return form_class(data=answers_from_before(request.args.get("depuis", "")), lunch_offered=village.lunch_offered)


def answers_from_before(token: str) -> dict:
    """Registering again from one's private link: the same person, initiative and offers, pre-filled.

    Consents are asked again: they belong to each village."""
    before = db.session.scalar(select(Registration).where(Registration.manage_token == token[:64])) if token else None
    if before is None or before.anonymised_at is not None:
        return {}
    answers = {**answers_of(before), **statement_answers(before)}
    for name in privacy.CONSENTS:
        answers.pop(name, None)
    return answers


def closed(village: Village):
    return error_response(CLOSED_STATUS, f"Les inscriptions pour le village {of_place(village.town)} sont fermées.")


@blueprint.post("/villages/<slug>/renvoyer-confirmation")
@registration_limit
def resend_confirmation(slug: str):
    village = village_or_404(slug)
    existing = registrations.active_registration(village, request.form.get("email", "")[:254])
    if existing is not None:
        registrations.resend_confirmation(existing)
        db.session.commit()
    # The same answer either way: this form must not tell who is registered.
    flash("Si une inscription correspond à cette adresse, l'e-mail de confirmation vient d'y être renvoyé.",
          "success")
    return redirect(url_for("public.village", slug=village.slug))


@blueprint.get("/inscription/<token>/merci")
def registration_done(token: str):
    registration = registration_or_404(token)
    return render_template("public/registration_done.html", registration=registration,
                           village=registration.village)


@blueprint.get("/inscription/<token>")
def registration(token: str):
    return private_page(registration_or_404(token))


def private_page(found: Registration, **meeting_context):
    """The private page; `meeting_context` carries a meeting request to show again with its error."""
    return render_template(
        "public/registration.html", registration=found, village=found.village,
        village_phase=found.village.phase(), cancellation_refusal=registrations.cancellation_refusal(found),
        waiting_position=registrations.waiting_position(found),
        village_initiatives=directory.search(directory.DirectoryQuery(village=found.village.slug),
                                             for_participants=True),
        other_villages=[v for v in villages.upcoming() if v.id != found.village_id and v.is_registration_open()],
        # The list of participants goes to the village's participants only, as their consent says.
        coming=villages.who_is_coming(found.village) if found.is_confirmed else [],
        listed=villages.listed_count(found.village) if found.is_confirmed else 0,
        **meetings_context(found, **meeting_context),
        **offline_context(found),
    )


@blueprint.post("/inscription/<token>/rendez-vous/demander/<recipient_key>")
def ask_meeting(token: str, recipient_key: str):
    # Here rather than in meetings.py: a refused request shows the whole private page again.
    # The person asked is named by a signed key (meeting_requests.recipient_key), and whoever
    # may not be asked gets the same answer as a key that names nobody.
    requester = confirmed_or_redirect(token)
    form = MeetingRequestForm()
    recipient = meeting_requests.askable(requester, recipient_key)
    if send_request(requester, recipient, form):
        flash(f"Votre demande est envoyée à {recipient.full_name}. Vous recevrez sa réponse par e-mail.", "success")
        return redirect(url_for("public.registration", token=token, _anchor=ANCHOR))
    return private_page(requester, ask_form=form, ask_for=recipient.id if recipient else None), 422


@blueprint.route("/inscription/<token>/modifier", methods=["GET", "POST"])
def edit_registration(token: str):
    found = registration_or_404(token)
    if found.status == RegistrationStatus.CANCELLED:
        flash("Cette inscription est annulée : elle ne peut plus être modifiée.", "warning")
        return redirect(url_for("public.registration", token=token))
    form = EditRegistrationForm(data=answers_of(found), lunch_offered=found.village.lunch_offered)
    if form.validate_on_submit():
        changes = {**form.registration_fields(), "initiative": form.initiative_fields()}
        try:
            changed = registrations.update_details(found, changes, actor="participant")
        except registrations.AlreadyRegistered:
            db.session.rollback()
            form.email.errors.append("Une autre inscription à ce village utilise déjà cette adresse e-mail.")
        except registrations.RoleFull as full:
            db.session.rollback()
            form.role.errors.append(str(full))
        else:
            changed += privacy.update_consents(found, form.consents(), actor="participant")
            db.session.commit()
            flash("Vos modifications sont enregistrées." if changed else "Aucune modification à enregistrer.",
                  "success")
            return redirect(url_for("public.registration", token=token))
    return render_template(
        "public/registration_edit.html", registration=found, village=found.village, form=form
    ), 422 if form.errors else 200


@blueprint.route("/inscription/<token>/annuler", methods=["GET", "POST"])
def cancel_registration(token: str):
    found = registration_or_404(token)
    if found.status == RegistrationStatus.CANCELLED:
        return redirect(url_for("public.registration", token=token))
    refusal = registrations.cancellation_refusal(found)
    if refusal is not None:  # the person came, or the village is over
        flash(refusal, "warning")
        return redirect(url_for("public.registration", token=token))
    if request.method == "POST":
        try:
            registrations.cancel(found, actor="participant")
        except registrations.NotAllowed as refused:  # cancelled meanwhile (a second click), or admitted
            db.session.rollback()
            if found.status != RegistrationStatus.CANCELLED:
                flash(str(refused), "warning")
        else:
            db.session.commit()
            flash("Votre inscription est annulée. Un e-mail de confirmation vous est envoyé.", "success")
        return redirect(url_for("public.registration", token=token))
    return render_template("public/registration_cancel.html", registration=found, village=found.village)


@blueprint.get("/inscription/<token>/badge.pdf")
def badge(token: str):
    found = confirmed_or_404(token)
    from ..documents.badge import badge_pdf  # written by the documents area; imported when used

    return document(badge_pdf(found), "application/pdf", f"badge-{found.village.slug}.pdf")


@blueprint.get("/inscription/<token>/invitation.ics")
def invitation(token: str):
    found = confirmed_or_404(token)
    from ..documents.calendar import invitation as invitation_ics

    return document(invitation_ics(found), "text/calendar", f"{found.village.slug}.ics")


def confirmed_or_404(token: str) -> Registration:
    """Badges and invitations exist only for confirmed places."""
    found = registration_or_404(token)
    if not found.is_confirmed:
        abort(404)
    return found
