"""The badge and the calendar invitation, downloaded from the private page."""
from tests.factories import make_village
from tests.factories_registration import register


def test_confirmed_participant_downloads_the_badge_pdf(client):
    registration = register(make_village())
    response = client.get(f"/inscription/{registration.manage_token}/badge.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


def test_confirmed_participant_downloads_the_calendar_invitation(client):
    village = make_village(town="Sisteron")
    registration = register(village)
    response = client.get(f"/inscription/{registration.manage_token}/invitation.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "Sisteron" in body
