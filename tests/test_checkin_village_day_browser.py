"""The scanner page in a real Chromium outside the village's day: an orange « pas le jour du
village » screen, the rehearsal mode, and the same rule on a phone without network."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import CheckIn, Registration, Village
from app.timeutil import local_today
from tests.factories import make_registration, make_village
from tests.fixtures_checkin import make_scanner_link
from tests.helpers import until_service_worker_controls

pytestmark = pytest.mark.browser


@pytest.fixture
def early(app, live_server):
    """Sisteron two months ahead, Louise registered, a volunteer's link; (token, badge code)."""
    village = make_village(slug="sisteron", town="Sisteron", day=local_today() + timedelta(days=61))
    badge_code = make_registration(village, first_name="Louise", last_name="Roux").badge_code
    token = make_scanner_link(village).token
    db.session.commit()  # on SQLite a read holds a write lock: end it so the server can write
    return token, badge_code


def traces() -> tuple:
    db.session.expire_all()
    found = (db.session.scalar(select(func.count()).select_from(CheckIn)),
             db.session.scalar(select(func.count(Registration.checked_in_at))),
             db.session.scalar(select(Village.roster_version)))
    db.session.commit()
    return found


def type_badge(page, code: str) -> None:
    page.get_by_label("Code du badge").fill(code)
    page.get_by_role("button", name="Valider").click()


def test_a_badge_scanned_before_the_day_turns_the_screen_orange_and_says_why(page, early):
    token, badge_code = early
    before = traces()
    page.goto(f"/scan/{token}")
    expect(page.locator("#day-notice")).to_contain_text("Ce n'est pas le jour du village.")
    type_badge(page, badge_code)
    result = page.locator("#result[data-result=not_village_day]")
    result.wait_for()
    expect(result).to_have_class("result result-warn")
    expect(result).to_contain_text("Pas le jour du village")
    expect(result).to_contain_text("Louise Roux")
    expect(result).to_contain_text("personne n'entre et rien n'est enregistré")
    expect(page.get_by_role("button", name="Annuler cette entrée")).to_be_hidden()
    assert traces() == before


def test_in_rehearsal_mode_a_badge_is_welcomed_as_on_the_day_and_nothing_is_recorded(page, early):
    token, badge_code = early
    before = traces()
    page.goto(f"/scan/{token}")
    page.get_by_label("Mode entraînement").check()
    expect(page.locator("#rehearsal-banner")).to_have_text("Entraînement : rien n'est enregistré")
    type_badge(page, badge_code)
    result = page.locator("#result[data-result=ok][data-rehearsal=yes]")
    result.wait_for()
    expect(result).to_contain_text("Entraînement : rien n'est enregistré")
    expect(result).to_contain_text("Bienvenue !")
    expect(page.get_by_role("button", name="Annuler cette entrée")).to_be_hidden()
    page.get_by_role("button", name="Suivant").click()
    expect(page.locator("#recent li").first).to_contain_text("Entraînement : Bienvenue !")
    assert traces() == before

    page.get_by_label("Mode entraînement").uncheck()
    expect(page.locator("#rehearsal-banner")).to_be_hidden()
    type_badge(page, badge_code)
    page.locator("#result[data-result=not_village_day]").wait_for()


def test_without_network_the_phone_applies_the_same_rule(browser, live_server, early):
    token, badge_code = early
    before = traces()
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"/scan/{token}")
    expect(page.locator("#offline-roster")).to_contain_text("1 personne")
    until_service_worker_controls(page)
    context.set_offline(True)
    type_badge(page, badge_code)
    result = page.locator("#result[data-result=not_village_day]")
    result.wait_for()
    expect(result).to_contain_text("Pas le jour du village")
    expect(page.locator("#offline-state")).to_contain_text("Hors ligne")  # decided on the phone
    expect(page.locator("#offline-pending")).to_have_text("Tout est envoyé")  # nothing queued

    page.get_by_role("button", name="Suivant").click()
    page.get_by_label("Mode entraînement").check()
    type_badge(page, badge_code)
    page.locator("#result[data-result=ok][data-rehearsal=yes]").wait_for()
    expect(page.locator("#offline-pending")).to_have_text("Tout est envoyé")
    context.set_offline(False)
    context.close()
    assert traces() == before
