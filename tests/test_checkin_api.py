"""POST /api/checkin and /api/checkin/undo: what a scanner is told for every kind of badge."""
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, CheckIn, RegistrationStatus, Role
from app.timeutil import local_datetime, local_today, to_utc_naive, utcnow
from tests.factories import make_registration, make_village
from tests.fixtures_checkin import make_scanner_link


def scan(client, door, code, **fields):
    return client.post("/api/checkin", json={"code": code, **fields}, headers=door.headers)


def test_valid_badge_is_checked_in_with_name_role_and_organisation(client, door):
    person = make_registration(
        door.village, civility="madame", first_name="Louise", last_name="Roux", role=Role.ELU, organisation="Mairie de Sisteron"
    )
    response = scan(client, door, person.badge_code)
    assert response.status_code == 200
    body = response.json
    assert body["result"] == "ok" and body["village"] == "sisteron"
    assert body["attendee"]["name"] == "Louise Roux"
    assert body["attendee"]["role"] == "Élue locale"
    assert body["attendee"]["organisation"] == "Mairie de Sisteron"
    assert body["attendee"]["checked_in_at"].endswith("Z")
    db.session.refresh(person)
    assert person.checked_in_at is not None


def test_second_scan_says_already_checked_in_with_when_and_which_scanner(client, door):
    person = make_registration(door.village)
    first = scan(client, door, person.badge_code).json
    second = scan(client, door, person.badge_code).json
    assert second["result"] == "already_checked_in"
    assert second["attendee"]["checked_in_at"] == first["attendee"]["checked_in_at"]
    assert second["attendee"]["checked_in_by"] == "Entrée nord"
    assert db.session.scalar(select(db.func.count()).select_from(CheckIn)) == 1


def test_unknown_code_is_unknown_without_attendee(client, door):
    body = scan(client, door, "ceci-n-est-pas-un-badge").json
    assert body == {"result": "unknown", "attendee": None, "village": "sisteron"}


def test_cancelled_registration_is_refused(client, door):
    person = make_registration(door.village, status=RegistrationStatus.CANCELLED)
    body = scan(client, door, person.badge_code).json
    assert body["result"] == "cancelled" and body["attendee"]["name"] == person.full_name
    db.session.refresh(person)
    assert person.checked_in_at is None


def test_waiting_list_registration_is_refused(client, door):
    person = make_registration(door.village, status=RegistrationStatus.WAITLISTED)
    assert scan(client, door, person.badge_code).json["result"] == "waitlisted"


def test_badge_of_another_village_names_that_village(client, door):
    elsewhere = make_village(name="Village des initiatives solidaires – Avignon", town="Avignon")
    person = make_registration(elsewhere)
    body = scan(client, door, person.badge_code).json
    assert body["result"] == "wrong_village"
    assert body["attendee"]["village_name"] == "Village des initiatives solidaires – Avignon"
    db.session.refresh(person)
    assert person.checked_in_at is None


def test_code_typed_by_a_hand_held_reader_with_spaces_and_line_end_is_read(client, door):
    person = make_registration(door.village)
    assert scan(client, door, f"  {person.badge_code}\r\n", method="manual").json["result"] == "ok"


def test_resending_the_same_scan_id_changes_nothing_and_answers_ok_again(client, door):
    person = make_registration(door.village)
    first = scan(client, door, person.badge_code, scan_id="phone-1:42").json
    again = scan(client, door, person.badge_code, scan_id="phone-1:42").json
    assert first["result"] == again["result"] == "ok"
    assert db.session.scalar(select(db.func.count()).select_from(CheckIn)) == 1


def test_device_scan_time_becomes_the_check_in_time(client, door):
    person = make_registration(door.village)
    body = scan(client, door, person.badge_code, scanned_at="2030-01-01T08:30:00+01:00").json
    # A moment in the future (a wrong phone clock) is taken as now.
    assert body["result"] == "ok"
    earlier = make_registration(door.village)
    # A moment earlier on the village's day: the first second of it.
    first_second = to_utc_naive(local_datetime(local_today(), time(0, 0, 1)))
    body = scan(client, door, earlier.badge_code, scanned_at=first_second.isoformat() + "Z").json
    assert body["attendee"]["checked_in_at"] == first_second.isoformat() + "Z"


def test_check_in_by_registration_id_from_the_name_search(client, door):
    person = make_registration(door.village)
    response = client.post("/api/checkin", json={"registration_id": person.id}, headers=door.headers)
    assert response.json["result"] == "ok"
    assert db.session.scalar(select(CheckIn.method)) == "search"


def test_registration_id_of_another_village_is_not_found(client, door):
    person = make_registration(make_village())
    response = client.post("/api/checkin", json={"registration_id": person.id}, headers=door.headers)
    assert response.status_code == 404 and "error" in response.json


def test_answer_reports_time_spent_in_the_app(client, door):
    response = scan(client, door, "inconnu")
    assert response.headers["Server-Timing"].startswith("app;dur=")


