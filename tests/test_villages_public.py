import re
from datetime import date, timedelta

from app.demo import data as demo_data
from tests.factories import make_registration, make_village
from tests.helpers import page_text


def test_home_lists_upcoming_villages_with_places_left(client):
    village = make_village(town="Avignon", capacity=10)
    make_registration(village)
    page = page_text(client.get("/"))
    assert "Avignon" in page
    assert "Places restantes 9" in page and "ouvertes" in page


def test_home_hides_past_and_archived_villages(client):
    make_village(town="Passéville", day=date.today() - timedelta(days=1))
    from app.timeutil import utcnow

    make_village(town="Archiville", archived_at=utcnow())
    page = page_text(client.get("/"))
    assert "Passéville" not in page and "Archiville" not in page


def test_home_leads_to_the_initiatives_and_the_observatory_from_its_menu(client):
    menu = re.search(r'<nav aria-label="Les initiatives">(.*?)</nav>', client.get("/").get_data(as_text=True), re.S)
    assert 'href="/initiatives"' in menu[1] and 'href="/observatoire"' in menu[1]


def test_unknown_village_is_a_french_404(client):
    response = client.get("/villages/nulle-part")
    assert response.status_code == 404
    assert "Cette page n'existe pas" in page_text(response)


def test_demo_creates_the_three_seed_villages_and_arras_once(app):
    first = demo_data.load()
    second = demo_data.load()
    assert [line.split(" :")[0] for line in first] == [
        "Village Avignon", "Village Draguignan", "Village Sisteron", "Village Arras"
    ]
    assert all(line.endswith("créé") for line in first)
    assert all(line.endswith("déjà présent") for line in second)


def test_demo_villages_are_open_for_registration(app, client):
    demo_data.load()
    page = page_text(client.get("/"))
    assert page.count("ouvertes") == 4


def test_pages_name_an_icon_that_exists(client):
    icon = re.search(r'<link rel="icon" href="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    assert client.get(icon).status_code == 200
