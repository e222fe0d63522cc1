"""The schedule of meetings: its invariants on random instances, and its publication."""
import io
from collections import Counter
from datetime import time, timedelta
from email import message_from_bytes, policy

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from app.documents import mail as mail_document
from app.extensions import db
from app.models import OUTCOMES, MatchingProfile, Meeting, MeetingSeat, MeetingTable, OutboxMessage
from app.services import matching_profiles, meeting_requests, scheduling
from app.services.meeting_area import Slot, parse_breaks, slots
from app.services.scheduling import Problem, solve
from app.timeutil import local_datetime, local_today, to_utc_naive, utcnow
from tests.factories import make_registration, make_village
from tests.factories_matching import make_area, make_institution, make_porteur
from tests.fixtures_jobs import finished_job
from tests.helpers import page_text


@st.composite
def problems(draw):
    people = draw(st.integers(2, 12))
    pairs = draw(st.lists(st.tuples(st.integers(0, people - 1), st.integers(0, people - 1))
                          .filter(lambda p: p[0] != p[1]), max_size=30, unique_by=lambda p: frozenset(p)))
    slot_count = draw(st.integers(0, 5))
    allowed = draw(st.dictionaries(st.integers(0, people - 1),
                                   st.sets(st.integers(0, max(slot_count - 1, 0))), max_size=4))
    return Problem([(key, a, b) for key, (a, b) in enumerate(pairs)], slot_count, draw(st.integers(0, 4)), allowed)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_nobody_and_no_table_is_ever_booked_twice_and_availability_holds(problem):
    placement = solve(problem, time_limit=2, workers=1)
    people = {key: (a, b) for key, a, b in problem.meetings}
    person_slots = Counter((person, slot) for key, (slot, _) in placement.places.items() for person in people[key])
    assert all(count == 1 for count in person_slots.values())
    table_slots = Counter(placement.places.values())
    assert all(count == 1 for count in table_slots.values())
    for key, (slot, table) in placement.places.items():
        assert 0 <= slot < problem.slot_count and 0 <= table < problem.table_count
        for person in people[key]:
            assert slot in problem.allowed_slots.get(person, range(problem.slot_count))


@settings(max_examples=60, deadline=None)
@given(problems())
def test_the_solver_places_at_least_as_many_meetings_as_first_come_first_served(problem):
    placement = solve(problem, time_limit=2, workers=1)
    busy, used, greedy = set(), Counter(), 0
    for key, a, b in problem.meetings:
        for slot in problem.slots_for(a, b):
            if (a, slot) not in busy and (b, slot) not in busy and used[slot] < problem.table_count:
                busy |= {(a, slot), (b, slot)}
                used[slot] += 1
                greedy += 1
                break
    assert len(placement.places) >= greedy


def test_small_instances_are_solved_to_the_optimum():
    # Three people who all want to meet each other, two slots: only two of three meetings fit.
    problem = Problem([(1, 0, 1), (2, 1, 2), (3, 0, 2)], slot_count=2, table_count=5)
    placement = solve(problem)
    assert placement.optimal and len(placement.places) == 2


def test_slots_skip_the_breaks():
    area = type("Area", (), dict(area_starts_at=time(10), area_ends_at=time(12, 30), slot_minutes=20,
                                 breaks=parse_breaks("11:00-11:20")))
    assert [s.label.replace("\u00a0", " ") for s in slots(area)] == [
        "10 h – 10 h 20", "10 h 20 – 10 h 40", "10 h 40 – 11 h", "11 h 20 – 11 h 40", "11 h 40 – 12 h", "12 h – 12 h 20"]


@pytest.mark.parametrize("text, message", [
    ("onze heures", "« onze heures » n'est pas une pause lisible"),
    ("11:20-11:00", "La pause « 11:20-11:00 » finit avant de commencer."),
])
def test_unreadable_breaks_are_refused_in_french(text, message):
    from app.services.meeting_area import AreaError
    with pytest.raises(AreaError, match=message):
        parse_breaks(text)


@pytest.fixture
def accepted(app):
    """A village with a meeting area of 3 slots × 2 tables and one accepted meeting."""
    village = make_village(town="Avignon")
    make_area(village)
    caf, porteur = make_institution(village), make_porteur(village)
    request = meeting_requests.ask(porteur, caf, "appui", "")
    meeting = meeting_requests.accept(request, caf)
    db.session.commit()
    db.session.query(OutboxMessage).delete()
    db.session.commit()
    return village, meeting, caf, porteur


