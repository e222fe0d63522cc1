"""Upgrading keeps the data: a database built by the previous release's schema (migration 0001),
filled as people used it, then migrated to the latest schema, and back."""
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Boolean, Date, DateTime, Integer, JSON, LargeBinary, MetaData, Time, create_engine, select
from sqlalchemy.orm import Session

from app.models import CheckIn, OutboxMessage, Registration, Village
from tests.test_migrations import ROOT, scratch_database_url

PREVIOUS_RELEASE = "0001"
NOW = datetime(2026, 5, 4, 10, 30)


def flask_db(url: str, *arguments: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *arguments],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def placeholder(column):
    """A value for a required column the test does not care about."""
    kind = column.type
    for python_type, value in ((Boolean, False), (Integer, 0), (DateTime, NOW), (Date, NOW.date()),
                               (Time, time(9)), (JSON, {}), (LargeBinary, b"")):
        if isinstance(kind, python_type):
            return value
    return "-"


def insert(connection, metadata, table_name: str, **values) -> int:
    table = metadata.tables[table_name]
    for column in table.columns:
        if column.name not in values and not column.nullable and not column.primary_key:
            values[column.name] = placeholder(column)
    return connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def fill_at_previous_release(engine) -> None:
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        village = insert(connection, metadata, "village", slug="draguignan", name="Village de Draguignan",
                         town="Draguignan", day=date(2026, 6, 12), capacity=80)
        people = [
            insert(connection, metadata, "registration", village_id=village, role=role, status=status,
                   first_name=first, last_name="Essai", email=f"{first.lower()}@example.org",
                   badge_code=f"badge-{first}", manage_token=f"lien-{first}", created_at=NOW, updated_at=NOW)
            for first, role, status in (("Alix", "porteur", "confirmed"), ("Basile", "elu", "waitlisted"),
                                        ("Cyrielle", "habitant", "cancelled"))
        ]
        insert(connection, metadata, "checkin", registration_id=people[0], village_id=village, scan_id="scan-1",
               scanned_at=NOW, received_at=NOW, scanner="Accueil 1", method="scan")
        for status, person in (("pending", people[1]), ("sent", people[0]), ("failed", people[2])):
            insert(connection, metadata, "outbox_message", kind="confirmation", registration_id=person,
                   recipient="x@example.org", subject=f"Message {status}",
                   message=f"Message-ID: <{status}@villages.test>\r\nSubject: Message\r\n\r\nBonjour".encode(),
                   status=status, next_attempt_at=NOW + timedelta(minutes=1), created_at=NOW)


def what_people_see(engine) -> dict:
    with Session(engine) as session:
        return {
            "villages": [(v.slug, v.name, v.day) for v in session.scalars(select(Village))],
            "registrations": [
                (r.first_name, r.email, r.role, r.status, r.badge_code, r.manage_token)
                for r in session.scalars(select(Registration).order_by(Registration.id))
            ],
            "check_ins": [(c.scan_id, c.registration.first_name) for c in session.scalars(select(CheckIn))],
            "outbox": [(m.subject, m.status) for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))],
        }


EXPECTED = {
    "villages": [("draguignan", "Village de Draguignan", date(2026, 6, 12))],
    "registrations": [
        ("Alix", "alix@example.org", "porteur", "confirmed", "badge-Alix", "lien-Alix"),
        ("Basile", "basile@example.org", "elu", "waitlisted", "badge-Basile", "lien-Basile"),
        ("Cyrielle", "cyrielle@example.org", "habitant", "cancelled", "badge-Cyrielle", "lien-Cyrielle"),
    ],
    "check_ins": [("scan-1", "Alix")],
    "outbox": [("Message pending", "pending"), ("Message sent", "sent"), ("Message failed", "failed")],
}


@pytest.fixture
def previous_release_database(app, tmp_path):
    url = scratch_database_url(tmp_path, "upgrade")
    flask_db(url, "upgrade", PREVIOUS_RELEASE)
    engine = create_engine(url)
    fill_at_previous_release(engine)
    engine.dispose()
    yield url


def test_upgrading_to_the_latest_schema_keeps_every_record(previous_release_database):
    flask_db(previous_release_database, "upgrade", "heads")

    engine = create_engine(previous_release_database)
    assert what_people_see(engine) == EXPECTED
    with Session(engine) as session:
        # Messages queued before the upgrade keep their identity (read from the stored message).
        assert set(session.scalars(select(OutboxMessage.message_id))) == {
            "<pending@villages.test>", "<sent@villages.test>", "<failed@villages.test>"}
    engine.dispose()


def test_every_migration_since_the_previous_release_goes_back_without_losing_records(previous_release_database):
    flask_db(previous_release_database, "upgrade", "heads")
    flask_db(previous_release_database, "downgrade", PREVIOUS_RELEASE)
    flask_db(previous_release_database, "upgrade", "heads")

    engine = create_engine(previous_release_database)
    assert what_people_see(engine) == EXPECTED
    engine.dispose()