# Authentication --------------------------------------------------------------------------


def test_no_token_is_401_json(client, door):
    response = client.post("/api/checkin", json={"code": "x", "village": "sisteron"})
    assert response.status_code == 401
    assert "lien d'accueil" in response.json["error"]


def test_wrong_token_is_401_json(client, door):
    response = client.post("/api/checkin", json={"code": "x"}, headers={"Authorization": "Bearer faux"})
    assert response.status_code == 401 and response.json["status"] == 401


def test_revoked_token_is_401(client, door):
    from app.services import scanner_links

    scanner_links.revoke(scanner_links.valid_link(door.token), "organisatrice@example.org")
    db.session.commit()
    assert scan(client, door, "x").status_code == 401


def test_expired_token_is_401(client, door):
    from app.services import scanner_links

    scanner_links.valid_link(door.token).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert scan(client, door, "x").status_code == 401


def test_token_of_one_village_cannot_scan_for_another(client, door):
    make_village(slug="avignon")
    response = client.post("/api/checkin", json={"code": "x", "village": "avignon"}, headers=door.headers)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    ['{"code": ', '["liste"]', '"texte"', "{}", '{"code": ""}', '{"code": 12}'],
    ids=["broken", "list", "string", "no-code", "empty-code", "number-code"],
)
def test_malformed_body_is_400_json(client, door, body):
    response = client.post("/api/checkin", data=body, content_type="application/json", headers=door.headers)
    assert response.status_code == 400
    assert response.json["error"]


def test_oversized_body_is_refused(client, door):
    response = client.post(
        "/api/checkin", json={"code": "x" * 20_000}, headers=door.headers
    )
    assert response.status_code == 413 and response.json["status"] == 413


def test_session_calls_need_the_csrf_header(client, door, csrf_enabled):
    person = make_registration(door.village)
    client.get(f"/scan/{door.token}")
    page = client.get("/checkin/sisteron").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    payload = {"code": person.badge_code, "village": "sisteron"}
    refused = client.post("/api/checkin", json=payload)
    assert refused.status_code == 400 and refused.json["error"]
    accepted = client.post("/api/checkin", json=payload, headers={"X-CSRFToken": token})
    assert accepted.json["result"] == "ok"


def test_bearer_calls_need_no_csrf_header(client, door, csrf_enabled):
    person = make_registration(door.village)
    assert scan(client, door, person.badge_code).json["result"] == "ok"


def test_organiser_session_scans_as_the_organiser(logged_in, door):
    client = logged_in("organiser")
    person = make_registration(door.village)
    client.post("/api/checkin", json={"code": person.badge_code, "village": "sisteron"})
    second = client.post("/api/checkin", json={"code": person.badge_code, "village": "sisteron"}).json
    assert second["attendee"]["checked_in_by"] == "Organiser"


def test_checkin_account_of_another_village_is_403(logged_in, door):
    client = logged_in("checkin", checkin_villages=[make_village()])
    response = client.post("/api/checkin", json={"code": "x", "village": "sisteron"})
    assert response.status_code == 403


# Undo ------------------------------------------------------------------------------------


def test_undo_takes_back_the_check_in_and_keeps_the_reason_in_the_audit_log(client, door):
    person = make_registration(door.village)
    scan(client, door, person.badge_code)
    response = client.post(
        "/api/checkin/undo", json={"code": person.badge_code, "reason": "Mauvaise personne"}, headers=door.headers
    )
    assert response.json["result"] == "undone"
    db.session.refresh(person)
    assert person.checked_in_at is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "checkin.undo"))
    assert entry.actor == "scanner:Entrée nord" and entry.target_id == person.id
    assert entry.details["reason"] == "Mauvaise personne"
    admission = db.session.scalar(select(CheckIn))
    assert admission.undone_at is not None and admission.undo_reason == "Mauvaise personne"


def test_after_undo_the_badge_checks_in_again(client, door):
    person = make_registration(door.village)
    scan(client, door, person.badge_code)
    client.post("/api/checkin/undo", json={"code": person.badge_code}, headers=door.headers)
    assert scan(client, door, person.badge_code).json["result"] == "ok"


def test_undo_of_someone_not_checked_in_changes_nothing(client, door):
    person = make_registration(door.village)
    response = client.post("/api/checkin/undo", json={"code": person.badge_code}, headers=door.headers)
    assert response.json["result"] == "not_checked_in"
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == 1  # the link's creation


def test_undo_needs_a_token(client, door):
    assert client.post("/api/checkin/undo", json={"code": "x", "village": "sisteron"}).status_code == 401


def test_second_link_sees_the_first_links_label(client, door):
    person = make_registration(door.village)
    other = make_scanner_link(door.village, "Entrée sud")
    scan(client, door, person.badge_code)
    assert scan(client, other, person.badge_code).json["attendee"]["checked_in_by"] == "Entrée nord"
