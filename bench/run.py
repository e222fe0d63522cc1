"""Every performance target of the project, measured in one run, on SQLite and PostgreSQL.

    .venv/bin/python bench/run.py [--databases sqlite postgresql] [--registrations 5000]
        [--postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_run]
        [--measures registrations checkins memory mail exports command] [--exports csv xlsx signin badges]

For each database: a fresh schema holding one village of 5,000 confirmed registrations,
served by gunicorn (2 workers × 4 threads) on a free loopback port, then
  - registrations: sequential POSTs of the public form, GETs of the form, then 4 clients at
    once on the same village, each fetching the form then registering, until its places are gone (the capacity must come out exact, with no error);
    server time is gunicorn's own request time (access log);
  - check-in: sequential scans (server time from the app's Server-Timing header), the same
    badges scanned again (in turns of 50 with the first scans), 4 scanners at once, then scans
    while `flask export --format badges` writes the sheets of the whole village;
  - mail: the confirmations queued by the registrations, delivered to a local SMTP server
    (aiosmtpd), and the size of an outbox row;
  - exports: render time in this process, and the whole `flask export` command;
  - `flask --app wsgi --help`, and the memory of a gunicorn worker after the load (see worker_memory).
Prints one table at the end. `--measures` keeps some of them only (mail needs registrations,
whose confirmations it delivers), `--exports` some of the exports.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import time as time_of_day
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import ConfirmedCount, OutboxMessage, Registration, RegistrationStatus, Role  # noqa: E402
from app.models.registration import email_key  # noqa: E402
from app.services import capacity, scanner_links  # noqa: E402
from bench_data import answering, bench_village, free_port, open_the_door, timed_at_once  # noqa: E402

DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_run"  # its tables are dropped
SEQUENTIAL_REGISTRATIONS = 150
CONCURRENT_CLIENTS = 4
CONCURRENT_REGISTRATIONS = 400
# Places left after the sequential ones: the concurrent clients run out of places midway.
PLACES_LEFT_FOR_CONCURRENT = 250
SCANS = 400
CONCURRENT_SCANS = 1200
# `flask mail send --senders`: one per core of this machine.
MAIL_SENDERS = 2
# Each export's target for its rendering, in seconds (the whole command is shown beside it).
EXPORT_TARGETS = {"csv": 0.2, "xlsx": 1, "signin": 1, "badges": 5}
EXPORTS = tuple(EXPORT_TARGETS)
MEASURES = ("registrations", "checkins", "memory", "mail", "exports", "command")

TARGETS = [
    ("registration POST, sequential, median server time", "≤ 10 ms"),
    ("registrations/s, 4 clients on one village, each fetching the form (PostgreSQL ≥ 150/s)", "≥ 100/s"),
    ("registration errors / capacity exact", "0 / oui"),
    ("mail send, confirmations delivered/s", "≥ 50/s"),
    ("outbox row, average size", "≤ 4 KB"),
    ("check-in, median server time", "≤ 3 ms"),
    ("check-in during badge export, p99 server time", "≤ 50 ms"),
    ("export CSV, render (whole command)", "≤ 0.2 s"),
    ("export XLSX, render (whole command)", "≤ 1 s"),
    ("export sign-in PDF, render (whole command)", "≤ 1 s"),
    ("export badge sheets, render (whole command)", "≤ 5 s"),
    ("flask --app wsgi --help", "≤ 1 s"),
    ("web worker memory after load, proportional share (PSS)", "≤ 60 MB"),
    ("registration form GET, sequential, median server time", "≤ the POST's"),
    ("re-scan (badge already scanned), median server time", "≤ the first scan's"),
    ("scans/s, 4 scanners at once on one village", "≥ 400/s"),
]


def verdict(figures: dict, index: int, text: str, held: bool) -> None:
    """The figure of TARGETS[index], and whether its target is held: a run tells at once."""
    figures[TARGETS[index][0]] = f"{text} — {'tenu' if held else 'NON TENU'}"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


# --- The database -------------------------------------------------------------------------------


def ensure_postgresql_database(url: str) -> None:
    engine = create_engine(url)
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": engine.url.database}):
            conn.execute(text(f'CREATE DATABASE "{engine.url.database}"'))
    admin.dispose()
    engine.dispose()


def build_app(database_url: str, **config):
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False, **config})


def fill(database_url: str, size: int) -> tuple[str, list[str]]:
    """One village of `size` confirmed registrations; a scanner token and the badge codes."""
    app = build_app(database_url)
    roles = list(Role)
    with app.app_context():
        db.drop_all()
        db.create_all()
        # Held today, as check-in is only on the village's day, and starting at the last minute of
        # the day, as registration closes when the village begins.
        village = bench_village(size + SEQUENTIAL_REGISTRATIONS + PLACES_LEFT_FOR_CONCURRENT, days_ahead=0,
                                starts_at=time_of_day(23, 58), ends_at=time_of_day(23, 59))
        db.session.add(village)
        db.session.flush()
        db.session.execute(insert(Registration), [
            dict(village_id=village.id, role=roles[n % 4], status=RegistrationStatus.CONFIRMED,
                 first_name="Camille", last_name=f"Martin-{n}", email=f"p{n}@example.org",
                 email_key=email_key(f"p{n}@example.org"), commune="Avignon",
                 organisation=f"Association n° {n % 300}", badge_code=f"badge-{n:05d}-" + os.urandom(12).hex(),
                 manage_token=os.urandom(16).hex())
            for n in range(size)
        ])
        capacity.recount(village)
        _, token = scanner_links.create(village, "Banc d'essai", "bench")
        db.session.commit()
        # A database in service has its planner statistics (autovacuum keeps them); right after
        # a bulk insert it has none, and PostgreSQL then looks for an e-mail through the wrong index.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        codes = list(db.session.scalars(select(Registration.badge_code).order_by(Registration.id)))
        db.session.remove()
        db.engine.dispose()
    return token, codes


# --- The server ---------------------------------------------------------------------------------


def environment(database_url: str, folder: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": "0",
            "JOBS_URL": f"sqlite:///{folder}/jobs.sqlite", "MAIL_DELIVER_AFTER_COMMIT": "0"}


def serve(env: dict, port: int, access_log: Path) -> subprocess.Popen:
    """gunicorn, its access log giving each request's time in µs (%(D)s: its %(M)s is in whole
    milliseconds, too coarse to compare a form's GET with its POST)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--access-logfile", str(access_log), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s", "wsgi:app"],
        cwd=ROOT, env=env,
    )
    return answering(server, port, seconds=30)


