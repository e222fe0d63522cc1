"""Each back-office URL, opened by each kind of visitor: the role is checked on the server."""
import pytest

from app.extensions import db
from app.models import Registration, RegistrationStatus
from tests.factories import make_registration, make_village
from tests.fixtures_backoffice import make_organiser
from tests.helpers import page_text

ORGANISERS = {"organiser", "admin"}
ADMINS = {"admin"}
EVERYONE = {"checkin", "organiser", "admin"}

PAGES = [
    ("/organisation/accueil", EVERYONE),
    ("/organisation/villages", ORGANISERS),
    ("/organisation/villages/nouveau", ORGANISERS),
    ("/organisation/villages/{village}", ORGANISERS),
    ("/organisation/villages/{village}/modifier", ORGANISERS),
    ("/organisation/villages/{village}/dupliquer", ORGANISERS),
    ("/organisation/villages/{village}/inscriptions", ORGANISERS),
    ("/organisation/inscriptions/{registration}", ORGANISERS),
    ("/organisation/comptes", ADMINS),
    ("/organisation/comptes/nouveau", ADMINS),
    ("/organisation/comptes/{account}", ADMINS),
    ("/organisation/journal", ADMINS),
]
ACTIONS = [
    "/organisation/villages/{village}/archiver",
    "/organisation/inscriptions/{registration}/annuler",
    "/organisation/inscriptions/{registration}/confirmer",
    "/organisation/inscriptions/{registration}/renvoyer",
    "/organisation/inscriptions/{registration}/role",
]


@pytest.fixture
def ids(app):
    village = make_village()
    registration = make_registration(village, status=RegistrationStatus.WAITLISTED, phone="06 12 34 56 78")
    account = make_organiser("organiser", email="autre@villages.test")
    return {"village": village.id, "registration": registration.id, "account": account.id}


@pytest.mark.parametrize("path", [p for p, _ in PAGES] + ["/organisation/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, ids, path):
    response = client.get(path.format(**ids))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organisation/connexion?next=")


@pytest.mark.parametrize("path", ACTIONS)
def test_anonymous_visitors_cannot_act(client, ids, path):
    response = client.post(path.format(**ids), data={"role": "elu"})
    assert response.status_code == 302
    assert "/organisation/connexion" in response.headers["Location"]
    assert db.session.get(Registration, ids["registration"]).status == RegistrationStatus.WAITLISTED


@pytest.mark.parametrize("role", sorted(EVERYONE))
@pytest.mark.parametrize("path, allowed", PAGES)
def test_each_role_opens_only_its_pages(logged_in, ids, role, path, allowed):
    response = logged_in(role).get(path.format(**ids))
    if role in allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Vous n'avez pas accès à cette page" in page_text(response)


@pytest.mark.parametrize("path", ACTIONS)
def test_checkin_accounts_cannot_act_on_villages_or_registrations(checkin_client, ids, path):
    response = checkin_client.post(path.format(**ids), data={"role": "elu"})
    assert response.status_code == 403
    registration = db.session.get(Registration, ids["registration"])
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.WAITLISTED and registration.role == "habitant"


def test_dashboard_sends_checkin_accounts_to_their_villages(checkin_client):
    response = checkin_client.get("/organisation/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisation/accueil"


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_dashboard_opens_for_organisers_and_admins(logged_in, role):
    assert logged_in(role).get("/organisation/").status_code == 200


def test_checkin_home_lists_only_assigned_villages_with_links_to_their_scanner(logged_in):
    assigned = make_village(town="Avignon", slug="avignon")
    make_village(town="Draguignan", slug="draguignan")
    client = logged_in("checkin", checkin_villages=[assigned])
    response = client.get("/organisation/accueil")
    text = page_text(response)
    assert "Avignon" in text and "Draguignan" not in text
    assert 'href="/checkin/avignon"' in response.get_data(as_text=True)


def test_checkin_pages_show_no_email_or_phone(logged_in, ids):
    village = db.session.get(Registration, ids["registration"]).village
    client = logged_in("checkin", checkin_villages=[village])
    body = client.get("/organisation/accueil").get_data(as_text=True)
    assert "@example.org" not in body and "06 12 34 56 78" not in body


def test_navigation_offers_each_role_only_what_it_may_open(logged_in):
    checkin_nav = page_text(logged_in("checkin").get("/organisation/accueil"))
    assert "Villages" not in checkin_nav.split("Accueil jour J")[0]
    assert "Comptes" not in checkin_nav and "Journal" not in checkin_nav
    organiser_nav = page_text(logged_in("organiser", email="o2@villages.test").get("/organisation/"))
    assert "Villages" in organiser_nav and "Comptes" not in organiser_nav
    admin_nav = page_text(logged_in("admin").get("/organisation/"))
    assert "Comptes" in admin_nav and "Journal" in admin_nav
