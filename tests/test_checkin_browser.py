"""The scanner page in a real Chromium whose camera films a printed badge."""
import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.factories import make_registration

pytestmark = pytest.mark.browser

@pytest.fixture
def camera_page(camera_browser, fake_camera, live_server):
    """Opens a page in a Chromium whose fake camera films the given badge code."""
    contexts = []

    def open_page(code: str):
        fake_camera.show_badge(code)
        context = camera_browser.new_context(
            base_url=live_server, locale="fr-FR", viewport={"width": 390, "height": 844}, permissions=["camera"]
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_badge_in_front_of_the_camera_turns_the_screen_green_then_orange(camera_page, door):
    person = make_registration(door.village, first_name="Louise", last_name="Roux", organisation="Mairie de Sisteron")
    code, token = person.badge_code, door.token
    db.session.commit()  # end the test's read transaction: on SQLite it would block the server

    page = camera_page(code)
    page.goto(f"/scan/{token}")
    result = page.locator("#result")
    result.and_(page.locator("[data-result=ok]")).wait_for(timeout=15_000)
    assert "Bienvenue" in result.inner_text()
    assert "Louise Roux" in result.inner_text() and "Mairie de Sisteron" in result.inner_text()
    assert "result-ok" in result.get_attribute("class")

    # Same badge shown again after a reload: the scanner says it was already admitted, and by whom.
    page.reload()
    result.and_(page.locator("[data-result=already_checked_in]")).wait_for(timeout=15_000)
    assert "Entrée déjà enregistrée" in result.inner_text() and "par Entrée nord" in result.inner_text()
    assert "result-warn" in result.get_attribute("class")
    assert page.locator("#present").inner_text() == "1"


def test_unknown_badge_turns_the_screen_red(camera_page, door):
    token = door.token
    db.session.commit()
    page = camera_page("un-code-qui-n-existe-pas")
    page.goto(f"/scan/{token}")
    result = page.locator("#result")
    result.and_(page.locator("[data-result=unknown]")).wait_for(timeout=15_000)
    assert "Badge inconnu" in result.inner_text()
    assert "result-error" in result.get_attribute("class")


def test_search_by_name_admits_with_one_tap_and_undo_takes_it_back(page, door):
    make_registration(door.village, first_name="Hélène", last_name="Émery", organisation="Secours populaire")
    token = door.token
    db.session.commit()
    page.goto(f"/scan/{token}")
    page.get_by_placeholder("Nom, prénom ou organisation").fill("helene")
    page.get_by_role("button", name="Faire entrer").click()
    result = page.locator("#result[data-result=ok]")
    result.wait_for()
    assert "Hélène Émery" in result.inner_text()
    page.locator("#present").filter(has_text="1").wait_for()

    page.get_by_role("button", name="Annuler cette entrée").click()
    page.get_by_label("Raison").fill("Mauvaise personne")
    page.locator("#undo-dialog").get_by_role("button", name="Annuler l'entrée").click()
    page.locator("#present").filter(has_text="0").wait_for()
    page.locator("#search-results").get_by_role("button", name="Faire entrer").wait_for()


def test_walk_in_in_a_full_village_needs_an_explicit_confirmation(page, door):
    door.village.capacity = 1
    make_registration(door.village)
    token = door.token
    db.session.commit()
    page.goto(f"/scan/{token}")
    page.get_by_text("Inscrire une personne sur place").click()
    page.get_by_label("Prénom", exact=True).fill("Nadia")
    page.get_by_label("Nom", exact=True).fill("Benali")
    page.get_by_label("Rôle", exact=True).select_option(label="Élu local ou élue locale")
    page.get_by_role("button", name="Inscrire et faire entrer").click()
    refused = page.locator("#walk-in-refused")
    refused.get_by_text("Le village est complet").wait_for()
    refused.get_by_role("button", name="Faire entrer quand même").click()
    result = page.locator("#result[data-result=ok]")
    result.wait_for()
    assert "Nadia Benali" in result.inner_text() and "Inscription et entrée enregistrées" in result.inner_text()
    page.locator("#present").filter(has_text="1").wait_for()


def test_walk_in_form_shows_what_is_missing_next_to_the_fields(page, door):
    token = door.token
    db.session.commit()
    page.goto(f"/scan/{token}")
    page.get_by_text("Inscrire une personne sur place").click()
    page.get_by_role("button", name="Inscrire et faire entrer").click()
    page.get_by_text("Indiquez le prénom.").wait_for()
    expect(page.get_by_text("Choisissez le rôle de la personne.")).to_be_visible()


def test_unknown_code_typed_at_the_keyboard_offers_nothing_to_undo(page, door):
    token = door.token
    db.session.commit()
    page.goto(f"/scan/{token}")
    page.get_by_label("Code du badge").fill("un-code-qui-n-existe-pas")
    page.get_by_role("button", name="Valider").click()
    page.locator("#result[data-result=unknown]").wait_for()
    expect(page.get_by_role("button", name="Suivant")).to_be_visible()
    expect(page.get_by_role("button", name="Annuler cette entrée")).to_be_hidden()
