"""An organiser who forgot their password gets a single-use link by e-mail; admins may add TOTP codes."""
import re
import time
from email import message_from_bytes, policy

import pyotp
from itsdangerous import TimestampSigner
from sqlalchemy import select

from app.documents import mail as mail_document
from app.extensions import db
from app.models import OutboxMessage
from app.runtime import outbox
from tests.fixtures_backoffice import PASSWORD, log_in, make_organiser
from tests.helpers import IsolatedClient, page_text

FORGOTTEN = "/organisation/mot-de-passe-oublie"
NEW_PASSWORD = "un-tout-nouveau-mot"


def anonymous(app) -> IsolatedClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


def reset_mails() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")))


def reset_link(mail: OutboxMessage) -> str:
    body = message_from_bytes(mail_document.render(mail), policy=policy.default).get_body(("plain",)).get_content()
    return re.search(r"http://\S+(/organisation/mot-de-passe/\S+)", body).group(1)


def ask_for_a_link(app, email: str):
    return anonymous(app).post(FORGOTTEN, data={"email": email})


def choose(app, link: str, password: str = NEW_PASSWORD):
    return anonymous(app).post(link, data={"password": password, "confirmation": password})


def test_the_link_is_sent_through_the_outbox_and_reaches_the_mailbox(app, smtp_server):
    organiser = make_organiser("organiser")
    response = ask_for_a_link(app, "Organiser@villages.test ")
    assert response.status_code == 200
    [mail] = reset_mails()
    assert mail.recipient == organiser.email
    outbox.deliver_due()
    [received] = smtp_server.wait_for(1)
    assert "/organisation/mot-de-passe/" in received.get_body(("plain",)).get_content()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app):
    make_organiser("organiser")
    known, unknown = ask_for_a_link(app, "organiser@villages.test"), ask_for_a_link(app, "personne@villages.test")
    assert known.status_code == unknown.status_code == 200
    assert page_text(known) == page_text(unknown)
    assert len(reset_mails()) == 1


def test_a_deactivated_account_gets_no_link(app):
    make_organiser("organiser", active=False)
    ask_for_a_link(app, "organiser@villages.test")
    assert reset_mails() == []


def test_the_link_sets_a_new_password_once(app):
    organiser = make_organiser("organiser")
    ask_for_a_link(app, organiser.email)
    link = reset_link(reset_mails()[0])
    assert choose(app, link).status_code == 302
    assert log_in(anonymous(app), organiser.email, NEW_PASSWORD).status_code == 302
    assert log_in(anonymous(app), organiser.email, PASSWORD).status_code == 401
    again = choose(app, link, "encore-un-autre-mot")
    assert again.status_code == 404
    assert log_in(anonymous(app), organiser.email, NEW_PASSWORD).status_code == 302


def test_the_link_expires_after_thirty_minutes(app, monkeypatch):
    organiser = make_organiser("organiser")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 31 * 60)
    ask_for_a_link(app, organiser.email)
    monkeypatch.undo()
    assert choose(app, reset_link(reset_mails()[0])).status_code == 404


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, organiser_client):
    ask_for_a_link(app, organiser_client.organiser.email)
    choose(app, reset_link(reset_mails()[0]))
    assert organiser_client.get("/organisation/villages").status_code == 302


def test_a_too_short_new_password_is_refused_next_to_the_field(app):
    organiser = make_organiser("organiser")
    ask_for_a_link(app, organiser.email)
    response = choose(app, reset_link(reset_mails()[0]), "court")
    assert response.status_code == 422 and "Au moins 10 caractères" in page_text(response)


# --- Two-factor authentication for admins ------------------------------------------------------------

TWO_FACTOR = "/organisation/compte/double-authentification"


def enable_totp(admin_client) -> pyotp.TOTP:
    page = admin_client.get(TWO_FACTOR).get_data(as_text=True)
    secret = re.search(r"secret=([A-Z2-7]+)", page).group(1)
    totp = pyotp.TOTP(secret)
    assert admin_client.post(TWO_FACTOR, data={"code": totp.now()}).status_code == 302
    return totp


def next_code(totp: pyotp.TOTP) -> str:
    """The code the app shows in 30 seconds: accepted now (clocks drift), and not the one just used."""
    return totp.at(time.time() + totp.interval)


def log_in_with_code(app, email: str, code: str):
    return anonymous(app).post("/organisation/connexion", data={"email": email, "password": PASSWORD, "code": code})


def test_an_admin_with_totp_needs_the_code_to_log_in(app, admin_client):
    totp = enable_totp(admin_client)
    email = admin_client.organiser.email
    assert log_in(anonymous(app), email).status_code == 401
    assert log_in_with_code(app, email, "000000" if next_code(totp) != "000000" else "111111").status_code == 401
    assert log_in_with_code(app, email, next_code(totp)).status_code == 302


def test_a_code_is_accepted_once(app, admin_client):
    totp = enable_totp(admin_client)
    email = admin_client.organiser.email
    assert log_in_with_code(app, email, totp.now()).status_code == 401  # used to turn TOTP on
    code = next_code(totp)
    assert log_in_with_code(app, email, code).status_code == 302
    assert log_in_with_code(app, email, code).status_code == 401


def test_a_wrong_code_does_not_turn_totp_on(app, admin_client):
    admin_client.get(TWO_FACTOR)
    response = admin_client.post(TWO_FACTOR, data={"code": "12"})
    assert response.status_code == 422
    assert log_in(anonymous(app), admin_client.organiser.email).status_code == 302


def test_an_admin_turns_totp_off_with_a_current_code(app, admin_client):
    totp = enable_totp(admin_client)
    assert admin_client.post(f"{TWO_FACTOR}/desactiver", data={"code": next_code(totp)}).status_code == 302
    assert log_in(anonymous(app), admin_client.organiser.email).status_code == 302


def test_totp_is_offered_to_admins_only(organiser_client):
    assert organiser_client.get(TWO_FACTOR).status_code == 403


def statements_of(app, email: str) -> list[str]:
    """The SQL statements a reset request runs, each reduced to its verb and table."""
    from sqlalchemy import event

    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        words = statement.split()
        seen.append(" ".join(words[:3]) if words[0] in ("INSERT", "DELETE", "UPDATE") else words[0])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert ask_for_a_link(app, email).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_a_reset_asked_for_an_unknown_address_runs_the_same_statements_as_for_an_account(app):
    """The time of the answer must not tell who has an account: the same work either way."""
    make_organiser("organiser")
    make_organiser("checkin", email="ancien@villages.test", active=False)
    known = statements_of(app, "organiser@villages.test")
    assert statements_of(app, "personne@villages.test") == known
    assert statements_of(app, "ancien@villages.test") == known
    assert len(reset_mails()) == 1
