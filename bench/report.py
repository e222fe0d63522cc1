"""Time of the report for 10,000 registrations spread over several villages.

    .venv/bin/python bench/report.py [--registrations 10000] [--villages 4]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/villages_i11]

The database (a temporary SQLite file unless given; its tables are dropped and recreated) is
filled once: a quarter of the people are porteurs presenting an initiative with support needs,
seven in ten came (arrival times over the day), one in ten answered the questionnaire. Then it
times (median of three runs), for one village and for all of them together: computing the figures, the same
for the diffusion version (small counts hidden), the back-office page (as an organiser gets it), the PDF and the
spreadsheet.
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.documents.report import write_pdf, write_xlsx  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    SUPPORT_NEEDS, Initiative, InitiativePresentation, InitiativeVersion, Organiser, Registration,
    RegistrationStatus, Role, SurveyResponse, Village,
)
from app.models.initiative_lists import PUBLICS, STAGES, THEMATIQUES  # noqa: E402
from app.services import report, survey  # noqa: E402
from bench_data import bench_village  # noqa: E402

PASSWORD = "banc-d-essai-du-bilan"
POSTCODES = ["04200", "04000", "04100", "05000", "84000", "83300", "13001", "06000"]
COMMUNES = ["Sisteron", "Digne-les-Bains", "Manosque", "Gap", "Avignon", "Draguignan", "Marseille", "Nice"]


def fill(app, registrations: int, village_count: int) -> list[int]:
    rng = random.Random(registrations)
    with app.app_context():
        db.drop_all()
        db.create_all()
        villages = [bench_village(registrations, days_ahead=-10 - 30 * n, slug=f"bench-{n}", town=f"Ville {n}")
                    for n in range(village_count)]
        db.session.add_all(villages)
        organiser = Organiser(email="bench@villages.test", role="organiser", name="Banc")
        organiser.set_password(PASSWORD)
        db.session.add(organiser)
        db.session.flush()
        roles, statuses = list(Role), [RegistrationStatus.CONFIRMED] * 17 + [
            RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED]
        rows = []
        for n in range(registrations):
            village = villages[n % village_count]
            place = rng.randrange(len(POSTCODES))
            came = rng.random() < 0.7
            rows.append(dict(
                village_id=village.id, role=roles[n % 4], status=statuses[n % 20], first_name="Camille",
                last_name=f"Martin-{n}", email=f"p{n}@example.org", commune=COMMUNES[place],
                postcode=POSTCODES[place], lunch=bool(n % 3), is_walk_in=n % 40 == 0, consent_news=bool(n % 2),
                checked_in_at=datetime.combine(village.day, datetime.min.time()) + timedelta(
                    hours=7, minutes=rng.randrange(8 * 60)) if came else None,
                badge_code=f"b{n}", manage_token=f"m{n}",
            ))
        db.session.execute(insert(Registration), rows)
        porteurs = db.session.execute(
            select(Registration.id, Registration.village_id).where(Registration.role == Role.PORTEUR)).all()
        needs, themes, publics, stages = list(SUPPORT_NEEDS), list(THEMATIQUES), list(PUBLICS), list(STAGES)
        db.session.execute(insert(Initiative), [
            dict(id=n + 1, slug=f"initiative-{n}", holder_email=f"p{n}@example.org", current_number=1)
            for n in range(len(porteurs))])
        db.session.execute(insert(InitiativeVersion), [
            dict(id=n + 1, initiative_id=n + 1, number=1, author="bench", name=f"Initiative {n}",
                 stage=rng.choice(stages), thematiques=rng.sample(themes, 2), publics=rng.sample(publics, 2),
                 departement_code=rng.choice(["04", "05", "84", "83"]), support_needs=rng.sample(needs, 3),
                 support_details={"financement": "Trouver un cofinancement pour l'an prochain."})
            for n in range(len(porteurs))])
        db.session.execute(insert(InitiativePresentation), [
            dict(initiative_id=n + 1, village_id=village_id, registration_id=registration_id, version_id=n + 1)
            for n, (registration_id, village_id) in enumerate(porteurs)])
        for village in villages:
            survey.questions(village)
        db.session.flush()
        answering = db.session.execute(
            select(Registration.id, Registration.village_id).where(Registration.checked_in_at.is_not(None))).all()
        questions = {v.id: survey.questions(v) for v in villages}
        db.session.execute(insert(SurveyResponse), [
            dict(registration_id=registration_id, village_id=village_id,
                 answers={str(q.id): rng.randint(1, 5) if q.kind == "note" else "Très bien." for q in
                          questions[village_id]})
            for registration_id, village_id in answering[::7]])
        db.session.commit()
        ids = [v.id for v in villages]
        db.session.remove()
        return ids


def timed(action, repeat: int = 3) -> float:
    """The median of `repeat` runs (the first run also pays for imports and font loading)."""
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--villages", type=int, default=4)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    url = arguments.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "TESTING": True})
    ids = fill(app, arguments.registrations, arguments.villages)
    print(f"{arguments.registrations} inscriptions, {arguments.villages} villages, {url.split(':')[0]}")
    print(f"{'bilan':<26}{'calcul':>10}{'diffusion':>10}{'page':>10}{'PDF':>10}{'XLSX':>10}")
    client = app.test_client()
    client.post("/organisation/connexion", data={"email": "bench@villages.test", "password": PASSWORD})
    for label, chosen, path in (
        ("un village", ids[:1], f"/organisation/villages/{ids[0]}/bilan"),
        (f"{len(ids)} villages", ids, "/organisation/bilan?" + "&".join(f"village={i}" for i in ids)),
    ):
        with app.test_request_context():
            villages = list(db.session.scalars(select(Village).where(Village.id.in_(chosen))))
            compute = timed(lambda: report.build(villages))
            diffusion = timed(lambda: report.build(villages, for_outsiders=True))
            built = report.build(villages)
            pdf = timed(lambda: write_pdf(built, io.BytesIO()))
            xlsx = timed(lambda: write_xlsx(built, io.BytesIO()))
            db.session.remove()
        assert client.get(path).status_code == 200
        page = timed(lambda: client.get(path))
        print(f"{label:<26}{compute:>9.2f}s{diffusion:>9.2f}s{page:>9.2f}s{pdf:>9.2f}s{xlsx:>9.2f}s")


if __name__ == "__main__":
    main()
