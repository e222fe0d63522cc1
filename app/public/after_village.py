"""After the village, from the private link: the attendance certificate and the questionnaire."""
from flask import abort, flash, redirect, render_template, request, url_for

from ..extensions import db
from ..models import QuestionKind
from ..services import checkin, survey
from . import blueprint
from .private_link import document, registration_or_404


@blueprint.app_template_global()
def came_to_the_village(registration) -> bool:
    """The attendance certificate and the questionnaire are for those who came (checkin's rule)."""
    return checkin.came_to_the_village(registration)


@blueprint.get("/inscription/<token>/attestation.pdf")
def certificate(token: str):
    found = registration_or_404(token)
    if not checkin.came_to_the_village(found):
        abort(404)  # only those admitted on the village's day came, once it has begun
    from ..documents.certificate import certificate_pdf  # reportlab: loaded by the workers that write a PDF

    return document(certificate_pdf(found), "application/pdf", f"attestation-{found.village.slug}.pdf")


def submitted_answers(questions) -> tuple[dict, dict]:
    """The answers read from the form, and the French message next to each wrong one."""
    answers, errors = {}, {}
    for question in questions:
        value = request.form.get(f"q{question.id}", "").strip()
        if question.kind == QuestionKind.RATING:
            if value and value.isdigit() and int(value) in survey.RATINGS:
                answers[question.id] = int(value)
            elif value:
                errors[question.id] = "Choisissez une des réponses proposées."
        elif len(value) > survey.LONGEST_ANSWER:
            errors[question.id] = f"Votre réponse dépasse {survey.LONGEST_ANSWER} caractères : raccourcissez-la."
        elif value:
            answers[question.id] = value
    return answers, errors


@blueprint.route("/inscription/<token>/questionnaire", methods=["GET", "POST"])
def questionnaire(token: str):
    found = registration_or_404(token)
    if not survey.is_open(found):
        flash("Le questionnaire de satisfaction est pour les personnes venues au village, "
              "une fois le village commencé.", "warning")
        return redirect(url_for("public.registration", token=token))
    questions = survey.questions(found.village)
    given = survey.response_of(found)
    answers, errors = {}, {}
    if request.method == "POST":
        answers, errors = submitted_answers(questions)
        if not errors and not answers:
            errors[questions[0].id] = "Répondez à au moins une question."
        if not errors:
            survey.answer(found, answers)
            db.session.commit()
            flash("Merci ! Vos réponses sont enregistrées.", "success")
            return redirect(url_for("public.registration", token=token))
    else:
        answers = {int(key): value for key, value in (given.answers if given else {}).items()}
    db.session.commit()  # the default questions, given on first visit
    return render_template("public/questionnaire.html", registration=found, village=found.village,
                           questions=questions, answers=answers, errors=errors, ratings=survey.RATINGS,
                           RATING=QuestionKind.RATING), 422 if errors else 200
