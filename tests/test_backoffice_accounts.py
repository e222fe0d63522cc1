"""Admins manage the team's accounts from the back office."""
from app.extensions import db
from app.models import AuditEntry, Organiser
from tests.factories import make_village
from tests.helpers import IsolatedClient
from tests.fixtures_backoffice import log_in, make_organiser
from tests.helpers import page_text


def account(email: str) -> Organiser:
    return db.session.scalar(db.select(Organiser).filter_by(email=email))


def test_an_admin_creates_a_checkin_account_for_one_village(app, admin_client):
    avignon = make_village(town="Avignon", slug="avignon")
    make_village(town="Sisteron")
    response = admin_client.post("/organisation/comptes/nouveau", data={
        "email": "Benevole@Example.org", "name": "Bénévole", "role": "checkin", "active": "y",
        "village_ids": [avignon.id], "password": "un-bon-mot-de-passe",
    })
    assert response.status_code == 302
    created = account("benevole@example.org")
    assert created.role == "checkin" and [v.slug for v in created.checkin_villages] == ["avignon"]
    volunteer = IsolatedClient(app, app.response_class, use_cookies=True)
    log_in(volunteer, "benevole@example.org", "un-bon-mot-de-passe")
    assert 'href="/checkin/avignon"' in volunteer.get("/organisation/accueil").get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="account.created")).actor == "admin@villages.test"


def test_creating_an_account_with_a_taken_email_explains_and_writes_nothing(admin_client):
    make_organiser("organiser", email="pris@example.org")
    response = admin_client.post("/organisation/comptes/nouveau", data={
        "email": "pris@example.org", "role": "organiser", "password": "un-bon-mot-de-passe",
    })
    assert response.status_code == 200
    assert "Un compte existe déjà avec cette adresse e-mail." in page_text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(Organiser)) == 2


def test_an_admin_deactivates_an_account_and_changes_its_role(admin_client):
    other = make_organiser("organiser", email="autre@villages.test")
    response = admin_client.post(f"/organisation/comptes/{other.id}", data={"role": "checkin", "name": "Autre"})
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.active is False and other.role == "checkin"
    assert "Désactivé" in page_text(admin_client.get("/organisation/comptes"))


def test_an_admin_cannot_lock_themselves_out(admin_client):
    me = admin_client.organiser
    response = admin_client.post(f"/organisation/comptes/{me.id}", data={"role": "organiser", "active": "y"})
    assert "Vous ne pouvez ni désactiver votre propre compte" in page_text(response)
    db.session.refresh(me)
    assert me.role == "admin" and me.active


def test_an_admin_resets_a_password(app, admin_client):
    other = make_organiser("organiser", email="autre@villages.test")
    admin_client.post(f"/organisation/comptes/{other.id}",
                      data={"role": "organiser", "active": "y", "password": "nouveau-mot-de-passe"})
    assert log_in(IsolatedClient(app, app.response_class), other.email, "nouveau-mot-de-passe").status_code == 302
