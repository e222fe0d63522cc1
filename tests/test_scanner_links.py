"""Scanner links: created by organisers (page or command line), valid for the village's day, revocable."""
import hashlib
import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ScannerToken
from app.services import scanner_links
from app.timeutil import local_datetime, local_today, to_utc_naive
from tests.factories import make_registration, make_village
from tests.helpers import page_text


def test_only_the_hash_of_the_token_is_stored(app, door):
    stored = db.session.scalar(select(ScannerToken))
    assert stored.token_hash == hashlib.sha256(door.token.encode()).hexdigest()
    assert door.token not in (stored.token_hash, stored.label)


def test_link_expires_at_the_end_of_the_village_day_local_time(app, door):
    stored = db.session.scalar(select(ScannerToken))
    midnight = local_datetime(door.village.day + timedelta(days=1), time(0))
    assert stored.expires_at == to_utc_naive(midnight)
    assert stored.is_valid(stored.expires_at - timedelta(seconds=1))
    assert not stored.is_valid(stored.expires_at)


def test_no_link_for_a_past_village(app):
    village = make_village(day=datetime.now().date() - timedelta(days=2))
    try:
        scanner_links.create(village, "Entrée", "organisatrice@example.org")
    except scanner_links.LinkRefused as refused:
        assert "passé" in str(refused)
    else:
        raise AssertionError("a link was created for a past village")


def test_opening_the_link_opens_the_scanner_page_of_its_village(client, door):
    response = client.get(f"/scan/{door.token}")
    assert response.status_code == 302 and response.location == "/checkin/sisteron"
    page = client.get("/checkin/sisteron")
    assert page.status_code == 200
    assert "Accueil – Sisteron" in page_text(page) and "Entrée nord" in page_text(page)


def test_token_in_the_query_string_is_remembered_and_dropped_from_the_address(client, door):
    response = client.get(f"/checkin/sisteron?token={door.token}")
    assert response.location == "/checkin/sisteron"
    assert client.get("/checkin/sisteron").status_code == 200


def test_scanner_page_without_a_link_explains_what_to_do(client, door):
    response = client.get("/checkin/sisteron")
    assert response.status_code == 401
    assert "ouvrez le lien d'accueil" in page_text(response)


def test_invalid_link_is_a_french_401_page(client, door):
    response = client.get("/scan/pas-un-jeton")
    assert response.status_code == 401
    assert "n'est pas ou plus valable" in page_text(response)


def test_revoked_link_no_longer_opens_the_page_even_if_remembered(client, door):
    client.get(f"/scan/{door.token}")
    scanner_links.revoke(scanner_links.valid_link(door.token), "organisatrice@example.org")
    db.session.commit()
    assert client.get("/checkin/sisteron").status_code == 401
    assert client.get(f"/scan/{door.token}").status_code == 401


def test_remembered_link_does_not_open_another_village(client, door):
    make_village(slug="avignon")
    client.get(f"/scan/{door.token}")
    assert client.get("/checkin/avignon").status_code == 401


def test_checkin_account_uses_the_page_of_its_own_villages_only(logged_in, door):
    make_village(slug="avignon")
    client = logged_in("checkin", checkin_villages=[door.village])
    assert client.get("/checkin/sisteron").status_code == 200
    assert client.get("/checkin/avignon").status_code == 403


# The organisers' page ----------------------------------------------------------------------


def test_links_page_sends_visitors_to_the_login_page(client, door):
    response = client.get("/checkin/sisteron/liens")
    assert response.status_code == 302 and "/organisation/connexion" in response.location


def test_links_page_is_not_for_checkin_accounts(logged_in, door):
    client = logged_in("checkin", checkin_villages=[door.village])
    assert client.get("/checkin/sisteron/liens").status_code == 403


