"""What the public pages show of initiatives and villages changes only when someone moderates,
consents or edits: what is built from it (the open data, the directory's pages, a village's
initiatives) is built once per change and kept in the database, where every worker of every
server finds it, rather than rebuilt at each request.

One rule moves the publication version: every flush that adds, changes or deletes an initiative,
one of its versions or presentations, or a village, moves it in the same transaction, whatever
the code that made the change. A snapshot built at an older version is built again when next
asked for. Snapshots are also named after the release (the code and templates that build them,
and the public address), so that an upgrade never serves what the code before it built.

Each process also holds the snapshots it last served, up to HELD_BYTES, with the version that
built them: while the version row (one indexed row, read by every request anyway) names the same
version, the snapshot is not read again from the database (a directory page is 420 KB).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable, NamedTuple

from flask import current_app
from sqlalchemy import bindparam, delete, event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Initiative, InitiativePresentation, InitiativeVersion, PublicationVersion, PublicSnapshot, Village
from ..timeutil import utcnow

WATCHED = (Initiative, InitiativeVersion, InitiativePresentation, Village)
ROOT = Path(__file__).resolve().parent.parent.parent


class Version(NamedTuple):
    number: int
    changed_at: datetime | None

    @property
    def etag(self) -> str:
        """The same on every server for one release and one version (a strong validator)."""
        return f"{release()[:16]}-{self.number}"


def watch_changes() -> None:
    if not event.contains(db.session, "after_flush", _moved):
        event.listen(db.session, "after_flush", _moved)


def _moved(session: Session, _flush_context) -> None:
    for changed in (session.new, session.dirty, session.deleted):
        if any(isinstance(item, WATCHED) for item in changed):
            move(session)
            return


def move(session: Session) -> None:
    """One more change to what is published (for changes written without the ORM's flush)."""
    connection = session.connection()
    table = PublicationVersion.__table__
    insert = _upsert(connection)
    now = utcnow()
    statement = insert(table).values(id=1, number=1, changed_at=now)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[table.c.id], set_={"number": table.c.number + 1, "changed_at": now}))


def current() -> Version:
    row = db.session.execute(_CURRENT).first()
    return Version(*row) if row else Version(0, None)


_CURRENT = select(PublicationVersion.number, PublicationVersion.changed_at).where(PublicationVersion.id == 1)


def snapshot(name: str, version: Version, build: Callable[[], bytes]) -> bytes:
    """What `build` returns at `version`: held by this process, else read if kept, else built
    and kept. The caller commits (a GET that builds writes it); two workers building at once
    both keep the same thing."""
    key = f"{release()[:16]}:{name}"
    held = _held().get(key, version)
    if held is not None:
        return held
    body = db.session.scalar(_KEPT, {"key": key, "version": version.number})
    if body is None:
        body = build()
        _keep(key, version, body)
    _held().put(key, version, body)
    return body


def _keep(key: str, version: Version, body: bytes) -> None:
    table = PublicSnapshot.__table__
    connection = db.session.connection()
    insert = _upsert(connection)
    statement = insert(table).values(name=key, version=version.number, body=body)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[table.c.name], set_={"version": statement.excluded.version, "body": statement.excluded.body},
        where=table.c.version < statement.excluded.version))
    # What an earlier release built is no longer asked for.
    connection.execute(delete(table).where(~table.c.name.startswith(f"{release()[:16]}:")))


HELD_BYTES = 4 * 1024 * 1024  # a directory page with its map of 2,000 initiatives is 420 KB


class Held:
    """The snapshots a process served last, with the version that built them, up to HELD_BYTES
    (the least recently served go first). A version is its number and the moment it moved: a
    database emptied or restored, whose numbers start again, never finds what another built."""

    def __init__(self):
        self.size = 0
        self.bodies: OrderedDict[str, tuple[Version, bytes]] = OrderedDict()
        self.lock = threading.Lock()  # gunicorn's threads share the process

    def get(self, key: str, version: Version) -> bytes | None:
        with self.lock:
            held = self.bodies.get(key)
            if held is None or held[0] != version:
                return None
            self.bodies.move_to_end(key)
            return held[1]

    def put(self, key: str, version: Version, body: bytes) -> None:
        if version.changed_at is None or len(body) > HELD_BYTES // 4:
            return  # nothing published yet (no moment to tell versions apart); or too big to hold
        with self.lock:
            replaced = self.bodies.pop(key, None)
            if replaced is not None:
                self.size -= len(replaced[1])
            self.bodies[key] = (version, body)
            self.size += len(body)
            while self.size > HELD_BYTES:
                _, (_, dropped) = self.bodies.popitem(last=False)
                self.size -= len(dropped)


def _held() -> Held:
    held = current_app.extensions.get("public_snapshots")
    return held if held is not None else current_app.extensions.setdefault("public_snapshots", Held())


def _upsert(connection):
    """The INSERT … ON CONFLICT of the connection's database (its dialect only is imported)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


_KEPT = select(PublicSnapshot.body).where(PublicSnapshot.name == bindparam("key"),
                                          PublicSnapshot.version == bindparam("version"))


def release() -> str:
    """A fingerprint of the code and templates that build snapshots, and of the public address
    they write: the same on every server running the same release."""
    return _fingerprint(current_app.config["PUBLIC_URL"])


@lru_cache(maxsize=4)
def _fingerprint(public_url: str) -> str:
    digest = hashlib.sha256(public_url.encode())
    for folder, pattern in ((ROOT / "app", "*.py"), (ROOT / "templates", "*.html")):
        for path in sorted(folder.rglob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
