"""Load test: a registration rush while scanners check people in, against gunicorn + PostgreSQL.

    /work/venv/bin/python bench/load.py [--people 200] [--seconds 60] [--scanners 4] [--capacity 150]

What it does, on loopback only:
  1. creates the database test_hardening_load (dropped and created again), migrates it
     (`flask db upgrade`), adds one village and one scanner token per scanner
     (`flask checkin token`);
  2. starts `gunicorn -w 4 wsgi:app` on a free port, behind which we pretend to be a reverse proxy
     (PROXY_COUNT=1, one X-Forwarded-For address per person) so that the rate limits see 200
     different people, as in production;
  3. sends the people one by one, evenly spread over the given seconds: each opens the form
     (GET, for its CSRF token) and submits it (POST); meanwhile the scanners scan the badges of
     the people already confirmed, a scan every --scan-interval seconds each, via /api/checkin
     with their Bearer token;
  4. prints throughput, median and p99 latency per kind of request, the errors (must be 0), and
     checks in the database that capacity and counts are exact (exit status 1 otherwise).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from bench_data import answering, free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "test_hardening_load"
VILLAGE_SLUG = "village-de-charge"
REQUEST_TIMEOUT = 15


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Recorder:
    """Latencies and outcomes of every request, by kind."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def add(self, kind: str, seconds: float, status: int, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1
            if not ok:
                self.errors.append(f"{kind}: HTTP {status} {detail[:200]}")


def timed(opener, request) -> tuple[float, int, str, dict]:
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            body, status, headers = response.read().decode(), response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        body, status, headers = error.read().decode(errors="replace"), error.code, dict(error.headers)
    return time.perf_counter() - started, status, body, headers


# --- Setting up ----------------------------------------------------------------------------------


def create_database() -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"


