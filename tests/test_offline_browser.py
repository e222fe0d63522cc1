"""The scanner page keeps working without network, in a real Chromium with a filmed badge."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import CheckIn
from app.timeutil import local_today, utcnow
from tests.factories import make_registration, make_village
from tests.fixtures_checkin import make_scanner_link
from tests.helpers import until_service_worker_controls

pytestmark = pytest.mark.browser


@pytest.fixture
def door(app, live_server):
    village = make_village(slug="sisteron", town="Sisteron", day=local_today())  # the door opens on the day
    person = make_registration(village, first_name="Lucie", last_name="Bernard")
    badge_code = person.badge_code
    # On SQLite a read opens a write transaction (BEGIN IMMEDIATE): end it so the server can write.
    db.session.commit()
    return village, person, badge_code


def admissions() -> list[CheckIn]:
    found = db.session.scalars(select(CheckIn).order_by(CheckIn.scanned_at)).all()
    db.session.commit()
    return found


def open_scanner(browser, live_server, village, label):
    """A phone that opened its scanner link with network and has the roster."""
    token = make_scanner_link(village, label).token
    db.session.expire_all()
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"/scan/{token}")
    expect(page.locator("#offline-roster")).to_contain_text("1 personne")
    until_service_worker_controls(page)
    return context, page


def scan_offline(page):
    page.reload()  # from the service worker: no network at all
    expect(page.locator("#result")).to_have_attribute("data-result", "ok")
    expect(page.locator("#offline-state")).to_contain_text("Hors ligne")
    expect(page.locator("#offline-pending")).to_have_text("1 passage en attente d'envoi")


def test_a_badge_scanned_without_network_is_admitted_then_sent(
    camera_browser, live_server, fake_camera, door
):
    village, person, badge_code = door
    fake_camera.show_nothing()
    context, page = open_scanner(camera_browser, live_server, village, "Porte 1")

    context.set_offline(True)
    # A camera already open reads the new film too: show the badge only once offline.
    fake_camera.show_badge(badge_code)
    before = utcnow() - timedelta(seconds=1)
    scan_offline(page)
    expect(page.locator("#result-name")).to_have_text("Lucie Bernard")
    assert admissions() == []

    context.set_offline(False)
    expect(page.locator("#offline-pending")).to_have_text("Tout est envoyé")
    [admission] = admissions()
    assert before <= admission.scanned_at <= utcnow()
    assert admission.scanned_at < admission.received_at  # the phone's moment, not the upload's
    assert admission.scanner == "Porte 1"
    context.close()


def test_two_phones_admitting_the_same_badge_offline_end_with_one_check_in_and_a_conflict(
    camera_browser, live_server, fake_camera, door
):
    village, person, badge_code = door
    fake_camera.show_nothing()
    first, first_page = open_scanner(camera_browser, live_server, village, "Porte 1")
    second, second_page = open_scanner(camera_browser, live_server, village, "Porte 2")

    first.set_offline(True)
    second.set_offline(True)
    fake_camera.show_badge(badge_code)
    for page in (first_page, second_page):
        page.bring_to_front()  # one camera at a time films the badge
        expect(page.locator("#offline-pending")).to_have_text("1 passage en attente d'envoi")
        expect(page.locator("#recent")).to_contain_text("Lucie Bernard")
    first.set_offline(False)
    expect(first_page.locator("#offline-pending")).to_have_text("Tout est envoyé")
    second.set_offline(False)
    expect(second_page.locator("#offline-pending")).to_have_text("Tout est envoyé")

    db.session.expire_all()
    kept = admissions()
    # Both scans kept; the earlier by the phones' clocks counts, the later is flagged.
    assert sorted(a.scanner for a in kept) == ["Porte 1", "Porte 2"]
    assert [a.conflict_with_id for a in kept] == [None, kept[0].id]
    assert person.checked_in_at == kept[0].scanned_at
    db.session.commit()
    # Each phone hears of it on its next sync.
    for page in (first_page, second_page):
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator("#offline-conflicts")).to_be_visible()
        expect(page.locator("#offline-conflict-list")).to_contain_text("Lucie Bernard")
    first.close()
    second.close()
