"""The directory and the moderation, in a real browser on a phone."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import OrganiserRole
from tests.factories import make_registration, make_village, present_initiative
from tests.fixtures_backoffice import sign_in_browser
from tests.helpers import screenshot

pytestmark = pytest.mark.browser


def published(village, name: str, **fiche):
    return present_initiative(make_registration(village, role="porteur"), visibility="public", approve=True,
                              name=name, **fiche)


def test_the_directory_finds_equipe_without_its_accent_and_filters_by_theme_on_a_phone(page):
    village = make_village(slug="sisteron", town="Sisteron")
    published(village, "Équipe mobile de quartier", thematiques=["sante"], commune_code="04209",
              commune_name="Sisteron")
    published(village, "Jardin des voisins", thematiques=["alimentation"])
    db.session.remove()
    page.goto("/initiatives")
    page.get_by_label("Rechercher").fill("equipe")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**q=equipe**")
    expect(page.get_by_role("link", name="Jardin des voisins")).to_have_count(0)
    expect(page.get_by_role("link", name="Équipe mobile de quartier")).to_be_visible()
    page.goto("/initiatives")
    page.get_by_text("Filtrer par village, thème").click()
    page.get_by_label("Thème").select_option("alimentation")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**theme=alimentation**")
    expect(page.get_by_role("link", name="Équipe mobile de quartier")).to_have_count(0)
    expect(page.get_by_role("link", name="Jardin des voisins")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "annuaire-telephone")


def test_an_organiser_approves_a_pending_initiative_and_it_appears_in_the_directory(page):
    village = make_village()
    present_initiative(make_registration(village, role="porteur"), visibility="public", name="Café des âges")
    db.session.commit()
    page.goto("/initiatives")
    expect(page.get_by_role("link", name="Café des âges")).to_have_count(0)
    sign_in_browser(page, OrganiserRole.ORGANISER, "orga@villages.test")
    page.goto("/organisation/initiatives?etat=pending")
    screenshot(page, "moderation-telephone")
    page.get_by_role("button", name="Valider et publier").click()
    page.wait_for_url("**/organisation/initiatives")
    page.goto("/initiatives")
    expect(page.get_by_role("link", name="Café des âges")).to_be_visible()
