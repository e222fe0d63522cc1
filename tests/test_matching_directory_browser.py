"""An institution opens the village's initiatives from its private link, on a phone, and asks a
porteur for a meeting; in a real browser."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import MeetingRequest
from tests.factories import make_village
from tests.factories_matching import make_area, make_institution, make_porteur
from tests.test_backoffice_phone_layout import overflows_sideways, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def caf_token(app):
    village = make_village(town="Avignon")
    make_area(village)
    caf = make_institution(village)
    make_porteur(village)
    token = caf.manage_token
    db.session.commit()  # release the test's transaction before the browser's requests
    return token


def test_an_institution_asks_a_porteur_for_a_meeting_from_the_directory(page, caf_token):
    page.goto(f"/inscription/{caf_token}")
    page.get_by_role("link", name="Les initiatives du village : demander un rendez-vous à leurs porteurs").click()
    card = page.locator(".initiative-card", has_text="Café des parents")
    expect(card).to_contain_text("Portée par")
    card.get_by_text("Demander un rendez-vous").click()
    card.get_by_role("button", name="Envoyer la demande").click()  # nothing chosen: the browser asks first
    expect(page).to_have_url(re.compile(r"/annuaire$"))
    card.get_by_label("Je partage mon expérience").check()
    card.get_by_label("Un mot pour vous présenter (facultatif)").fill("Notre appel à projets familles vous concerne.")
    assert not overflows_sideways(page)
    screenshot(page, "directory-ask-390")
    card.get_by_role("button", name="Envoyer la demande").click()

    expect(page.get_by_role("status")).to_contain_text("Votre demande est envoyée à")
    expect(page.locator(".requests")).to_contain_text("En attente de réponse")
    page.get_by_role("link", name="Les initiatives du village : demander un rendez-vous à leurs porteurs").click()
    expect(page.locator(".initiative-card", has_text="Café des parents")).to_contain_text(
        "Demande envoyée : en attente de réponse")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "directory-asked-1280")

    request = db.session.scalar(select(MeetingRequest))
    assert (request.intent, request.message) == ("partage", "Notre appel à projets familles vous concerne.")
    db.session.commit()
