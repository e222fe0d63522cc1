"""The files of deploy/ and gunicorn.conf.py, checked by the tools that will read them."""
import os
import runpy
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.extensions import db
from tests.factories import make_village
from tests.factories_registration import register
from tests.fixtures_hardening import free_port
from tests.test_migrations import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
INSTALL_DIR = "/srv/villages"


def tool(name: str) -> str:
    path = shutil.which(name)
    # A skip that says so on a machine without the tool; CI installs it (.ci/run) and fails on any
    # skipped test, so that a file nobody checked never passes for checked there.
    if path is None:
        pytest.skip(f"{name} absent : installez-le pour vérifier deploy/ (la CI l'installe, voir .ci/run)")
    return path


def test_the_systemd_units_and_timers_pass_systemd_analyze_verify(tmp_path):
    for unit in UNITS:
        # As installed in /srv/villages, here in this checkout (verify checks that programs exist).
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALL_DIR, str(ROOT)))

    result = subprocess.run([tool("systemd-analyze"), "verify", "--man=no", *sorted(tmp_path.iterdir())],
                            capture_output=True, text=True, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_every_timer_starts_a_service_of_the_same_name():
    timers = {unit.stem for unit in UNITS if unit.suffix == ".timer"}
    services = {unit.stem for unit in UNITS if unit.suffix == ".service"}

    assert timers == {"villages-backup", "villages-purge", "villages-reminders"}
    assert timers <= services


def test_every_flask_command_the_units_run_exists():
    commands = []
    for unit in UNITS:
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart=") and "flask --app wsgi" in line:
                words = shlex.split(line.split("flask --app wsgi", 1)[1])
                commands.append([word for word in words if not word.startswith("--")])
    assert len(commands) == 5

    for command in commands:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command, "--help"],
                                cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}: {result.stderr}"


def test_the_caddyfile_is_valid(tmp_path):
    result = subprocess.run(
        [tool("caddy"), "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "HOME": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_the_caddyfile_keeps_no_access_log_and_hides_the_metrics():
    directives = [line.strip() for line in (DEPLOY / "Caddyfile").read_text().splitlines()
                  if line.strip() and not line.strip().startswith("#")]

    assert not any(line.startswith("log") for line in directives)
    assert "respond /metrics 404" in directives


def test_gunicorn_runs_two_workers_per_core_plus_one_by_default(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert settings["workers"] == 2 * os.cpu_count() + 1
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_gunicorn_workers_hand_the_gil_over_within_a_millisecond():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    before = sys.getswitchinterval()
    try:
        settings["post_fork"](None, None)
        assert sys.getswitchinterval() == 0.001
    finally:
        sys.setswitchinterval(before)


def test_gunicorn_access_log_never_holds_a_private_link(app, tmp_path):
    token = register(make_village()).manage_token
    db.session.remove()  # gunicorn's process must not wait for this one's transaction
    private_link = f"/inscription/{token}"
    referer_secret = "jeton-d-une-autre-page"
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
           "SECRET_KEY": "q8Zr3VxK1pLwT7nYc2HbF9sJd4GmA6eUo0RiQ5tW", "PROXY_COUNT": "1",
           "WEB_CONCURRENCY": "1", "GUNICORN_BIND": f"127.0.0.1:{port}"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{private_link}?source=courriel",
            headers={"Referer": f"https://villages.example.org/scan/{referer_secret}",
                     "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        )
        status = _get_when_up(request)
    finally:
        server.terminate()
        server.wait(timeout=60)

    written = log.read_text()
    assert status == 200
    assert written.count('"GET" 200') == 2  # /healthz, then the private link
    assert token not in written
    assert referer_secret not in written and "courriel" not in written and "203.0.113.7" not in written


def _get_when_up(request, tries: int = 150) -> int:
    """Waits for gunicorn to answer /healthz, then sends the request (busy machines are slow)."""
    health = request.full_url.split("/inscription/")[0] + "/healthz"
    for _ in range(tries):
        try:
            with urllib.request.urlopen(health, timeout=30):
                break
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionError):
                raise
            time.sleep(0.2)
    else:
        raise AssertionError("gunicorn did not start")
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status
