"""Logging in at the same instant, through real concurrent HTTP requests: every failure is
counted (parallel guesses do not escape the growing wait), and no mix of right and wrong
answers ends in an error. Each race is tried many times and every failure counted; on
PostgreSQL these are real row races (run with TEST_DATABASE_URL)."""
import pyotp
from sqlalchemy import delete, select

from app.extensions import db
from app.models import LoginThrottle, Organiser, OrganiserRole
from tests.fixtures_backoffice import PASSWORD, make_organiser
from tests.test_security_races import Call, at_once

TRIES = 12


def login(email: str, password: str, code: str = "") -> Call:
    return Call("/organisation/connexion", form={"email": email, "password": password, "code": code})


def counted_failures(email: str) -> int:
    found = db.session.scalar(select(LoginThrottle.failures).where(LoginThrottle.email == email)) or 0
    db.session.commit()
    return found


def forget_failures() -> None:
    db.session.execute(delete(LoginThrottle))
    db.session.commit()


def one_failure_before(email: str) -> None:
    """A wrong password typed a moment ago: the row that a login changes or removes."""
    forget_failures()
    db.session.add(LoginThrottle(email=email, address="127.0.0.1", failures=1))
    db.session.commit()


def test_eight_wrong_passwords_sent_at_once_count_eight_failures(live_server, app):
    make_organiser(OrganiserRole.ORGANISER, email="cible@villages.test")
    wrong = []
    for number in range(TRIES // 3):
        email = "cible@villages.test" if number % 2 else f"inconnu{number}@villages.test"
        statuses = at_once(live_server, [login(email, f"devine-{guess}") for guess in range(8)])
        if statuses != [401] * 8 or counted_failures(email) != 8:
            wrong.append((statuses, counted_failures(email)))
        forget_failures()
    assert wrong == [], f"{len(wrong)} échecs sur {TRIES // 3} essais : {wrong}"


def test_the_right_and_a_wrong_password_at_the_same_instant_never_give_an_error(live_server, app):
    make_organiser(OrganiserRole.ORGANISER, email="equipe@villages.test")
    wrong = []
    for _ in range(TRIES):
        one_failure_before("equipe@villages.test")
        statuses = at_once(live_server, [login("equipe@villages.test", PASSWORD),
                                         login("equipe@villages.test", "mauvais-mot-de-passe")])
        if statuses != [302, 401]:
            wrong.append(statuses)
    assert wrong == [], f"{len(wrong)} échecs sur {TRIES} essais : {wrong}"


def test_a_double_clicked_two_factor_code_logs_in_once_and_never_gives_an_error(live_server, app):
    secret = pyotp.random_base32()
    admin = make_organiser(OrganiserRole.ADMIN, email="admin@villages.test", totp_secret=secret)
    wrong = []
    for _ in range(TRIES):
        one_failure_before(admin.email)
        db.session.get(Organiser, admin.id).totp_last_step = None
        db.session.commit()
        code = pyotp.TOTP(secret).now()
        statuses = sorted(at_once(live_server, [login(admin.email, PASSWORD, code)] * 2))
        if statuses != [302, 401]:
            wrong.append(statuses)
    assert wrong == [], f"{len(wrong)} échecs sur {TRIES} essais : {wrong}"
