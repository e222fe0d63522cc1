"""After a village's day, every screen speaks of it in the past: the participants' private
pages, the directory's cards and initiative pages, the back office and the e-mails."""
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Registration, RegistrationStatus
from app.documents import mail as mail_document
from app.services import initiatives, meeting_requests, notifications, suggestions
from app.timeutil import local_today, utcnow
from tests.factories import make_registration, make_village, present_initiative
from tests.helpers import page_text


@pytest.fixture
def manosque(app):
    """A village held three weeks ago, like the demo's Manosque."""
    return make_village(slug="manosque", town="Manosque", day=local_today() - timedelta(weeks=3))


@pytest.fixture
def came(manosque):
    registration = make_registration(manosque, first_name="Inès", last_name="Garnier")
    registration.checked_in_at = utcnow() - timedelta(weeks=3)
    db.session.commit()
    return registration


@pytest.fixture
def stayed_away(manosque):
    return make_registration(manosque, first_name="Paul", last_name="Lambert")


def private_page(client, registration) -> str:
    return page_text(client.get(f"/inscription/{registration.manage_token}"))


# Private pages ----------------------------------------------------------------------------------


def test_the_private_page_of_a_past_village_asks_no_badge_at_the_door(client, stayed_away):
    text = private_page(client, stayed_away)
    assert "Présentez votre badge" not in text and "Télécharger mon badge" not in text
    assert "Le village a eu lieu le " in text


def test_the_private_page_of_a_past_village_offers_no_cancellation(client, stayed_away, came):
    for registration in (stayed_away, came):
        assert "Annuler mon inscription" not in private_page(client, registration)


def test_a_registration_to_a_past_village_is_not_cancelled_even_by_a_direct_request(client, stayed_away):
    response = client.post(f"/inscription/{stayed_away.manage_token}/annuler", follow_redirects=True)
    assert "Le village a eu lieu : une inscription ne s'annule plus après le jour du village." in page_text(response)
    assert db.session.get(Registration, stayed_away.id).status == RegistrationStatus.CONFIRMED


def test_someone_still_waiting_when_the_village_took_place_is_told_so(client, manosque):
    waiting = make_registration(manosque, status=RegistrationStatus.WAITLISTED)
    text = private_page(client, waiting)
    assert "aucune place ne s'est libérée pour vous" in text and "Si une place se libère" not in text


def test_the_private_page_of_a_past_village_asks_for_no_more_meetings(client, came, manosque):
    other = make_registration(manosque, role="institutionnel", organisation="Caf des Alpes")
    with pytest.raises(meeting_requests.RequestRefused, match="Le village a eu lieu"):
        meeting_requests.ask(came, other, "appui", "")
    db.session.rollback()
    text = private_page(client, came)
    assert "Le village a eu lieu : les demandes de rendez-vous sont closes." in text
    assert "Personnes à rencontrer" not in text


def test_a_coming_village_still_offers_its_badge_and_cancellation(client):
    coming = make_registration(make_village())
    text = private_page(client, coming)
    assert "Présentez votre badge à l'accueil" in text and "Annuler mon inscription" in text


# Directory and initiative pages -----------------------------------------------------------------


@pytest.fixture
def presented_twice(manosque):
    """An initiative presented at Manosque, and again at a village to come."""
    holder = make_registration(manosque, role="porteur", email="jardin@exemple.org")
    initiative = present_initiative(holder, visibility="public", approve=True, name="Jardin des Mées")
    coming = make_village(slug="sisteron", town="Sisteron")
    initiatives.present(initiative, make_registration(coming, role="porteur", email="jardin@exemple.org"), {})
    db.session.commit()
    return initiative


def test_a_directory_card_says_where_an_initiative_was_presented_and_where_to_meet_it(client, presented_twice):
    card = page_text(client.get("/initiatives?q=jardin"))
    assert "Présentée à Manosque" in card and "À rencontrer Sisteron" in card


def test_an_initiative_page_puts_past_villages_under_presentee_a(client, presented_twice, manosque):
    text = page_text(client.get(f"/initiatives/{presented_twice.slug}"))
    to_meet = text.split("À rencontrer :")[1].split("Vous êtes inscrit ou inscrite")[0]
    presented = text.split("Présentée à :")[1]
    assert manosque.name not in to_meet and manosque.name in presented


# Back office ------------------------------------------------------------------------------------


def test_the_back_office_offers_no_cancellation_after_the_day(organiser_client, stayed_away):
    text = page_text(organiser_client.get(f"/organisation/inscriptions/{stayed_away.id}"))
    assert "Annuler l'inscription" not in text
    response = organiser_client.post(f"/organisation/inscriptions/{stayed_away.id}/annuler", follow_redirects=True)
    assert "une inscription ne s'annule plus après le jour du village" in page_text(response)
    assert db.session.get(Registration, stayed_away.id).status == RegistrationStatus.CONFIRMED


def test_the_back_office_offers_no_cancellation_for_someone_who_came(organiser_client):
    today = make_village(day=local_today())
    came = make_registration(today, civility="madame", first_name="Inès", last_name="Garnier", checked_in_at=utcnow())
    assert "Annuler l'inscription" not in page_text(organiser_client.get(f"/organisation/inscriptions/{came.id}"))
    response = organiser_client.post(f"/organisation/inscriptions/{came.id}/annuler", follow_redirects=True)
    assert "Inès Garnier est venue au village : son inscription ne s'annule plus." in page_text(response)


# E-mails --------------------------------------------------------------------------------------


def test_an_e_mail_about_a_past_village_offers_to_see_the_registration_not_to_cancel_it(app, came):
    notifications.organiser_message(came, "Merci d'être venue", "Merci pour votre venue.")
    db.session.commit()
    mail = message_from_bytes(mail_document.render(db.session.scalar(select(OutboxMessage))), policy=policy.default)
    text, html = (mail.get_body((kind,)).get_content() for kind in ("plain", "html"))
    assert "Voir votre inscription" in text and "Voir mon inscription" in html
    assert "annuler" not in text.lower() and "annuler" not in html.lower()


def test_no_suggestions_are_sent_for_a_past_village(app, came, manosque):
    make_registration(manosque, role="institutionnel", organisation="Caf des Alpes")
    assert suggestions.send_due() == 0
