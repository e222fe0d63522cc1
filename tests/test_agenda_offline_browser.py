"""A participant opens their private page on a phone once the meetings are published; without
network, the page still shows their agenda, says since when, and says what needs a connection."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Error, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Registration
from app.services import meeting_requests, registration as registrations, scheduling
from app.timeutil import local_today
from tests.factories import make_village
from tests.factories_matching import make_area, make_institution, make_porteur
from tests.helpers import screenshot, until_service_worker_controls

pytestmark = pytest.mark.browser


@pytest.fixture
def published(app, live_server):
    village = make_village(town="Avignon")
    make_area(village)
    caf, porteur = make_institution(village), make_porteur(village)
    neighbour = make_porteur(village, email="voisine@example.org")
    meeting_requests.accept(meeting_requests.ask(porteur, caf, "appui", ""), caf)
    scheduling.close_requests(village, "test")
    scheduling.build(village, "test")
    scheduling.publish(village, "test")
    tokens = porteur.manage_token, neighbour.manage_token
    db.session.commit()  # release the test's transaction before the browser's requests
    return tokens


def open_on_phone(browser, live_server, token, width=390):
    """The private page opened once with network (on a phone, or a computer's `width`), its worker in charge."""
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(f"/inscription/{token}")
    expect(page.locator(".agenda")).to_contain_text("Table 1")
    until_service_worker_controls(page)
    return context, page


def test_the_agenda_reloads_without_network_with_the_time_it_was_saved(browser, live_server, published):
    token, _ = published
    context, page = open_on_phone(browser, live_server, token)
    banner = page.locator("[data-offline-banner]")
    expect(banner).to_be_hidden()

    context.set_offline(True)
    page.reload()
    expect(page.locator(".agenda")).to_contain_text("10 h – 10 h 20 · Table 1")
    expect(page.locator(".agenda")).to_contain_text("CAF de Vaucluse")
    expect(banner).to_be_visible()
    expect(banner).to_have_text(
        re.compile(r"^Hors connexion\s: programme enregistré le \d+(er)?\s[^ ]+\s\d{4} à \d+\sh(\s\d\d)?\.$"))
    # Styled as online: the page's CSS came from the kept copy too.
    assert page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 93, 75)"
    screenshot(page, "agenda-offline-390")

    context.set_offline(False)  # back online: the page as it is now
    expect(banner).to_be_hidden()
    context.close()


def test_the_agenda_and_the_badge_open_as_pdf_without_network(browser, live_server, published):
    token, _ = published
    context, page = open_on_phone(browser, live_server, token)
    context.set_offline(True)
    for document in ("rendez-vous.pdf", "badge.pdf"):
        start = page.evaluate(f"""async () => {{
            const response = await fetch("/inscription/{token}/{document}");
            return new TextDecoder().decode((await response.arrayBuffer()).slice(0, 5));
        }}""")
        assert start == "%PDF-", document
    context.close()


def test_forms_and_other_pages_say_they_need_a_connection(browser, live_server, published):
    token, _ = published
    context, page = open_on_phone(browser, live_server, token, width=1280)
    context.set_offline(True)
    page.reload()
    screenshot(page, "agenda-offline-1280")
    expect(page.get_by_role("link", name="Modifier mes informations (connexion nécessaire)").first).to_be_visible()
    expect(page.get_by_role("link", name="Annuler mon inscription (connexion nécessaire)")).to_be_visible()

    page.goto(f"/inscription/{token}/modifier")
    expect(page.locator("h1")).to_have_text("Connexion nécessaire")
    screenshot(page, "connexion-necessaire-1280")
    page.get_by_role("link", name="Revenir à mon inscription et à mon programme").click()
    expect(page.locator(".agenda")).to_contain_text("Table 1")
    context.close()


def test_the_form_of_a_meetings_outcome_says_it_needs_a_connection(browser, live_server, published):
    token, _ = published
    # What came of a meeting is said once it is over: the village took place yesterday.
    village = db.session.scalar(select(Registration).where(Registration.manage_token == token)).village
    village.day = local_today() - timedelta(days=1)
    db.session.commit()
    context, page = open_on_phone(browser, live_server, token, width=1280)
    context.set_offline(True)
    page.reload()
    outcome = page.locator(".outcome form")
    expect(outcome).to_contain_text("Connexion nécessaire pour envoyer ce formulaire.")
    expect(outcome.get_by_role("button", name="Enregistrer")).to_be_disabled()
    context.close()


def test_nothing_of_another_link_is_kept(browser, live_server, published):
    token, neighbour = published
    context, page = open_on_phone(browser, live_server, token)
    kept = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys())
            for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        return urls;
    }""")
    assert f"/inscription/{token}" in kept
    assert all(url.startswith((f"/inscription/{token}", "/static/")) for url in kept)
    context.set_offline(True)
    with pytest.raises(Error, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(f"/inscription/{neighbour}")
    context.close()


def test_a_cancelled_place_leaves_nothing_on_the_phone(browser, live_server, published):
    token, _ = published
    context, page = open_on_phone(browser, live_server, token)
    registration = db.session.scalar(select(Registration).where(Registration.manage_token == token))
    registrations.cancel(registration, actor="participant")
    db.session.commit()
    page.reload()
    expect(page.locator(".notice").first).to_contain_text("Cette inscription est annulée")
    # What the phone still holds of the link, once its worker has had time to forget it (5 s at most).
    left = page.evaluate("""async () => {
        const held = async () => [...await caches.keys(),
                                  ...(await navigator.serviceWorker.getRegistration() ? ["worker"] : [])];
        for (let tries = 0; tries < 100 && (await held()).length; tries++)
            await new Promise(wait => setTimeout(wait, 50));
        return held();
    }""")
    assert left == []
    context.close()
