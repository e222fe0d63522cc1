"""Times the back office's registration list on a village of 10,000 registrations.

    /work/venv/bin/python bench/registrations_list.py            # a fresh SQLite file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/EMPTY_DB python bench/registrations_list.py

The database must be empty: the schema is created by the migrations. Prints the median and
slowest time of each page, measured through the whole Flask stack (test client).
"""
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from app.commands.migrations import enable_migrations  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Organiser, Registration, RegistrationStatus, Role, Village  # noqa: E402
from bench_data import bench_village, print_page_times  # noqa: E402
from app.timeutil import utcnow  # noqa: E402

REGISTRATIONS = 10_000
RUNS = 15
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
              "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"]
FIRST_NAMES = ["Camille", "Dominique", "Claude", "Sacha", "Alix", "Morgan", "Charlie", "Lou", "Eden", "Noa"]
ORGANISATIONS = ["Ressourcerie du Buëch", "Les Jardins de Saint-Jean", "Mairie de Sisteron", "CCAS d'Avignon",
                 "Épicerie solidaire", "Centre social La Fontaine", None]


def fill(village: Village) -> None:
    rng = random.Random(42)
    now = utcnow()
    rows = []
    for n in range(REGISTRATIONS):
        last = f"{rng.choice(LAST_NAMES)}{n}"
        rows.append(dict(
            village_id=village.id, role=rng.choice(list(Role)).value,
            status=RegistrationStatus.CONFIRMED if n < 9000 else RegistrationStatus.WAITLISTED,
            first_name=rng.choice(FIRST_NAMES), last_name=last, email=f"{last.lower()}@example.org",
            commune="Sisteron", organisation=rng.choice(ORGANISATIONS), lunch=rng.random() < 0.7,
            created_at=now - timedelta(minutes=REGISTRATIONS - n),
            checked_in_at=now if rng.random() < 0.3 else None,
        ))
    db.session.execute(insert(Registration), rows)
    db.session.commit()


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    enable_migrations(app)
    with app.app_context():
        upgrade()
        village = bench_village(9000)
        admin = Organiser(email="bench@example.org", role="admin")
        admin.set_password("mot-de-passe-de-mesure")
        db.session.add_all([village, admin])
        db.session.commit()
        started = time.perf_counter()
        fill(village)
        print(f"{db.engine.dialect.name}: {REGISTRATIONS} inscriptions créées en {time.perf_counter() - started:.1f} s")
        village_id = village.id
        db.session.remove()

    client = app.test_client()
    client.post("/organisation/connexion", data={"email": "bench@example.org", "password": "mot-de-passe-de-mesure"})
    base = f"/organisation/villages/{village_id}/inscriptions"
    pages = {
        "liste, page 1 (tri par nom)": base,
        "recherche « martin »": f"{base}?q=martin",
        "recherche « jardins saint »": f"{base}?q=jardins+saint",
        "filtre élu + confirmée + déjeuner": f"{base}?role=elu&statut=confirmed&dejeuner=oui",
        "liste d'attente par date": f"{base}?statut=waitlisted&tri=date",
        "tri date décroissante, page 150": f"{base}?tri=date&ordre=desc&page=150",
        "recherche + filtre + tri structure": f"{base}?q=camille&accueilli=non&tri=structure&ordre=desc&page=3",
        "fiche du village (logistique)": f"/organisation/villages/{village_id}",
        "tableau de bord": "/organisation/",
    }
    print_page_times(app, client, pages, RUNS)


if __name__ == "__main__":
    main()