def build(village):
    scheduling.close_requests(village, "organisateur@villages.test")
    db.session.commit()
    report = scheduling.build(village, "organisateur@villages.test")
    db.session.commit()
    return report


def agenda_mails(person):
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == person.email,
                                                          OutboxMessage.kind == "agenda"))
    return [message_from_bytes(mail_document.render(row), policy=policy.default) for row in rows]


def calendars(mail):
    return [Calendar.from_ical(part.get_content()) for part in mail.iter_attachments()
            if part.get_filename().endswith(".ics")]


def test_building_expires_unanswered_requests_and_places_accepted_meetings(accepted):
    village, meeting, caf, porteur = accepted
    pending = meeting_requests.ask(make_porteur(village, email="p2@example.org"), caf, "appui", "")
    db.session.commit()
    report = build(village)
    assert (report.meetings, report.placed) == (1, 1)
    assert db.session.get(type(pending), pending.id).status == "expired"
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.starts_at == time(10) and meeting.table.name == "Table 1"


def test_a_person_available_later_is_met_later(accepted):
    village, meeting, caf, porteur = accepted
    caf.matching_profile = MatchingProfile(available_from=time(10, 40))
    db.session.commit()
    build(village)
    assert db.session.get(Meeting, meeting.id).starts_at == time(10, 40)


def test_publishing_sends_both_people_their_agenda_as_pdf_and_calendar_event(accepted):
    village, meeting, caf, porteur = accepted
    build(village)
    assert scheduling.publish(village, "organisateur@villages.test") == 2
    db.session.commit()
    [mail] = agenda_mails(porteur)
    names = [part.get_filename() for part in mail.iter_attachments()]
    assert names == ["mes-rendez-vous.pdf", "rendez-vous-1.ics"]
    [calendar] = calendars(mail)
    [event] = calendar.walk("VEVENT")
    assert calendar["method"] == "REQUEST" and event["sequence"] == 0
    assert str(event["summary"]) == "Rendez-vous avec Camille " + caf.last_name + " (CAF de Vaucluse)"
    assert str(event["location"]).startswith("Table 1, Salle des fêtes")


def test_a_moved_meeting_is_sent_again_with_a_higher_sequence_and_a_removed_one_is_cancelled(accepted):
    village, meeting, caf, porteur = accepted
    build(village)
    scheduling.publish(village, "o")
    db.session.commit()
    table_2 = db.session.scalar(select(MeetingTable).where(MeetingTable.name == "Table 2"))
    scheduling.move(db.session.get(Meeting, meeting.id), table_2, Slot(time(10, 20), time(10, 40)), "o")
    db.session.commit()
    assert scheduling.publish(village, "o") == 2
    db.session.commit()
    [event] = calendars(agenda_mails(porteur)[1])[0].walk("VEVENT")
    assert event["sequence"] == 1 and str(event["location"]).startswith("Table 2")

    scheduling.remove(db.session.get(Meeting, meeting.id), "o")
    db.session.commit()
    scheduling.publish(village, "o")
    db.session.commit()
    [calendar] = calendars(agenda_mails(caf)[2])
    assert calendar["method"] == "CANCEL" and calendar.walk("VEVENT")[0]["sequence"] == 2
    assert scheduling.publish(village, "o") == 0  # nothing new: nobody written to


def test_a_move_onto_a_busy_table_or_person_is_refused(accepted):
    village, meeting, caf, porteur = accepted
    other = meeting_requests.add_meeting(caf, make_registration(village), "o")
    db.session.commit()
    build(village)
    first, second = db.session.get(Meeting, meeting.id), db.session.get(Meeting, other.id)
    free_table = next(t for t in db.session.scalars(select(MeetingTable)) if t.id != first.table_id)
    with pytest.raises(meeting_requests.RequestRefused, match="a déjà un rendez-vous à"):
        scheduling.move(second, free_table, Slot(first.starts_at, first.ends_at), "o")
    db.session.rollback()
    with pytest.raises(meeting_requests.RequestRefused, match="est déjà prise à"):
        scheduling.move(second, first.table, Slot(first.starts_at, first.ends_at), "o")


