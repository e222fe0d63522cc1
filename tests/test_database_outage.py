"""When the database goes away, people get a clean French page (JSON for the API), nothing is
half written, and the application recovers by itself once the database is back.

On PostgreSQL a server of the test's own is stopped and started; on SQLite the database's
folder disappears and comes back.
"""
from flask import jsonify
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Village
from tests.factories import make_village
from tests.fixtures_backoffice import log_in, make_organiser
from tests.helpers import page_text

UNAVAILABLE = "Le service est momentanément indisponible"


def add_probe_routes(app) -> None:
    """Routes that read and write the database the way the real pages do."""

    def list_villages():
        return jsonify(count=db.session.scalar(select(func.count()).select_from(Village)))

    def write_village():
        make_village(slug="ecrit-pendant-la-panne")
        return "écrit"

    app.add_url_rule("/api/essai/villages", "essai_villages", list_villages)
    app.add_url_rule("/essai/ecrire", "essai_ecrire", write_village, methods=["POST"])


def village_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Village))


def test_pages_get_a_french_503_during_the_outage(database_outage):
    client = database_outage.app.test_client()
    database_outage.stop()
    response = client.get("/")
    assert response.status_code == 503
    assert UNAVAILABLE in page_text(response)
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_api_gets_a_json_503_during_the_outage(database_outage):
    add_probe_routes(database_outage.app)
    client = database_outage.app.test_client()
    database_outage.stop()
    response = client.get("/api/essai/villages")
    assert response.status_code == 503
    assert response.get_json()["error"].startswith(UNAVAILABLE)


def test_the_app_recovers_by_itself_when_the_database_is_back(database_outage):
    add_probe_routes(database_outage.app)
    client = database_outage.app.test_client()
    assert client.get("/api/essai/villages").status_code == 200  # a connection now waits in the pool
    database_outage.stop()
    assert client.get("/api/essai/villages").status_code == 503
    database_outage.start()
    assert client.get("/api/essai/villages").get_json() == {"count": 0}
    assert client.get("/").status_code == 200


def test_a_restart_between_two_requests_goes_unnoticed(database_outage):
    # The pooled connection died with the old server: it is replaced before use (app/database.py).
    add_probe_routes(database_outage.app)
    client = database_outage.app.test_client()
    assert client.get("/api/essai/villages").status_code == 200
    database_outage.stop()
    database_outage.start()
    assert client.get("/api/essai/villages").status_code == 200


def test_a_failure_at_commit_leaves_nothing_half_written(database_outage):
    app = database_outage.app
    add_probe_routes(app)
    with app.app_context():
        engine = db.engine

    def go_down(connection):
        database_outage.cut(connection.connection.dbapi_connection)

    event.listen(engine, "commit", go_down)
    try:
        response = app.test_client().post("/essai/ecrire")
    finally:
        event.remove(engine, "commit", go_down)
    assert response.status_code == 503
    assert UNAVAILABLE in page_text(response)
    database_outage.start()
    assert village_count(app) == 0


def test_a_failure_while_loading_the_logged_in_organiser_gives_the_503_page(database_outage):
    app = database_outage.app
    with app.app_context():
        make_organiser("organiser")
    client = app.test_client()
    assert log_in(client, "organiser@villages.test").status_code == 302
    database_outage.stop()
    response = client.get("/organisation/")
    assert response.status_code == 503
    assert UNAVAILABLE in page_text(response)
