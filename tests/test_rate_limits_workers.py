"""Under several gunicorn workers, a limit holds as configured: counted in a shared storage, or the
server refuses to start and says what to set."""
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from app.extensions import db
from tests.fixtures_hardening import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
SHARED_STORAGE = "redis://127.0.0.1:6379/13"
REQUESTS = 12


def gunicorn(workers: int, storage: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ, "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "SECRET_KEY": secrets.token_urlsafe(32), "RATELIMIT_ENABLED": "1", "RATELIMIT_STORAGE_URI": storage,
        # Each run counts for a limit of its own in Redis, which keeps counts between runs.
        "RATELIMIT_CHECKIN": f"4 per {3600 + secrets.randbelow(10_000)} second",
    }
    return subprocess.Popen([str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def statuses(port: int) -> list[int]:
    """REQUESTS requests, each on a new connection, so that they spread over the workers."""
    found = []
    for _ in range(REQUESTS):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/checkin/nulle-part/attendance", timeout=10)
        except urllib.error.HTTPError as error:
            found.append(error.code)
    return found


def wait_until_up(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start: " + (server.communicate()[1] if server.poll() is not None else ""))


def test_several_workers_with_limits_counted_in_memory_refuse_to_start(app):
    server = gunicorn(2, "memory://", free_port())
    try:
        _, errors = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.terminate()
        server.communicate()
        raise AssertionError("gunicorn started with 2 workers counting limits in memory")
    assert server.returncode != 0
    assert "RATELIMIT_STORAGE_URI" in errors and "redis://" in errors


def test_several_workers_share_one_count_in_redis(app):
    db.session.commit()
    port = free_port()
    server = gunicorn(3, SHARED_STORAGE, port)
    try:
        wait_until_up(server, port)
        answers = statuses(port)
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert answers.count(404) == 4 and answers.count(429) == REQUESTS - 4