def worker_memory(server: subprocess.Popen) -> tuple[float, str]:
    """What a gunicorn worker holds: its proportional share (PSS) of the memory it maps, the
    largest of the workers'. gunicorn loads the application once, in its master, and forks the
    workers from it (preload_app): code, libraries and what startup built are then the same pages
    in the master and every worker. The resident size (RSS) counts those pages in full in each
    process; the proportional size divides each page among the processes that share it, so that
    the PSS of the master and the workers add up to what the server takes from the machine. Also
    printed: the largest RSS, the largest USS (the pages of the worker alone, what one more
    worker would add) and the PSS of the whole server. Returns the PSS, and the text of all."""
    def sizes(pid: str) -> dict[str, float]:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return {name: int(value) / 1024 for name, value in re.findall(r"^(\w+):\s+(\d+) kB", rollup, re.M)}

    workers = [sizes(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
    whole = sizes(str(server.pid))["Pss"] + sum(worker["Pss"] for worker in workers)
    own = max(worker["Private_Clean"] + worker["Private_Dirty"] for worker in workers)
    share = max(worker["Pss"] for worker in workers)
    return share, (f"{share:.0f} MB (RSS {max(worker['Rss'] for worker in workers):.0f}, "
                   f"USS {own:.0f}; master + {len(workers)} workers {whole:.0f} MB)")


def access_times(access_log: Path, method: str, path_part: str) -> list[float]:
    """Server times (ms) of the requests logged so far, then empties the log."""
    lines = access_log.read_text().splitlines()
    access_log.write_text("")
    return [float(line.split()[3]) / 1000 for line in lines if line.startswith(method) and path_part in line]


class Client:
    """A keep-alive HTTP connection, opened again when gunicorn has closed it (idle for 2 s)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                response.body = response.read()
                return response
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise


class Person(Client):
    """A browser: a session cookie with its CSRF token."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        response = self.request("GET", "/villages/bench/inscription")
        self.cookie = "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])
        self.csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.body.decode()).group(1)

    def register(self, number: int) -> bool:
        fields = {"csrf_token": self.csrf, "role": "habitant", "first_name": "Camille",
                  "last_name": f"Essai{number}", "email": f"camille.essai{number}@example.org",
                  "commune": "Sisteron", "lunch": "oui", "website": ""}
        response = self.request("POST", "/villages/bench/inscription", body=urlencode(fields), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie})
        return response.status in (302, 303) and "/inscription/" in (response.getheader("Location") or "")


class Phone(Client):
    def __init__(self, port: int, token: str) -> None:
        super().__init__(port)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def scan(self, code: str) -> float:
        response = self.request("POST", "/api/checkin", body=json.dumps({"code": code}), headers=self.headers)
        return float(response.getheader("Server-Timing").split("dur=")[1])


# --- The measures -------------------------------------------------------------------------------


