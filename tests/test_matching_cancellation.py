"""Cancelling a registration withdraws the person's meeting requests and cancels their meetings;
the other people are told by e-mail (with a calendar cancellation if the meeting was in it)."""
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.documents import mail as mail_document
from app.extensions import db
from app.models import Meeting, MeetingRequest, OutboxMessage
from app.services import meeting_requests, scheduling
from tests.factories import make_village
from tests.factories_matching import make_area, make_institution, make_porteur


@pytest.fixture
def village(app):
    village = make_village(town="Avignon")
    make_area(village)
    return village


def withdrawn_mails(person):
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id == person.id,
                                                          OutboxMessage.kind == "meeting_withdrawn"))
    return [message_from_bytes(mail_document.render(row), policy=policy.default) for row in rows]


def text_of(mail) -> str:
    return " ".join(mail.get_body(preferencelist=("plain",)).get_content().split())


def cancel_from_private_link(client, person):
    response = client.post(f"/inscription/{person.manage_token}/annuler")
    assert response.status_code == 302


def test_cancelling_withdraws_the_requests_sent_and_received_and_tells_the_other_people(client, village):
    leaving = make_porteur(village)
    caf = make_institution(village)
    elu = make_institution(village, email="elu@example.org", organisation="Ville d'Avignon")
    sent = meeting_requests.ask(leaving, caf, "appui", "Bonjour")
    received = meeting_requests.ask(elu, leaving, "partage", "")
    db.session.commit()

    cancel_from_private_link(client, leaving)

    assert {db.session.get(MeetingRequest, r.id).status for r in (sent, received)} == {"withdrawn"}
    for other in (caf, elu):
        [mail] = withdrawn_mails(other)
        assert mail["Subject"].startswith("Une demande de rendez-vous retirée")
        assert (f"{leaving.full_name} (Centre social La Fourmilière) a annulé son inscription au "
                f"{village.name} : la demande de rendez-vous entre vous est retirée.") in text_of(mail)


def test_a_withdrawn_request_no_longer_counts_against_the_cap_and_shows_as_withdrawn(client, village):
    village.matching_settings.max_requests_received = 1
    leaving, caf = make_porteur(village), make_institution(village)
    meeting_requests.ask(leaving, caf, "appui", "")
    db.session.commit()
    cancel_from_private_link(client, leaving)
    meeting_requests.ask(make_porteur(village, email="autre@example.org"), caf, "appui", "")  # not refused
    db.session.commit()
    page = client.get(f"/inscription/{caf.manage_token}").get_data(as_text=True)
    assert "Retirée (inscription annulée)" in page


def test_an_accepted_meeting_not_yet_published_is_cancelled_and_the_other_person_told(client, village):
    leaving, caf = make_porteur(village), make_institution(village)
    meeting = meeting_requests.accept(meeting_requests.ask(leaving, caf, "appui", ""), caf)
    db.session.commit()

    cancel_from_private_link(client, leaving)

    assert db.session.get(Meeting, meeting.id).cancelled_at is not None
    assert scheduling.agenda(caf) == []
    [mail] = withdrawn_mails(caf)
    assert "a annulé son inscription" in text_of(mail) and "votre rendez-vous n'aura pas lieu." in text_of(mail)
    assert [part.get_filename() for part in mail.iter_attachments()] == []  # nothing in their calendar yet


def test_an_organiser_cancelling_sends_a_calendar_cancellation_for_a_published_meeting(organiser_client, village):
    leaving, caf = make_porteur(village), make_institution(village)
    meeting = meeting_requests.accept(meeting_requests.ask(leaving, caf, "appui", ""), caf)
    db.session.commit()
    scheduling.close_requests(village, "o")
    scheduling.build(village, "o")
    scheduling.publish(village, "o")
    db.session.commit()

    response = organiser_client.post(f"/organisation/inscriptions/{leaving.id}/annuler")
    assert response.status_code == 302

    assert db.session.get(Meeting, meeting.id).cancelled_at is not None
    [mail] = withdrawn_mails(caf)
    assert mail["Subject"].startswith("Un rendez-vous annulé")
    assert "Le fichier .ics joint le retire de votre agenda" in text_of(mail)
    [ics] = [part for part in mail.iter_attachments() if part.get_filename().endswith(".ics")]
    calendar = Calendar.from_ical(ics.get_content())
    [event] = calendar.walk("VEVENT")
    assert calendar["method"] == "CANCEL" and event["sequence"] == 1
    # Publishing again has nothing more to tell anybody about it.
    assert scheduling.publish(village, "o") == 0


def test_the_person_who_cancels_gets_the_calendar_cancellation_of_their_published_meetings(client, village):
    leaving, caf = make_porteur(village), make_institution(village)
    meeting_requests.accept(meeting_requests.ask(leaving, caf, "appui", ""), caf)
    db.session.commit()
    scheduling.close_requests(village, "o")
    scheduling.build(village, "o")
    scheduling.publish(village, "o")
    db.session.commit()

    cancel_from_private_link(client, leaving)

    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id == leaving.id,
                                                         OutboxMessage.kind == "agenda")).all()[-1]
    mail = message_from_bytes(mail_document.render(row), policy=policy.default)
    assert f"Supprimé : le rendez-vous avec {caf.full_name}" in text_of(mail)
    [ics] = [part for part in mail.iter_attachments() if part.get_filename().endswith(".ics")]
    assert Calendar.from_ical(ics.get_content())["method"] == "CANCEL"
