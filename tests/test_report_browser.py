"""The report page in a real browser: readable on a phone, charts beside their tables, downloads,
the consolidated view, the messages page, and no WCAG A/AA violation found by axe-core."""

import pytest
from playwright.sync_api import expect
from axe_playwright_python.sync_playwright import Axe

from app.extensions import db
from app.models import OrganiserRole
from tests.factories_report import held_village
from tests.fixtures_backoffice import sign_in_browser
from tests.helpers import screenshot
from tests.test_accessibility_axe import WCAG_AA

pytestmark = pytest.mark.browser

EMAIL = "equipe@villages.test"


def sign_in(page) -> None:
    sign_in_browser(page, OrganiserRole.ORGANISER, EMAIL)


def axe_violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA).response
    return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in results["violations"]]


@pytest.fixture
def villages(app):
    first, second = held_village(days_ago=40), held_village(days_ago=10)
    ids = first.id, second.id
    db.session.commit()
    return ids


def test_the_village_report_reads_on_a_phone_and_passes_axe(page, villages):
    sign_in(page)
    page.goto(f"/organisation/villages/{villages[1]}/bilan")
    expect(page.get_by_role("heading", name="Participation par rôle")).to_be_visible()
    assert page.get_by_role("img", name="Graphique : Besoins d'appui par thématique (chiffres dans le tableau)").count() == 1
    table = page.get_by_role("table", name="Chiffres : participation par rôle")
    assert table.get_by_role("row", name="Total").inner_text().split()[:3] == ["Total", "9", "8"]
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    screenshot(page, "bilan-village-telephone")
    assert axe_violations(page) == []


def test_the_version_for_outsiders_and_the_pdf_download(page, villages, in_app_worker):
    sign_in(page)
    page.goto(f"/organisation/villages/{villages[1]}/bilan")
    page.get_by_role("link", name="Voir la version à diffuser (petits effectifs masqués)").click()
    expect(page.get_by_text("Version à diffuser")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Télécharger le PDF").click()  # prepared in the background
    download_link = page.get_by_role("link", name="Télécharger bilan-")
    download_link.wait_for(timeout=30_000)
    screenshot(page, "bilan-tache-prete")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith("-diffusion.pdf")


def test_the_consolidated_report_on_a_desktop(page, villages):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page)
    page.goto("/organisation/bilan")
    for checkbox in page.get_by_role("checkbox").all():
        checkbox.check()
    page.get_by_role("button", name="Afficher le bilan").click()
    expect(page.get_by_role("heading", name="Bilan – 2 villages")).to_be_visible()
    expect(page.get_by_role("table", name="Chiffres : participation par village")).to_be_visible()
    screenshot(page, "bilan-consolide-bureau")
    assert axe_violations(page) == []


def test_the_messages_page_previews_and_passes_axe(page, villages):
    sign_in(page)
    page.goto(f"/organisation/villages/{villages[1]}/messages")
    page.get_by_label("Porteur ou porteuse d'initiative").check()
    page.get_by_label("Présence le jour J").select_option("present")
    page.get_by_label("Objet").fill("Merci !")
    page.get_by_label("Message", exact=True).fill("Merci d'être venu·e, {prénom}.")
    page.get_by_role("button", name="Voir l'aperçu et le nombre de destinataires").click()
    expect(page.get_by_text("Merci d'être venu·e, Prénom0.")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer à 4\u00a0personnes")).to_be_visible()
    screenshot(page, "messages-apercu")
    assert axe_violations(page) == []
