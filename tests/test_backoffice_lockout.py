"""Wrong passwords slow down whoever sends them, from their address, never the account's owner."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import LoginThrottle
from app.timeutil import utcnow
from tests.fixtures_backoffice import PASSWORD, make_organiser
from tests.helpers import IsolatedClient, page_text

ATTACKER = "203.0.113.9"
DOOR_PHONE = "198.51.100.7"
TOO_MANY = "Trop d'essais manqués depuis cette connexion"


def attempt(app, email: str, password: str, address: str):
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    return client.post("/organisation/connexion", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def end_current_delay() -> None:
    for throttle in db.session.scalars(select(LoginThrottle)):
        throttle.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_a_stranger_s_wrong_passwords_do_not_lock_out_the_door_team(app):
    volunteer = make_organiser("checkin")
    for _ in range(20):
        attempt(app, volunteer.email, "devine", ATTACKER)
    assert attempt(app, volunteer.email, PASSWORD, DOOR_PHONE).status_code == 302


def test_the_address_sending_wrong_passwords_waits_longer_and_longer(app):
    volunteer = make_organiser("checkin")
    delays = []
    for _ in range(6):
        attempt(app, volunteer.email, "devine", ATTACKER)
        throttle = db.session.scalar(select(LoginThrottle).execution_options(populate_existing=True))
        if throttle.blocked_until is not None:
            delays.append(throttle.blocked_until - utcnow())
        end_current_delay()
    assert len(delays) >= 3 and delays == sorted(delays) and delays[0] < delays[-1]


def test_while_it_waits_even_the_right_password_is_refused_from_that_address(app):
    volunteer = make_organiser("checkin")
    for _ in range(5):
        attempt(app, volunteer.email, "devine", ATTACKER)
    response = attempt(app, volunteer.email, PASSWORD, ATTACKER)
    assert response.status_code == 429 and TOO_MANY in page_text(response)


def test_an_unknown_address_is_slowed_down_the_same_way(app):
    for _ in range(5):
        attempt(app, "personne@villages.test", "devine", ATTACKER)
    response = attempt(app, "personne@villages.test", "devine", ATTACKER)
    assert response.status_code == 429 and TOO_MANY in page_text(response)


def test_an_admin_unlocks_an_account_for_every_address(app, admin_client):
    volunteer = make_organiser("checkin")
    for _ in range(5):
        attempt(app, volunteer.email, "devine", ATTACKER)
    response = admin_client.post(f"/organisation/comptes/{volunteer.id}/debloquer")
    assert response.status_code == 302
    assert attempt(app, volunteer.email, PASSWORD, ATTACKER).status_code == 302


def test_a_successful_login_forgets_that_address_s_failures(app):
    volunteer = make_organiser("checkin")
    for _ in range(2):
        attempt(app, volunteer.email, "devine", DOOR_PHONE)
    attempt(app, volunteer.email, PASSWORD, DOOR_PHONE)
    assert db.session.scalar(select(LoginThrottle)) is None


def test_the_nightly_purge_forgets_failed_logins_a_day_old_and_keeps_recent_ones(app):
    volunteer = make_organiser("checkin")
    attempt(app, volunteer.email, "devine", ATTACKER)
    attempt(app, volunteer.email, "devine", DOOR_PHONE)
    old = db.session.scalar(select(LoginThrottle).where(LoginThrottle.address == ATTACKER))
    old.last_failure_at = utcnow() - timedelta(days=2)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["purge"])

    assert "Échecs de connexion oubliés : 1" in result.output
    assert [t.address for t in db.session.scalars(select(LoginThrottle))] == [DOOR_PHONE]
