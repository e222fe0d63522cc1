"""The mise en lien from the demo data, step by step as its users take it: a porteur needing
funding is shown an institution that funds such projects, asks to meet it, the institution
accepts, the organiser builds and publishes the schedule, both get their agenda and say
what came of the meeting."""
from datetime import timedelta
from email import message_from_bytes, policy

from icalendar import Calendar
from sqlalchemy import select

from app.demo import data as demo_data, matching as demo_matching
from app.documents import mail as mail_document
from app.extensions import db
from app.models import Meeting, MeetingRequest, MeetingSeat, OutboxMessage, Registration, Role, SupportOffer, Village
from app.services import meeting_requests, suggestions
from app.timeutil import local_today
from tests.fixtures_jobs import finished_job
from tests.helpers import page_text


def demo_village(slug: str) -> Village:
    for load in (demo_data.load, demo_data.load_initiatives, demo_matching.load):
        load()
    db.session.commit()
    return db.session.scalar(select(Village).where(Village.slug == slug))


def porteur_and_funder(village):
    """A demo porteur whose first suggestion is someone offering funding."""
    porteurs = db.session.scalars(select(Registration).where(
        Registration.village_id == village.id, Registration.role == Role.PORTEUR))
    for porteur in porteurs:
        found = suggestions.for_person(porteur)
        if found and any(offer.category == "financement" for offer in
                         db.session.scalars(select(SupportOffer).where(SupportOffer.registration_id == found[0].person.id))):
            return porteur, found[0].person
    raise AssertionError("no demo porteur is suggested a funder")


def agenda_of(person) -> list:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == person.email,
                                                          OutboxMessage.kind == "agenda"))
    return [message_from_bytes(mail_document.render(row), policy=policy.default) for row in rows]


def test_from_a_suggestion_to_a_recorded_outcome_with_the_demo_data(client, organiser_client):
    village = demo_village("sisteron")
    porteur, funder = porteur_and_funder(village)

    private_page = page_text(client.get(f"/inscription/{porteur.manage_token}"))
    assert f"Vous cherchez : financement ; {funder.organisation} propose une subvention" in private_page
    assert funder.email not in private_page

    asked = client.post(f"/inscription/{porteur.manage_token}/rendez-vous/demander/{meeting_requests.recipient_key(funder)}",
                        data={"intent": "appui", "message": "Nous cherchons un financement pour nos ateliers."})
    assert asked.status_code == 302
    received = page_text(client.get(f"/inscription/{funder.manage_token}"))
    assert "Nous cherchons un financement pour nos ateliers." in received
    request = db.session.scalar(select(MeetingRequest).where(MeetingRequest.requester_id == porteur.id))
    accepted = client.post(f"/inscription/{funder.manage_token}/rendez-vous/demandes/{request.id}/accepter")
    assert accepted.status_code == 302

    base = f"/organisation/villages/{village.id}/rendez-vous"
    built = finished_job(organiser_client, organiser_client.post(f"{base}/calcul"))
    assert "Programme provisoire calculé" in built["summary"]
    meeting = db.session.scalar(select(Meeting).join(MeetingSeat).where(MeetingSeat.registration_id == porteur.id))
    assert meeting.is_placed
    assert "Programme publié" in page_text(organiser_client.post(f"{base}/publier", follow_redirects=True))

    for person in (porteur, funder):
        [mail] = agenda_of(person)
        files = {part.get_filename(): part for part in mail.iter_attachments()}
        assert files["mes-rendez-vous.pdf"].get_content().startswith(b"%PDF")
        [event] = Calendar.from_ical(files["rendez-vous-1.ics"].get_content()).walk("VEVENT")
        assert str(event["location"]).startswith(meeting.table.name)

    village.day = local_today() - timedelta(days=1)  # the village, and so the meeting, took place
    db.session.commit()
    recorded = client.post(f"/inscription/{porteur.manage_token}/rendez-vous/{meeting.id}/bilan",
                           data={"took_place": "oui", "outcomes": ["orientation"]})
    assert recorded.status_code == 302
    seat = db.session.scalar(select(MeetingSeat).where(MeetingSeat.registration_id == porteur.id))
    assert (seat.took_place, seat.outcomes) == (True, ["orientation"])
