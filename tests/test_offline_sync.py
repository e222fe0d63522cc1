"""The offline check-in protocol: roster download by cursor, queue upload, double admissions."""
import hashlib
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CheckIn, Registration, RegistrationStatus, Role
from tests.fixtures_checkin import make_scanner_link
from tests.factories import make_registration, make_village
from tests.helpers import page_text

DOORS_OPEN = "2025-05-14T07:00:00Z"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def village(app):
    return make_village(slug="sisteron", town="Sisteron")


def scanner_headers(village, label="Porte 1") -> dict:
    return make_scanner_link(village, label).headers


@pytest.fixture
def phone(village):
    return scanner_headers(village, "Porte 1")


@pytest.fixture
def other_phone(village):
    return scanner_headers(village, "Porte 2")


@pytest.fixture(autouse=True)
def held_on_the_day_of_the_scans(village, phone, other_phone):
    """The scans below were made on 14 May 2025: the village was held that day (its scanner
    links, given beforehand, stay valid)."""
    village.day = date(2025, 5, 14)
    db.session.commit()


def sync(client, headers, *events, device="phone-1", slug="sisteron"):
    return client.post(f"/api/checkin/{slug}/sync", json={"device": device, "events": list(events)},
                       headers=headers)


def scan(event_id, code, at, **fields):
    return {"id": event_id, "type": "scan", "code": code, "scanned_at": at} | fields


def checkins_of(registration) -> list[CheckIn]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(CheckIn).where(CheckIn.registration_id == registration.id).order_by(CheckIn.id)
    ))


# Roster ---------------------------------------------------------------------------------------


def test_a_phone_downloads_the_roster_then_only_what_changed(client, village, phone):
    person = make_registration(village, first_name="Hélène", last_name="Durand")
    make_registration(village, first_name="Karim", last_name="Haddad")

    full = client.get("/api/checkin/sisteron/roster", headers=phone).get_json()
    assert sorted(e["first_name"] for e in full["entries"]) == ["Hélène", "Karim"]
    assert client.get(f"/api/checkin/sisteron/roster?since={full['cursor']}",
                      headers=phone).get_json()["entries"] == []

    sync(client, phone, scan("s1", person.badge_code, "2025-05-14T07:05:00Z"))
    delta = client.get(f"/api/checkin/sisteron/roster?since={full['cursor']}", headers=phone).get_json()
    assert [(e["code_hash"], e["checked_in_at"]) for e in delta["entries"]] == [
        (sha256(person.badge_code), "2025-05-14T07:05:00Z")
    ]
    assert delta["cursor"] > full["cursor"]


