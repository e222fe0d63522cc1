"""What the registration form costs the server at each display: the busiest page of the weeks
before a village (docs/performance.md). It sends nothing the visitor already has, and reads the
village in one statement, outside any transaction on PostgreSQL; the connection then serves
the next request with its transactions as before."""
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Registration
from tests.factories import make_village


def form_url(village) -> str:
    return f"/villages/{village.slug}/inscription"


def test_a_visitor_gets_a_session_cookie_once_not_at_every_page(client, csrf_enabled):
    village = make_village()
    first = client.get(form_url(village))
    assert any(cookie.startswith("session=") for cookie in first.headers.getlist("Set-Cookie"))
    for url in (form_url(village), f"/villages/{village.slug}", "/"):
        assert client.get(url).headers.getlist("Set-Cookie") == []


def test_the_form_reads_in_one_statement_outside_a_transaction(client, is_postgresql):
    url = form_url(make_village())
    client.get(url)
    # The tests share their session with the requests; a server starts each one with its own.
    db.session.close()
    seen = []

    def record(connection, _cursor, statement, *_):
        seen.append((statement, connection.connection.driver_connection))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 1
    if is_postgresql:
        # Autocommit: psycopg sends no BEGIN before the statement, nor ROLLBACK at the end.
        assert seen[0][1].autocommit


def test_after_the_form_the_connection_runs_transactions_again(client, is_postgresql):
    village = make_village()
    village_id, url = village.id, form_url(village)
    db.session.close()
    client.get(url)
    db.session.close()  # as at the end of each request on a server: the connection goes back to the pool
    connection = db.session.connection()
    if is_postgresql:
        assert not connection.connection.driver_connection.autocommit
    connection.execute(Registration.__table__.insert(), dict(
        village_id=village_id, role="habitant", status="confirmed", first_name="Annulée", last_name="Essai",
        email="annulee@example.org", email_key="annulee@example.org", badge_code="b-annulee",
        manage_token="t-annulee"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
