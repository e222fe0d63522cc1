"""The health check of an installation's settings, behind `flask --app wsgi doctor`.

Each check is independent, looks at one thing and says in French what is wrong and what to
change; one failing (even by an unexpected error) never stops the others.
"""
from __future__ import annotations

import shutil
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from limits.storage import storage_from_string
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..paths import MIGRATIONS
from . import jobs

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
# Values found in examples and tutorials, ours included (deploy/villages.env).
PLACEHOLDER_SECRETS = {"a-remplacer", "changeme", "change-me", "secret", "dev", "development", "test"}
MIN_SECRET_LENGTH = 32
HOW_TO_MAKE_A_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


@dataclass(frozen=True)
class Finding:
    topic: str
    ok: bool
    message: str


CHECKS: list[tuple[str, Callable[[Flask], tuple[bool, str]]]] = []


def check(topic: str):
    def register(function):
        CHECKS.append((topic, function))
        return function
    return register


def run_checks(app: Flask) -> list[Finding]:
    findings = []
    for topic, function in CHECKS:
        try:
            ok, message = function(app)
        except Exception as error:  # noqa: BLE001 — a check that breaks is itself a finding
            ok, message = False, f"la vérification a échoué ({error.__class__.__name__} : {error})."
        findings.append(Finding(topic, ok, message))
    return findings


def is_local_run(app: Flask) -> bool:
    """Served on this computer only (PUBLIC_URL on localhost): a trial, not production."""
    return urlsplit(app.config["PUBLIC_URL"]).hostname in LOCAL_HOSTS


@check("Clé secrète (SECRET_KEY)")
def secret_key(app: Flask) -> tuple[bool, str]:
    key = app.config["SECRET_KEY"] or ""
    if is_local_run(app):
        return True, "exécution locale : la clé gardée dans instance/secret_key suffit."
    generated = Path(app.instance_path) / "secret_key"
    if generated.exists() and key == generated.read_text().strip():
        return False, (
            "SECRET_KEY n'est pas réglée : la clé générée dans instance/secret_key sert par défaut. "
            f"Mettez SECRET_KEY dans le fichier de réglages, par exemple la sortie de : {HOW_TO_MAKE_A_SECRET}"
        )
    if key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH or len(set(key)) < 10:
        return False, (
            "SECRET_KEY est une valeur d'exemple ou trop faible : n'importe qui pourrait fabriquer une "
            f"session d'organisateur. Remplacez-la par une clé d'au moins {MIN_SECRET_LENGTH} caractères "
            f"aléatoires, par exemple la sortie de : {HOW_TO_MAKE_A_SECRET}"
        )
    return True, f"réglée, {len(key)} caractères."


@check("Adresse publique (PUBLIC_URL)")
def public_url(app: Flask) -> tuple[bool, str]:
    url = app.config["PUBLIC_URL"]
    if is_local_run(app):
        return True, f"exécution locale ({url})."
    if not url.startswith("https://"):
        return False, (
            f"PUBLIC_URL vaut {url} : les liens privés des e-mails et les cookies de connexion "
            "circuleraient en clair. Servez le site en HTTPS (Caddy ou nginx, voir docs/deploy.md) "
            "et mettez PUBLIC_URL=https://votre-domaine."
        )
    return True, url


@check("Base de données")
def database(app: Flask) -> tuple[bool, str]:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    where = db.engine.url.render_as_string(hide_password=True)
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        return False, (
            f"injoignable à l'adresse {where} ({explain(error)}). Vérifiez DATABASE_URL (serveur, port, nom "
            "de la base, utilisateur, mot de passe) et que PostgreSQL tourne (systemctl status postgresql)."
        )
    expected = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    if not current:
        return False, "la base est vide : créez les tables avec « flask --app wsgi db upgrade »."
    if current != expected:
        return False, (
            f"une migration est en attente (base : {', '.join(sorted(current))} ; code : "
            f"{', '.join(sorted(expected))}). Arrêtez le site, faites une sauvegarde "
            "(flask --app wsgi backup), puis lancez « flask --app wsgi db upgrade »."
        )
    return True, f"joignable ({where}), schéma à jour ({', '.join(sorted(current))})."


@check("Serveur d'e-mails (SMTP)")
def smtp(app: Flask) -> tuple[bool, str]:
    config = app.config
    server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
    if not is_local_run(app) and sender.endswith("@localhost"):
        return False, (
            f"l'expéditeur est l'adresse d'essai {sender} : réglez MAIL_DEFAULT_SENDER avec une adresse "
            "de votre domaine, par exemple « Villages <villages@votre-association.org> »."
        )
    connection_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        with connection_class(server, port, timeout=config["MAIL_TIMEOUT"]) as connection:
            connection.ehlo()
            if config["MAIL_USE_TLS"]:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if config["MAIL_USERNAME"]:
                connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            code, reply = connection.mail(sender)
            connection.rset()
    except smtplib.SMTPAuthenticationError:
        return False, f"le serveur {server}:{port} refuse l'identifiant MAIL_USERNAME ou le mot de passe MAIL_PASSWORD."
    except (OSError, smtplib.SMTPException) as error:
        return False, (
            f"injoignable à {server}:{port} ({explain(error)}). Les inscriptions "
            "restent enregistrées, mais aucun e-mail ne part : vérifiez MAIL_SERVER, MAIL_PORT, "
            "MAIL_USE_TLS/MAIL_USE_SSL et que le serveur d'e-mails accepte les connexions de ce serveur."
        )
    if code != 250:
        return False, (
            f"le serveur {server}:{port} refuse l'expéditeur {sender} ({code} "
            f"{reply.decode(errors='replace')}). Utilisez dans MAIL_DEFAULT_SENDER une adresse que ce "
            "serveur a le droit d'envoyer."
        )
    return True, f"{server}:{port} accepte l'expéditeur {sender}."