def test_the_roster_needs_a_scanner_link_of_this_village(client, village):
    make_village(slug="avignon")
    elsewhere = scanner_headers(db.session.scalar(select(type(village)).where(type(village).slug == "avignon")))
    assert client.get("/api/checkin/sisteron/roster").status_code == 401
    assert client.get("/api/checkin/sisteron/roster", headers=elsewhere).status_code == 401
    assert client.get("/api/checkin/sisteron/roster",
                      headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_bad_cursor_is_refused_in_json(client, village, phone):
    response = client.get("/api/checkin/sisteron/roster?since=hier", headers=phone)
    assert response.status_code == 400
    assert "since" in response.get_json()["error"]


# Upload ---------------------------------------------------------------------------------------


def test_an_offline_admission_keeps_the_time_of_the_device(client, village, phone):
    person = make_registration(village)
    response = sync(client, phone, scan("scan-1", person.badge_code, "2025-05-14T09:12:03+02:00"))

    assert response.status_code == 200
    [answer] = response.get_json()["results"]
    assert (answer["id"], answer["result"]) == ("scan-1", "ok")
    [admission] = checkins_of(person)
    assert admission.scanned_at == datetime(2025, 5, 14, 7, 12, 3)
    assert admission.scanner == "Porte 1" and admission.scan_id == "scan-1"
    assert person.checked_in_at == datetime(2025, 5, 14, 7, 12, 3)


def test_sending_the_same_queue_twice_changes_nothing(client, village, phone):
    person = make_registration(village)
    event = scan("scan-1", person.badge_code, DOORS_OPEN)
    first = sync(client, phone, event).get_json()
    again = sync(client, phone, event, event).get_json()

    assert len(checkins_of(person)) == 1
    assert [a["result"] for a in again["results"]] == ["ok", "ok"]
    assert again["results"][0] == first["results"][0]


def test_a_badge_found_by_name_offline_is_sent_by_its_hash(client, village, phone):
    person = make_registration(village)
    event = {"id": "s1", "type": "scan", "code_hash": sha256(person.badge_code),
             "scanned_at": DOORS_OPEN, "method": "search"}
    [answer] = sync(client, phone, event).get_json()["results"]

    assert answer["result"] == "ok"
    assert checkins_of(person)[0].method == "search"


def test_badges_that_may_not_enter_are_answered_and_not_recorded(client, village, phone):
    cancelled = make_registration(village, status=RegistrationStatus.CANCELLED)
    waiting = make_registration(village, status=RegistrationStatus.WAITLISTED)
    elsewhere = make_registration(make_village())
    answers = sync(
        client, phone,
        scan("a", cancelled.badge_code, DOORS_OPEN),
        scan("b", waiting.badge_code, DOORS_OPEN),
        scan("c", elsewhere.badge_code, DOORS_OPEN),
        scan("d", "pas-un-badge", DOORS_OPEN),
    ).get_json()["results"]

    assert [a["result"] for a in answers] == ["cancelled", "waitlisted", "wrong_village", "unknown"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_two_phones_admitting_the_same_badge_offline_keep_both_scans_and_flag_the_later(
    client, village, phone, other_phone
):
    person = make_registration(village, first_name="Lucie", last_name="Bernard")
    # Porte 2 scanned first (09:01) but its phone syncs last.
    sync(client, phone, scan("door-1", person.badge_code, "2025-05-14T07:03:00Z"), device="p1")
    [answer] = sync(client, other_phone, scan("door-2", person.badge_code, "2025-05-14T07:01:00Z"),
                    device="p2").get_json()["results"]

    first, second = checkins_of(person)
    assert (first.scan_id, first.conflict_with_id) == ("door-1", second.id)
    assert (second.scan_id, second.conflict_with_id) == ("door-2", None)
    assert person.checked_in_at == datetime(2025, 5, 14, 7, 1)
    assert answer["result"] == "conflict"
    assert answer["conflict"] == {
        "won": True,
        "other": {"scan_id": "door-1", "scanner": "Porte 1", "scanned_at": "2025-05-14T07:03:00Z"},
    }
    # The first phone learns it on its next sync, from the roster and from a resend.
    [conflict] = client.get("/api/checkin/sisteron/roster?since=0", headers=phone).get_json()["conflicts"]
    assert conflict["scan_id"] == "door-1" and conflict["winner"]["scanner"] == "Porte 2"
    [resent] = sync(client, phone, scan("door-1", person.badge_code, "2025-05-14T07:03:00Z")).get_json()["results"]
    assert resent["result"] == "conflict" and resent["conflict"]["won"] is False


def test_a_badge_admitted_twice_is_counted_once(client, village, phone, other_phone):
    person = make_registration(village)
    sync(client, phone, scan("a", person.badge_code, "2025-05-14T07:01:00Z"))
    sync(client, other_phone, scan("b", person.badge_code, "2025-05-14T07:02:00Z"))

    attendance = client.get("/api/checkin/sisteron/attendance", headers=phone).get_json()
    assert attendance["present"] == 1


def test_an_undo_takes_back_the_admission_it_names(client, village, phone):
    person = make_registration(village)
    undo = {"id": "u1", "type": "undo", "scan_id": "s1", "scanned_at": "2025-05-14T07:02:00Z",
            "reason": "Mauvaise personne"}
    answers = sync(client, phone, scan("s1", person.badge_code, DOORS_OPEN), undo).get_json()["results"]

    assert [a["result"] for a in answers] == ["ok", "undone"]
    [admission] = checkins_of(person)
    assert admission.undone_at == datetime(2025, 5, 14, 7, 2)
    assert admission.undo_reason == "Mauvaise personne"
    assert person.checked_in_at is None
    # Resending the undo after a new admission leaves the new one alone.
    sync(client, phone, scan("s2", person.badge_code, "2025-05-14T07:05:00Z"), undo)
    assert person.checked_in_at == datetime(2025, 5, 14, 7, 5)


def test_undoing_the_first_of_two_admissions_makes_the_other_count(client, village, phone, other_phone):
    person = make_registration(village)
    sync(client, phone, scan("a", person.badge_code, "2025-05-14T07:01:00Z"))
    sync(client, other_phone, scan("b", person.badge_code, "2025-05-14T07:02:00Z"))
    sync(client, phone, {"id": "u", "type": "undo", "scan_id": "a", "scanned_at": "2025-05-14T07:03:00Z"})

    first, second = checkins_of(person)
    assert second.conflict_with_id is None
    assert person.checked_in_at == datetime(2025, 5, 14, 7, 2)


def test_a_walk_in_registered_offline_is_created_once(client, village, phone):
    event = {"id": "w1", "type": "walk_in", "scanned_at": "2025-05-14T08:30:00Z",
             "person": {"first_name": "Yanis", "last_name": "Moreau", "role": Role.HABITANT.value,
                        "organisation": "Centre social"}}
    [answer] = sync(client, phone, event).get_json()["results"]
    sync(client, phone, event)

    assert answer["result"] == "ok"
    [walk_in] = db.session.scalars(select(Registration).where(Registration.is_walk_in.is_(True)))
    assert walk_in.full_name == "Yanis Moreau"
    assert walk_in.checked_in_at == datetime(2025, 5, 14, 8, 30)


def test_a_walk_in_with_missing_fields_is_answered_field_by_field(client, village, phone):
    event = {"id": "w1", "type": "walk_in", "scanned_at": DOORS_OPEN, "person": {"first_name": "Yanis"}}
    [answer] = sync(client, phone, event).get_json()["results"]
    assert answer["result"] == "invalid"
    assert set(answer["errors"]) == {"last_name", "role"}


@pytest.mark.parametrize("payload", [
    None,
    {"events": "scan"},
    {"events": [{"id": "x", "type": "dance", "scanned_at": DOORS_OPEN}]},
    {"events": [{"id": "x", "type": "scan", "code": "abc", "scanned_at": "hier"}]},
    {"events": [{"id": "x", "type": "scan", "code": "abc", "scanned_at": "2025-05-14T09:00:00"}]},
    {"events": [{"id": "x", "type": "scan", "scanned_at": DOORS_OPEN}]},
    {"events": [{"id": "x", "type": "undo", "scanned_at": DOORS_OPEN}]},
])
def test_a_malformed_upload_is_refused_in_json(client, village, phone, payload):
    response = client.post("/api/checkin/sisteron/sync", json=payload, headers=phone)
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_a_malformed_upload_writes_nothing_even_its_valid_events(client, village, phone):
    person = make_registration(village)
    response = sync(client, phone, scan("ok", person.badge_code, DOORS_OPEN), {"id": "bad"})
    assert response.status_code == 400
    assert checkins_of(person) == []


# Organisers' page -----------------------------------------------------------------------------


def test_organisers_see_the_badges_admitted_twice(organiser_client, village, phone, other_phone):
    client = organiser_client
    person = make_registration(village, first_name="Lucie", last_name="Bernard")
    sync(client, phone, scan("a", person.badge_code, "2025-05-14T07:01:00Z"))
    sync(client, other_phone, scan("b", person.badge_code, "2025-05-14T07:02:00Z"))

    text = page_text(client.get("/checkin/sisteron/conflits"))
    assert "Lucie Bernard" in text
    assert "14 mai 2025 à 9 h 01 par Porte 1" in text
    assert "14 mai 2025 à 9 h 02 par Porte 2" in text


def test_the_page_of_badges_admitted_twice_needs_a_login(client, village):
    response = client.get("/checkin/sisteron/conflits")
    assert response.status_code == 302 and "/organisation/connexion" in response.location


def test_the_page_of_badges_admitted_twice_is_not_for_check_in_volunteers(checkin_client, village):
    assert checkin_client.get("/checkin/sisteron/conflits").status_code == 403
