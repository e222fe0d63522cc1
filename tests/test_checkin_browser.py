"""The scanner page in a real Chromium whose camera films a printed badge."""
import pytest
import qrcode
from PIL import Image

from app.extensions import db
from tests.conftest import CHROMIUM_ARGS
from tests.factories import make_registration

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 640, 480


def badge_video(path, text: str, frames: int = 5) -> None:
    """A Y4M video (raw I420 frames) of a badge's QR code, as a phone camera would see it."""
    code = qrcode.make(text, box_size=10, border=4).get_image().convert("L").resize((360, 360))
    picture = Image.new("L", (WIDTH, HEIGHT), 255)
    picture.paste(code, ((WIDTH - 360) // 2, (HEIGHT - 360) // 2))
    luma = picture.tobytes()
    # Grey chroma: the picture is black and white.
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2 * 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + luma + chroma)


@pytest.fixture
def camera_page(_playwright, chromium_path, live_server, tmp_path):
    """Opens a page in a Chromium whose fake camera shows the given badge code."""
    browsers = []

    def open_page(code: str):
        video = tmp_path / f"badge-{len(browsers)}.y4m"
        badge_video(video, code)
        browser = _playwright.chromium.launch(
            executable_path=chromium_path,
            args=CHROMIUM_ARGS + [
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        browsers.append(browser)
        context = browser.new_context(
            base_url=live_server, locale="fr-FR", viewport={"width": 390, "height": 844}, permissions=["camera"]
        )
        return context.new_page()

    yield open_page
    for browser in browsers:
        browser.close()


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
    assert "Déjà entré·e" in result.inner_text() and "par Entrée nord" in result.inner_text()
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
    page.get_by_label("Rôle", exact=True).select_option(label="Élu local")
    page.get_by_role("button", name="Inscrire et faire entrer").click()
    refused = page.locator("#walk-in-refused")
    refused.get_by_text("Le village est complet").wait_for()
    refused.get_by_role("button", name="Faire entrer quand même").click()
    result = page.locator("#result[data-result=ok]")
    result.wait_for()
    assert "Nadia Benali" in result.inner_text() and "Inscrit·e et entré·e" in result.inner_text()
    page.locator("#present").filter(has_text="1").wait_for()


def test_walk_in_form_shows_what_is_missing_next_to_the_fields(page, door):
    token = door.token
    db.session.commit()
    page.goto(f"/scan/{token}")
    page.get_by_text("Inscrire une personne sur place").click()
    page.get_by_role("button", name="Inscrire et faire entrer").click()
    page.get_by_text("Indiquez le prénom.").wait_for()
    assert page.get_by_text("Choisissez le rôle de la personne.").is_visible()