def registrations(port: int, access_log: Path, figures: dict, rate_target: int) -> None:
    person = Person(port)
    access_times(access_log, "", "")
    ok = sum(person.register(n) for n in range(SEQUENTIAL_REGISTRATIONS))
    posts = access_times(access_log, "POST", "/inscription")
    verdict(figures, 0, f"{median(posts):.1f} ms (p99 {p99(posts):.0f})", median(posts) <= 10)
    for _ in range(SEQUENTIAL_REGISTRATIONS):
        person.request("GET", "/villages/bench/inscription", headers={"Cookie": person.cookie})
    gets = access_times(access_log, "GET", "/inscription")
    verdict(figures, 13, f"{median(gets):.2f} ms (p99 {p99(gets):.0f}) for {median(posts):.2f}",
            median(gets) <= median(posts))
    errors = SEQUENTIAL_REGISTRATIONS - ok

    numbers = iter(range(10_000, 10_000 + CONCURRENT_REGISTRATIONS))
    lock = threading.Lock()
    failures = []

    def client(_number, ready):
        own = Person(port)
        ready()
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            own.request("GET", "/villages/bench/inscription", headers={"Cookie": own.cookie})
            if not own.register(number):
                failures.append(number)

    elapsed = timed_at_once(CONCURRENT_CLIENTS, client)
    access_times(access_log, "", "")
    rate = CONCURRENT_REGISTRATIONS / elapsed
    verdict(figures, 1, f"{rate:.0f}/s (target here ≥ {rate_target}/s)", rate >= rate_target)
    figures["_errors"] = errors + len(failures)


def capacity_exact(database_url: str, figures: dict) -> None:
    app = build_app(database_url)
    with app.app_context():
        village_capacity = db.session.scalar(text("SELECT capacity FROM village"))
        confirmed = db.session.scalar(select(func.count()).where(Registration.status == RegistrationStatus.CONFIRMED))
        kept = db.session.scalar(select(func.sum(ConfirmedCount.confirmed)))
        db.session.remove()
        db.engine.dispose()
    exact = confirmed == kept == village_capacity
    errors = figures.pop("_errors")
    verdict(figures, 2, f"{errors} / {'oui' if exact else 'NON'} ({confirmed}/{village_capacity})", errors == 0 and exact)


def checkins(port: int, token: str, codes: list[str], env: dict, figures: dict) -> None:
    phone = Phone(port, token)
    for code in codes[-30:]:
        phone.scan(code)
    # First scans and re-scans of the same badges in turns of 50: a drift of the machine's speed
    # (other processes) weighs on both alike.
    first, again = [], []
    for start in range(0, SCANS, 50):
        turn = codes[start:min(start + 50, SCANS)]
        first += [phone.scan(code) for code in turn]
        again += [phone.scan(code) for code in turn]
    verdict(figures, 5, f"{median(first):.2f} ms (p99 {p99(first):.0f})", median(first) <= 3)
    verdict(figures, 14, f"{median(again):.2f} ms (p99 {p99(again):.0f}) for {median(first):.2f}",
            median(again) <= median(first))
    concurrent_scans(port, token, codes[-CONCURRENT_SCANS - 30:-30], figures)

    with tempfile.TemporaryDirectory() as folder:
        export = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "export", "bench", "--format", "badges",
             "--output", f"{folder}/badges.pdf"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        during = []
        remaining = iter(codes[SCANS:])
        while export.poll() is None:
            code = next(remaining, None)
            if code is None:
                break
            during.append(phone.scan(code))
            time.sleep(0.01)
        export.wait()
    verdict(figures, 6, f"{p99(during):.1f} ms ({len(during)} scans, median {median(during):.1f})", p99(during) <= 50)


def concurrent_scans(port: int, token: str, codes: list[str], figures: dict) -> None:
    """4 scanners at once on the village, each with its own connection, distinct badges."""
    remaining = iter(codes)
    lock = threading.Lock()

    def scanner(_number, ready):
        phone = Phone(port, token)
        ready()
        while True:
            with lock:
                code = next(remaining, None)
            if code is None:
                return
            phone.scan(code)

    rate = len(codes) / timed_at_once(CONCURRENT_CLIENTS, scanner)
    verdict(figures, 15, f"{rate:.0f}/s", rate >= 400)


def mail(database_url: str, env: dict, figures: dict) -> None:
    """`flask mail send --senders 2` (one sender per core) to an SMTP server in a process of
    its own, as a real one would be; the rate is the one the command reports."""
    app = build_app(database_url)
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        sizes = [sum(len(str(getattr(row, c.key) or "")) for c in OutboxMessage.__table__.columns) for row in rows]
        confirmations = sum(1 for row in rows if row.details.get("documents"))
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    smtp = answering(subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                                       "-c", "aiosmtpd.handlers.Sink"]), port, 10)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "send", "--senders", str(MAIL_SENDERS)],
            cwd=ROOT, env={**env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)},
            check=True, capture_output=True, text=True,
        )
    finally:
        smtp.terminate()
        smtp.wait()
    sent, rate = re.search(r"(\d+)\s+envoyés?.*soit (\d+) e-mails par seconde", result.stdout).groups()
    verdict(figures, 3, f"{rate}/s ({sent} messages, {confirmations} with badge, {MAIL_SENDERS} senders)", int(rate) >= 50)
    size = statistics.mean(sizes) / 1024
    verdict(figures, 4, f"{size:.2f} KB", size <= 4)


