"""Consistent copies of the database, dated and rotated, and putting one back.

SQLite is copied with its online backup API (the app may keep running); PostgreSQL with
`pg_dump` in its custom format, restored with `pg_restore` and `psql` in a single transaction.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from ..extensions import db
from ..services import privacy

PREFIX = "villages-"
# Taken by `restore` just before it replaces everything: kept apart, so that restoring
# several times never pushes the regular backups out.
BEFORE_RESTORE_PREFIX = "avant-restauration-"
SUFFIXES = {"sqlite": ".sqlite", "postgresql": ".dump"}
ERASURE_LOG_COPY = "erasures.log"


class BackupError(Exception):
    """Something the administrator must fix; the message says what, in French."""


def backup_folder() -> Path:
    folder = Path(current_app.config["BACKUP_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # backups hold personal data
    return folder


def take_backup(prefix: str = PREFIX) -> Path:
    """Writes a dated copy of the database into BACKUP_DIR, keeps the BACKUP_KEEP newest; returns its path."""
    url = db.engine.url
    suffix = SUFFIXES.get(url.get_backend_name())
    if suffix is None:
        raise BackupError(f"Sauvegarde impossible : base « {url.get_backend_name()} » non prise en charge.")
    folder = backup_folder()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{prefix}{stamp}{suffix}"
    # Written under another name first: a copy cut short never looks like a backup.
    partial = target.with_name(target.name + ".partiel")
    try:
        if suffix == ".sqlite":
            _copy_sqlite(_sqlite_path(url), partial)
        else:
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl",
                  f"--file={partial}", f"--dbname={_libpq_uri(url)}"], url)
        partial.chmod(0o600)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _copy_erasure_log(folder)
    prune(folder, prefix, current_app.config["BACKUP_KEEP"])
    return target


def _copy_erasure_log(folder: Path) -> None:
    """Beside the backups, so that whoever copies them elsewhere copies it too: restoring one
    on another server needs it (see docs/deploy.md)."""
    log = Path(current_app.config["ERASURE_LOG"])
    if log.exists():
        shutil.copyfile(log, folder / ERASURE_LOG_COPY)
        (folder / ERASURE_LOG_COPY).chmod(0o600)


def backups(folder: Path, prefix: str = PREFIX) -> list[Path]:
    """The backups of the folder, oldest first (their names sort by date)."""
    pattern = re.compile(re.escape(prefix) + r"\d{8}-\d{6}\.(sqlite|dump)$")
    return sorted(path for path in folder.iterdir() if pattern.match(path.name))


def prune(folder: Path, prefix: str, keep: int) -> list[Path]:
    removed = backups(folder, prefix)[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


def restore(path: Path) -> int:
    """Replaces the whole database by the backup, then erases again the people erased since.

    Returns how many people the erasure log erased again.
    """
    url = db.engine.url
    backend = url.get_backend_name()
    if not path.is_file():
        raise BackupError(f"Fichier introuvable : {path}")
    if path.suffix != SUFFIXES.get(backend):
        raise BackupError(
            f"{path.name} n'est pas une sauvegarde de base {backend} "
            f"(attendu : un fichier {SUFFIXES.get(backend, '?')})."
        )
    take_backup(BEFORE_RESTORE_PREFIX)
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        _check_sqlite_backup(path)
        _copy_sqlite(path, _sqlite_path(url))
    else:
        _restore_postgresql(path, url)
    db.engine.dispose()
    return privacy.replay_erasures()


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("Une base SQLite en mémoire ne se sauvegarde pas.")
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the app writes."""
    source_connection = sqlite3.connect(source)
    target_connection = sqlite3.connect(target)
    try:
        with target_connection:
            source_connection.backup(target_connection)
    finally:
        source_connection.close()
        target_connection.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = connection.execute("PRAGMA quick_check").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} n'est pas une base SQLite lisible ({error}).") from error
    if result != "ok":
        raise BackupError(f"{path.name} est abîmée ({result}) : choisissez une autre sauvegarde.")


# --- PostgreSQL -------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} est introuvable : installez le client PostgreSQL "
            "(sudo apt-get install postgresql-client), de la même version que le serveur ou plus récent."
        )
    return path


def _libpq_uri(url: URL) -> str:
    """The address for PostgreSQL's own tools, without the password (given through PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL, **options) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run(command, env=env, capture_output=True, text=True, **options)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} a échoué : {result.stderr.strip()}")


def _restore_postgresql(path: Path, url: URL) -> None:
    listing = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{path.name} n'est pas une sauvegarde pg_dump lisible ({listing.stderr.strip()}).")
    script = subprocess.run(
        [_tool("pg_restore"), "--no-owner", "--no-acl", "--file=-", str(path)], capture_output=True
    )
    if script.returncode != 0:
        raise BackupError(f"pg_restore a échoué : {script.stderr.decode(errors='replace').strip()}")
    # Today's tables go and the backup's come back in one transaction: on any error, nothing changed.
    tables = inspect(db.engine).get_table_names()
    db.engine.dispose()
    quoted = ", ".join(f'public."{name}"' for name in tables)
    drop = f"DROP TABLE IF EXISTS {quoted} CASCADE" if tables else "SELECT 1"
    _run([_tool("psql"), "--quiet", "--no-psqlrc", "--single-transaction", "--set=ON_ERROR_STOP=1",
          f"--dbname={_libpq_uri(url)}", "--command", drop, "--file=-"], url, input=script.stdout.decode())
    # Restored tables have no planner statistics until autovacuum comes by: without them, PostgreSQL
    # looks for a registration's e-mail through the wrong index (2 ms instead of 0.03 at 5,000 rows).
    _run([_tool("psql"), "--quiet", "--no-psqlrc", f"--dbname={_libpq_uri(url)}", "--command", "ANALYZE"], url)
