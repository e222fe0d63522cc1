"""`flask --app wsgi doctor`: green on a sound production setup, red with a French explanation
for each broken setting, and a non-zero exit so that it can gate a deployment."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.extensions import db
from app.paths import MIGRATIONS
from tests.fixtures_hardening import free_port
from tests.test_migrations import ROOT

STRONG_SECRET = "q8Zr3VxK1pLwT7nYc2HbF9sJd4GmA6eUo0RiQ5tW"


def latest_revisions() -> list[str]:
    return ScriptDirectory(str(MIGRATIONS)).get_heads()


@pytest.fixture
def production(app, restartable_smtp_server):
    """A sound production setup: HTTPS address, real secret, reachable SMTP, schema up to date."""
    app.config.update(
        PUBLIC_URL="https://villages.example.org",
        SECRET_KEY=STRONG_SECRET,
        MAIL_DEFAULT_SENDER="Villages <villages@example.org>",
        WEB_CONCURRENCY=1,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
    )
    # The test database is built from the models, which match the latest migration (test_migrations).
    db.session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
    for revision in latest_revisions():
        db.session.execute(text("INSERT INTO alembic_version VALUES (:revision)"), {"revision": revision})
    db.session.commit()
    yield app
    db.session.rollback()
    db.session.execute(text("DROP TABLE alembic_version"))
    db.session.commit()


def doctor(app):
    db.session.remove()
    return app.test_cli_runner().invoke(args=["doctor"])


def line_about(result, topic: str) -> str:
    return next(line for line in result.output.splitlines() if f"] {topic}" in line)


def test_a_sound_production_setup_is_all_green(production):
    result = doctor(production)

    assert result.exit_code == 0, result.output
    assert "ERREUR" not in result.output
    assert result.output.rstrip().endswith("Tout est en ordre.")


def test_an_unreachable_database_is_red_and_says_where_it_was_looked_for(production, make_app):
    unreachable = f"postgresql+psycopg://villages@127.0.0.1:{free_port()}/villages"
    other = make_app(SQLALCHEMY_DATABASE_URI=unreachable)
    other.config.update({k: production.config[k] for k in (
        "PUBLIC_URL", "SECRET_KEY", "MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER", "WEB_CONCURRENCY")})
    with other.app_context():
        result = other.test_cli_runner().invoke(args=["doctor"])

    assert result.exit_code == 1
    line = line_about(result, "Base de données")
    assert "ERREUR" in line
    assert f"injoignable à l'adresse {unreachable}" in line
    assert "connexion refusée" in line and "Vérifiez DATABASE_URL" in line


def test_an_smtp_server_that_is_down_is_red(production, restartable_smtp_server):
    restartable_smtp_server.stop()

    result = doctor(production)

    assert result.exit_code == 1
    line = line_about(result, "Serveur d'e-mails (SMTP)")
    assert "ERREUR" in line and f"injoignable à 127.0.0.1:{restartable_smtp_server.port}" in line
    assert "connexion refusée" in line and "aucun e-mail ne part" in line


class RefusingSender:
    async def handle_MAIL(self, server, session, envelope, address, options):
        return "553 5.7.1 Expéditeur non autorisé"


def test_an_smtp_server_that_refuses_the_sender_is_red(production, restartable_smtp_server):
    restartable_smtp_server.stop()
    restartable_smtp_server.mailbox = RefusingSender()
    restartable_smtp_server.start()

    result = doctor(production)

    assert result.exit_code == 1
    line = line_about(result, "Serveur d'e-mails (SMTP)")
    assert "refuse l'expéditeur villages@example.org (553" in line


def test_the_test_sender_address_is_red_in_production(production):
    production.config["MAIL_DEFAULT_SENDER"] = "Villages <villages@localhost>"

    line = line_about(doctor(production), "Serveur d'e-mails (SMTP)")

    assert "ERREUR" in line and "MAIL_DEFAULT_SENDER" in line


def test_the_generated_default_secret_is_red_in_production(production):
    generated = Path(production.instance_path) / "secret_key"
    production.config["SECRET_KEY"] = generated.read_text().strip()

    result = doctor(production)

    assert result.exit_code == 1
    line = line_about(result, "Clé secrète")
    assert "ERREUR" in line and "SECRET_KEY n'est pas réglée" in line
    assert "secrets.token_urlsafe(48)" in line


@pytest.mark.parametrize("weak", ["a-remplacer", "changeme", "un-mot-de-passe-court"])
def test_an_example_or_short_secret_is_red_in_production(production, weak):
    production.config["SECRET_KEY"] = weak

    line = line_about(doctor(production), "Clé secrète")

    assert "ERREUR" in line and "valeur d'exemple ou trop faible" in line


def test_a_local_run_may_keep_the_generated_secret_and_plain_http(production):
    production.config.update(
        PUBLIC_URL="http://127.0.0.1:5000",
        SECRET_KEY=(Path(production.instance_path) / "secret_key").read_text().strip(),
    )

    result = doctor(production)

    assert result.exit_code == 0, result.output
    assert "exécution locale" in line_about(result, "Clé secrète")


def test_a_public_address_without_https_is_red(production):
    production.config["PUBLIC_URL"] = "http://villages.example.org"

    line = line_about(doctor(production), "Adresse publique")

    assert "ERREUR" in line and "PUBLIC_URL=https://votre-domaine" in line


def test_a_pending_migration_is_red_and_says_how_to_upgrade(production):
    db.session.execute(text("UPDATE alembic_version SET version_num = 'ancienne'"))
    db.session.commit()

    result = doctor(production)

    assert result.exit_code == 1
    line = line_about(result, "Base de données")
    assert "une migration est en attente (base : ancienne" in line
    assert "flask --app wsgi backup" in line and "flask --app wsgi db upgrade" in line


def test_an_empty_database_is_red(production):
    db.session.execute(text("DELETE FROM alembic_version"))
    db.session.commit()

    line = line_about(doctor(production), "Base de données")

    assert "la base est vide" in line


def test_rate_limits_kept_in_memory_with_several_workers_are_red(production):
    production.config["WEB_CONCURRENCY"] = 5

    line = line_about(doctor(production), "Limites de débit")

    assert "ERREUR" in line and "5 processus" in line and "RATELIMIT_STORAGE_URI=redis://" in line


def test_rate_limits_shared_in_redis_are_green(production):
    production.config.update(WEB_CONCURRENCY=5, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")

    line = line_about(doctor(production), "Limites de débit")

    assert "OK" in line and "partagées entre les 5 processus" in line


def test_an_unreachable_rate_limit_storage_is_red(production):
    production.config.update(WEB_CONCURRENCY=5, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/15")

    line = line_about(doctor(production), "Limites de débit")

    assert "ERREUR" in line and "ne répond pas" in line


def test_an_unreachable_job_queue_is_red(production):
    production.config["JOBS_URL"] = f"redis://127.0.0.1:{free_port()}/12"

    result = doctor(production)

    assert result.exit_code == 1
    line = line_about(result, "File des tâches de fond")
    assert "ERREUR" in line and "file des tâches injoignable" in line and "corrigez JOBS_URL" in line


def test_a_reachable_job_queue_tells_its_backlog(production):
    line = line_about(doctor(production), "File des tâches de fond")

    assert "OK" in line and "0\u00a0tâche en attente" in line


def test_too_little_free_disk_is_red(production):
    production.config["DOCTOR_MIN_FREE_MB"] = 10**12

    line = line_about(doctor(production), "Espace disque")

    assert "ERREUR" in line and "BACKUP_KEEP" in line


def test_an_unknown_time_zone_is_red(production):
    production.config["TIMEZONE"] = "Europe/Avignon"

    line = line_about(doctor(production), "Fuseau horaire")

    assert "ERREUR" in line and "« Europe/Avignon » n'est pas un fuseau connu" in line


def test_the_command_exits_non_zero_to_stop_a_deployment(tmp_path):
    """As a deployment script runs it: settings from the environment, a broken database address."""
    env = {**os.environ, "DATABASE_URL": f"postgresql://villages@127.0.0.1:{free_port()}/villages",
           "PUBLIC_URL": "https://villages.example.org", "SECRET_KEY": "a-remplacer"}

    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "doctor"],
                            cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.returncode == 1
    assert "SECRET_KEY est une valeur d'exemple" in result.stdout
    assert "Base de données : injoignable" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
