"""axe-core (WCAG 2 A and AA rules) in headless Chromium finds nothing to fix on the public pages."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from app.extensions import db
from tests.factories import make_village
from tests.factories_registration import register

pytestmark = pytest.mark.browser

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def axe():
    return Axe()


def violations(axe, page, path: str) -> list[str]:
    response = page.goto(path)
    assert response.ok, f"{path}: HTTP {response.status}"
    results = axe.run(page, options=WCAG_AA).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
    ]


def public_pages(village, registration) -> list[str]:
    private = f"/inscription/{registration.manage_token}"
    return [
        private,
        f"{private}/modifier",
        f"{private}/annuler",
        f"{private}/effacer",
        f"{private}/annuaire",
        f"{private}/rendez-vous/preferences",
        "/",
        "/initiatives",
        f"/villages/{village.slug}",
        f"/villages/{village.slug}/inscription",
        "/donnees-personnelles",
        "/accessibilite",
    ]


def test_public_pages_have_no_wcag_a_or_aa_violation(app, page, axe):
    village = make_village(description="Une journée pour se rencontrer.", programme="9 h : accueil")
    paths = public_pages(village, register(village))
    # Reading the village opened a transaction: on SQLite it would keep the server waiting.
    db.session.rollback()
    found = {path: violations(axe, page, path) for path in paths}
    assert {path: v for path, v in found.items() if v} == {}


def test_error_pages_have_no_wcag_a_or_aa_violation(app, page, axe):
    page.goto("/nulle-part")
    assert axe.run(page, options=WCAG_AA).response["violations"] == []


def test_the_public_observatory_has_no_wcag_a_or_aa_violation(app, page, axe):
    from tests.factories_report import held_village

    held_village(days_ago=400)
    held_village(days_ago=10)
    db.session.rollback()
    assert violations(axe, page, "/observatoire") == []
