"""The door opens on the village's day only: before or after it a scan admits nobody and says
so; a rehearsal answers as the day would and leaves no trace; an organiser may still record an
exceptional entry, with its reason."""
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, CheckIn, Registration, RegistrationStatus, Village
from app.services import audit_log
from app.timeutil import local_datetime, local_today, to_utc_naive
from tests.factories import make_registration, make_village
from tests.fixtures_checkin import make_scanner_link
from tests.helpers import page_text

NOT_THE_DAY = "Ce n'est pas le jour du village"


@pytest.fixture
def sisteron(app):
    """Sisteron, two months ahead, with a volunteer's scanner link given already."""
    return make_scanner_link(make_village(slug="sisteron", town="Sisteron", day=local_today() + timedelta(days=61)))


@pytest.fixture
def louise(sisteron):
    return make_registration(sisteron.village, first_name="Louise", last_name="Roux")


def scan(client, door, **body):
    return client.post("/api/checkin", json=body, headers=door.headers)


def traces(village) -> tuple:
    """Everything a scan may write: admissions, registrations, the roster's version, the journal."""
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(CheckIn)),
        db.session.scalar(select(func.count()).select_from(Registration)),
        db.session.scalar(select(func.count(Registration.checked_in_at))),
        db.session.scalar(select(Village.roster_version).where(Village.id == village.id)),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def moved_to(village, day) -> None:
    village.day = day
    db.session.commit()


def local_noon(day) -> str:
    return to_utc_naive(local_datetime(day, time(12))).isoformat() + "Z"


# Outside the day ------------------------------------------------------------------------------


def test_a_badge_scanned_two_months_before_the_village_is_answered_not_the_villages_day(client, sisteron, louise):
    answer = scan(client, sisteron, code=louise.badge_code).get_json()
    assert answer["result"] == "not_village_day"
    assert answer["message"].startswith(NOT_THE_DAY + " (")
    assert "personne n'entre et rien n'est enregistré" in answer["message"]
    assert answer["attendee"]["name"] == "Louise Roux"


def test_a_scan_before_the_day_records_nothing(client, sisteron, louise):
    before = traces(sisteron.village)
    scan(client, sisteron, code=louise.badge_code)
    assert traces(sisteron.village) == before


def test_the_holder_of_a_badge_scanned_before_the_day_has_no_attestation_nor_questionnaire(client, sisteron, louise):
    scan(client, sisteron, code=louise.badge_code)
    assert client.get(f"/inscription/{louise.manage_token}/attestation.pdf").status_code == 404
    assert "attestation" not in page_text(client.get(f"/inscription/{louise.manage_token}"))
    assert client.get(f"/inscription/{louise.manage_token}/questionnaire").status_code == 302


def test_the_same_scan_with_the_village_moved_to_today_admits_them(client, sisteron, louise):
    moved_to(sisteron.village, local_today())
    answer = scan(client, sisteron, code=louise.badge_code).get_json()
    assert answer["result"] == "ok" and answer["attendee"]["checked_in_at"] is not None
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_a_scan_the_day_after_the_village_admits_nobody(organiser_client):
    village = make_village(slug="manosque", day=local_today() - timedelta(days=1))
    person = make_registration(village)
    answer = organiser_client.post("/api/checkin", json={"village": "manosque", "code": person.badge_code}).get_json()
    assert answer["result"] == "not_village_day"
    assert db.session.get(Registration, person.id).checked_in_at is None


def test_a_scan_time_on_another_day_is_not_the_villages_day(client, sisteron, louise):
    moved_to(sisteron.village, local_today())
    yesterday = local_noon(local_today() - timedelta(days=1))
    assert scan(client, sisteron, code=louise.badge_code, scanned_at=yesterday).get_json()["result"] == "not_village_day"


def test_faire_entrer_from_the_name_search_before_the_day_admits_nobody(client, sisteron, louise):
    found = client.get("/api/checkin/sisteron/search?q=louise", headers=sisteron.headers).get_json()["results"]
    assert [person["name"] for person in found] == ["Louise Roux"]  # the search still finds people
    before = traces(sisteron.village)
    answer = scan(client, sisteron, registration_id=louise.id).get_json()
    assert answer["result"] == "not_village_day"
    assert traces(sisteron.village) == before


