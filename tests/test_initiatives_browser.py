"""The directory and the moderation, in a real browser on a phone."""

import math

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


# A finger needs this much (CSS px) to tap a mark without hitting its neighbour (WCAG 2.5.5).
SMALLEST_TARGET = 44


def test_on_a_phone_each_mark_of_the_map_is_a_target_of_44_px_that_covers_no_other(page):
    """Initiatives at Arras and Achicourt (neighbours) and at Sisteron: two frames, each mark a
    44 px target at least, apart from the others."""
    village = make_village()
    for name, code, commune in [("Atelier vélo", "62041", "Arras"), ("Repair café", "62041", "Arras"),
                                ("Jardin d'Achicourt", "62004", "Achicourt"), ("Épicerie du Buëch", "04209", "Sisteron")]:
        published(village, name, commune_code=code, commune_name=commune)
    db.session.remove()
    page.goto("/initiatives")
    expect(page.locator(".map-title")).to_have_text(["Alpes-de-Haute-Provence (04)", "Pas-de-Calais (62)"])
    screenshot(page, "carte-deux-regions-telephone")
    for frame in page.locator(".map-frame").all():
        targets = [target.bounding_box() for target in frame.locator(".mark-target").all()]
        for box in targets:
            assert box["width"] >= SMALLEST_TARGET and box["height"] >= SMALLEST_TARGET, box
        for index, first in enumerate(targets):
            for second in targets[index + 1:]:
                apart = math.dist((first["x"] + first["width"] / 2, first["y"] + first["height"] / 2),
                                  (second["x"] + second["width"] / 2, second["y"] + second["height"] / 2))
                assert apart >= (first["width"] + second["width"]) / 2, (first, second)
