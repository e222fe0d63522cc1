"""A « journée de villages »: ten villages held the same day, 40 scanners spread across them,
through two application servers sharing one PostgreSQL database (docs/deploy.md, « Plusieurs
serveurs »).

    .venv/bin/python bench/village_day.py [--postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_day]
        [--villages 10] [--scanners 40] [--participants 600]

Each village is held today and has its participants and a scanner link; each scanner (a thread
with its own keep-alive connection, like a phone) is given a village in turn and one of the
application servers in turn, and scans its village's badges (each badge once, a fifth of them a
second time, as at a real door) until all are scanned. Prints the scans per second, the median and
p99 of the round trip and of the server's time (Server-Timing), the errors (anything but an
« ok » or « already_checked_in » answer), and checks in the database that every badge was admitted
exactly once.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import time as time_of_day
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import CheckIn, Registration, RegistrationStatus, Role  # noqa: E402
from app.models.registration import email_key  # noqa: E402
from app.services import capacity, scanner_links  # noqa: E402
from bench_data import bench_village, free_port  # noqa: E402
from bench_data import timed_at_once  # noqa: E402
from run import Client, compile_project, ensure_postgresql_database, environment, p99, serve  # noqa: E402

DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_day"  # its tables are dropped
TOWNS = ["Sisteron", "Draguignan", "Avignon", "Digne-les-Bains", "Manosque", "Forcalquier", "Brignoles",
         "Carpentras", "Apt", "Cavaillon", "Orange", "Pertuis"]


def fill(database_url: str, villages: int, participants: int) -> list[tuple[str, list[str]]]:
    """The villages, held today; for each, a scanner link and its badge codes."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    roles = list(Role)
    found = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        for n in range(villages):
            village = bench_village(participants, days_ahead=0, slug=f"village-{n}", town=TOWNS[n % len(TOWNS)],
                                    starts_at=time_of_day(0, 1), ends_at=time_of_day(23, 59))
            db.session.add(village)
            db.session.flush()
            db.session.execute(insert(Registration), [
                dict(village_id=village.id, role=roles[p % 4], status=RegistrationStatus.CONFIRMED,
                     first_name="Camille", last_name=f"Martin-{n}-{p}", email=f"p{n}-{p}@example.org",
                     email_key=email_key(f"p{n}-{p}@example.org"), commune=village.town,
                     badge_code=f"badge-{n}-{p:05d}-" + os.urandom(12).hex(), manage_token=os.urandom(16).hex())
                for p in range(participants)
            ])
            capacity.recount(village)
            _, token = scanner_links.create(village, "Accueil", "bench")
            found.append((token, village.id))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        villages_codes = []
        for token, village_id in found:
            codes = db.session.scalars(select(Registration.badge_code).where(Registration.village_id == village_id))
            villages_codes.append((token, list(codes)))
        db.session.remove()
        db.engine.dispose()
    return villages_codes


def admitted_once(database_url: str) -> tuple[int, int]:
    """(badges admitted, admissions that count) in the database: equal when nobody got in twice."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        badges = db.session.scalar(select(func.count()).where(Registration.checked_in_at.is_not(None)))
        admissions = db.session.scalar(select(func.count()).select_from(CheckIn).where(
            CheckIn.undone_at.is_(None), CheckIn.conflict_with_id.is_(None)))
        db.session.remove()
        db.engine.dispose()
    return badges, admissions


def day(ports: list[int], villages_codes, scanners: int) -> dict:
    rng = random.Random(7)
    # Each village's door: its badges, and a fifth of them presented again later.
    doors = []
    for token, codes in villages_codes:
        presented = codes + rng.sample(codes, len(codes) // 5)
        doors.append((token, iter(presented), threading.Lock()))
    round_trips, server_times, errors = [], [], []
    lock = threading.Lock()

    def scanner(number: int, ready) -> None:
        token, presented, door = doors[number % len(doors)]
        phone = Client(ports[number % len(ports)])
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine_rt, mine_server, mine_errors = [], [], []
        ready()
        while True:
            with door:
                code = next(presented, None)
            if code is None:
                break
            started = time.perf_counter()
            try:
                response = phone.request("POST", "/api/checkin", body=f'{{"code": "{code}"}}', headers=headers)
            except Exception as error:  # a refused or broken connection counts as an error
                mine_errors.append(type(error).__name__)
                continue
            mine_rt.append((time.perf_counter() - started) * 1000)
            if response.status != 200 or b'"result":"ok"' not in response.body.replace(b" ", b"") and \
                    b'"result":"already_checked_in"' not in response.body.replace(b" ", b""):
                mine_errors.append(str(response.status))
                continue
            mine_server.append(float(response.getheader("Server-Timing").split("dur=")[1]))
        with lock:
            round_trips.extend(mine_rt)
            server_times.extend(mine_server)
            errors.extend(mine_errors)

    elapsed = timed_at_once(scanners, scanner)
    return {"scans": len(round_trips) + len(errors), "elapsed": elapsed, "round_trips": round_trips,
            "server_times": server_times, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL)
    parser.add_argument("--villages", type=int, default=10)
    parser.add_argument("--scanners", type=int, default=40)
    parser.add_argument("--participants", type=int, default=600, help="per village")
    options = parser.parse_args()
    compile_project()
    ensure_postgresql_database(options.postgresql_url)
    villages_codes = fill(options.postgresql_url, options.villages, options.participants)
    with tempfile.TemporaryDirectory() as folder:
        env = environment(options.postgresql_url, folder)
        ports = [free_port(), free_port()]
        servers = [serve(env, port, Path(folder) / f"access-{port}.log") for port in ports]
        try:
            figures = day(ports, villages_codes, options.scanners)
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait()
    badges, admissions = admitted_once(options.postgresql_url)
    expected = options.villages * options.participants
    print(f"\nJournée de villages : {options.villages} villages le même jour, {options.scanners} scanners, "
          "2 serveurs d'application (gunicorn, 2 processus × 4 fils chacun), PostgreSQL ; "
          f"charge moyenne {os.getloadavg()[0]:.1f}\n")
    print("| mesure | valeur |\n|---|---|")
    print(f"| scans | {figures['scans']} ({expected} badges, un sur cinq présenté deux fois) |")
    print(f"| scans par seconde | {figures['scans'] / figures['elapsed']:.0f}/s |")
    print(f"| aller-retour, médiane / p99 | {statistics.median(figures['round_trips']):.1f} ms / "
          f"{p99(figures['round_trips']):.0f} ms |")
    print(f"| temps serveur, médiane / p99 | {statistics.median(figures['server_times']):.1f} ms / "
          f"{p99(figures['server_times']):.1f} ms |")
    print(f"| erreurs (objectif : 0) | {len(figures['errors'])} {sorted(set(figures['errors']))} — "
          f"{'tenu' if not figures['errors'] else 'NON TENU'} |")
    print(f"| chacun admis une fois (objectif) | {'oui' if badges == admissions == expected else 'NON'} "
          f"({badges} badges admis, {admissions} admissions) — "
          f"{'tenu' if badges == admissions == expected else 'NON TENU'} |")


if __name__ == "__main__":
    main()
