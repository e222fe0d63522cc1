"""On a phone, a Manosque porteur opens the link of the follow-up e-mail and answers « obtenu » for
one need; the organisers' Suivi page and Manosque's report then count that need as met."""
import re

import pytest
from playwright.sync_api import expect
from axe_playwright_python.sync_playwright import Axe

from app.extensions import db
from app.models import OrganiserRole
from tests.fixtures_backoffice import sign_in_browser
from tests.fixtures_maildocs import text_body
from tests.helpers import screenshot
from tests.test_accessibility_axe import WCAG_AA
from tests.test_followup_demo import load_demo

pytestmark = pytest.mark.browser


def test_a_porteur_answers_obtenu_on_a_phone_and_every_count_follows(app, page, live_server, smtp_server):
    village = load_demo()
    village_id = village.id
    result = app.test_cli_runner().invoke(args=["followup", "send", "--village", "manosque", "--now"])
    assert result.exit_code == 0, result.output
    asked = [m for m in smtp_server.messages if "Où en sont vos besoins d'appui ?" in m["Subject"]]
    link = re.search(r"(http\S+/suivi)\s", text_body(asked[0])).group(1)
    assert link.startswith(live_server)
    db.session.commit()  # the test reads nothing more: the server has the database

    page.goto(link)
    first_need = page.locator("section.need").first
    need = first_need.get_by_role("heading").inner_text()
    expect(page.get_by_role("heading", name="Où en sont vos besoins d'appui\u00a0?")).to_be_visible()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    screenshot(page, "suivi-reponse-telephone")
    assert Axe().run(page, options=WCAG_AA).response["violations"] == []
    first_need.get_by_role("button", name="Obtenu").click()
    expect(page.get_by_text(f"« {need} » : « Obtenu », c'est noté.")).to_be_visible()
    expect(page.get_by_role("heading", name="Besoins clos")).to_be_visible()
    screenshot(page, "suivi-reponse-enregistree-telephone")

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_browser(page, OrganiserRole.ORGANISER, "suivi@villages.test")
    page.goto(f"/organisation/suivi?village={village_id}")
    counts = page.get_by_role("table", name="Nombre de besoins suivis")
    assert counts.get_by_role("row", name=re.compile("^Obtenu ")).inner_text().split() == ["Obtenu", "1"]
    screenshot(page, "suivi-organisation-ordinateur")
    assert Axe().run(page, options=WCAG_AA).response["violations"] == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    screenshot(page, "suivi-organisation-telephone")

    page.goto(f"/organisation/villages/{village_id}/bilan")
    table = page.get_by_role("table", name="Chiffres : suites à 1, 3 et 6 mois : besoins d'appui après le village")
    total = table.get_by_role("row", name="Total").inner_text().split()
    assert total[4:6] == ["0", "1"]  # « Partiellement obtenus », « Obtenus »
