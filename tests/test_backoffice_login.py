"""Logging in to the back office, logging out, and creating accounts from the shell (throttling:
tests/test_backoffice_lockout.py)."""

import pytest
from sqlalchemy import func, select

from app.demo import data as demo_data
from app.extensions import db
from app.models import Organiser, OutboxMessage, Village
from tests.factories_registration import register
from tests.fixtures_backoffice import PASSWORD, log_in, make_organiser
from tests.helpers import IsolatedClient
from tests.helpers import page_text

REFUSED = "Connexion impossible : adresse e-mail, mot de passe ou code de vérification incorrect."


def anonymous(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


def test_an_organiser_logs_in_and_lands_on_the_dashboard(app):
    make_organiser("organiser")
    client = anonymous(app)
    response = log_in(client, "Organiser@Villages.test ")
    assert response.status_code == 302 and response.headers["Location"] == "/organisation/"
    assert "Tableau de bord" in page_text(client.get("/organisation/"))


def test_a_checkin_account_lands_on_its_villages(app):
    make_organiser("checkin")
    response = log_in(anonymous(app), "checkin@villages.test")
    assert response.headers["Location"] == "/organisation/accueil"


def test_login_returns_to_the_page_first_asked_for(app):
    make_organiser("organiser")
    response = anonymous(app).post("/organisation/connexion?next=/organisation/villages",
                                   data={"email": "organiser@villages.test", "password": PASSWORD})
    assert response.headers["Location"] == "/organisation/villages"


@pytest.mark.parametrize("elsewhere", ["//evil.example/", "/%5Cevil.example/", "/%5C%5Cevil.example/"])
def test_login_never_returns_to_another_site(app, elsewhere):
    make_organiser("organiser")
    response = anonymous(app).post(f"/organisation/connexion?next={elsewhere}",
                                   data={"email": "organiser@villages.test", "password": PASSWORD})
    assert response.headers["Location"] == "/organisation/"


def test_wrong_password_and_unknown_email_get_the_same_french_message(app):
    make_organiser("organiser")
    wrong_password = log_in(anonymous(app), "organiser@villages.test", "pas le bon")
    unknown = log_in(anonymous(app), "personne@villages.test", "pas le bon")
    assert wrong_password.status_code == unknown.status_code == 401
    assert REFUSED in page_text(wrong_password)
    assert page_text(wrong_password) == page_text(unknown)


def test_a_deactivated_account_cannot_log_in(app):
    make_organiser("organiser", active=False)
    assert log_in(anonymous(app), "organiser@villages.test").status_code == 401


def test_deactivating_an_account_ends_its_open_sessions(app, organiser_client):
    organiser_client.organiser.active = False
    db.session.commit()
    response = organiser_client.get("/organisation/villages")
    assert response.status_code == 302 and "/organisation/connexion" in response.headers["Location"]


def test_logging_out_closes_the_session(organiser_client):
    assert organiser_client.post("/organisation/deconnexion").status_code == 302
    assert organiser_client.get("/organisation/villages").status_code == 302


def test_the_session_cookie_is_httponly_and_samesite(app):
    make_organiser("organiser")
    response = log_in(anonymous(app), "organiser@villages.test")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_login_form_is_protected_against_cross_site_requests(app, csrf_enabled):
    make_organiser("organiser")
    client = anonymous(app)
    response = log_in(client, "organiser@villages.test")
    assert response.status_code == 400 and "Le formulaire a expiré" in page_text(response)
    assert client.get("/organisation/villages").status_code == 302


def test_passwords_are_stored_hashed_with_scrypt(app):
    organiser = make_organiser("admin")
    assert organiser.password_hash.startswith("scrypt:") and PASSWORD not in organiser.password_hash


def test_organiser_create_command_creates_an_account_that_logs_in(app):
    result = app.test_cli_runner().invoke(
        args=["organiser", "create", "Lea@Villages.test", "--role", "admin", "--password", "un-bon-mot-de-passe"]
    )
    assert result.exit_code == 0, result.output
    assert "Compte lea@villages.test créé, accès : administration." in result.output
    assert log_in(anonymous(app), "lea@villages.test", "un-bon-mot-de-passe").status_code == 302


def test_organiser_create_command_prompts_for_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["organiser", "create", "sam@villages.test", "--role", "checkin"],
        input="un-bon-mot-de-passe\nun-bon-mot-de-passe\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(Organiser).filter_by(email="sam@villages.test")).role == "checkin"


def test_organiser_create_command_refuses_a_short_password_or_a_taken_email(app):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["organiser", "create", "a@villages.test", "--role", "admin", "--password", "court"])
    assert short.exit_code != 0 and "au moins 10 caractères" in short.output
    make_organiser("admin", email="pris@villages.test")
    taken = runner.invoke(args=["organiser", "create", "pris@villages.test", "--role", "admin", "--password", "un-bon-mot-de-passe"])
    assert taken.exit_code != 0 and "existe déjà" in taken.output


def test_demo_command_mails_none_of_the_demo_people_but_a_newcomer_still_gets_a_confirmation(app):
    app.test_cli_runner().invoke(args=["demo"])
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    newcomer = register(db.session.scalar(select(Village).where(Village.slug == "avignon")))
    assert db.session.scalars(select(OutboxMessage.recipient)).all() == [newcomer.email]


def test_demo_command_creates_an_admin_that_logs_in_with_the_printed_password(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert f"{demo_data.DEMO_ADMIN_EMAIL}, mot de passe : {demo_data.DEMO_ADMIN_PASSWORD}" in result.output
    again = app.test_cli_runner().invoke(args=["demo"])
    assert "déjà présent" in again.output.splitlines()[-1]
    response = log_in(anonymous(app), demo_data.DEMO_ADMIN_EMAIL, demo_data.DEMO_ADMIN_PASSWORD)
    assert response.headers["Location"] == "/organisation/"
