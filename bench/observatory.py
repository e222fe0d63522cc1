"""Time of the observatory over many villages and years (target: the page in 1 s at most).

    .venv/bin/python bench/observatory.py [--villages-per-year 20] [--years 5] [--initiatives 2000]
        [--presentations-per-village 60] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_x]
        [--reuse]

The database (a temporary SQLite file unless given; its tables are dropped and recreated) is
filled once: `--years` years of `--villages-per-year` villages held, each where
`--presentations-per-village` porteurs (confirmed places) present one of `--initiatives`
initiatives, so that most initiatives come back from one year to the next; each initiative has
two thématiques, one or two publics and three support needs, and each need its follow-up thread
(a status among all of them, a partner kind for most) with the villages where it was expressed.
Then it times (median of five runs) computing the figures, the organisers' page, the public
page, its CSV, the PDF and the spreadsheet.
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.documents.observatory import write_pdf, write_xlsx  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    SUPPORT_NEEDS, Initiative, InitiativePresentation, InitiativeVersion, NeedThread, NeedThreadVillage, Organiser,
    Registration, RegistrationStatus, Role, ThreadStatus, Village,
)
from app.models.initiative_lists import PUBLICS, STAGES, THEMATIQUES  # noqa: E402
from app.services import observatory  # noqa: E402
from bench_data import bench_village  # noqa: E402
from report import timed as median_of  # noqa: E402

PASSWORD = "banc-d-essai-de-l-observatoire"
POSTCODES = ["04200", "04000", "04100", "05000", "84000", "83300", "13001", "06000"]
DEPARTEMENTS = ["04", "05", "84", "83", "13", "06", None]
PARTNER_ROLES = [Role.INSTITUTIONNEL.value, Role.ELU.value, None]
BATCH = 20_000


def fill(app, per_year: int, years: int, initiatives: int, per_village: int) -> dict[str, int]:
    rng = random.Random(initiatives)
    with app.app_context():
        db.drop_all()
        db.create_all()
        today = date.today()
        villages = [bench_village(per_village, slug=f"bench-{y}-{n}", town=f"Ville {n}",
                                  days_ahead=-((years - 1 - y) * 365 + 10 + n * 15))
                    for y in range(years) for n in range(per_year)]
        villages = [v for v in villages if v.day < today]
        db.session.add_all(villages)
        organiser = Organiser(email="bench@villages.test", role="organiser", name="Banc")
        organiser.set_password(PASSWORD)
        db.session.add(organiser)
        db.session.flush()
        needs, themes, publics, stages = list(SUPPORT_NEEDS), list(THEMATIQUES), list(PUBLICS), list(STAGES)
        statuses = list(ThreadStatus)
        _insert(Initiative, [dict(id=n + 1, slug=f"initiative-{n}", holder_email=f"p{n}@example.org",
                                  current_number=1) for n in range(initiatives)])
        chosen_needs = {n + 1: rng.sample(needs, 3) for n in range(initiatives)}
        _insert(InitiativeVersion, [
            dict(id=n + 1, initiative_id=n + 1, number=1, author="bench", name=f"Initiative {n}",
                 stage=rng.choice(stages), thematiques=rng.sample(themes, 2),
                 publics=rng.sample(publics, rng.randint(1, 2)), departement_code=rng.choice(DEPARTEMENTS),
                 support_needs=chosen_needs[n + 1])
            for n in range(initiatives)])
        registrations, presentations, expressed = [], [], []
        for village in villages:
            for initiative_id in rng.sample(range(1, initiatives + 1), min(per_village, initiatives)):
                number = len(registrations) + 1
                registrations.append(dict(
                    id=number, village_id=village.id, role=Role.PORTEUR, status=RegistrationStatus.CONFIRMED,
                    first_name="Camille", last_name=f"Martin-{number}", email=f"p{initiative_id}@example.org",
                    postcode=rng.choice(POSTCODES), badge_code=f"b{number}", manage_token=f"m{number}"))
                presentations.append(dict(initiative_id=initiative_id, village_id=village.id,
                                          registration_id=number, version_id=initiative_id))
                expressed.append((initiative_id, village.id))
        _insert(Registration, registrations)
        _insert(InitiativePresentation, presentations)
        thread_ids = {}
        threads = []
        for initiative_id, categories in chosen_needs.items():
            for category in categories:
                thread_ids[(initiative_id, category)] = len(threads) + 1
                threads.append(dict(id=len(threads) + 1, initiative_id=initiative_id, category=category,
                                    status=rng.choice(statuses), partner_role=rng.choice(PARTNER_ROLES),
                                    oriented_to="Structure" if rng.random() < 0.7 else ""))
        _insert(NeedThread, threads)
        _insert(NeedThreadVillage, [dict(thread_id=thread_ids[(initiative_id, category)], village_id=village_id)
                                    for initiative_id, village_id in expressed
                                    for category in chosen_needs[initiative_id]])
        db.session.commit()
        db.session.execute(text("ANALYZE"))  # as the database's own upkeep would, on tables filled at once
        db.session.commit()
        counts = {"villages": len(villages), "initiatives": initiatives, "présentations": len(presentations),
                  "fils de suivi": len(threads),
                  "villages des fils": db.session.scalar(select(func.count()).select_from(NeedThreadVillage))}
        db.session.remove()
        return counts


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def timed(action, repeat: int = 5) -> tuple[float, float]:
    """The median of `repeat` runs after one that pays for imports and font loading, and the
    processor time of this process per run (SQLite works inside it; a busy machine lengthens the
    first, not the second)."""
    action()
    started = time.process_time()
    wall = median_of(action, repeat)
    return wall, (time.process_time() - started) / repeat


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages-per-year", type=int, default=20)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--initiatives", type=int, default=2000)
    parser.add_argument("--presentations-per-village", type=int, default=60)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true", help="time the database given as it is, without refilling it")
    arguments = parser.parse_args()
    url = arguments.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "TESTING": True})
    started = time.perf_counter()
    if arguments.reuse:
        with app.app_context():
            counts = {"villages": db.session.scalar(select(func.count()).select_from(Village)),
                      "présentations": db.session.scalar(select(func.count()).select_from(InitiativePresentation)),
                      "fils de suivi": db.session.scalar(select(func.count()).select_from(NeedThread))}
    else:
        counts = fill(app, arguments.villages_per_year, arguments.years, arguments.initiatives,
                      arguments.presentations_per_village)
    print(f"{url.split(':')[0]} : " + ", ".join(f"{n:,} {what}".replace(",", " ") for what, n in counts.items())
          + ("" if arguments.reuse else f" (remplie en {time.perf_counter() - started:.0f} s)"))
    client = app.test_client()
    client.post("/organisation/connexion", data={"email": "bench@villages.test", "password": PASSWORD})
    with app.test_request_context():
        chosen = observatory.period()
        compute = timed(lambda: observatory.build(chosen))
        built = observatory.build(chosen)
        pdf = timed(lambda: write_pdf(built, io.BytesIO()), repeat=3)
        xlsx = timed(lambda: write_xlsx(built, io.BytesIO()), repeat=3)
        db.session.remove()
    pages = {}
    for label, path in (("page organisateurs", "/organisation/observatoire"), ("page publique", "/observatoire"),
                        ("CSV public", "/observatoire.csv")):
        assert client.get(path).status_code == 200, path
        pages[label] = timed(lambda: client.get(path))
    print(f"observatoire {chosen.label} (médiane de 5 ; cible : la page en 1 s au plus)")
    print(f"  {'':<21} {'durée':>8} {'processeur':>11}")
    for label, (wall, cpu) in {"calcul des chiffres": compute, **pages, "PDF": pdf, "classeur XLSX": xlsx}.items():
        print(f"  {label:<21} {wall:6.3f} s {cpu:9.3f} s")


if __name__ == "__main__":
    main()
