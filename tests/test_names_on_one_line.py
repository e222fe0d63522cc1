"""A line break in a name or a place is folded into a space where it comes in, and a value stored
before that rule (or written by hand) can never make an e-mail impossible to build."""
from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy import select

from app.documents import mail as mail_document
from app.extensions import db
from app.models import OutboxMessage, Registration, Village
from app.services import notifications
from tests.factories import make_registration, make_village
from tests.factories_registration import register
from tests.test_backoffice_villages import village_form
from tests.test_registration_public import HABITANT, form_url

BROKEN = "Jeanne\r\nBcc: victime@example.org"


def last_mail() -> EmailMessage:
    queued = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return message_from_bytes(mail_document.render(queued), policy=policy.default)


def test_a_line_break_in_a_name_typed_in_the_public_form_becomes_a_space(client):
    village = make_village()
    response = client.post(form_url(village), data=dict(HABITANT, first_name=BROKEN, last_name="Dupont\nMartin"))
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert (registration.first_name, registration.last_name) == ("Jeanne Bcc: victime@example.org", "Dupont Martin")
    assert last_mail()["Bcc"] is None


def test_a_line_break_in_a_village_name_or_venue_typed_by_an_organiser_becomes_a_space(organiser_client):
    response = organiser_client.post("/organisation/villages/nouveau", data=village_form(
        name="Village\r\nde Manosque", venue="Salle\nOsco Manosco", town="Manosque\r"))
    assert response.status_code == 302
    village = db.session.scalar(select(Village))
    assert (village.name, village.venue, village.town) == ("Village de Manosque", "Salle Osco Manosco", "Manosque")


def test_a_line_break_in_a_walk_in_name_becomes_a_space(client, door):
    body = {"first_name": "Ali\nce", "last_name": "Durand\r\n", "role": "habitant", "email": "alice@example.org"}
    response = client.post(f"/api/checkin/{door.village.slug}/walk-in", json=body, headers=door.headers)
    assert response.status_code == 200 and response.json["attendee"]["name"] == "Ali ce Durand"


def test_a_line_break_given_to_the_registration_service_becomes_a_space(app):
    registration = register(make_village(), first_name=BROKEN, organisation="Centre\nsocial")
    assert registration.first_name == "Jeanne Bcc: victime@example.org"
    assert registration.organisation == "Centre social"


def test_a_stored_village_name_with_a_line_break_does_not_stop_registrations(client):
    village = make_village(name="Village\r\ndes initiatives", venue="Salle\ndes fêtes", contact_email="a@b.fr\r\n")
    response = client.post(form_url(village), data=HABITANT)
    assert response.status_code == 302
    mail = last_mail()
    assert mail["Subject"] == "Inscription confirmée – Village des initiatives"


def test_a_stored_participant_name_with_a_line_break_still_gets_its_mail(app):
    registration = make_registration(make_village(), first_name=BROKEN)
    notifications.registration_changed(registration)
    db.session.commit()
    mail = last_mail()
    assert mail["Bcc"] is None and "Jeanne Bcc" in mail["To"]
