"""From their private link, a participant downloads what we hold about them, or erases it."""
import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import Registration, RegistrationStatus
from tests.factories import make_village
from tests.factories_registration import register
from tests.helpers import page_text


def private_url(registration, action: str = "") -> str:
    return f"/inscription/{registration.manage_token}{action}"


def test_the_private_page_offers_to_download_and_to_erase(client):
    registration = register(make_village())
    text = page_text(client.get(private_url(registration)))
    assert "Télécharger mes données" in text and "Effacer mes données" in text


def test_the_download_is_a_json_file_of_the_persons_data(client):
    registration = register(make_village(), first_name="Lou", email="lou@example.org")
    response = client.get(private_url(registration, "/mes-donnees.json"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))
    assert data["inscription"]["first_name"] == "Lou"
    assert data["inscription"]["email"] == "lou@example.org"


def test_erasure_asks_for_confirmation_first(client):
    registration = register(make_village())
    response = client.get(private_url(registration, "/effacer"))
    assert "Effacer mes données ?" in page_text(response)
    db.session.expire_all()
    assert registration.anonymised_at is None


def test_confirmed_erasure_anonymises_cancels_and_kills_the_link(client):
    registration = register(make_village(), last_name="Unique")
    token = registration.manage_token
    response = client.post(private_url(registration, "/effacer"))
    assert "Vos données sont effacées." in page_text(response)
    db.session.expire_all()
    assert registration.last_name == "Anonyme" and registration.email is None
    assert registration.status == RegistrationStatus.CANCELLED
    assert client.get(f"/inscription/{token}").status_code == 404
    assert client.get(f"/inscription/{token}/mes-donnees.json").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.last_name == "Unique")) == 0


def test_erasure_needs_the_forms_csrf_token(client, csrf_enabled):
    registration = register(make_village())
    assert client.post(private_url(registration, "/effacer")).status_code == 400
    db.session.expire_all()
    assert registration.anonymised_at is None


# --- The same, by an organiser on the person's request ---


def test_an_organiser_downloads_a_persons_data_from_the_back_office(organiser_client):
    registration = register(make_village(), email="sur.demande@example.org")
    response = organiser_client.get(f"/organisation/inscriptions/{registration.id}/donnees.json")
    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True))["inscription"]["email"] == "sur.demande@example.org"


def test_an_organiser_erases_a_persons_data_on_request(organiser_client):
    registration = register(make_village())
    page = page_text(organiser_client.get(f"/organisation/inscriptions/{registration.id}"))
    assert "Effacer ses données" in page
    response = organiser_client.post(f"/organisation/inscriptions/{registration.id}/effacer", follow_redirects=True)
    assert "Les données personnelles de cette inscription sont effacées." in page_text(response)
    db.session.expire_all()
    assert registration.first_name == "Anonyme" and registration.anonymised_at is not None


def test_a_checkin_account_may_not_erase_anyones_data(checkin_client):
    registration = register(make_village())
    assert checkin_client.post(f"/organisation/inscriptions/{registration.id}/effacer").status_code == 403
    db.session.expire_all()
    assert registration.anonymised_at is None
