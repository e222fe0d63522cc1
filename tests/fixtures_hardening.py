"""Fixtures of the hardening tests: apps built with other settings than the shared test app."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db


@pytest.fixture
def make_app(_app):
    """Build fresh apps with the shared test app's settings plus `overrides` (e.g. limits switched on)."""
    built = []

    def build(**overrides):
        settings = {
            key: _app.config[key]
            for key in ("TESTING", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED", "PUBLIC_URL")
        }
        settings.update(overrides)
        fresh = create_app(settings)
        built.append(fresh)
        return fresh

    yield build
    for fresh in built:
        with fresh.app_context():
            db.engine.dispose()


# --- A database that can go down -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayPostgreSQL:
    """A PostgreSQL server of our own, on a free loopback port, that the test may stop and start.

    The shared server must never be stopped: other test runs use it.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        # PostgreSQL refuses to run as root.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        subprocess.run(
            [*self.as_owner, str(self.bin / program), *args], check=check, capture_output=True, timeout=60
        )

    def create(self) -> None:
        if self.as_owner:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        # "fast": the server ends every open session, as a crash or a restart would.
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def cut(self, dbapi_connection) -> None:
        """Go down while `dbapi_connection` is in the middle of a transaction."""
        self.stop()

    def destroy(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False)


class UnreachableSQLiteFile:
    """A SQLite database whose folder disappears (an unmounted disk) and comes back."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.folder = directory / "data"
        self.away = directory / "away"
        self.url = f"sqlite:///{self.folder / 'villages.sqlite'}"
        self.engines = []  # their pooled connections keep the file open: closed when it goes

    def create(self) -> None:
        self.folder.mkdir()

    def stop(self) -> None:
        self.folder.rename(self.away)
        for engine in self.engines:
            engine.dispose()

    def start(self) -> None:
        self.away.rename(self.folder)

    def cut(self, dbapi_connection) -> None:
        self.stop()
        # An open SQLite file survives the rename: lose this connection as a network would.
        dbapi_connection.close()

    def destroy(self) -> None:
        pass


@pytest.fixture
def database_outage(make_app, is_postgresql):
    """A fresh app (`.app`) on a database of its own that can go down: `.stop()`, `.start()`, `.cut(conn)`."""
    # Not tmp_path: the postgres user must be able to reach the folder.
    server = (ThrowawayPostgreSQL if is_postgresql else UnreachableSQLiteFile)(
        Path(tempfile.mkdtemp(prefix="villages-outage-"))
    )
    server.create()
    server.app = make_app(SQLALCHEMY_DATABASE_URI=server.url)
    with server.app.app_context():
        db.create_all()
        if isinstance(server, UnreachableSQLiteFile):
            server.engines.append(db.engine)
    try:
        yield server
    finally:
        with server.app.app_context():
            db.engine.dispose()
        server.destroy()
        shutil.rmtree(server.directory, ignore_errors=True)


# --- A mail server that can go down --------------------------------------------------------------


class RestartableSMTPServer:
    """A real SMTP server (aiosmtpd) on a fixed loopback port, that can be stopped and started."""

    def __init__(self, mailbox) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def restartable_smtp_server(app):
    from tests.conftest import Mailbox

    server = RestartableSMTPServer(Mailbox())
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_TIMEOUT=5)
    yield server
    server.stop()
