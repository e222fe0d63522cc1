"""Private links, scanner links and badge codes are keys: they never reach the application's logs."""
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.services import registration as registrations
from tests.factories import make_village
from tests.factories_registration import register


def test_a_failure_on_a_private_page_logs_the_route_not_the_link(app, client, caplog, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 and log, as in production
    registration = register(make_village())

    def broken(_registration):
        raise RuntimeError("panne imprévue")

    monkeypatch.setattr(registrations, "waiting_position", broken)
    with caplog.at_level(logging.ERROR):
        assert client.get(f"/inscription/{registration.manage_token}").status_code == 500
    assert "Exception on /inscription/<token> [GET]" in caplog.text
    assert registration.manage_token not in caplog.text


def test_database_errors_do_not_quote_the_values_sent(app):
    registration = register(make_village())
    with pytest.raises(DBAPIError) as failure:
        db.session.execute(text("SELECT * FROM no_such_table WHERE code = :code"), {"code": registration.badge_code})
    db.session.rollback()
    assert registration.badge_code not in str(failure.value)