def test_a_walk_in_before_the_day_registers_nobody(client, sisteron):
    before = traces(sisteron.village)
    response = client.post("/api/checkin/sisteron/walk-in", headers=sisteron.headers, json={
        "first_name": "Yanis", "last_name": "Benali", "role": "habitant", "commune": "Sisteron"})
    assert response.status_code == 200 and response.get_json()["result"] == "not_village_day"
    assert traces(sisteron.village) == before


def sync(client, headers, *events, slug="sisteron"):
    return client.post(f"/api/checkin/{slug}/sync", json={"device": "p1", "events": list(events)},
                       headers=headers).get_json()["results"]


def test_an_offline_scan_made_before_the_day_is_refused_when_synchronised(client, sisteron, louise):
    before = traces(sisteron.village)
    [answer] = sync(client, sisteron.headers, {"id": "s1", "type": "scan", "code": louise.badge_code,
                                               "scanned_at": local_noon(local_today())})
    assert answer["result"] == "not_village_day" and answer["message"].startswith(NOT_THE_DAY)
    assert traces(sisteron.village) == before


def test_an_offline_walk_in_made_before_the_day_registers_nobody(client, sisteron):
    before = traces(sisteron.village)
    [answer] = sync(client, sisteron.headers, {"id": "w1", "type": "walk_in", "scanned_at": local_noon(local_today()),
                                               "person": {"first_name": "Yanis", "last_name": "Benali",
                                                          "role": "habitant", "commune": "Sisteron"}})
    assert answer["result"] == "not_village_day"
    assert traces(sisteron.village) == before


def test_an_offline_scan_made_on_the_day_and_synchronised_the_day_after_counts(organiser_client):
    village = make_village(slug="manosque", day=local_today() - timedelta(days=1))
    person = make_registration(village)
    [answer] = sync(organiser_client, {}, {"id": "s1", "type": "scan", "code": person.badge_code,
                                           "scanned_at": local_noon(village.day)}, slug="manosque")
    assert answer["result"] == "ok"
    assert db.session.get(Registration, person.id).checked_in_at is not None


def test_the_roster_tells_the_phone_the_villages_day_and_time_zone(client, sisteron):
    roster = client.get("/api/checkin/sisteron/roster", headers=sisteron.headers).get_json()
    assert roster["day"] == sisteron.village.day.isoformat()
    assert roster["time_zone"] == "Europe/Paris"


def test_the_scanner_page_says_before_the_day_that_nobody_enters(client, sisteron):
    text = page_text(client.get(f"/scan/{sisteron.token}", follow_redirects=True))
    assert "Ce n'est pas le jour du village." in text and "Mode entraînement" in text


# Rehearsal -------------------------------------------------------------------------------------


def test_a_rehearsal_scan_answers_as_the_day_would(client, sisteron, louise):
    answer = scan(client, sisteron, code=louise.badge_code, rehearsal=True).get_json()
    assert (answer["result"], answer["rehearsal"], answer["attendee"]["name"]) == ("ok", True, "Louise Roux")


def test_a_rehearsal_scan_leaves_no_trace(client, sisteron, louise):
    before = traces(sisteron.village)
    scan(client, sisteron, code=louise.badge_code, rehearsal=True)
    scan(client, sisteron, registration_id=louise.id, rehearsal=True)
    assert traces(sisteron.village) == before


def test_a_rehearsal_on_the_day_admits_nobody(client, sisteron, louise):
    moved_to(sisteron.village, local_today())
    before = traces(sisteron.village)
    assert scan(client, sisteron, code=louise.badge_code, rehearsal=True).get_json()["result"] == "ok"
    assert traces(sisteron.village) == before
    assert scan(client, sisteron, code=louise.badge_code).get_json()["result"] == "ok"  # the real one


def test_a_rehearsal_shows_refusals_as_the_day_would(client, sisteron):
    cancelled = make_registration(sisteron.village, status=RegistrationStatus.CANCELLED)
    assert scan(client, sisteron, code=cancelled.badge_code, rehearsal=True).get_json()["result"] == "cancelled"
    assert scan(client, sisteron, code="pas-un-badge", rehearsal=True).get_json()["result"] == "unknown"


