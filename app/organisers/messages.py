"""Writing to a village's participants, and setting its satisfaction questionnaire."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import QuestionKind
from ..services import participant_messages as messages, survey
from . import blueprint
from .access import role_required
from .forms import ParticipantMessageForm, SurveyQuestionsForm
from .villages import village_or_404


@blueprint.route("/villages/<int:village_id>/messages", methods=["GET", "POST"])
@role_required("organiser")
def village_messages(village_id: int):
    village = village_or_404(village_id)
    form = ParticipantMessageForm()
    preview = None
    chosen = None
    if form.validate_on_submit():
        audience = form.audience()
        if request.form.get("action") == "envoyer":
            try:
                sent = messages.send(village, audience, form.subject.data.strip(), form.body.data.strip(),
                                     actor=current_user.email, with_certificate=form.with_certificate.data)
            except messages.NoRecipient as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                db.session.commit()
                flash(f"Message envoyé à {sent.recipient_count} personne(s) : il part dans les minutes qui viennent.",
                      "success")
                return redirect(url_for("organisers.village_messages", village_id=village.id))
        chosen = messages.recipients(village, audience)
        if form.with_certificate.data:
            chosen = [r for r in chosen if r.checked_in_at is not None]
        if chosen:
            example = chosen[0]
            preview = {
                "registration": example,
                "subject": messages.personalised(form.subject.data, example),
                "body": messages.personalised(form.body.data, example),
            }
    return render_template("organisers/messages.html", village=village, form=form, preview=preview,
                           recipients=chosen, history=messages.history(village)), 422 if form.errors else 200


@blueprint.route("/villages/<int:village_id>/questionnaire", methods=["GET", "POST"])
@role_required("organiser")
def village_survey(village_id: int):
    village = village_or_404(village_id)
    questions = survey.questions(village)
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
