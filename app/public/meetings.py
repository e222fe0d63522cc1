"""The « Rendez-vous » part of the private page: suggestions, requests, agenda and outcomes."""
from __future__ import annotations

from datetime import time

from wtforms.fields.choices import SelectChoice
from flask import abort, flash, redirect, render_template, request, url_for

from ..documents.calendar import meetings_calendar
from ..extensions import db
from ..models import Meeting, MeetingRequest, Registration, RegistrationStatus
from ..services import directory, matching_profiles, meeting_area, meeting_requests, scheduling, suggestions
from ..services.matching_profiles import OFFERING_ROLES
from . import blueprint
from .meeting_forms import MeetingRequestForm, OutcomeForm, PreferencesForm, statement_answers
from .private_link import document, registration_or_404

ANCHOR = "rendez-vous"


def meetings_context(registration: Registration, ask_form: MeetingRequestForm | None = None,
                     ask_for: int | None = None) -> dict:
    """What the private page shows about meetings."""
    if not registration.is_confirmed:
        return {"meetings_open": False}
    settings = meeting_area.settings_of(registration.village)
    agenda = scheduling.agenda(registration) if settings.schedule_published_at else []
    return {
        "meetings_open": True,
        "settings": settings,
        "requests_closed": meeting_requests.closed_because(settings, registration.village),
        "suggestions": (suggestions.for_person(registration)
                        if meeting_requests.closed_because(settings, registration.village) is None else []),
        "received": meeting_requests.received(registration),
        "sent": meeting_requests.sent(registration),
        "agenda": agenda,
        # What came of a meeting can be said once it is over.
        "passed": {m.id for m in agenda if matching_profiles.has_passed(m, registration.village)},
        "ask_form": ask_form or MeetingRequestForm(formdata=None),
        "ask_for": ask_for,
        "outcome_form": OutcomeForm(formdata=None),
        "accepts_requests": meeting_requests.accepts_requests(registration),
        "recipient_key": meeting_requests.recipient_key,
    }


@blueprint.get("/inscription/<token>/annuaire")
def village_directory(token: str):
    """The initiatives presented at the participant's village, each with a way to ask its holder
    for a meeting: reached from the private link, so no login and no contact details shown."""
    return directory_page(confirmed_or_redirect(token))


@blueprint.post("/inscription/<token>/annuaire/<slug>/demander")
def ask_from_directory(token: str, slug: str):
    requester = confirmed_or_redirect(token)
    form = MeetingRequestForm()
    holder = directory.holders_to_meet(requester.village, [slug[:120]]).get(slug[:120])
    if send_request(requester, holder, form):
        flash(f"Votre demande est envoyée à {holder.full_name}. Vous recevrez sa réponse par e-mail.", "success")
        return redirect(url_for("public.registration", token=token, _anchor=ANCHOR))
    return directory_page(requester, ask_form=form, ask_slug=slug), 422


def directory_page(registration: Registration, ask_form: MeetingRequestForm | None = None,
                   ask_slug: str | None = None) -> str:
    village = registration.village
    found = directory.search(directory.DirectoryQuery(village=village.slug, page=request.args.get("page", 1, type=int)),
                             for_participants=True)
    return render_template(
        "public/village_directory.html", registration=registration, village=village, found=found,
        holders=directory.holders_to_meet(village, [card.slug for card in found.cards]),
        sent={r.recipient_id: r for r in meeting_requests.sent(registration)},
        asked_by={r.requester_id for r in meeting_requests.received(registration)},
        requests_closed=meeting_requests.closed_because(meeting_area.settings_of(village), village),
        village_phase=village.phase(),
        ask_form=ask_form or MeetingRequestForm(formdata=None), ask_slug=ask_slug,
    )


def send_request(requester: Registration, recipient: Registration | None, form: MeetingRequestForm) -> bool:
    """Ask for a meeting with the form's answers and commit; False, with the reason next to the
    form, when the answers or the rules (meeting_requests.ask) refuse it."""
    if not form.validate_on_submit():
        return False
    try:
        meeting_requests.ask(requester, recipient, form.intent.data, form.message.data)
    except meeting_requests.RequestRefused as refused:
        db.session.rollback()
        form.intent.errors = [*form.intent.errors, str(refused)]
        return False
    db.session.commit()
    return True


