"""What a first-time organiser, participant or volunteer sees, in a real browser: pages that
explain themselves, lay out on a phone and a desktop, and keep the way back."""
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.demo import data as demo_data
from app.extensions import db
from app.models import OrganiserRole, Registration, Role
from app.services import checkin, notifications
from app.timeutil import local_today
from tests.factories import make_registration, make_village
from tests.fixtures_backoffice import sign_in_browser
from tests.fixtures_checkin import make_scanner_link
from tests.fixtures_maildocs import html_body, text_body

pytestmark = pytest.mark.browser

EMAIL = "organisatrice@villages.test"


def sign_in(page) -> None:
    sign_in_browser(page, OrganiserRole.ADMIN, EMAIL)


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def current_menu_item(page) -> str:
    return page.locator(".site-nav a[aria-current=page]").inner_text()


# --- Back office -------------------------------------------------------------------------------


def test_an_organiser_sees_and_edits_only_the_fields_of_the_persons_role(page):
    village = make_village()
    person = make_registration(village, role=Role.ELU, collectivity="Mairie de Sisteron", mandate="Adjointe")
    person_id = person.id
    sign_in(page)
    page.goto(f"/organisation/inscriptions/{person_id}")
    assert page.get_by_label("Collectivité").input_value() == "Mairie de Sisteron"
    expect(page.get_by_label("Groupe représenté")).to_have_count(0)
    expect(page.get_by_label("Fonction, service")).to_have_count(0)
    page.get_by_label("Mandat").fill("Maire adjointe aux solidarités")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.get_by_text("Inscription enregistrée.").wait_for()
    db.session.expire_all()
    saved = db.session.get(Registration, person_id)
    assert saved.mandate == "Maire adjointe aux solidarités" and saved.collectivity == "Mairie de Sisteron"


def test_the_menu_shows_where_one_is_and_stays_on_the_check_in_pages(page):
    village = make_village(slug="sisteron")
    village_id = village.id
    sign_in(page)
    page.goto(f"/organisation/villages/{village_id}")
    assert current_menu_item(page) == "Villages"
    for path in ("/checkin/sisteron", "/checkin/sisteron/liens", "/checkin/sisteron/conflits"):
        page.goto(path)
        assert current_menu_item(page) == "Accueil jour J", path
    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.locator(".site-nav a[aria-current=page]")).to_have_text("Tableau de bord")


def test_the_dashboard_lists_the_next_village_first(page):
    today = date.today()
    make_village(name="Village passé", day=today - timedelta(days=10))
    make_village(name="Village lointain", day=today + timedelta(days=90))
    make_village(name="Village prochain", day=today + timedelta(days=5))
    sign_in(page)
    page.goto("/organisation/")
    titles = page.locator(".village-summary h2").all_inner_texts()
    assert titles == ["Village prochain", "Village lointain", "Village passé"]


def test_the_village_page_sets_archiving_apart_and_asks_before_doing_it(page):
    village = make_village(town="Avignon")
    village_id = village.id
    sign_in(page)
    page.goto(f"/organisation/villages/{village_id}")
    frequent = page.locator(".village-actions .actions .button").all_inner_texts()
    assert frequent == ["Inscriptions", "Ouvrir l'accueil", "Listes, émargement et badges"]
    archive = page.locator(".danger-zone").get_by_role("button", name="Archiver ce village")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    archive.click()
    assert messages == ["Archiver le village d'Avignon ? Il disparaîtra du site public."]
    page.reload()
    assert page.locator(".danger-zone h2").inner_text() == "Archiver le village"


def test_the_login_form_lets_password_managers_fill_it(page):
    page.goto("/organisation/connexion")
    assert page.get_by_label("Adresse e-mail").get_attribute("autocomplete") == "username"
    assert page.get_by_label("Mot de passe").get_attribute("autocomplete") == "current-password"


def test_labels_never_overflow_their_column_on_a_desktop(desktop):
    village = make_village(slug="avignon", town="Avignon")
    token = make_registration(village, role=Role.HABITANT, represented_group="Conseil citoyen").manage_token
    db.session.commit()  # end the test's read transaction: on SQLite it would block the server
    for path in ("/villages/avignon", f"/inscription/{token}"):
        desktop.goto(path)
        overflowing = desktop.locator(".facts dt").evaluate_all(
            "labels => labels.filter(l => l.scrollWidth > l.clientWidth).map(l => l.textContent)")
        assert overflowing == [], path
        values_left = set(desktop.locator(".facts dd").evaluate_all("values => values.map(v => v.getBoundingClientRect().left)"))
        assert len(values_left) == 1, path  # every value starts on the same vertical line


def test_on_a_phone_every_label_of_the_private_page_sits_above_its_value(page):
    token = make_registration(make_village(), role=Role.PORTEUR, organisation="Les Jardins", phone="0601020304").manage_token
    db.session.commit()
    page.goto(f"/inscription/{token}")
    rows = page.locator(".facts > div").evaluate_all(
        "rows => rows.map(r => r.querySelector('dd').getBoundingClientRect().top >= r.querySelector('dt').getBoundingClientRect().bottom - 1)")
    assert rows and all(rows)


