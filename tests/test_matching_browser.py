"""A porteur asks an institution for a meeting from a phone; the institution accepts; in a real browser."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import MeetingRequest, OutboxMessage
from tests.factories import make_village
from tests.factories_matching import make_area, make_institution, make_porteur
from tests.helpers import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def people(app):
    village = make_village(town="Avignon")
    make_area(village)
    caf, porteur = make_institution(village), make_porteur(village)
    tokens = caf.manage_token, porteur.manage_token
    db.session.commit()  # release the test's transaction before the browser's requests
    return tokens


def test_a_porteur_asks_for_a_meeting_and_the_institution_accepts(page, people):
    caf_token, porteur_token = people
    page.goto(f"/inscription/{porteur_token}")
    suggestion = page.locator(".suggestion", has_text="CAF de Vaucluse")
    expect(suggestion).to_contain_text("Vous cherchez un financement, et CAF de Vaucluse propose une subvention")
    screenshot(page, "porteur-suggestions-phone")
    suggestion.get_by_text("Demander un rendez-vous").click()
    suggestion.get_by_label("Je cherche un appui").check()
    suggestion.get_by_label("Un mot pour vous présenter (facultatif)").fill("Nous cherchons à financer le café des parents.")
    suggestion.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("status")).to_contain_text("Votre demande est envoyée à Camille")
    expect(page.locator(".suggestion", has_text="CAF de Vaucluse")).to_contain_text("Demande envoyée : en attente de réponse")

    page.goto(f"/inscription/{caf_token}")
    request = page.locator(".request", has_text="Nous cherchons à financer le café des parents.")
    expect(request).to_contain_text("cherche un appui")
    expect(request).not_to_contain_text("Je cherche un appui")
    screenshot(page, "institution-request-phone")
    request.get_by_role("button", name="Accepter").click()
    expect(page.get_by_role("status")).to_contain_text("Rendez-vous accepté avec")
    expect(page.locator(".request").first).to_contain_text("Acceptée")

    page.goto(f"/inscription/{porteur_token}")
    expect(page.locator(".requests")).to_contain_text("Acceptée")
    assert db.session.scalar(select(MeetingRequest.status)) == "accepted"
    assert [m.kind for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind.like("meeting%"))
                                               .order_by(OutboxMessage.id))] == ["meeting_requested", "meeting_accepted"]


def test_a_request_without_its_intent_is_refused_next_to_the_question(page, people):
    caf_token, porteur_token = people
    page.goto(f"/inscription/{porteur_token}")
    suggestion = page.locator(".suggestion", has_text="CAF de Vaucluse")
    suggestion.get_by_text("Demander un rendez-vous").click()
    # The browser asks first; without it, the server answers the same.
    page.evaluate("document.querySelectorAll('.ask-form input').forEach(i => i.required = false)")
    suggestion.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".suggestion", has_text="CAF de Vaucluse")).to_contain_text(
        "Choisissez ce que vous attendez de ce rendez-vous.")
    assert db.session.scalar(select(MeetingRequest.id)) is None
