"""The public registration form asks the optional consents, ignores robots and limits bursts."""
import re

from sqlalchemy import func, select

from app.extensions import db
from app.forms_common import HONEYPOT_LABEL
from app.models import OutboxMessage, Registration
from app.services import privacy
from tests.factories import make_village
from tests.helpers import page_text

HABITANT = dict(
    role="habitant", first_name="Dominique", last_name="Essai", email="dominique@example.org",
    commune="Sisteron", lunch="non",
)


def form_url(village) -> str:
    return f"/villages/{village.slug}/inscription"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_three_consents_are_asked_unticked_with_their_wording(client):
    response = client.get(form_url(make_village()))
    body = response.get_data(as_text=True)
    for name, wording in privacy.CONSENTS.items():
        assert wording in page_text(response)
        checkbox = re.search(rf'<input[^>]*name="{name}"[^>]*>', body).group(0)
        assert 'type="checkbox"' in checkbox and "checked" not in checkbox


def test_the_consents_given_are_kept_with_the_wording_version(client):
    client.post(form_url(make_village()), data=dict(HABITANT, consent_photos="y", consent_news="y"))
    registration = db.session.scalar(select(Registration))
    assert (registration.consent_photos, registration.consent_listing, registration.consent_news) == (
        True, False, True)
    assert registration.consent_version == privacy.CONSENT_VERSION
    assert registration.consented_at is not None


def test_declining_every_consent_is_kept_too(client):
    client.post(form_url(make_village()), data=HABITANT)
    registration = db.session.scalar(select(Registration))
    assert not (registration.consent_photos or registration.consent_listing or registration.consent_news)
    assert registration.consent_version == privacy.CONSENT_VERSION


def test_the_form_carries_the_honeypot_and_links_to_the_notice(client):
    response = client.get(form_url(make_village()))
    assert HONEYPOT_LABEL in page_text(response)
    body = response.get_data(as_text=True)
    assert 'href="/donnees-personnelles"' in body


def test_a_robot_filling_the_honeypot_gets_a_neutral_answer_and_nothing_is_written(client):
    response = client.post(form_url(make_village()), data=dict(HABITANT, website="http://promo.example"))
    assert response.status_code == 200
    assert "Merci, votre demande a bien été reçue." in page_text(response)
    assert count(Registration) == 0 and count(OutboxMessage) == 0


def test_a_burst_of_registrations_from_one_address_is_stopped(app, make_app):
    village_url = form_url(make_village())
    db.session.rollback()  # the test's transaction must not hold SQLite's lock while the app writes
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTRATION="2 per minute")
    client = limited.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    statuses = [client.post(village_url, data=dict(HABITANT, email=f"p{n}@example.org")).status_code
                for n in range(3)]
    assert statuses == [302, 302, 429]
    assert count(Registration) == 2


def test_asking_for_the_confirmation_again_is_limited_too(app, make_app):
    village = make_village()
    resend_url = f"/villages/{village.slug}/renvoyer-confirmation"
    db.session.rollback()
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTRATION="1 per minute")
    client = limited.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.8.6"
    assert [client.post(resend_url, data={"email": "x@example.org"}).status_code for _ in range(2)] == [302, 429]
