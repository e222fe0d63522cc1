"""The participant's agenda kept for offline use: a service worker per private link, which keeps
that link's page, badge, agenda PDF and calendar only, and only once a schedule is published."""
import json
import re

from app.extensions import db
from app.services import meeting_requests, scheduling
from tests.factories import make_registration, make_village
from tests.factories_matching import make_area, make_institution, make_meeting, make_porteur


def worker_constants(script: str) -> dict:
    return {name: json.loads(value) for name, value in re.findall(r"^const (\w+) = (.*);$", script, re.M)
            if name in ("SCOPE", "KEPT", "ASSETS")}


def test_the_worker_keeps_only_its_own_link_and_the_pages_files(client):
    village = make_village()
    porteur = make_porteur(village)
    make_meeting(village, porteur)
    other = make_registration(village)
    token = porteur.manage_token
    response = client.get(f"/inscription/{token}/hors-connexion.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == f"/inscription/{token}"
    script = response.get_data(as_text=True)
    constants = worker_constants(script)
    assert constants["SCOPE"] == f"/inscription/{token}"
    assert constants["KEPT"] == [f"/inscription/{token}", f"/inscription/{token}/badge.pdf",
                                 f"/inscription/{token}/rendez-vous.pdf", f"/inscription/{token}/rendez-vous.ics"]
    assert all(url.startswith("/static/") for url in constants["ASSETS"])
    assert "/static/css/registration.css" in constants["ASSETS"]
    assert other.manage_token not in script


def test_the_private_page_installs_the_worker_once_the_schedule_is_published(client):
    village = make_village()
    make_area(village)
    porteur = make_porteur(village)
    page = client.get(f"/inscription/{porteur.manage_token}").get_data(as_text=True)
    assert "data-worker" not in page and "Hors connexion" not in page
    assert client.get(f"/inscription/{porteur.manage_token}/hors-connexion.js").status_code == 404

    request = meeting_requests.ask(make_institution(village), porteur, "partage", "")
    meeting_requests.accept(request, porteur)
    scheduling.publish(village, actor="test")
    db.session.commit()
    page = client.get(f"/inscription/{porteur.manage_token}").get_data(as_text=True)
    assert f'data-worker="/inscription/{porteur.manage_token}/hors-connexion.js"' in page
    # Hidden on the page as served: the worker shows it on the copy it kept.
    assert re.search(r'<p class="notice offline-banner" role="status" data-offline-banner hidden>'
                     r"Hors connexion\s: programme enregistré le \d", page)


def test_no_worker_for_an_unknown_link_nor_a_cancelled_place(client):
    village = make_village()
    porteur = make_porteur(village)
    make_meeting(village, porteur)
    assert client.get("/inscription/inconnu/hors-connexion.js").status_code == 404
    porteur.status = "cancelled"
    db.session.commit()
    assert client.get(f"/inscription/{porteur.manage_token}/hors-connexion.js").status_code == 404
    assert "data-worker" not in client.get(f"/inscription/{porteur.manage_token}").get_data(as_text=True)
