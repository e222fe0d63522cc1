"""Asking a porteur for a meeting from the village's directory of initiatives, reached from the
private link: no login, no contact details, the same rules as from a suggestion."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import MeetingRequest, OutboxMessage, Role
from app.services import meeting_requests
from app.timeutil import utcnow
from tests.factories import make_registration, make_village
from tests.factories_matching import make_area, make_institution, make_porteur
from tests.helpers import page_text


@pytest.fixture
def village(app):
    village = make_village(town="Avignon")
    make_area(village)
    return village


def directory_url(person) -> str:
    return f"/inscription/{person.manage_token}/annuaire"


def ask(client, requester, slug="cafe-des-parents", intent="partage", message="Nous avons un café à Carpentras."):
    return client.post(f"{directory_url(requester)}/{slug}/demander", data={"intent": intent, "message": message})


def counts():
    return db.session.scalar(select(func.count()).select_from(MeetingRequest)), \
        db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_the_directory_lists_the_village_s_initiatives_with_a_request_button_and_no_contact(client, village):
    porteur = make_porteur(village, phone="06 11 22 33 44")
    caf = make_institution(village)
    page = client.get(directory_url(caf))
    text = page_text(page)
    assert "Café des parents" in text
    assert f"Portée par {porteur.full_name}" in text
    assert "Demander un rendez-vous" in text
    assert porteur.email not in text and "06 11 22 33 44" not in text


def test_the_private_page_leads_to_the_directory(client, village):
    caf = make_institution(village)
    page = client.get(f"/inscription/{caf.manage_token}").get_data(as_text=True)
    assert f'href="{directory_url(caf)}"' in page


def test_asking_from_the_directory_sends_the_request_to_the_porteur(client, village):
    porteur, caf = make_porteur(village), make_institution(village)
    response = ask(client, caf)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/inscription/{caf.manage_token}#rendez-vous")
    [request] = meeting_requests.received(porteur)
    assert (request.requester, request.intent, request.message) == (caf, "partage", "Nous avons un café à Carpentras.")
    assert db.session.scalar(select(OutboxMessage.kind).where(OutboxMessage.registration_id == porteur.id,
                                                              OutboxMessage.kind == "meeting_requested"))
    text = page_text(client.get(directory_url(caf)))
    assert "Demande envoyée : en attente de réponse" in text


def test_a_porteur_sees_their_own_initiative_without_a_button(client, village):
    porteur = make_porteur(village)
    text = page_text(client.get(directory_url(porteur)))
    assert "C'est votre initiative." in text
    assert "Demander un rendez-vous" not in text


def test_a_porteur_who_did_not_agree_to_the_list_of_participants_is_met_at_their_stand(client, village):
    make_porteur(village, consent_listing=False)
    caf = make_institution(village)
    text = page_text(client.get(directory_url(caf)))
    assert "À rencontrer à son stand pendant le village." in text
    assert "Demander un rendez-vous" not in text
    response = ask(client, caf)
    assert response.status_code == 422
    assert meeting_requests.NOT_ASKABLE in page_text(response)
    assert counts()[0] == 0


@pytest.mark.parametrize("case, message", [
    ("self", meeting_requests.NOT_ASKABLE),
    ("twice", "Vous avez déjà demandé un rendez-vous à cette personne."),
    ("cap", "Cette personne a déjà reçu le nombre maximal de demandes (1)."),
    ("refused_contact", meeting_requests.NOT_ASKABLE),
    ("closed", "Les demandes de rendez-vous sont closes"),
    ("other_village", meeting_requests.NOT_ASKABLE),
    ("unknown", meeting_requests.NOT_ASKABLE),
])
def test_a_request_from_the_directory_breaking_a_rule_gets_the_same_french_message(client, village, case, message):
    from app.models import MatchingProfile

    porteur, requester = make_porteur(village), make_institution(village)
    slug = "cafe-des-parents"
    settings = village.matching_settings
    if case == "self":
        requester = porteur
    elif case == "twice":
        meeting_requests.ask(requester, porteur, "appui", "")
    elif case == "cap":
        settings.max_requests_received = 1
        meeting_requests.ask(make_institution(village, email="autre@example.org"), porteur, "appui", "")
    elif case == "refused_contact":
        porteur.matching_profile = MatchingProfile(accepts_requests=False)
    elif case == "closed":
        settings.requests_closed_at = utcnow()
    elif case == "other_village":
        elsewhere = make_village(town="Digne")
        make_area(elsewhere)
        requester = make_registration(elsewhere, role=Role.ELU, collectivity="Digne", email="elu@example.org")
    elif case == "unknown":
        slug = "nulle-part"
    db.session.commit()
    before = counts()
    response = ask(client, requester, slug=slug)
    assert response.status_code == 422
    assert message in page_text(response)
    assert counts() == before


def test_the_directory_is_for_confirmed_participants_only(client, village):
    from app.models import RegistrationStatus

    waiting = make_registration(village, status=RegistrationStatus.WAITLISTED)
    assert client.get(directory_url(waiting)).status_code == 404
    assert client.get("/inscription/pas-un-lien/annuaire").status_code == 404
