"""Back-office pages on a 390 px wide phone: wide tables scroll inside their own labelled region,
the page itself never scrolls sideways."""

import pytest
from playwright.sync_api import expect

from app.models import OrganiserRole, Role
from tests.factories import make_registration, make_village
from tests.fixtures_backoffice import sign_in_browser
from tests.helpers import screenshot

pytestmark = pytest.mark.browser


EMAIL = "equipe-administratrice-des-villages@association-exemple.fr"


def sign_in(page, role: str = OrganiserRole.ADMIN) -> None:
    sign_in_browser(page, role, EMAIL)  # a long address: the layout must hold it


def overflows_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_the_dashboard_tables_scroll_inside_a_labelled_region_not_the_page(page):
    village = make_village(name="Village des initiatives solidaires de Sisteron et de la vallée du Jabron")
    make_registration(village, role=Role.PORTEUR)
    sign_in(page)
    page.goto("/organisation/")
    screenshot(page, "dashboard")
    assert not overflows_sideways(page)
    region = page.get_by_role("region", name="Inscriptions par rôle et par statut").first
    assert region.get_attribute("tabindex") == "0"
    assert region.evaluate("wrap => wrap.scrollWidth > wrap.clientWidth")
    expect(page.get_by_text("faites-le glisser pour voir les colonnes de droite").first).to_be_visible()


def test_the_accounts_table_scrolls_inside_its_region(page):
    sign_in(page)
    page.goto("/organisation/comptes")
    screenshot(page, "accounts")
    assert not overflows_sideways(page)
    region = page.get_by_role("region", name="Comptes de l'équipe")
    region.focus()
    page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: wait for the first frame that moved.
    assert region.evaluate(
        "wrap => new Promise(moved => { const look = () => wrap.scrollLeft > 0 ? moved(true) : "
        "requestAnimationFrame(look); look(); })"
    )
