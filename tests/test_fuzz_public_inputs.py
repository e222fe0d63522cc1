"""Arbitrary text, unicode, control characters, huge values and missing fields thrown at the
public forms and the JSON API: never a 500, and nothing written for an invalid submission."""
from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from app.models import CheckIn, OutboxMessage, Registration
from app.timeutil import local_today
from tests.factories import make_village
from tests.fixtures_checkin import make_scanner_link
from tests.fuzzing import anything, count, form_data, fuzz, json_objects, json_texts

REGISTRATION_FIELDS = [
    "role", "first_name", "last_name", "email", "phone", "commune", "postcode", "lunch", "dietary_needs",
    "accessibility_needs", "initiative_name", "initiative_summary", "support_needs", "consent_photos", "website",
]
SCAN_FIELDS = ["code", "scan_id", "scanned_at", "method", "registration_id", "village"]
FUZZ = fuzz(max_examples=60)


def is_a_complete_registration(data: dict) -> bool:
    return data.get("website", "") == "" and all(data.get(name) for name in ("role", "first_name", "last_name", "email"))


@FUZZ
@given(data=form_data(REGISTRATION_FIELDS))
def test_the_registration_form_never_fails_and_writes_only_valid_registrations(client, data):
    village = make_village()
    before = count(Registration), count(OutboxMessage)
    response = client.post(f"/villages/{village.slug}/inscription", data=data)
    assert response.status_code < 500
    if response.status_code != 302:
        assert (count(Registration), count(OutboxMessage)) == before
    else:
        assert is_a_complete_registration(data)
    db.session.rollback()


@FUZZ
@given(email=anything)
def test_asking_for_the_confirmation_again_never_fails(client, email):
    village = make_village()
    assert client.post(f"/villages/{village.slug}/renvoyer-confirmation", data={"email": email}).status_code < 500
    db.session.rollback()


@FUZZ
@given(body=json_texts(json_objects(SCAN_FIELDS)))
def test_the_check_in_api_answers_every_body_in_json_without_failing(client, body):
    door = make_scanner_link(make_village(day=local_today()))
    response = client.post("/api/checkin", data=body, headers={**door.headers, "Content-Type": "application/json"})
    assert response.status_code < 500
    assert response.is_json
    if response.status_code >= 400:
        assert count(CheckIn) == 0
    db.session.rollback()


@FUZZ
@given(raw=st.binary(max_size=300))
def test_the_check_in_api_survives_bodies_that_are_not_json(client, raw):
    door = make_scanner_link(make_village(day=local_today()))
    response = client.post("/api/checkin", data=raw, headers={**door.headers, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.is_json
    db.session.rollback()


def test_text_with_a_nul_character_is_refused_before_reaching_the_database(client):
    for response in (client.post("/villages/x/renvoyer-confirmation", data={"email": "a\x00@example.org"}),
                     client.get("/?q=\x00")):
        assert response.status_code == 400
