"""Ending a session ends it everywhere: a session cookie copied earlier stops working."""
from app.extensions import db
from tests.fixtures_backoffice import PASSWORD, log_in
from tests.helpers import IsolatedClient

PRIVATE_PAGE = "/organisation/villages"


def copy_of(app, client) -> IsolatedClient:
    """Another browser holding the same session cookie (copied by malware, a shared computer…)."""
    thief = IsolatedClient(app, app.response_class, use_cookies=True)
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get(PRIVATE_PAGE).status_code == 200
    return thief


def is_logged_out(client) -> bool:
    response = client.get(PRIVATE_PAGE)
    return response.status_code == 302 and "/organisation/connexion" in response.headers["Location"]


def test_logging_out_ends_a_copied_session(app, organiser_client):
    thief = copy_of(app, organiser_client)
    organiser_client.post("/organisation/deconnexion")
    assert is_logged_out(thief)


def test_a_password_change_ends_the_other_sessions(app, admin_client, logged_in):
    organiser_client = logged_in("organiser")
    thief = copy_of(app, organiser_client)
    account = organiser_client.organiser
    response = admin_client.post(f"/organisation/comptes/{account.id}", data={
        "name": "Organisatrice", "role": "organiser", "active": "y", "password": "un-tout-nouveau-mot",
    })
    assert response.status_code == 302
    assert is_logged_out(thief) and is_logged_out(organiser_client)
    assert log_in(IsolatedClient(app, app.response_class), account.email, "un-tout-nouveau-mot").status_code == 302


def test_an_admin_changing_their_own_password_stays_logged_in_but_their_other_sessions_end(app, admin_client):
    thief = copy_of(app, admin_client)
    account = admin_client.organiser
    admin_client.post(f"/organisation/comptes/{account.id}", data={
        "name": "Admin", "role": "admin", "active": "y", "password": "un-tout-nouveau-mot",
    })
    assert is_logged_out(thief)
    assert admin_client.get(PRIVATE_PAGE).status_code == 200


def test_a_deactivated_then_reactivated_account_does_not_get_its_old_sessions_back(app, admin_client, logged_in):
    organiser_client = logged_in("organiser")
    account = organiser_client.organiser
    form = {"name": "Organisatrice", "role": "organiser", "password": ""}
    admin_client.post(f"/organisation/comptes/{account.id}", data=form)  # « active » unticked
    admin_client.post(f"/organisation/comptes/{account.id}", data={**form, "active": "y"})
    db.session.refresh(account)
    assert account.active
    assert is_logged_out(organiser_client)


def test_an_admin_logs_an_account_out_everywhere(app, admin_client, logged_in):
    organiser_client = logged_in("organiser")
    thief = copy_of(app, organiser_client)
    response = admin_client.post(f"/organisation/comptes/{organiser_client.organiser.id}/deconnecter")
    assert response.status_code == 302
    assert is_logged_out(thief) and is_logged_out(organiser_client)
    assert log_in(IsolatedClient(app, app.response_class), organiser_client.organiser.email, PASSWORD).status_code == 302
