"""Registration, login and check-in are limited per client (per scanner for check-in),
on the in-process storage and on Redis, and the limit answers in French or in JSON."""
import re
import secrets

import pytest

from app.checkin.access import checkin_limit
from app.extensions import db
from app.security import login_limit, registration_limit
from tests.factories import make_village
from tests.fixtures_checkin import make_scanner_link
from tests.helpers import page_text

STORAGES = ["memory://", "redis://127.0.0.1:6379/13"]


def a_client_address() -> str:
    # Redis keeps counts between test runs: each test counts for an address of its own.
    return f"10.{secrets.randbelow(255)}.{secrets.randbelow(255)}.{secrets.randbelow(254) + 1}"


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture(params=STORAGES, ids=["memory", "redis"])
def limited_app(request, make_app):
    """A fresh app with limits switched on and one route wearing each named limit."""
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=request.param,
        RATELIMIT_REGISTRATION="3 per minute",
        RATELIMIT_LOGIN="2 per minute",
        RATELIMIT_CHECKIN="4 per minute",
    )

    @registration_limit
    def register():
        return "inscrit"

    @login_limit
    def login():
        return "connecté"

    @checkin_limit
    def checkin():
        return {"ok": True}

    app.add_url_rule("/essai/inscription", "essai_inscription", register, methods=["GET", "POST"])
    app.add_url_rule("/essai/connexion", "essai_connexion", login, methods=["GET", "POST"])
    app.add_url_rule("/api/essai/checkin", "essai_checkin", checkin, methods=["POST"])
    return app


@pytest.fixture
def visitor(limited_app):
    return client_at(limited_app, a_client_address())


def post_times(client, path: str, times: int, **kwargs) -> list[int]:
    return [client.post(path, **kwargs).status_code for _ in range(times)]


def test_registrations_beyond_the_limit_get_a_french_page(visitor):
    assert post_times(visitor, "/essai/inscription", 3) == [200, 200, 200]
    refused = visitor.post("/essai/inscription")
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    # The page says how long to wait, in words, as the limit says it.
    assert re.search(r"vous pourrez réessayer dans \d+\s(?:secondes?|minutes?|heures?)\.", page_text(refused))


def test_reading_the_registration_form_is_not_limited(visitor):
    assert {visitor.get("/essai/inscription").status_code for _ in range(6)} == {200}


def test_each_address_has_its_own_allowance(limited_app, visitor):
    post_times(visitor, "/essai/inscription", 4)
    neighbour = client_at(limited_app, a_client_address())
    assert neighbour.post("/essai/inscription").status_code == 200


def test_logins_are_limited(visitor):
    assert post_times(visitor, "/essai/connexion", 3) == [200, 200, 429]


def test_check_in_is_limited_per_scanner_token_with_a_json_answer(app, limited_app):
    # Two scanners on the same venue wifi: one address, two tokens.
    village = make_village()
    first, second = make_scanner_link(village, "Entrée nord").headers, make_scanner_link(village, "Entrée sud").headers
    db.session.rollback()
    door = client_at(limited_app, a_client_address())
    assert post_times(door, "/api/essai/checkin", 4, headers=first) == [200] * 4
    refused = door.post("/api/essai/checkin", headers=first)
    assert refused.status_code == 429
    assert refused.get_json()["error"].startswith("Trop de tentatives")
    assert door.post("/api/essai/checkin", headers=second).status_code == 200


def app_with_one_registration_a_minute(make_app, enabled: bool):
    app = make_app(RATELIMIT_ENABLED=enabled, RATELIMIT_REGISTRATION="1 per minute")

    @registration_limit
    def register():
        return "inscrit"

    app.add_url_rule("/essai/inscription", "essai_inscription", register, methods=["POST"])
    return app


def test_each_app_follows_its_own_switch_whatever_the_order_they_were_built(make_app):
    # One limiter object serves every app of the process (the shared test app has limits off).
    off_before = app_with_one_registration_a_minute(make_app, enabled=False)
    on = app_with_one_registration_a_minute(make_app, enabled=True)
    off_after = app_with_one_registration_a_minute(make_app, enabled=False)
    for unlimited in (off_before, off_after):
        assert post_times(client_at(unlimited, a_client_address()), "/essai/inscription", 3) == [200] * 3
    assert post_times(client_at(on, a_client_address()), "/essai/inscription", 2) == [200, 429]


def test_behind_a_proxy_the_forwarded_address_is_counted(make_app):
    app = make_app(PROXY_COUNT=1, RATELIMIT_ENABLED=True, RATELIMIT_REGISTRATION="1 per minute")

    @registration_limit
    def register():
        return "inscrit"

    app.add_url_rule("/essai/inscription", "essai_inscription", register, methods=["POST"])
    proxy = app.test_client()
    first, second = a_client_address(), a_client_address()
    assert proxy.post("/essai/inscription", headers={"X-Forwarded-For": first}).status_code == 200
    assert proxy.post("/essai/inscription", headers={"X-Forwarded-For": second}).status_code == 200
    assert proxy.post("/essai/inscription", headers={"X-Forwarded-For": first}).status_code == 429


def test_the_real_check_in_api_counts_per_scanner_link(app, make_app):
    village = make_village()
    first, second = make_scanner_link(village, "Entrée nord"), make_scanner_link(village, "Entrée sud")
    db.session.rollback()  # the test's transaction must not hold SQLite's lock while the app writes
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_CHECKIN="2 per minute")
    door = client_at(limited, a_client_address())
    scan = {"code": "inconnu"}
    answers = [door.post("/api/checkin", json=scan, headers=first.headers).status_code for _ in range(3)]
    assert answers[2] == 429 and 429 not in answers[:2]
    assert door.post("/api/checkin", json=scan, headers=second.headers).status_code != 429
