"""Back-office fixtures: an account of each role, and test clients logged in with them."""
import pytest

from app.extensions import db
from app.models import Organiser
from tests.helpers import IsolatedClient

PASSWORD = "mot-de-passe-solide"


def make_organiser(role: str, email: str | None = None, **fields) -> Organiser:
    organiser = Organiser(email=email or f"{role}@villages.test", role=role, name=role.title(), **fields)
    organiser.set_password(PASSWORD)
    db.session.add(organiser)
    db.session.commit()
    return organiser


def sign_in_browser(page, role: str, email: str) -> None:
    """A new account of that role, logged in through the form in the browser `page`.

    Creating the account commits the test's rows too; a test reads nothing afterwards, so that
    none of its transactions holds the SQLite database while the server answers."""
    make_organiser(role, email=email)
    page.goto("/organisation/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/organisation/**")


def log_in(client, email: str, password: str = PASSWORD):
    return client.post("/organisation/connexion", data={"email": email, "password": password})


@pytest.fixture
def logged_in(app):
    """logged_in(role) -> a test client logged in with a new account of that role."""

    def client_for(role: str, **fields):
        organiser = make_organiser(role, **fields)
        client = IsolatedClient(app, app.response_class, use_cookies=True)
        response = log_in(client, organiser.email)
        assert response.status_code == 302, "the test account could not log in"
        client.organiser = organiser
        return client

    return client_for


@pytest.fixture
def admin_client(logged_in):
    return logged_in("admin")


@pytest.fixture
def organiser_client(logged_in):
    return logged_in("organiser")


@pytest.fixture
def checkin_client(logged_in):
    return logged_in("checkin")