@blueprint.post("/inscription/<token>/rendez-vous/demandes/<id:request_id>/<any(accepter, decliner):answer>")
def answer_meeting(token: str, request_id: int, answer: str):
    recipient = confirmed_or_redirect(token)
    found = db.session.get(MeetingRequest, request_id) or abort(404)
    try:
        if answer == "accepter":
            meeting_requests.accept(found, recipient)
            message = (f"Rendez-vous accepté avec {found.requester.full_name}. L'heure et la table vous seront "
                       "envoyées avec le programme des rendez-vous.")
        else:
            meeting_requests.decline(found, recipient)
            message = "Demande déclinée. La personne en est informée."
    except meeting_requests.RequestRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("public.registration", token=token, _anchor=ANCHOR))


@blueprint.route("/inscription/<token>/rendez-vous/preferences", methods=["GET", "POST"])
def meeting_preferences(token: str):
    registration = confirmed_or_redirect(token)
    profile = registration.matching_profile
    data = {
        **statement_answers(registration),
        "accepts_requests": profile.accepts_requests if profile else True,
        "available_from": _clock(profile.available_from) if profile else "",
        "available_until": _clock(profile.available_until) if profile else "",
    }
    form = PreferencesForm(data=data)
    slot_list = meeting_area.slots(meeting_area.settings_of(registration.village))
    form.available_from.choices = [SelectChoice("", "Dès l'ouverture")] + [
        SelectChoice(_clock(s.starts_at), _clock(s.starts_at)) for s in slot_list]
    form.available_until.choices = [SelectChoice("", "Jusqu'à la fin")] + [
        SelectChoice(_clock(s.ends_at), _clock(s.ends_at)) for s in slot_list]
    if form.validate_on_submit():
        matching_profiles.save_preferences(
            registration, accepts_requests=form.accepts_requests.data, comes_for=form.comes_for.data,
            available_from=_time(form.available_from.data), available_until=_time(form.available_until.data),
            offers=form.offer_values(),
        )
        db.session.commit()
        flash("Vos choix pour les rendez-vous sont enregistrés.", "success")
        return redirect(url_for("public.registration", token=token, _anchor=ANCHOR))
    return render_template(
        "public/meeting_preferences.html", registration=registration, village=registration.village, form=form,
        offering=registration.role in OFFERING_ROLES,
    ), 422 if form.errors else 200


@blueprint.post("/inscription/<token>/rendez-vous/<id:meeting_id>/bilan")
def meeting_outcome(token: str, meeting_id: int):
    registration = confirmed_or_redirect(token)
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    form = OutcomeForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("public.registration", token=token, _anchor=ANCHOR))
    try:
        matching_profiles.record_outcome(meeting, registration, form.took_place.data == "oui",
                                         form.outcomes.data or [], form.outcome_note.data)
    except matching_profiles.OutcomeRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash("Merci : la suite de ce rendez-vous est enregistrée.", "success")
    return redirect(url_for("public.registration", token=token, _anchor=ANCHOR))


@blueprint.get("/inscription/<token>/rendez-vous.pdf")
def agenda_document(token: str):
    registration = published_agenda_or_404(token)
    from ..documents.agenda import agenda_pdf  # reportlab: loaded by the workers that write a PDF

    return document(agenda_pdf(registration, scheduling.agenda(registration)), "application/pdf", "mes-rendez-vous.pdf")


@blueprint.get("/inscription/<token>/rendez-vous.ics")
def agenda_calendar(token: str):
    registration = published_agenda_or_404(token)
    return document(meetings_calendar(registration, scheduling.agenda(registration)),
                    "text/calendar; charset=utf-8", "mes-rendez-vous.ics")


def confirmed_or_redirect(token: str) -> Registration:
    found = registration_or_404(token)
    if found.status != RegistrationStatus.CONFIRMED:
        abort(404)
    return found


def published_agenda_or_404(token: str) -> Registration:
    found = confirmed_or_redirect(token)
    if meeting_area.settings_of(found.village).schedule_published_at is None:
        abort(404)
    return found


def _clock(value: time | None) -> str:
    return f"{value:%H:%M}" if value else ""


def _time(value: str) -> time | None:
    return time.fromisoformat(value) if value else None
