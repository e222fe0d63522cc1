"""Arbitrary input thrown at the participant's private forms, the organisers' login and the rest
of the check-in API: never a 500, JSON for machines, and nothing written when it is refused."""
from urllib.parse import quote, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from app.models import AuditEntry, CheckIn, Organiser, OutboxMessage, Registration, RegistrationStatus
from app.public.forms import answers_of
from app.services import checkin
from app.timeutil import local_today
from tests.factories import make_village
from tests.factories_registration import register
from tests.fixtures_backoffice import PASSWORD, make_organiser
from tests.fixtures_checkin import make_scanner_link
from tests.fuzzing import anything, count, form_data, fuzz, json_objects, json_texts, json_values
from tests.test_fuzz_public_inputs import REGISTRATION_FIELDS, SCAN_FIELDS

FUZZ = fuzz(max_examples=30)
PRIVATE_PAGES = ["", "/modifier", "/annuler", "/effacer", "/badge.pdf", "/mes-donnees.json"]
WALK_IN_FIELDS = ["first_name", "last_name", "role", "organisation", "commune", "email", "over_capacity", "scan_id",
                  "rehearsal"]
SYNC_EVENT_FIELDS = ["id", "type", "scanned_at", "code", "code_hash", "method", "scan_id", "reason", "person"]

sync_events = st.fixed_dictionaries(
    {}, optional={name: json_values for name in SYNC_EVENT_FIELDS}
    | {"type": st.sampled_from(["scan", "walk_in", "undo"]) | json_values}
)
sync_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={"device": json_values, "events": st.lists(sync_events, max_size=4) | json_values}),
)


def writes() -> tuple[int, ...]:
    return count(Registration), count(CheckIn), count(AuditEntry), count(OutboxMessage)


def post_json_text(client, path: str, body: str, door):
    return client.post(path, data=body, headers={**door.headers, "Content-Type": "application/json"})


def post_to_the_door(client, door, action: str, body: str) -> None:
    """POST the JSON text `body` to the village's check-in API: answered in JSON, nothing written if refused."""
    before = writes()
    response = post_json_text(client, f"/api/checkin/{door.village.slug}/{action}", body, door)
    assert response.status_code < 500 and response.is_json
    if response.status_code >= 400:
        assert writes() == before


# The JSON calls of the application (its POST routes under /api/), each thrown arbitrary bodies by
# a property below or in tests/test_fuzz_public_inputs.py (the scan).
FUZZED_JSON_CALLS = {"checkin.api_check_in", "checkin.api_undo", "checkin.api_walk_in", "checkin.api_sync"}


def test_every_json_call_is_thrown_arbitrary_bodies(app):
    calls = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods and rule.rule.startswith("/api/")}
    assert calls == FUZZED_JSON_CALLS, "un appel JSON nouveau demande sa propriété ici"


# --- The participant's private link --------------------------------------------------------------


@FUZZ
@given(data=form_data(REGISTRATION_FIELDS))
def test_the_edit_form_never_fails_and_changes_nothing_when_refused(client, data):
    registration = register(make_village())
    before = answers_of(registration), writes()
    response = client.post(f"/inscription/{registration.manage_token}/modifier", data=data)
    assert response.status_code < 500
    if response.status_code != 302:
        db.session.expire_all()
        assert (answers_of(registration), writes()) == before
    db.session.rollback()


@FUZZ
@given(page=st.sampled_from(PRIVATE_PAGES), token=anything, data=form_data(REGISTRATION_FIELDS))
def test_a_wrong_private_link_is_not_found_and_writes_nothing(client, page, token, data):
    registration = register(make_village())
    before = writes()
    url = f"/inscription/{quote(token, safe='')}{page}"
    for response in (client.get(url), client.post(url, data=data)):
        assert response.status_code in (308, 400, 404, 405)  # 308: "//" merged
    assert writes() == before
    assert registration.status == RegistrationStatus.CONFIRMED
    db.session.rollback()


@FUZZ
@given(data=form_data(["website", "confirm", "csrf_token", "reason", "email"]))
def test_the_cancel_and_erase_forms_ignore_whatever_else_is_sent(client, data):
    registration = register(make_village())
    token = registration.manage_token
    if any("\x00" in value for value in data.values()):  # refused before anything is read
        before = writes()
        for action in ("annuler", "effacer"):
            assert client.post(f"/inscription/{token}/{action}", data=data).status_code == 400
        assert writes() == before and registration.status == RegistrationStatus.CONFIRMED
    else:
        assert client.post(f"/inscription/{token}/annuler", data=data).status_code == 302
        assert registration.status == RegistrationStatus.CANCELLED
        assert client.post(f"/inscription/{token}/effacer", data=data).status_code == 200
        assert registration.anonymised_at is not None
    db.session.rollback()