def test_organiser_creates_a_link_and_sees_it_once_with_its_qr_code(organiser_client, door):
    client = organiser_client
    response = client.post("/checkin/sisteron/liens", data={"label": "Téléphone de Sam"})
    assert response.status_code == 302
    page = client.get("/checkin/sisteron/liens")
    text = page_text(page)
    link = re.search(r"http://villages\.test/scan/([\w-]+)", text)
    assert link and "Téléphone de Sam" in text
    assert 'src="data:image/png;base64,' in page.get_data(as_text=True)
    assert scanner_links.valid_link(link.group(1)).label == "Téléphone de Sam"
    assert "villages.test/scan/" not in page_text(client.get("/checkin/sisteron/liens"))


def shown_link(client) -> str:
    return re.search(r"http://villages\.test/scan/([\w-]+)", page_text(client.get("/checkin/sisteron/liens"))).group(1)


def test_the_same_link_form_posted_twice_makes_one_link_shown_after_each_post(organiser_client, door):
    form_key = re.search(r'name="send_key" value="([\w-]+)"',
                         organiser_client.get("/checkin/sisteron/liens").get_data(as_text=True)).group(1)
    organiser_client.post("/checkin/sisteron/liens", data={"label": "Téléphone de Sam", "send_key": form_key})
    first = shown_link(organiser_client)
    organiser_client.post("/checkin/sisteron/liens", data={"label": "Téléphone de Sam", "send_key": form_key})
    assert shown_link(organiser_client) == first
    assert len(db.session.scalars(select(ScannerToken).where(ScannerToken.label == "Téléphone de Sam")).all()) == 1
    assert scanner_links.valid_link(first).label == "Téléphone de Sam"


def test_each_display_of_the_link_form_makes_a_new_link(organiser_client, door):
    for _ in range(2):
        form_key = re.search(r'name="send_key" value="([\w-]+)"',
                             organiser_client.get("/checkin/sisteron/liens").get_data(as_text=True)).group(1)
        organiser_client.post("/checkin/sisteron/liens", data={"label": "Téléphone de Sam", "send_key": form_key})
    assert len(db.session.scalars(select(ScannerToken).where(ScannerToken.label == "Téléphone de Sam")).all()) == 2


def test_organiser_revokes_a_link(organiser_client, door):
    client = organiser_client
    stored = db.session.scalar(select(ScannerToken))
    response = client.post(f"/checkin/sisteron/liens/{stored.id}/revoquer", follow_redirects=True)
    assert "est révoqué" in page_text(response)
    assert scanner_links.valid_link(door.token) is None


def test_revoking_a_link_of_another_village_is_404(organiser_client, door):
    client = organiser_client
    make_village(slug="avignon")
    stored = db.session.scalar(select(ScannerToken))
    assert client.post(f"/checkin/avignon/liens/{stored.id}/revoquer").status_code == 404
    assert scanner_links.valid_link(door.token) is not None


# Command line ------------------------------------------------------------------------------


def test_command_prints_a_working_token_and_link(app, client):
    village = make_village(slug="draguignan", day=local_today())
    person = make_registration(village)
    result = app.test_cli_runner().invoke(args=["checkin", "token", "draguignan", "--label", "Entrée sud"])
    assert result.exit_code == 0, result.output
    token = re.search(r"Jeton : (\S+)", result.output).group(1)
    assert f"Lien : http://villages.test/scan/{token}" in result.output
    response = client.post(
        "/api/checkin", json={"code": person.badge_code}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.json["result"] == "ok"


def test_command_refuses_an_unknown_village(app):
    result = app.test_cli_runner().invoke(args=["checkin", "token", "nulle-part"])
    assert result.exit_code != 0 and "Aucun village « nulle-part »" in result.output


def test_token_command_prints_the_link_and_its_end_in_local_time(app):
    make_village(slug="sisteron", day=date(2030, 12, 21))
    result = app.test_cli_runner().invoke(args=["checkin", "token", "sisteron", "--label", "Entrée nord"])
    assert result.exit_code == 0, result.output
    assert "/scan/" in result.output
    assert "Valable jusqu'au 22 décembre 2030 à 0\u00a0h (heure locale) ; poste « Entrée nord »." in result.output
