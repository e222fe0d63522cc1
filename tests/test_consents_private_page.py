"""From the edit page of their private link, a participant gives or withdraws each optional consent."""
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.services import privacy
from tests.factories import make_village
from tests.factories_registration import register
from tests.helpers import page_text

LONG_AGO = datetime(2025, 1, 2, 9, 0)


def consenting(**consents):
    """A registration that agreed, under an older wording, to the consents given."""
    registration = register(make_village(), consent_version="2025-0", **consents)
    registration.consented_at = LONG_AGO
    db.session.commit()
    return registration


def edit_form(registration, **consents) -> dict:
    """The edit form sent back unchanged except for the consents ticked (unticked boxes are not sent)."""
    details = dict(role=registration.role, first_name=registration.first_name, last_name=registration.last_name,
                   email=registration.email, commune=registration.commune, lunch="non")
    return {**details, **{name: "y" for name, ticked in consents.items() if ticked}}


def consents_audit(registration) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "registration.consents_changed", AuditEntry.target_id == registration.id)))


def test_the_edit_page_shows_each_consent_as_given(client):
    registration = consenting(consent_photos=True)
    response = client.get(f"/inscription/{registration.manage_token}/modifier")
    body = response.get_data(as_text=True)
    assert "Vos accords (facultatif)" in page_text(response)
    assert 'checked id="consent_photos"' in body
    assert 'checked id="consent_listing"' not in body and 'checked id="consent_news"' not in body


def test_withdrawing_a_consent_records_it_under_todays_wording(client):
    registration = consenting(consent_photos=True, consent_news=True)
    response = client.post(f"/inscription/{registration.manage_token}/modifier",
                           data=edit_form(registration, consent_news=True), follow_redirects=True)
    assert "Vos modifications sont enregistrées." in page_text(response)
    db.session.refresh(registration)
    assert (registration.consent_photos, registration.consent_listing, registration.consent_news) == (
        False, False, True)
    assert registration.consent_version == privacy.CONSENT_VERSION
    assert registration.consented_at > LONG_AGO
    [entry] = consents_audit(registration)
    assert entry.actor == "participant"
    assert entry.details == {"given": [], "withdrawn": ["consent_photos"]}


def test_a_consent_refused_at_registration_can_be_given_later(client):
    registration = register(make_village())
    client.post(f"/inscription/{registration.manage_token}/modifier",
                data=edit_form(registration, consent_listing=True))
    db.session.refresh(registration)
    assert registration.consent_listing is True
    assert consents_audit(registration)[0].details == {"given": ["consent_listing"], "withdrawn": []}


def test_sending_the_same_consents_again_changes_nothing(client):
    registration = consenting(consent_photos=True)
    response = client.post(f"/inscription/{registration.manage_token}/modifier",
                           data=edit_form(registration, consent_photos=True), follow_redirects=True)
    assert "Aucune modification à enregistrer." in page_text(response)
    db.session.refresh(registration)
    assert (registration.consent_version, registration.consented_at) == ("2025-0", LONG_AGO)
    assert consents_audit(registration) == []


def test_consents_are_kept_when_the_rest_of_the_form_is_refused(client):
    registration = consenting(consent_photos=True)
    data = {**edit_form(registration), "email": "pas-une-adresse"}
    assert client.post(f"/inscription/{registration.manage_token}/modifier", data=data).status_code == 422
    db.session.refresh(registration)
    assert registration.consent_photos is True and consents_audit(registration) == []