def test_the_database_refuses_to_seat_a_person_twice_at_once(accepted):
    from sqlalchemy.exc import IntegrityError
    village, meeting, caf, porteur = accepted
    other = meeting_requests.add_meeting(caf, make_registration(village), "o")
    db.session.commit()
    for seat in db.session.scalars(select(MeetingSeat).where(MeetingSeat.registration_id == caf.id)):
        seat.starts_at = time(10)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_participant_sees_the_agenda_and_records_what_came_of_the_meeting(client, accepted):
    village, meeting, caf, porteur = accepted
    build(village)
    scheduling.publish(village, "o")
    db.session.commit()
    text = page_text(client.get(f"/inscription/{porteur.manage_token}"))
    assert "Mon programme de rendez-vous" in text and "10 h – 10 h 20 · Table 1" in text
    pdf = PdfReader(io.BytesIO(client.get(f"/inscription/{porteur.manage_token}/rendez-vous.pdf").data))
    assert len(pdf.pages) == 1
    assert "Table 1" in pdf.pages[0].extract_text() and "CAF de Vaucluse" in pdf.pages[0].extract_text()
    ics = Calendar.from_ical(client.get(f"/inscription/{porteur.manage_token}/rendez-vous.ics").data)
    assert len(ics.walk("VEVENT")) == 1

    held_yesterday(village)
    assert "Le rendez-vous a-t-il eu lieu ?" in page_text(client.get(f"/inscription/{porteur.manage_token}"))
    response = client.post(f"/inscription/{porteur.manage_token}/rendez-vous/{meeting.id}/bilan",
                           data={"took_place": "oui", "outcomes": ["orientation", "introduction"]})
    assert response.status_code == 302
    seat = db.session.scalar(select(MeetingSeat).where(MeetingSeat.registration_id == porteur.id))
    assert (seat.took_place, seat.outcomes) == (True, ["orientation", "introduction"])
    assert matching_profiles.outcome_counts(village)["held"] == 1


def held_yesterday(village) -> None:
    """The village (and so its meetings) took place yesterday."""
    village.day = local_today() - timedelta(days=1)
    db.session.commit()


def test_an_outcome_cannot_be_given_before_its_meeting(client, accepted):
    village, meeting, caf, porteur = accepted
    build(village)
    scheduling.publish(village, "o")
    db.session.commit()
    page = page_text(client.get(f"/inscription/{porteur.manage_token}"))
    assert "Après ce rendez-vous, vous pourrez dire ici ce qui en est sorti." in page
    assert "Le rendez-vous a-t-il eu lieu ?" not in page
    response = client.post(f"/inscription/{porteur.manage_token}/rendez-vous/{meeting.id}/bilan",
                           data={"took_place": "oui", "outcomes": ["orientation"]}, follow_redirects=True)
    assert ("Ce rendez-vous n'a pas encore eu lieu : vous pourrez dire ce qui en est sorti une fois qu'il sera "
            "passé.") in page_text(response)
    assert all(seat.recorded_at is None for seat in db.session.get(Meeting, meeting.id).seats)
    assert matching_profiles.outcome_counts(village)["recorded"] == 0


def test_an_unscheduled_meeting_is_over_at_the_end_of_the_villages_day(app, accepted):
    village, meeting, caf, porteur = accepted
    day_end = to_utc_naive(local_datetime(village.day, village.ends_at))
    assert not matching_profiles.has_passed(meeting, village, day_end - timedelta(minutes=1))
    assert matching_profiles.has_passed(meeting, village, day_end)


def test_an_answer_recorded_before_its_meeting_is_not_counted(app, accepted):
    village, meeting, caf, porteur = accepted
    seat = next(s for s in meeting.seats if s.registration_id == porteur.id)
    held_yesterday(village)
    # Given a month before the village, as the form allowed before the rule.
    seat.took_place, seat.outcomes, seat.recorded_at = True, ["orientation"], utcnow() - timedelta(days=30)
    db.session.commit()
    assert matching_profiles.outcome_counts(village) == {
        "recorded": 0, "held": 0, "outcomes": [(label, 0) for label in OUTCOMES.values()]}


def test_nobody_records_the_outcome_of_someone_elses_meeting(client, accepted):
    village, meeting, caf, porteur = accepted
    stranger = make_registration(village)
    client.post(f"/inscription/{stranger.manage_token}/rendez-vous/{meeting.id}/bilan", data={"took_place": "oui"})
    assert all(seat.recorded_at is None for seat in db.session.get(Meeting, meeting.id).seats)