# --- The organisers' login -----------------------------------------------------------------------


@FUZZ
@given(data=form_data(["email", "password", "remember"]))
def test_the_login_form_never_fails_and_lets_no_one_in_without_the_password(client, data):
    make_organiser("organiser", email=f"orga{count(Organiser)}@villages.test")
    response = client.post("/organisation/connexion", data=data)
    assert response.status_code in (200, 400, 401, 429)  # 429: this address failed too often
    assert client.get("/organisation/").status_code == 302
    db.session.rollback()


@FUZZ
@given(target=anything)
def test_after_logging_in_no_next_address_leads_off_the_site(client, target):
    organiser = make_organiser("organiser", email=f"orga{count(Organiser)}@villages.test")
    response = client.post(
        f"/organisation/connexion?next={quote(target, safe='')}", data={"email": organiser.email, "password": PASSWORD}
    )
    assert response.status_code < 500
    if response.status_code == 302:
        location = urlsplit(response.headers["Location"])
        # As a browser reads it: a backslash counts as a slash.
        assert not location.netloc and not location.path.replace("\\", "/").startswith("//")
    client.post("/organisation/deconnexion")
    db.session.rollback()


# --- The check-in API ----------------------------------------------------------------------------


@FUZZ
@given(body=json_texts(json_objects([*SCAN_FIELDS, "reason"])))
def test_the_undo_api_never_fails_and_keeps_the_admission_when_refused(client, body):
    door = make_scanner_link(make_village(day=local_today()))
    registration = register(door.village)
    checkin.check_in(door.village, registration.badge_code, scanner="essai")
    db.session.commit()
    before = writes()
    response = post_json_text(client, "/api/checkin/undo", body, door)
    assert response.status_code < 500 and response.is_json
    if response.status_code >= 400:
        db.session.expire_all()
        assert writes() == before
        assert registration.checked_in_at is not None
    db.session.rollback()


@FUZZ
@given(query=anything, extra=st.dictionaries(st.text(max_size=10), anything, max_size=3))
def test_the_search_api_answers_any_query_in_json(client, query, extra):
    door = make_scanner_link(make_village(day=local_today()))
    register(door.village)
    response = client.get(f"/api/checkin/{door.village.slug}/search", query_string={**extra, "q": query},
                          headers=door.headers)
    assert response.status_code in (200, 400) and response.is_json
    db.session.rollback()


@FUZZ
@given(body=json_texts(json_objects(WALK_IN_FIELDS)))
def test_the_walk_in_api_never_fails_and_writes_nothing_when_refused(client, body):
    post_to_the_door(client, make_scanner_link(make_village(day=local_today())), "walk-in", body)
    db.session.rollback()


@FUZZ
@given(body=json_texts(sync_bodies))
def test_the_sync_api_never_fails_and_writes_nothing_for_a_malformed_queue(client, body):
    door = make_scanner_link(make_village(day=local_today()))
    register(door.village)
    post_to_the_door(client, door, "sync", body)
    db.session.rollback()


@FUZZ
@given(since=anything | st.integers().map(str))
def test_the_roster_api_answers_any_cursor_in_json(client, since):
    door = make_scanner_link(make_village(day=local_today()))
    register(door.village)
    response = client.get(f"/api/checkin/{door.village.slug}/roster", query_string={"since": since},
                          headers=door.headers)
    assert response.status_code in (200, 400) and response.is_json
    db.session.rollback()


def test_a_roster_cursor_other_than_a_plain_number_is_refused(client, door):
    for since in ("²", "٣", "9" * 30, "-1", " 1"):
        response = client.get(f"/api/checkin/{door.village.slug}/roster", query_string={"since": since},
                              headers=door.headers)
        assert response.status_code == 400 and "since" in response.json["error"]


@FUZZ
@given(path=st.sampled_from(["search", "roster", "walk-in", "sync"]), slug=anything.filter(lambda s: "/" not in s))
def test_an_unknown_village_in_the_api_path_is_answered_in_json(client, path, slug):
    door = make_scanner_link(make_village(day=local_today()))
    url = f"/api/checkin/{quote(slug, safe='')}/{path}"
    response = client.post(url, json={}, headers=door.headers) if path in ("walk-in", "sync") else client.get(
        url, headers=door.headers)
    assert response.status_code in (400, 403, 404) and response.is_json
    db.session.rollback()
