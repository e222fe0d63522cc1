"""After the village, from the private link: the attendance certificate of those who came, and
the satisfaction questionnaire whose answers feed the report."""
import io

from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import Registration, SurveyQuestion
from app.services import report
from tests.factories import make_registration, make_village
from tests.factories_report import held_village
from tests.helpers import page_text


def person(village, first_name: str) -> Registration:
    return db.session.scalar(select(Registration).where(Registration.village_id == village.id,
                                                        Registration.first_name == first_name))


def test_a_participant_who_came_downloads_the_certificate(client):
    village = held_village()
    came = person(village, "Prénom5")
    page = client.get(f"/inscription/{came.manage_token}").get_data(as_text=True)
    assert "Télécharger mon attestation de présence (PDF)" in page
    response = client.get(f"/inscription/{came.manage_token}/attestation.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "Attestation de présence" in text and "Prénom5 Nom5" in text and village.name in text


def test_the_certificate_gives_the_role_in_the_feminine_to_a_woman(client):
    came = person(held_village(), "Prénom5")
    came.role, came.civility = "elu", "madame"
    db.session.commit()
    response = client.get(f"/inscription/{came.manage_token}/attestation.pdf")
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "en qualité de « Élue locale »" in text


def test_no_certificate_for_someone_who_did_not_come(client):
    absent = person(held_village(), "Prénom3")
    assert client.get(f"/inscription/{absent.manage_token}/attestation.pdf").status_code == 404
    assert "attestation" not in client.get(f"/inscription/{absent.manage_token}").get_data(as_text=True)


def rating_question(village) -> SurveyQuestion:
    return db.session.scalar(select(SurveyQuestion).where(SurveyQuestion.village_id == village.id)
                             .order_by(SurveyQuestion.position))


def test_an_answer_to_the_questionnaire_appears_in_the_report(client):
    village = held_village()
    came = person(village, "Prénom0")
    page = client.get(f"/inscription/{came.manage_token}/questionnaire")
    assert "La journée a-t-elle répondu à vos attentes\u00a0?" in page.get_data(as_text=True)
    questions = db.session.scalars(select(SurveyQuestion).where(SurveyQuestion.village_id == village.id)
                                   .order_by(SurveyQuestion.position)).all()
    response = client.post(f"/inscription/{came.manage_token}/questionnaire", data={
        f"q{questions[0].id}": "5", f"q{questions[3].id}": "Les rencontres avec les financeurs."})
    assert response.status_code == 302
    built = report.build([village])
    rows = {row[0]: row[1:] for row in built.table("satisfaction").rows}
    assert rows["La journée a-t-elle répondu à vos attentes ?"] == [0, 0, 0, 0, 1, 1]
    assert built.comments == {questions[3].text: ["Les rencontres avec les financeurs."]}


def test_answering_again_replaces_the_first_answer(client):
    village = held_village()
    came = person(village, "Prénom0")
    client.get(f"/inscription/{came.manage_token}/questionnaire")
    question = rating_question(village)
    for value in ("2", "4"):
        client.post(f"/inscription/{came.manage_token}/questionnaire", data={f"q{question.id}": value})
    assert report.build([village]).table("satisfaction").rows[0][1:] == [0, 0, 0, 1, 0, 1]


def test_a_rating_out_of_range_is_refused_with_a_message(client):
    village = held_village()
    came = person(village, "Prénom0")
    client.get(f"/inscription/{came.manage_token}/questionnaire")
    response = client.post(f"/inscription/{came.manage_token}/questionnaire",
                           data={f"q{rating_question(village).id}": "9"})
    assert response.status_code == 422
    assert "Choisissez une des réponses proposées." in response.get_data(as_text=True)


def test_before_the_village_there_is_no_questionnaire(client):
    registration = make_registration(make_village())  # thirty days ahead
    response = client.get(f"/inscription/{registration.manage_token}/questionnaire", follow_redirects=True)
    assert ("Le questionnaire de satisfaction est pour les personnes venues au village, une fois le village "
            "commencé.") in page_text(response)


def test_organisers_set_the_questions_of_their_village(organiser_client):
    village = held_village()
    response = organiser_client.post(f"/organisation/villages/{village.id}/questionnaire", data={
        "ratings": "Les ateliers vous ont-ils été utiles ?\n\n", "open_questions": "Une idée pour l'an prochain ?"})
    assert response.status_code == 302
    texts = db.session.scalars(select(SurveyQuestion.text).where(SurveyQuestion.village_id == village.id)
                               .order_by(SurveyQuestion.position)).all()
    assert texts == ["Les ateliers vous ont-ils été utiles ?", "Une idée pour l'an prochain ?"]


def test_a_questionnaire_needs_one_question(organiser_client):
    village = held_village()
    response = organiser_client.post(f"/organisation/villages/{village.id}/questionnaire",
                                     data={"ratings": " ", "open_questions": ""})
    assert response.status_code == 422 and "Posez au moins une question." in response.get_data(as_text=True)