def test_a_rehearsal_walk_in_registers_nobody(client, sisteron):
    before = traces(sisteron.village)
    answer = client.post("/api/checkin/sisteron/walk-in", headers=sisteron.headers, json={
        "first_name": "Yanis", "last_name": "Benali", "role": "habitant", "commune": "Sisteron",
        "rehearsal": True}).get_json()
    assert (answer["result"], answer["rehearsal"], answer["attendee"]["name"]) == ("ok", True, "Yanis Benali")
    assert traces(sisteron.village) == before


def test_rehearsal_is_true_or_false(client, sisteron, louise):
    response = scan(client, sisteron, code=louise.badge_code, rehearsal="oui")
    assert response.status_code == 400 and "rehearsal" in response.get_json()["error"]


# Exceptional entry -----------------------------------------------------------------------------


@pytest.fixture
def manosque_absentee(app):
    """Someone of a village held last week whose entry was never recorded."""
    village = make_village(slug="manosque", town="Manosque", day=local_today() - timedelta(days=7))
    return make_registration(village, civility="madame", first_name="Inès", last_name="Garnier")


def test_an_organiser_records_an_exceptional_entry_with_its_reason(organiser_client, manosque_absentee):
    response = organiser_client.post(f"/organisation/inscriptions/{manosque_absentee.id}/entree-exceptionnelle",
                                     data={"reason": "Venue le jour du village, téléphone de l'accueil en panne"},
                                     follow_redirects=True)
    assert "Entrée exceptionnelle enregistrée : Inès Garnier est comptée présente." in page_text(response)
    assert ("par une entrée exceptionnelle (raison : « Venue le jour du village, téléphone de l'accueil en panne »)"
            in page_text(response))
    [admission] = db.session.scalars(select(CheckIn)).all()
    assert (admission.method, admission.exception_reason) == (
        "exceptional", "Venue le jour du village, téléphone de l'accueil en panne")
    assert db.session.get(Registration, manosque_absentee.id).checked_in_at is not None


def test_an_exceptional_entry_is_written_in_the_journal_in_french(organiser_client, manosque_absentee):
    organiser_client.post(f"/organisation/inscriptions/{manosque_absentee.id}/entree-exceptionnelle",
                          data={"reason": "Badge oublié"})
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "checkin.exceptional_entry")).all()
    [event] = audit_log.events([entry])
    assert event.sentence == ("Organiser a enregistré une entrée exceptionnelle pour Inès Garnier, hors du jour "
                              "du village (raison : « Badge oublié »).")


def test_an_exceptional_entry_gives_the_attestation(client, organiser_client, manosque_absentee):
    organiser_client.post(f"/organisation/inscriptions/{manosque_absentee.id}/entree-exceptionnelle",
                          data={"reason": "Badge oublié"})
    assert client.get(f"/inscription/{manosque_absentee.manage_token}/attestation.pdf").status_code == 200


def test_an_exceptional_entry_needs_a_reason(organiser_client, manosque_absentee):
    response = organiser_client.post(f"/organisation/inscriptions/{manosque_absentee.id}/entree-exceptionnelle",
                                     data={"reason": "  "})
    assert response.status_code == 422 and "Ce champ est obligatoire." in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_a_check_in_volunteer_cannot_record_an_exceptional_entry(checkin_client, manosque_absentee):
    response = checkin_client.post(f"/organisation/inscriptions/{manosque_absentee.id}/entree-exceptionnelle",
                                   data={"reason": "Badge oublié"})
    assert response.status_code in (302, 403)
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_on_the_day_entries_go_through_the_door_not_the_back_office(organiser_client):
    person = make_registration(make_village(day=local_today()))
    assert "Entrée exceptionnelle" not in page_text(organiser_client.get(f"/organisation/inscriptions/{person.id}"))
    response = organiser_client.post(f"/organisation/inscriptions/{person.id}/entree-exceptionnelle",
                                     data={"reason": "Badge oublié"}, follow_redirects=True)
    assert "Le jour du village, les entrées se font à l'accueil" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_an_admission_recorded_on_another_day_gives_no_attestation(client):
    """As the door allowed before it knew the village's phase: checked in two months early."""
    village = make_village(day=local_today() - timedelta(days=3))
    person = make_registration(village, checked_in_at=to_utc_naive(local_datetime(village.day - timedelta(days=60),
                                                                                  time(10))))
    assert client.get(f"/inscription/{person.manage_token}/attestation.pdf").status_code == 404
