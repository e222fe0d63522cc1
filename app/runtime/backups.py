"""Consistent copies of the database, dated and rotated, and putting one back.

SQLite is copied with its online backup API (the app may keep running); PostgreSQL with
`pg_dump` in its custom format, restored with `pg_restore` and `psql` in a single transaction.

Each backup carries a manifest beside it (`<backup>.manifeste.json`): its size, its SHA-256 and
the number of rows of each table, counted in the very state the copy holds. `restore` checks the
file against it before replacing anything (an empty, cut or altered file, another format: refused)
and the rows restored against the counts (on PostgreSQL in the transaction that restores them).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from ..extensions import db
from ..services import privacy

PREFIX = "villages-"
# Taken by `restore` just before it replaces everything: kept apart, so that restoring
# several times never pushes the regular backups out.
BEFORE_RESTORE_PREFIX = "avant-restauration-"
SUFFIXES = {"sqlite": ".sqlite", "postgresql": ".dump"}
ERASURE_LOG_COPY = "erasures.log"
MANIFEST_SUFFIX = ".manifeste.json"
MANIFEST_FORMAT = "villages-sauvegarde-1"


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
            counts = _sqlite_counts(partial)
        else:
            counts = _dump_postgresql(partial, url)
        partial.chmod(0o600)
        _write_manifest(partial, target, url.get_backend_name(), counts)
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
        manifest_of(path).unlink(missing_ok=True)
    return removed


# --- The manifest -----------------------------------------------------------------------------


def manifest_of(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_manifest(copy: Path, target: Path, backend: str, counts: dict[str, int]) -> None:
    manifest = {
        "format": MANIFEST_FORMAT, "base": backend, "fichier": target.name, "taille": copy.stat().st_size,
        "sha256": _sha256(copy), "lignes": counts,
        "ecrit_le": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    written = manifest_of(target)
    written.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    written.chmod(0o600)


def verify(path: Path, backend: str) -> dict[str, int]:
    """Checks a backup against its manifest before anything is replaced: the rows of each table it
    must give back. BackupError, saying what is wrong in French, if it is not whole."""
    if not path.is_file():
        raise BackupError(f"Fichier introuvable : {path}")
    if path.suffix != SUFFIXES.get(backend):
        raise BackupError(
            f"{path.name} n'est pas une sauvegarde de base {backend} "
            f"(attendu : un fichier {SUFFIXES.get(backend, '?')})."
        )
    size = path.stat().st_size
    if size == 0:
        raise BackupError(f"{path.name} est vide (0 octet) : ce n'est pas une sauvegarde. Rien n'a changé.")
    try:
        manifest = json.loads(manifest_of(path).read_text(encoding="utf-8"))
        expected_size, expected_sum = int(manifest["taille"]), str(manifest["sha256"])
        counts = {str(table): int(rows) for table, rows in dict(manifest["lignes"]).items()}
        if manifest.get("format") != MANIFEST_FORMAT or manifest.get("base") != backend:
            raise ValueError(manifest.get("format"))
    except FileNotFoundError:
        raise BackupError(
            f"{path.name} n'a pas de manifeste ({manifest_of(path).name}) : impossible de vérifier qu'elle est "
            "entière. Rien n'a changé."
        ) from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise BackupError(f"Le manifeste de {path.name} est illisible ({error}). Rien n'a changé.") from error
    if size != expected_size:
        raise BackupError(
            f"{path.name} est tronquée ou altérée : {size} octets au lieu de {expected_size}. Rien n'a changé."
        )
    if _sha256(path) != expected_sum:
        raise BackupError(
            f"{path.name} a été altérée depuis son écriture (son empreinte SHA-256 ne correspond plus à son "
            "manifeste). Rien n'a changé : choisissez une autre sauvegarde."
        )
    return counts


def restore(path: Path) -> int:
    """Replaces the whole database by the backup, then erases again the people erased since.

    Returns how many people the erasure log erased again.
    """
    url = db.engine.url
    backend = url.get_backend_name()
    counts = verify(path, backend)
    if backend == "sqlite":
        _check_sqlite_backup(path, counts)
    take_backup(BEFORE_RESTORE_PREFIX)
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        _copy_sqlite(path, _sqlite_path(url))
    else:
        _restore_postgresql(path, url, counts)
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


def _sqlite_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        connection.close()


def _check_sqlite_backup(path: Path, counts: dict[str, int]) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = connection.execute("PRAGMA quick_check").fetchone()
        finally:
            connection.close()
        found = _sqlite_counts(path)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} n'est pas une base SQLite lisible ({error}).") from error
    if result != "ok":
        raise BackupError(f"{path.name} est abîmée ({result}) : choisissez une autre sauvegarde.")
    if found != counts:
        raise BackupError(f"{path.name} ne contient pas les lignes que son manifeste annonce. Rien n'a changé.")


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


def _dump_postgresql(target: Path, url: URL) -> dict[str, int]:
    """pg_dump of the state the rows are counted in: a snapshot exported by a transaction that
    stays open until the dump is written. Returns the counts."""
    with db.engine.connect() as connection:
        connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        counts = {name: connection.scalar(text(f'SELECT count(*) FROM public."{name}"'))
                  for name in sorted(inspect(connection).get_table_names())}
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}",
              f"--file={target}", f"--dbname={_libpq_uri(url)}"], url)
        connection.rollback()
    return counts


def _count_checks(counts: dict[str, int]) -> str:
    """SQL that stops the restoring transaction if a table has not the rows the manifest counted."""
    checks = "\n".join(
        f"IF (SELECT count(*) FROM public.\"{name}\") <> {rows} THEN "
        f"RAISE EXCEPTION 'table {name} : pas {rows} lignes comme le manifeste'; END IF;"
        for name, rows in counts.items() if name.replace("_", "").isalnum()
    )
    return f"\nDO $$ BEGIN\n{checks}\nEND $$;\n" if checks else ""


def _restore_postgresql(path: Path, url: URL, counts: dict[str, int]) -> None:
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
          f"--dbname={_libpq_uri(url)}", "--command", drop, "--file=-"], url, input=script.stdout.decode() + _count_checks(counts))
    # Restored tables have no planner statistics until autovacuum comes by: without them, PostgreSQL
    # looks for a registration's e-mail through the wrong index (2 ms instead of 0.03 at 5,000 rows).
    _run([_tool("psql"), "--quiet", "--no-psqlrc", f"--dbname={_libpq_uri(url)}", "--command", "ANALYZE"], url)