@check("Limites de débit (RATELIMIT_STORAGE_URI)")
def rate_limit_storage(app: Flask) -> tuple[bool, str]:
    config = app.config
    uri, workers = config["RATELIMIT_STORAGE_URI"], config["WEB_CONCURRENCY"]
    if not config["RATELIMIT_ENABLED"]:
        if is_local_run(app):
            return True, "coupées (exécution locale)."
        return False, "coupées (RATELIMIT_ENABLED=0) : rien ne freine les robots. Supprimez ce réglage."
    if uri.startswith("memory://"):
        if workers > 1 and not is_local_run(app):
            return False, (
                f"gardées en mémoire alors que {workers} processus gunicorn tournent (WEB_CONCURRENCY) : "
                "chacun compte à part, les limites sont multipliées. Installez Redis "
                "(sudo apt-get install redis-server) et mettez RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0."
            )
        return True, "en mémoire (un seul processus)."
    if not storage_from_string(uri).check():
        return False, f"le stockage {_without_password(uri)} ne répond pas : démarrez-le ou corrigez RATELIMIT_STORAGE_URI."
    return True, f"partagées entre les {workers} processus ({_without_password(uri)})."


@check("File des tâches de fond (JOBS_URL)")
def job_queue(app: Flask) -> tuple[bool, str]:
    reachable, detail = jobs.queue_reachable()
    if not reachable:
        return False, (
            f"{detail}. Les documents longs (badges, feuilles d'émargement) ne se préparent plus : "
            "démarrez Redis (systemctl status redis-server) ou corrigez JOBS_URL."
        )
    if not app.config["JOBS_WORKER_IN_APP"]:
        detail += " ; vérifiez que « flask jobs worker » tourne (service villages-jobs)"
    return True, detail + "."


@check("Espace disque")
def free_disk(app: Flask) -> tuple[bool, str]:
    minimum = app.config["DOCTOR_MIN_FREE_MB"]
    folders = {"dossier instance": Path(app.instance_path), "sauvegardes": Path(app.config["BACKUP_DIR"])}
    if db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database:
        folders["base SQLite"] = Path(db.engine.url.database).parent
    short, seen = [], []
    for label, folder in folders.items():
        free_mb = shutil.disk_usage(_existing_ancestor(folder)).free // 2**20
        seen.append(f"{label} {free_mb} Mo")
        if free_mb < minimum:
            short.append(f"{label} ({folder}) : {free_mb} Mo libres")
    if short:
        return False, (
            f"moins de {minimum} Mo libres (DOCTOR_MIN_FREE_MB) : {' ; '.join(short)}. Libérez de la "
            "place ou réduisez BACKUP_KEEP ; une base ou une sauvegarde qui ne peut plus écrire perd des données."
        )
    return True, "libres : " + ", ".join(seen) + "."


@check("Fuseau horaire (TIMEZONE)")
def time_zone(app: Flask) -> tuple[bool, str]:
    name = app.config["TIMEZONE"]
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False, (
            f"« {name} » n'est pas un fuseau connu : mettez un nom comme Europe/Paris (ou "
            "America/Cayenne, Indian/Reunion…) et installez le paquet tzdata."
        )
    return True, f"{name} : il est {datetime.now(zone):%H:%M} le {datetime.now(zone):%d/%m/%Y} aux villages."


# What the drivers say (in English), and what it means for the administrator.
CAUSES = (
    ("refused", "connexion refusée : aucun serveur n'écoute à cette adresse et ce port"),
    ("timed out", "pas de réponse dans le délai : serveur arrêté ou pare-feu"),
    ("timeout", "pas de réponse dans le délai : serveur arrêté ou pare-feu"),
    ("does not exist", "cette base, ou cet utilisateur, n'existe pas sur le serveur"),
    ("password authentication failed", "mot de passe refusé"),
    ("name or service not known", "nom de serveur inconnu"),
    ("could not translate host name", "nom de serveur inconnu"),
    ("temporary failure in name resolution", "nom de serveur inconnu"),
    ("unable to open database file", "fichier de base impossible à ouvrir (dossier absent ou sans droit d'écriture)"),
)


def explain(error: BaseException) -> str:
    """A French cause for a connection error, followed by the driver's own words."""
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0] if str(error) else ""
    detail = detail or error.__class__.__name__
    for clue, cause in CAUSES:
        if clue in detail.lower():
            return f"{cause} — détail : {detail}"
    return f"détail : {detail}"


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _without_password(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.password:
        return uri.replace(f":{parts.password}@", ":***@")
    return uri
