"""Latency and throughput of POST /api/checkin for a village of 10,000 registrations.

    /work/venv/bin/python bench/checkin.py [--databases sqlite postgresql] [--scans 2000]
        [--postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_checkin]

For each database the schema is recreated (a temporary SQLite file; the PostgreSQL database
is created if missing, its tables dropped), filled with one village of 10,000 registrations,
and served by gunicorn (2 workers × 4 threads, as in production) on a free loopback port.
Then, with a scanner token as Bearer:
  1. sequential: one client scans distinct badges one after the other (first scans, « ok »),
     then scans some of them again (« already_checked_in »);
  2. concurrent: 8 threads, each with its own HTTP connection, scan distinct badges
     as fast as they can; some badges are scanned by two phones at once.
Server-side time is read from the app's Server-Timing header (time inside Flask, from the
first before_request to the response); client-side time is the full HTTP round trip.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Registration, RegistrationStatus, Role  # noqa: E402
from bench_data import answering, bench_village, free_port, timed_at_once  # noqa: E402
from app.services import scanner_links  # noqa: E402
from app.timeutil import local_today  # noqa: E402

REGISTRATIONS = 10_000
PHONES = 8
DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_checkin"


def ensure_postgresql_database(url: str) -> None:
    engine = create_engine(url)
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": engine.url.database})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{engine.url.database}"'))
    admin.dispose()
    engine.dispose()


def fill(database_url: str) -> tuple[str, list[str]]:
    """A fresh schema with one village of 10,000 confirmed registrations; returns a token and the codes."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        village = bench_village(REGISTRATIONS, day=local_today())  # the door opens on the village's day
        db.session.add(village)
        db.session.flush()
        roles = list(Role)
        db.session.execute(
            insert(Registration),
            [
                dict(
                    village_id=village.id, role=roles[n % 4], status=RegistrationStatus.CONFIRMED,
                    first_name="Camille", last_name=f"Martin-{n}", email=f"p{n}@example.org",
                    commune="Avignon", organisation=f"Association n° {n % 300}",
                    badge_code=f"badge-{n:05d}-" + os.urandom(12).hex(),
                    manage_token=os.urandom(16).hex(),
                )
                for n in range(REGISTRATIONS)
            ],
        )
        _, token = scanner_links.create(village, "Banc d'essai", "bench")
        db.session.commit()
        codes = list(db.session.scalars(select(Registration.badge_code).order_by(Registration.id)))
        db.session.remove()
        db.engine.dispose()
    return token, codes


def serve(database_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env,
    )
    return answering(server, port, seconds=10)


class Phone:
    """One scanner: a keep-alive HTTP connection."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def scan(self, code: str) -> tuple[str, float, float]:
        """Result, client-side and server-side milliseconds."""
        started = time.perf_counter()
        self.connection.request("POST", "/api/checkin", body=json.dumps({"code": code}), headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        client_ms = (time.perf_counter() - started) * 1000
        server_ms = float(response.getheader("Server-Timing").split("dur=")[1])
        return json.loads(body)["result"], client_ms, server_ms


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered):6.2f} ms   p99 {p99:6.2f} ms"


def report(label: str, measures: list[tuple[str, float, float]]) -> None:
    results = {r for r, _, _ in measures}
    print(f"  {label} ({len(measures)} scans, results {sorted(results)})")
    print(f"    server-side  {summary([s for _, _, s in measures])}")
    print(f"    client-side  {summary([c for _, c, _ in measures])}")


def bench(name: str, database_url: str, scans: int) -> None:
    token, codes = fill(database_url)
    port = free_port()
    server = serve(database_url, port)
    try:
        phone = Phone(port, token)
        for code in codes[-50:]:  # warm up both workers' connection pools and caches
            phone.scan(code)
        print(f"\n{name}: {REGISTRATIONS} registrations, gunicorn 2 workers × 4 threads")
        first = [phone.scan(code) for code in codes[:scans]]
        report("sequential, first scans", first)
        again = [phone.scan(code) for code in codes[: scans // 2]]
        report("sequential, badges scanned again", again)

        # Concurrent: each phone takes its own badges, and every 10th badge goes to two phones.
        pool = codes[scans: scans * 2]
        shares = [pool[i::PHONES] for i in range(PHONES)]
        for i in range(PHONES):
            shares[i] += [code for n, code in enumerate(shares[(i + 1) % PHONES]) if n % 10 == 0]
        measures: list[tuple[str, float, float]] = []
        lock = threading.Lock()

        def run(number, ready):
            own = Phone(port, token)
            ready()
            done = [own.scan(code) for code in shares[number]]
            with lock:
                measures.extend(done)

        elapsed = timed_at_once(PHONES, run)
        report(f"{PHONES} phones at once", measures)
        oks = sum(1 for r, _, _ in measures if r == "ok")
        print(f"    throughput   {len(measures) / elapsed:6.0f} scans/s; "
              f"{oks} admitted for {len(pool)} distinct badges")
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL)
    options = parser.parse_args()
    for name in options.databases:
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                bench("SQLite", f"sqlite:///{folder}/bench.sqlite", options.scans)
        else:
            ensure_postgresql_database(options.postgresql_url)
            bench("PostgreSQL", options.postgresql_url, options.scans)


if __name__ == "__main__":
    main()
