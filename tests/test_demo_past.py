"""The demo's village that has happened: people at the door, absentees, answers and meetings."""
from datetime import date, timedelta

from sqlalchemy import func, select

from app.demo import data as demo_data, matching as demo_matching, past as demo_past
from app.extensions import db
from app.models import CheckIn, Initiative, Meeting, OutboxMessage, Registration, SurveyResponse, Village
from tests.helpers import page_text

TODAY = date(2026, 12, 1)


def load_demo() -> Village:
    for load in (demo_data.load, demo_data.load_initiatives, demo_matching.load):
        load()
    demo_past.load(today=TODAY)
    return db.session.scalar(select(Village).where(Village.slug == demo_past.SLUG))


def people_of(village) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.village_id == village.id)))


def test_the_past_village_took_place_on_a_working_day_weeks_ago(app):
    village = load_demo()
    assert village.day <= TODAY - timedelta(weeks=3) and demo_data.is_working_day(village.day)
    assert village.day == date(2026, 11, 10)


def test_most_confirmed_people_checked_in_during_the_morning_some_walked_in_some_stayed_away(app):
    village = load_demo()
    people = people_of(village)
    present = [p for p in people if p.checked_in_at is not None]
    assert {p.role for p in people} == {"porteur", "institutionnel", "elu", "habitant"}
    assert all(p.is_confirmed for p in people)
    assert sum(p.is_walk_in for p in present) == 2
    assert len([p for p in people if p.checked_in_at is None]) == 2
    assert db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.village_id == village.id)) == len(present)
    assert all(p.checked_in_at.date() == village.day and 7 <= p.checked_in_at.hour <= 10 for p in present)


def test_some_demo_initiatives_were_presented_there_before_their_next_village(app):
    village = load_demo()
    porteurs = [p for p in people_of(village) if p.role == "porteur"]
    assert len(porteurs) == demo_past.PRESENTED_AGAIN
    assert all(p.initiative is not None and len(p.initiative.presentations) == 2 for p in porteurs)


def test_present_people_answered_the_questionnaire_and_meetings_have_outcomes(app):
    village = load_demo()
    responses = list(db.session.scalars(select(SurveyResponse).where(SurveyResponse.village_id == village.id)))
    assert len(responses) == len(demo_past.ANSWERS)
    assert all(db.session.get(Registration, r.registration_id).checked_in_at for r in responses)
    meetings = list(db.session.scalars(select(Meeting).where(Meeting.village_id == village.id)))
    assert len(meetings) == len(demo_past.MEETINGS)
    assert all(seat.took_place and seat.outcomes for m in meetings for seat in m.seats)


def test_nobody_of_the_past_village_is_sent_an_e_mail(app):
    village = load_demo()
    queued = db.session.scalar(select(func.count(OutboxMessage.id)).join(Registration)
                               .where(Registration.village_id == village.id))
    assert queued == 0


def test_loading_the_past_village_twice_changes_nothing(app):
    village = load_demo()
    count = len(people_of(village))
    assert demo_past.load(today=TODAY) == [f"Village passé {demo_past.TOWN} : déjà présent"]
    assert len(people_of(village)) == count


def test_its_report_shows_the_people_present(organiser_client):
    village = load_demo()
    present = sum(p.checked_in_at is not None for p in people_of(village))
    html = organiser_client.get(f"/organisation/villages/{village.id}/bilan").get_data(as_text=True)
    assert f"<li><strong>{present}</strong> présents</li>" in html
    assert "<li><strong>2</strong> venus sans inscription</li>" in html
    assert "Questionnaire de satisfaction" in html


PROVENCE = {"04", "83", "84"}


def test_the_villages_in_provence_present_initiatives_of_provence_and_arras_those_of_the_pas_de_calais(app, client):
    app.test_cli_runner().invoke(args=["demo"])  # the six villages, Forcalquier and Manosque included
    for village in db.session.scalars(select(Village)):
        departements = {initiative.current.departement_code for initiative in db.session.scalars(
            select(Initiative).join(Initiative.presentations).join(Registration)
            .where(Registration.village_id == village.id))}
        page = page_text(client.get(f"/villages/{village.slug}"))
        if village.slug == "arras":
            assert departements == {"62"} and "Wimereux (62)" in page
        else:
            assert departements and departements <= PROVENCE, village.town
            assert "(62)" not in page and "Pas-de-Calais" not in page, village.town
