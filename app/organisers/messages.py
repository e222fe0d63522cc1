"""Writing to a village's participants, and setting its satisfaction questionnaire."""
from dataclasses import asdict

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import OrganiserRole, QuestionKind
from ..runtime import jobs
from ..services import form_keys, participant_messages as messages, survey
from . import blueprint, jobs as job_pages
from .access import role_required
from .forms import ParticipantMessageForm, SurveyQuestionsForm
from .villages import village_or_404


@blueprint.route("/villages/<id:village_id>/messages", methods=["GET", "POST"])
@role_required(OrganiserRole.ORGANISER)
def village_messages(village_id: int):
    village = village_or_404(village_id)
    form = ParticipantMessageForm()
    preview = None
    chosen = None
    if form.validate_on_submit():
        audience = form.audience()
        chosen = messages.chosen(village, audience, form.with_certificate.data)
        if request.form.get("action") == "envoyer":
            if not chosen:
                flash(messages.NOBODY, "error")
            else:
                # Queued one e-mail per person by a background job (app/runtime/job_kinds.py).
                job = jobs.start("message", {
                    "audience": asdict(audience), "subject": form.subject.data.strip(),
                    "body": form.body.data.strip(), "with_certificate": bool(form.with_certificate.data),
                }, current_user.email, village, request_key=form.send_key.data)
                return redirect(job_pages.job_url(job), 303)
        if chosen:
            preview = messages.preview(chosen[0], form.subject.data, form.body.data)
    if form.send_key.errors:  # a form from before the key, or tampered with: a new one to send
        form.send_key.data = form_keys.new_send_key()
    return render_template("organisers/messages.html", village=village, form=form, preview=preview,
                           recipients=chosen, history=messages.history(village),
                           for_the_village=messages.for_the_village), 422 if form.errors else 200


@blueprint.route("/villages/<id:village_id>/questionnaire", methods=["GET", "POST"])
@role_required(OrganiserRole.ORGANISER)
def village_survey(village_id: int):
    village = village_or_404(village_id)
    questions = survey.questions(village, to_change=request.method == "POST")
    form = SurveyQuestionsForm(
        ratings="\n".join(q.text for q in questions if q.kind == QuestionKind.RATING),
        open_questions="\n".join(q.text for q in questions if q.kind == QuestionKind.TEXT),
    )
    if form.validate_on_submit():
        ratings, open_questions = form.lines(form.ratings.data), form.lines(form.open_questions.data)
        if not ratings and not open_questions:
            form.ratings.errors.append("Posez au moins une question.")
        else:
            survey.set_questions(village, ratings, open_questions, actor=current_user.email)
            db.session.commit()
            flash("Questionnaire enregistré.", "success")
            return redirect(url_for("organisers.village_survey", village_id=village.id))
    db.session.commit()  # the default questions, given on first visit
    return render_template("organisers/survey.html", village=village, form=form,
                           answers=survey.response_count(village)), 422 if form.errors else 200