def flask(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    return done.stdout


def add_village(env: dict, capacity: int) -> None:
    code = f"""
from datetime import time
from app import create_app
from app.extensions import db
from app.models import Village
from app.timeutil import local_today
app = create_app()
with app.app_context():
    # An evening village held today: the door is open (on the day only) while registrations
    # still are (until the village begins).
    db.session.add(Village(slug="{VILLAGE_SLUG}", name="Village des initiatives solidaires – charge",
        town="Sisteron", venue="Salle des fêtes", address="Place de la République, 04200 Sisteron",
        day=local_today(), starts_at=time(23, 30), ends_at=time(23, 59), capacity={capacity}))
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


def scanner_token(env: dict, label: str) -> str:
    output = flask(env, "checkin", "token", VILLAGE_SLUG, "--label", label)
    return re.search(r"Jeton : (\S+)", output).group(1)


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"],
        cwd=ROOT, env=env,
    )
    return answering(server, port, seconds=30)


# --- The crowd -----------------------------------------------------------------------------------


def register_one(base: str, number: int, recorder: Recorder) -> None:
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies), NoRedirect)
    address = f"10.{number // 250}.{number % 250}.{random.randint(1, 254)}"
    form_url = f"{base}/villages/{VILLAGE_SLUG}/inscription"
    seconds, status, body, _ = timed(opener, urllib.request.Request(form_url, headers={"X-Forwarded-For": address}))
    recorder.add("formulaire (GET)", seconds, status, status == 200, body)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    if token is None:
        recorder.add("inscription (POST)", 0, 0, False, "pas de jeton CSRF dans le formulaire")
        return
    fields = {
        "csrf_token": token.group(1), "role": "habitant", "first_name": "Camille",
        "last_name": f"Essai{number}", "email": f"camille.essai{number}@example.org", "commune": "Sisteron",
        "lunch": "oui", "website": "",
    }
    request = urllib.request.Request(
        form_url, data=urllib.parse.urlencode(fields).encode(), headers={"X-Forwarded-For": address}
    )
    seconds, status, body, headers = timed(opener, request)
    registered = status in (302, 303) and "/inscription/" in headers.get("Location", "")
    recorder.add("inscription (POST)", seconds, status, registered, body)


def confirmed_badges(database_url: str) -> list[str]:
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        rows = connection.execute(
            "SELECT badge_code FROM registration WHERE status = 'confirmed' AND is_walk_in = false"
        ).fetchall()
    return [row[0] for row in rows]


def scan_continuously(base: str, token: str, database_url: str, interval: float, stop: threading.Event,
                      recorder: Recorder, scanned: set[str]) -> None:
    opener = urllib.request.build_opener()
    badges: list[str] = []
    refreshed = 0.0
    while not stop.is_set():
        if time.monotonic() - refreshed > 1:
            badges, refreshed = confirmed_badges(database_url), time.monotonic()
        if not badges:
            stop.wait(interval)
            continue
        code = random.choice(badges)
        body = json.dumps({"code": code, "scan_id": secrets.token_hex(16)}).encode()
        request = urllib.request.Request(
            f"{base}/api/checkin", data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        seconds, status, answer, _ = timed(opener, request)
        result = json.loads(answer).get("result") if status == 200 else None
        recorder.add("accueil (POST /api/checkin)", seconds, status, result in ("ok", "already_checked_in"), answer)
        with recorder.lock:
            scanned.add(code)
        stop.wait(interval)


# --- Report --------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(recorder: Recorder, elapsed: float) -> None:
    total = sum(len(v) for v in recorder.latencies.values())
    print(f"\nDurée : {elapsed:.1f} s ; {total} requêtes ; débit moyen {total / elapsed:.1f} requêtes/s")
    print(f"{'requête':32} {'nombre':>7} {'req/s':>7} {'médiane':>9} {'p99':>9} {'max':>9}  statuts")
    for kind, values in recorder.latencies.items():
        print(
            f"{kind:32} {len(values):7d} {len(values) / elapsed:7.1f} "
            f"{statistics.median(values) * 1000:7.0f}ms {percentile(values, 0.99) * 1000:7.0f}ms "
            f"{max(values) * 1000:7.0f}ms  {dict(recorder.statuses[kind])}"
        )
    print(f"Erreurs : {len(recorder.errors)}")
    for error in recorder.errors[:10]:
        print("  ", error)


def check_counts(database_url: str, people: int, capacity: int, scanned: set[str]) -> list[str]:
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        statuses = dict(connection.execute("SELECT status, count(*) FROM registration GROUP BY status").fetchall())
        distinct_emails = connection.execute("SELECT count(DISTINCT email) FROM registration").fetchone()[0]
        checked_in = connection.execute(
            "SELECT count(*) FROM registration WHERE checked_in_at IS NOT NULL").fetchone()[0]
        admissions = connection.execute("SELECT count(*) FROM checkin WHERE undone_at IS NULL").fetchone()[0]
        admitted_people = connection.execute(
            "SELECT count(DISTINCT registration_id) FROM checkin WHERE undone_at IS NULL").fetchone()[0]
    expected_confirmed = min(people, capacity)
    problems = []
    print(f"\nInscriptions : {statuses} (attendu : {expected_confirmed} confirmées, "
          f"{people - expected_confirmed} en liste d'attente) ; {distinct_emails} adresses distinctes")
    print(f"Badges scannés : {len(scanned)} ; personnes pointées : {checked_in} ; passages enregistrés : "
          f"{admissions} pour {admitted_people} personnes")
    if statuses.get("confirmed", 0) != expected_confirmed:
        problems.append("nombre de confirmés faux (capacité dépassée ou places perdues)")
    if statuses.get("waitlisted", 0) != people - expected_confirmed or distinct_emails != people:
        problems.append("inscriptions perdues ou en double")
    if not checked_in == admissions == admitted_people == len(scanned):
        problems.append("pointages incohérents (doubles passages ou passages perdus)")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--capacity", type=int, default=150)
    parser.add_argument("--scanners", type=int, default=4)
    parser.add_argument("--scan-interval", type=float, default=0.25, help="secondes entre deux scans d'un poste")
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    parser.add_argument("--keep", action="store_true", help="garder la base test_hardening_load")
    options = parser.parse_args()

    port = free_port()
    database_url = create_database()
    env = {
        **os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(32),
        "PUBLIC_URL": f"http://127.0.0.1:{port}", "PROXY_COUNT": "1", "RATELIMIT_ENABLED": "1",
        # Several workers must share their counts (gunicorn.conf.py refuses memory:// then).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0"),
    }
    flask(env, "db", "upgrade")
    add_village(env, options.capacity)
    tokens = [scanner_token(env, f"Poste {n + 1}") for n in range(options.scanners)]
    server = start_gunicorn(env, port, options.workers)
    base = f"http://127.0.0.1:{port}"
    recorder, scanned, stop = Recorder(), set(), threading.Event()
    try:
        scanners = [
            threading.Thread(target=scan_continuously,
                             args=(base, token, database_url, options.scan_interval, stop, recorder, scanned))
            for token in tokens
        ]
        for scanner in scanners:
            scanner.start()
        started = time.monotonic()
        gap = options.seconds / options.people
        with ThreadPoolExecutor(max_workers=32) as crowd:
            for number in range(options.people):
                # Arrivals spread evenly: person n arrives n × gap seconds after the start.
                time.sleep(max(0.0, started + number * gap - time.monotonic()))
                crowd.submit(register_one, base, number, recorder)
        stop.set()
        for scanner in scanners:
            scanner.join(timeout=REQUEST_TIMEOUT + 5)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    report(recorder, elapsed)
    problems = check_counts(database_url, options.people, options.capacity, scanned)
    if not options.keep:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    for problem in problems:
        print("ÉCHEC :", problem)
    return 1 if problems or recorder.errors else 0


if __name__ == "__main__":
    sys.exit(main())
