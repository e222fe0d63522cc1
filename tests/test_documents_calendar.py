from datetime import date, datetime, time

from app.documents.calendar import invitation
from app.extensions import db
from app.models import RegistrationStatus
from app.timeutil import utcnow
from tests.factories import make_registration, make_village
from tests.fixtures_maildocs import event_of
from tests.helpers import page_text


def sisteron(**fields):
    values = dict(name="Village des initiatives solidaires – Sisteron", venue="Salle des fêtes",
                  address="Place de la République, 04200 Sisteron", day=date(2030, 12, 21),
                  starts_at=time(9, 30), ends_at=time(17, 0), practical_info="Parking gratuit derrière la mairie.")
    values.update(fields)
    return make_village(**values)


def test_invitation_is_a_request_in_paris_time_for_the_participant(app):
    registration = make_registration(sisteron(), first_name="Éloïse", last_name="Martin",
                                     email="eloise@example.org")
    calendar, event = event_of(invitation(registration))

    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.start.replace(tzinfo=None) == datetime(2030, 12, 21, 9, 30)
    assert event.end.replace(tzinfo=None) == datetime(2030, 12, 21, 17, 0)
    assert event.start.utcoffset().total_seconds() == 3600
    assert event["SUMMARY"] == "Village des initiatives solidaires – Sisteron"
    assert event["LOCATION"] == "Salle des fêtes, Place de la République, 04200 Sisteron"
    assert "Parking gratuit" in event["DESCRIPTION"]
    assert f"http://villages.test/inscription/{registration.manage_token}" in event["DESCRIPTION"]
    assert event["STATUS"] == "CONFIRMED" and event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == "mailto:villages@localhost"
    assert event["ORGANIZER"].params["CN"] == app.config["ORGANISER_NAME"]
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:eloise@example.org"
    assert attendee.params["CN"] == "Éloïse Martin"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"


def test_invitation_uid_stays_the_same_when_details_change(app):
    registration = make_registration(sisteron())
    before = event_of(invitation(registration))[1]["UID"]
    registration.first_name = "Dominique"
    registration.village.starts_at = time(10, 0)
    registration.village.calendar_sequence += 1
    db.session.commit()
    after = event_of(invitation(registration))[1]
    assert after["UID"] == before == f"registration-{registration.id}@villages.test"
    assert after["SEQUENCE"] == 1


def test_cancel_withdraws_the_same_event(app):
    registration = make_registration(sisteron())
    uid = event_of(invitation(registration))[1]["UID"]
    registration.status = RegistrationStatus.CANCELLED
    calendar, event = event_of(invitation(registration, method="CANCEL"))
    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"] == uid and event["STATUS"] == "CANCELLED"


def test_public_feed_lists_every_village_not_archived_without_personal_data(client):
    kept = sisteron()
    make_registration(kept, email="secret.person@example.org", last_name="Secretname")
    make_village(town="Archiville", archived_at=utcnow())
    response = client.get("/villages.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "secret.person" not in body and "Secretname" not in body and "ATTENDEE" not in body
    calendar, event = event_of(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    assert event["UID"] == f"village-{kept.id}@villages.test"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["URL"] == f"http://villages.test/villages/{kept.slug}"


def test_home_page_offers_the_calendar_subscription(client):
    response = client.get("/")
    assert "S'abonner au calendrier des villages" in page_text(response)
    assert 'href="/villages.ics"' in response.get_data(as_text=True)
