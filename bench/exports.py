"""Time and peak memory of each export for villages of 1,000 and 10,000 registrations.

    /work/venv/bin/python bench/exports.py [--sizes 1000 10000] [--formats csv signin]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_exports]

The database (a temporary SQLite file unless given; its tables are dropped and
recreated) is filled once per size. Each export then runs in a fresh subprocess,
twice: once untraced for the time and the peak resident memory during the export
(Linux's VmHWM, reset just before), and once under tracemalloc for the peak of
memory allocated by Python during the export. Memory is bounded when these
peaks barely grow from 1,000 to 10,000.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.documents.exports import FORMATS  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Initiative, InitiativePresentation, InitiativeVersion, Registration, RegistrationStatus, Role, Village,
)
from bench_data import bench_village  # noqa: E402

SLUG = "bench"
MIB = 2**20
LAST_NAMES = ["Martin", "Bernard", "Étienne", "Dubois", "Élan", "Moreau", "Lefèvre", "Garçon",
              "Roux", "Fournier", "Œillet", "Girard", "André", "Mercier", "Blanc", "Guérin"]
FIRST_NAMES = ["Camille", "Hélène", "Zoé", "Éric", "Inès", "Marc", "Léa", "Noël", "Anaïs", "Jean"]
COMMUNES = ["Avignon", "Cavaillon", "Apt", "Carpentras", "Orange", "L'Isle-sur-la-Sorgue"]


def build_app(database_url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})


def fill(database_url: str, size: int) -> None:
    """A fresh schema holding one village of `size` registrations, a quarter of them porteurs."""
    app = build_app(database_url)
    rng = random.Random(size)
    with app.app_context():
        db.drop_all()
        db.create_all()
        village = bench_village(size, slug=SLUG)
        db.session.add(village)
        db.session.flush()
        roles = list(Role)
        registered = datetime(2026, 3, 1, 8, 0)
        rows = [
            dict(
                village_id=village.id,
                role=roles[n % len(roles)],
                status=RegistrationStatus.CONFIRMED if n % 20 else RegistrationStatus.CANCELLED,
                first_name=rng.choice(FIRST_NAMES),
                last_name=f"{rng.choice(LAST_NAMES)}-{n}",
                email=f"participant{n}@example.org",
                phone="06 00 00 00 00",
                commune=rng.choice(COMMUNES),
                organisation=f"Association solidaire n° {n % 300}",
                lunch=bool(n % 3),
                dietary_needs="Végétarien" if n % 7 == 0 else None,
                consent_photos=bool(n % 2),
                is_walk_in=n % 50 == 0,
                created_at=registered + timedelta(minutes=n),
                checked_in_at=registered + timedelta(days=30, minutes=n % 300) if n % 4 == 0 else None,
            )
            for n in range(size)
        ]
        db.session.execute(insert(Registration), rows)
        porteurs = db.session.execute(
            select(Registration.id, Registration.email).where(Registration.role == Role.PORTEUR)
        ).all()
        db.session.add_all(
            Initiative(
                slug=f"initiative-{registration_id}",
                holder_email=email,
                versions=[InitiativeVersion(
                    number=1, author="bench", name=f"Initiative {registration_id}",
                    summary="Un jardin partagé ouvert aux familles du quartier. " * 4, stage="en_cours",
                    keywords="jardin; lien social", support_needs=["financement", "communication"],
                )],
                presentations=[InitiativePresentation(
                    village_id=village.id, registration_id=registration_id, wants_stand=True,
                )],
            )
            for registration_id, email in porteurs
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def resident_kib(field: str) -> int:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, from /proc."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def reset_resident_peak() -> None:
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def measure(database_url: str, export_name: str, traced: bool) -> dict:
    """Run one export into a temporary file; meant to run alone in its own process."""
    app = build_app(database_url)
    with app.app_context(), tempfile.TemporaryFile() as output:
        village = db.session.scalar(select(Village).where(Village.slug == SLUG))
        rss_before = resident_kib("VmRSS")
        reset_resident_peak()
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        FORMATS[export_name].write(village, output)
        seconds = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
        return dict(
            seconds=seconds,
            rss_before_kib=rss_before,
            rss_peak_kib=resident_kib("VmHWM"),
            traced_peak_bytes=traced_peak,
            file_bytes=output.tell(),
        )


def run_measure(database_url: str, export_name: str, traced: bool) -> dict:
    command = [sys.executable, __file__, "--measure", export_name, "--database-url", database_url]
    if traced:
        command.append("--traced")
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--formats", nargs="+", choices=sorted(FORMATS), default=list(FORMATS))
    parser.add_argument("--database-url")
    parser.add_argument("--measure", choices=sorted(FORMATS), help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.measure:
        print(json.dumps(measure(arguments.database_url, arguments.measure, arguments.traced)))
        return

    with tempfile.TemporaryDirectory() as folder:
        database_url = arguments.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        print(f"Base : {database_url.split('@')[-1]}")
        print(f"{'inscriptions':>12} {'format':>7} {'durée':>8} {'fichier':>10} "
              f"{'RSS avant':>10} {'RSS pic':>9} {'Δ RSS':>8} {'tracemalloc pic':>16}")
        for size in arguments.sizes:
            fill(database_url, size)
            for export_name in arguments.formats:
                plain = run_measure(database_url, export_name, traced=False)
                traced = run_measure(database_url, export_name, traced=True)
                print(
                    f"{size:>12} {export_name:>7} {plain['seconds']:>7.2f}s "
                    f"{plain['file_bytes'] / MIB:>7.2f}Mio "
                    f"{plain['rss_before_kib'] / 1024:>7.1f}Mio {plain['rss_peak_kib'] / 1024:>6.1f}Mio "
                    f"{(plain['rss_peak_kib'] - plain['rss_before_kib']) / 1024:>5.1f}Mio "
                    f"{traced['traced_peak_bytes'] / MIB:>13.2f}Mio",
                    flush=True,
                )


if __name__ == "__main__":
    main()
