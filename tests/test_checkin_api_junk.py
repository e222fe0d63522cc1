"""What an attacker or a broken phone sends to the check-in API gets a JSON 4xx, never a 500."""
import json

import pytest

from app.extensions import db
from tests.factories_registration import register

DEEP = "[" * 5000 + "]" * 5000
LONE_SURROGATE = '"\\ud800"'
EXTREME_DATES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]


def post_text(client, path: str, text: str, headers: dict):
    return client.post(path, data=text, headers={**headers, "Content-Type": "application/json"})


def assert_refused_in_json(response) -> None:
    assert 400 <= response.status_code < 500 and response.is_json, response.status_code


@pytest.mark.parametrize("path", ["/api/checkin", "/api/checkin/undo", "/api/checkin/sisteron/walk-in",
                                  "/api/checkin/sisteron/sync"])
def test_deeply_nested_json_is_refused(client, door, path):
    assert_refused_in_json(post_text(client, path, DEEP, door.headers))
    assert_refused_in_json(post_text(client, path, '{"code": ' + DEEP + "}", door.headers))


def test_deeply_nested_json_with_a_made_up_token_is_refused(client, door):
    assert_refused_in_json(post_text(client, "/api/checkin", DEEP, {"Authorization": "Bearer inventé"}))


def test_a_made_up_token_does_not_buy_a_fresh_allowance(make_app, door):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_CHECKIN="3 per minute")
    client = limited.test_client()
    statuses = [
        client.post("/api/checkin", json={"code": "x"}, headers={"Authorization": f"Bearer faux-{n}"}).status_code
        for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]


def test_a_lone_surrogate_in_a_scan_is_refused(client, door):
    assert_refused_in_json(post_text(client, "/api/checkin", '{"code": ' + LONE_SURROGATE + "}", door.headers))


def test_a_lone_surrogate_in_an_undo_reason_is_refused(client, door):
    person = register(door.village)
    client.post("/api/checkin", json={"code": person.badge_code}, headers=door.headers)
    body = json.dumps({"code": person.badge_code})[:-1] + ', "reason": ' + LONE_SURROGATE + "}"
    assert_refused_in_json(post_text(client, "/api/checkin/undo", body, door.headers))
    db.session.expire_all()
    assert person.checked_in_at is not None


def test_a_lone_surrogate_in_a_walk_in_name_is_refused(client, door):
    body = '{"first_name": ' + LONE_SURROGATE + ', "last_name": "Durand", "role": "habitant"}'
    assert_refused_in_json(post_text(client, f"/api/checkin/{door.village.slug}/walk-in", body, door.headers))


def test_a_lone_surrogate_in_a_synced_event_is_refused(client, door):
    body = ('{"device": "tel", "events": [{"id": ' + LONE_SURROGATE
            + ', "type": "scan", "code": "abc", "scanned_at": "2030-05-14T09:12:03Z"}]}')
    assert_refused_in_json(post_text(client, f"/api/checkin/{door.village.slug}/sync", body, door.headers))


@pytest.mark.parametrize("method", [{}, [], 3])
def test_a_scan_method_of_the_wrong_type_is_refused(client, door, method):
    person = register(door.village)
    response = client.post("/api/checkin", json={"code": person.badge_code, "method": method}, headers=door.headers)
    assert_refused_in_json(response)


def test_a_walk_in_name_of_the_wrong_type_is_refused(client, door):
    body = {"first_name": {"a": 1}, "last_name": ["Durand"], "role": "habitant"}
    response = client.post(f"/api/checkin/{door.village.slug}/walk-in", json=body, headers=door.headers)
    assert response.status_code == 422 and set(response.json["errors"]) == {"first_name", "last_name"}


@pytest.mark.parametrize("moment", EXTREME_DATES)
def test_a_scan_time_at_the_edge_of_the_calendar_is_refused(client, door, moment):
    person = register(door.village)
    response = client.post("/api/checkin", json={"code": person.badge_code, "scanned_at": moment},
                           headers=door.headers)
    assert_refused_in_json(response)


@pytest.mark.parametrize("moment", EXTREME_DATES)
def test_a_synced_event_at_the_edge_of_the_calendar_is_refused(client, door, moment):
    person = register(door.village)
    body = {"device": "tel", "events": [{"id": "e1", "type": "scan", "code": person.badge_code,
                                         "scanned_at": moment}]}
    response = client.post(f"/api/checkin/{door.village.slug}/sync", json=body, headers=door.headers)
    assert_refused_in_json(response)
