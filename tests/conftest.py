"""Shared fixtures: the app on SQLite or PostgreSQL, a live server, a real SMTP server, a real browser.

The database is chosen by TEST_DATABASE_URL (default: a SQLite file in a temporary folder), e.g.
TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test pytest
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.runtime import jobs
from tests.helpers import IsolatedClient

pytest_plugins = [
    "tests.fixtures_backoffice",
    "tests.fixtures_checkin",
    "tests.fixtures_exports",
    "tests.fixtures_hardening",
    "tests.fixtures_jobs",
    "tests.fixtures_maildocs",
    "tests.fixtures_offline",
]

# CI machines are small and busy: give pages time before calling a wait a failure.
expect.set_options(timeout=15_000)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return own_database(url, os.environ.get("PYTEST_XDIST_WORKER"))
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def own_database(url: str, worker: str | None) -> str:
    """Each parallel test worker gets a PostgreSQL database of its own (test_gw0, test_gw1…),
    created beside the one named, since every worker empties its tables after each test."""
    if worker is None or not url.startswith("postgresql"):
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    named = make_url(url)
    own = f"{named.database}_{worker}"
    admin = create_engine(named.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own}) is None:
            conn.execute(text(f'CREATE DATABASE "{own}"'))
    admin.dispose()
    return named.set(database=own).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PUBLIC_URL": "http://villages.test",
            "MAIL_DELIVER_AFTER_COMMIT": False,
            "SERVER_NAME": None,
            "JOBS_URL": f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'jobs.sqlite'}",
            "JOBS_WORKER_IN_APP": False,
            # Never the instance folder of the checkout.
            "ERASURE_LOG": str(tmp_path_factory.mktemp("instance") / "erasures.log"),
            "BACKUP_DIR": str(tmp_path_factory.mktemp("backups")),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(_app):
    """The application, with an application context pushed and empty tables afterwards."""
    saved_config = dict(_app.config)
    with _app.app_context():
        yield _app
        db.session.remove()
        empty_all_tables()
        # Jobs a test queued and did not run go with its tables (the queue's file lasts the session).
        _app.config["JOBS_URL"] = saved_config["JOBS_URL"]
        jobs.queue().flush()
        db.session.remove()
    _app.config.clear()
    _app.config.update(saved_config)


@pytest.fixture
def client(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield


@pytest.fixture
def is_postgresql(app) -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free loopback port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = base_url
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


class Mailbox:
    """What a real SMTP server on loopback received."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self._arrived:
            self.envelopes.append(envelope)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.envelopes) >= count, timeout=timeout)
        return self.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a free loopback port; the app is configured to use it."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    # aiosmtpd checks that it started by connecting to the port it was given: it needs a real one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        mailbox.port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    mailbox.controller = controller
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=mailbox.port, MAIL_USE_TLS=False)
    yield mailbox
    mailbox.controller.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Chromium introuvable : installez le paquet Debian « chromium »")
    return path


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright, chromium_path):
    browser = _playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab on a phone-sized screen, in French."""
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    yield page
    context.close()