def exports(database_url: str, env: dict, figures: dict, names: list[str]) -> None:
    from app.documents.exports import FORMATS

    app = build_app(database_url)
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            with app.app_context():
                from app.models import Village

                # Loaded before the clock starts: the process's first ORM query also sets up
                # every mapper, which is no part of writing the document.
                village = db.session.get(Village, db.session.scalar(text("SELECT id FROM village")))
                started = time.perf_counter()
                with open(f"{folder}/{name}", "wb") as file:
                    FORMATS[name].write(village, file)
                render = time.perf_counter() - started
                db.session.remove()
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "export", "bench", "--format", name,
                            "--output", f"{folder}/{name}.cli"], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            whole = time.perf_counter() - started
            verdict(figures, 7 + EXPORTS.index(name), f"{render:.2f} s ({whole:.2f} s)", render <= EXPORT_TARGETS[name])
    with app.app_context():
        db.engine.dispose()


def command_start(env: dict, figures: dict) -> None:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "--help"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    verdict(figures, 11, f"{min(times):.2f} s", min(times) <= 1)


def bench(database_url: str, size: int, measures: list[str], export_names: list[str]) -> dict:
    figures: dict = {}
    token, codes = fill(database_url, size)
    with tempfile.TemporaryDirectory() as folder:
        env = environment(database_url, folder)
        if {"registrations", "checkins", "memory"} & set(measures):
            access_log = Path(folder) / "access.log"
            port = free_port()
            server = serve(env, port, access_log)
            try:
                if "registrations" in measures:
                    registrations(port, access_log, figures, 150 if database_url.startswith("postgresql") else 100)
                if "checkins" in measures:
                    open_the_door(database_url)
                    checkins(port, token, codes, env, figures)
                if "memory" in measures:
                    share, text = worker_memory(server)
                    verdict(figures, 12, text, share <= 60)
            finally:
                server.terminate()
                server.wait()
        if "registrations" in measures:
            capacity_exact(database_url, figures)
            if "mail" in measures:
                mail(database_url, env, figures)
        if "exports" in measures:
            exports(database_url, env, figures, export_names)
        if "command" in measures:
            command_start(env, figures)
    return figures


def compile_project() -> None:
    """The project's bytecode written beforehand, as an installation leaves it: where
    PYTHONDONTWRITEBYTECODE is set (this workplace's shells set it), every process measured would
    compile the project's modules (about 125) from source again (0.15 s of each command's start)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app", "config.py", "wsgi.py"], cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL)
    parser.add_argument("--measures", nargs="+", default=list(MEASURES), choices=MEASURES)
    parser.add_argument("--exports", nargs="+", default=list(EXPORTS), choices=EXPORTS)
    options = parser.parse_args()
    compile_project()
    measured = (options.measures, options.exports)
    results = {}
    for name in options.databases:
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                results["SQLite"] = bench(f"sqlite:///{folder}/bench.sqlite", options.registrations, *measured)
        else:
            ensure_postgresql_database(options.postgresql_url)
            results["PostgreSQL"] = bench(options.postgresql_url, options.registrations, *measured)
        print_table(results, options.registrations)  # so far: a long run shows what it has


def machine_speed_ms() -> float:
    """A fixed pure-Python loop, best of 3: this virtual machine's speed drifts from day to day,
    and the figures of two runs compare only beside this one."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        sum(i * i for i in range(3_000_000))
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def print_table(results: dict, registrations: int) -> None:
    columns = list(results)
    print(f"\n{registrations} inscriptions dans le village, charge moyenne {os.getloadavg()[0]:.1f}, "
          f"boucle de référence (3 millions de carrés en Python) {machine_speed_ms():.0f} ms\n")
    print("| mesure | objectif | " + " | ".join(columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for label, goal in TARGETS:
        print(f"| {label} | {goal} | " + " | ".join(results[c].get(label, "–") for c in columns) + " |")
    missed = [f"{label} ({column})" for column in columns for label, figure in results[column].items()
              if figure.endswith("NON TENU")]
    measured = sum(len(figures) for figures in results.values())
    print(f"\nObjectifs tenus : {measured - len(missed)} sur {measured}" +
          (f" ; non tenus : {', '.join(missed)}" if missed else "") + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
