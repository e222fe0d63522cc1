"""Whether the time of an answer tells who has an account: a forgotten-password request and a
wrong login, for an address with an account and one without, alternated.

    .venv/bin/python bench/timing_reset_login.py [--resets 400] [--logins 60]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/villages_bench]

The database (a temporary SQLite file unless given; its tables are dropped and recreated) holds
one organiser account. Each request goes through the whole application (a test client: routing,
form, database, commit), from an address of its own so that no wait for failed logins starts.
Prints the median time of each kind of request and the difference, existing minus unknown.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Organiser  # noqa: E402

EXISTING, UNKNOWN = "compte@villages.test", "personne@villages.test"
PASSWORD = "banc-d-essai-du-temps"


def timed(client, path: str, data: dict, number: int, expected: int) -> float:
    address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
    started = time.perf_counter()
    response = client.post(path, data=data, environ_base={"REMOTE_ADDR": address})
    elapsed = time.perf_counter() - started
    assert response.status_code == expected, response.status_code
    return elapsed


def compare(client, label: str, path: str, data_for, tries: int, expected: int, first_number: int) -> None:
    times = {EXISTING: [], UNKNOWN: []}
    for attempt in range(tries):
        for email in (EXISTING, UNKNOWN) if attempt % 2 else (UNKNOWN, EXISTING):
            number = first_number + 2 * attempt + (email == UNKNOWN)
            times[email].append(timed(client, path, data_for(email), number, expected))
    existing, unknown = (statistics.median(times[e]) * 1000 for e in (EXISTING, UNKNOWN))
    print(f"{label:<22} adresse existante {existing:8.3f} ms   inconnue {unknown:8.3f} ms   "
          f"différence {existing - unknown:+7.3f} ms   ({tries} essais de chaque)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resets", type=int, default=400)
    parser.add_argument("--logins", type=int, default=60)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite:///{folder}/timing.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                          "JOBS_URL": f"sqlite:///{folder}/jobs.sqlite", "JOBS_WORKER_IN_APP": False})
        with app.app_context():
            db.drop_all()
            db.create_all()
            organiser = Organiser(email=EXISTING, role="organiser", name="Banc")
            organiser.set_password(PASSWORD)
            db.session.add(organiser)
            db.session.commit()
        client = app.test_client()
        print(f"Base : {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
        compare(client, "Mot de passe oublié", "/organisation/mot-de-passe-oublie", lambda email: {"email": email},
                arguments.resets, 200, 0)
        compare(client, "Connexion refusée", "/organisation/connexion",
                lambda email: {"email": email, "password": "pas-le-bon-mot"}, arguments.logins, 401, 1_000_000)
        with app.app_context():
            db.drop_all()
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