def test_the_organiser_builds_adjusts_and_publishes_from_the_back_office(organiser_client, accepted):
    village, meeting, caf, porteur = accepted
    base = f"/organisation/villages/{village.id}/rendez-vous"
    state = finished_job(organiser_client, organiser_client.post(f"{base}/calcul"))
    assert "Programme provisoire calculé : 1 rendez-vous placé sur 1" in state["summary"]
    table_2 = db.session.scalar(select(MeetingTable).where(MeetingTable.name == "Table 2"))
    organiser_client.post(f"{base}/{meeting.id}/deplacer", data={"place": f"{table_2.id}@10:40"})
    assert db.session.get(Meeting, meeting.id).starts_at == time(10, 40)
    response = organiser_client.post(f"{base}/publier", follow_redirects=True)
    assert "Programme publié : 2 personnes" in page_text(response)
    sheets = organiser_client.get(f"{base}/tables.pdf")
    assert sheets.status_code == 200 and sheets.data.startswith(b"%PDF")


def test_breaks_are_read_and_shown_as_french_writes_times(organiser_client, accepted):
    village, *_ = accepted
    base = f"/organisation/villages/{village.id}/rendez-vous"
    organiser_client.post(base, data={
        "area_starts_at": "09:30", "area_ends_at": "12:30", "slot_minutes": "15", "breaks": "10 h 15 – 10 h 30, 11h-11h05",
        "tables": "4", "max_requests_received": "5", "suggestions_days_before": "7"})
    assert village.matching_settings.breaks == [["10:15", "10:30"], ["11:00", "11:05"]]
    field = 'value="10\u00a0h\u00a015 – 10\u00a0h\u00a030, 11\u00a0h – 11\u00a0h\u00a005"'
    assert field in organiser_client.get(base).get_data(as_text=True)


def test_the_organiser_sets_the_meeting_area_and_a_bad_break_is_refused(organiser_client, accepted):
    village, *_ = accepted
    base = f"/organisation/villages/{village.id}/rendez-vous"
    form = {"area_starts_at": "09:30", "area_ends_at": "12:30", "slot_minutes": "15", "breaks": "11h00-10h00",
            "tables": "4", "max_requests_received": "5", "suggestions_days_before": "7",
            "ask_porteur": ["institutionnel", "elu"]}
    response = organiser_client.post(base, data=form)
    assert response.status_code == 422 and "finit avant de commencer" in page_text(response)
    response = organiser_client.post(base, data={**form, "breaks": "11:00-11:15"}, follow_redirects=True)
    assert "11 créneaux" in page_text(response) and "× 4 tables" in page_text(response)
    assert village.matching_settings.ask_rules["porteur"] == ["institutionnel", "elu"]


def test_an_organiser_adds_a_meeting_by_typing_names_and_chooses_among_namesakes(organiser_client):

    village = make_village()
    make_area(village)
    porteur = make_porteur(village, first_name="Inès", last_name="Marchal")
    caf = make_institution(village, first_name="Paul", last_name="Martin", email="paul@example.org")
    make_institution(village, first_name="Lise", last_name="Martin", email="lise@example.org",
                     organisation="Conseil départemental")
    base = f"/organisation/villages/{village.id}/rendez-vous"

    page = organiser_client.get(base).get_data(as_text=True)
    assert 'type="search" id="add-first"' in page and "<option value=\"" + str(caf.id) not in page

    ambiguous = organiser_client.post(f"{base}/ajouter", data={"first": "ines", "second": "Martin"})
    assert ambiguous.status_code == 422
    text = page_text(ambiguous)
    assert "Seconde personne : plusieurs personnes correspondent à « Martin »" in text
    assert "Paul Martin (CAF de Vaucluse)" in text and "Lise Martin (Conseil départemental)" in text

    added = organiser_client.post(f"{base}/ajouter", data={"first": "ines", "second": str(caf.id)})
    assert added.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert {person.id for person in meeting.people} == {porteur.id, caf.id}


def test_a_name_nobody_has_is_said_next_to_its_field(organiser_client):
    village = make_village()
    make_area(village)
    response = organiser_client.post(f"/organisation/villages/{village.id}/rendez-vous/ajouter",
                                     data={"first": "Personne", "second": "Inconnue"})
    assert response.status_code == 422
    assert "Personne ne correspond à « Personne » parmi les inscriptions confirmées." in page_text(response)