# --- Check-in ----------------------------------------------------------------------------------


def test_the_check_in_counter_stays_on_one_line_and_an_empty_recent_list_says_so(page):
    door = make_scanner_link(make_village(slug="sisteron", day=local_today()))
    make_registration(door.village, first_name="Louise", last_name="Roux")
    token = door.token
    db.session.commit()
    page.goto(f"/scan/{token}")
    page.locator("#expected").filter(has_text="1").wait_for()
    tops = page.locator(".counter-value > span").evaluate_all("spans => spans.map(s => s.getBoundingClientRect().top)")
    assert len(set(tops)) == 1
    empty_note = page.get_by_text("Aucun passage sur ce téléphone pour l'instant")
    expect(empty_note).to_be_visible()
    page.get_by_placeholder("Nom, prénom ou organisation").fill("louise")
    page.get_by_role("button", name="Faire entrer").click()
    page.locator("#recent li").first.wait_for()
    expect(empty_note).not_to_be_visible()


def test_the_badges_short_code_finds_the_person_for_a_name_check_before_admitting(page):
    door = make_scanner_link(make_village(slug="sisteron", day=local_today()))  # the door opens on the day
    person = make_registration(door.village, first_name="Louise", last_name="Roux")
    token, shown, person_id = door.token, person.short_code_shown, person.id
    db.session.commit()
    page.goto(f"/scan/{token}")
    page.get_by_label("Code du badge").fill(shown.lower())
    page.get_by_label("Code du badge").press("Enter")
    page.locator("#search-results").get_by_text("Louise Roux").wait_for()
    assert "vérifiez-le avant de la faire entrer" in page.locator("#search-status").inner_text()
    db.session.expire_all()
    assert db.session.get(Registration, person_id).checked_in_at is None  # nothing admitted yet
    page.locator("#search-results").get_by_role("button", name="Faire entrer").click()
    page.locator("#result[data-result=ok]").wait_for()


# --- Participants ------------------------------------------------------------------------------


def test_the_village_page_gives_the_contact_the_deadline_and_directions(page, app):
    app.config["ORGANISER_EMAIL"] = "equipe@villages-solidaires.fr"
    make_village(slug="avignon", town="Avignon", venue="Maison des associations",
                 registration_closes_at=datetime.combine(date.today() + timedelta(days=20), datetime.min.time()))
    page.goto("/villages/avignon")
    facts = page.locator(".facts").inner_text()
    assert "equipe@villages-solidaires.fr" in facts
    assert "ouvertes jusqu'au" in facts
    directions = page.get_by_role("link", name="Itinéraire pour s'y rendre")
    assert directions.get_attribute("href").startswith("https://www.openstreetmap.org/directions?to=Maison%20des%20associations")


def test_the_confirmation_page_offers_the_badge_and_the_calendar_at_once(page):
    token = make_registration(make_village()).manage_token
    db.session.commit()
    page.goto(f"/inscription/{token}/merci")
    badge = page.get_by_role("link", name="Télécharger mon badge (PDF)")
    agenda = page.get_by_role("link", name="Ajouter à mon agenda")
    assert badge.get_attribute("href").endswith("/badge.pdf") and agenda.get_attribute("href").endswith("/invitation.ics")


def test_the_personal_data_page_names_the_contact_from_the_settings(page, app):
    app.config.update(ORGANISER_NAME="Réseau solidaire du Vaucluse", ORGANISER_EMAIL="donnees@reseau-solidaire.fr")
    page.goto("/donnees-personnelles")
    text = page.locator("main").inner_text()
    assert "donnees@reseau-solidaire.fr" in text and "Réseau solidaire du Vaucluse" in text
    assert "example.org" not in text and "Union européenne" not in text and "jusqu'à votre désinscription" not in text


# --- E-mails and first start -------------------------------------------------------------------


def test_every_e_mail_says_whom_to_write_to_and_answers_go_there(app, deliver):
    app.config.update(MAIL_REPLY_TO="equipe@villages-solidaires.fr", ORGANISER_EMAIL="equipe@villages-solidaires.fr")
    person = make_registration(make_village(), confirmed_at=datetime.now())
    notifications.registration_confirmed(person)
    with_own_contact = make_registration(make_village(contact_email="avignon@villages-solidaires.fr"))
    notifications.registration_cancelled(with_own_contact)
    db.session.commit()
    first, second = deliver()
    assert first["Reply-To"] == "equipe@villages-solidaires.fr"
    assert "écrivez à equipe@villages-solidaires.fr" in text_body(first) and "equipe@villages-solidaires.fr" in html_body(first)
    assert second["Reply-To"] == "avignon@villages-solidaires.fr"
    assert "écrivez à avignon@villages-solidaires.fr" in text_body(second)


def test_the_demo_villages_fall_on_future_working_days(app):
    demo_data.load(today=date(2026, 11, 1))
    days = [village.day for village in db.session.scalars(db.select(checkin.Village))]
    assert len(days) == 4 and all(day > date(2026, 11, 1) and day.weekday() < 5 for day in days)
    assert date(2026, 12, 25) not in days
    assert not demo_data.is_working_day(date(2027, 5, 17))  # lundi de Pentecôte
