"""Building a village's meeting schedule: 400 participants, 2,000 accepted meeting requests.

    .venv/bin/python bench/scheduling.py [--people 400] [--meetings 2000] [--tables 100]
        [--time-limit 8] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_scheduling]

The database (a temporary SQLite file unless given; its tables are dropped and recreated)
holds one village whose meeting area runs from 9:30 to 17:00 in 20-minute slots with a
lunch break; one participant in five is available in the morning only. The figure is the
wall-clock time of app.services.scheduling.build (reading the meetings, solving with
CP-SAT, saving the placement), with the share of meetings placed and an upper bound:
nobody can have more meetings than there are slots they attend.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    MatchingProfile, MatchingSettings, Meeting, MeetingSeat, MeetingTable, Registration, Role,
)
from app.services import meeting_area, scheduling  # noqa: E402
from bench_data import bench_village  # noqa: E402


def fill(people: int, meetings: int, tables: int, seed: int = 7):
    rng = random.Random(seed)
    village = bench_village(capacity=people)
    village.matching_settings = MatchingSettings(
        area_starts_at=clock(9, 30), area_ends_at=clock(17, 0), slot_minutes=20, breaks=[["12:30", "14:00"]],
    )
    db.session.add(village)
    db.session.flush()
    roles = list(Role)
    persons = [Registration(village=village, role=rng.choice(roles), first_name="Camille", last_name=f"Martin{n}",
                            email=f"p{n}@example.org") for n in range(people)]
    db.session.add_all(persons)
    db.session.flush()
    for person in persons[::5]:
        db.session.add(MatchingProfile(registration=person, available_until=clock(12, 30)))
    db.session.add_all(MeetingTable(village_id=village.id, name=f"Table {n + 1}") for n in range(tables))
    pairs = set()
    while len(pairs) < meetings:
        first, second = rng.sample(range(people), 2)
        pairs.add((min(first, second), max(first, second)))
    for first, second in sorted(pairs):
        meeting = Meeting(village_id=village.id, intent="appui")
        meeting.seats = [MeetingSeat(registration=persons[first]), MeetingSeat(registration=persons[second])]
        db.session.add(meeting)
    db.session.commit()
    return village, pairs, persons


def upper_bound(pairs, persons, slot_count: int, morning_slots: int) -> int:
    """Meetings placed can't exceed, for each person, the slots they attend (halved: two per meeting)."""
    degree = Counter(p for pair in pairs for p in pair)
    morning_only = {n for n, person in enumerate(persons) if n % 5 == 0}
    return sum(min(d, morning_slots if n in morning_only else slot_count) for n, d in degree.items()) // 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--meetings", type=int, default=2000)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=scheduling.DEFAULT_TIME_LIMIT)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULING_TIME_LIMIT": args.time_limit})
    with app.app_context():
        db.drop_all()
        db.create_all()
        village, pairs, persons = fill(args.people, args.meetings, args.tables)
        slot_list = meeting_area.slots(village.matching_settings)
        morning = sum(1 for s in slot_list if s.ends_at <= clock(12, 30))
        started = time.perf_counter()
        report = scheduling.build(village, actor="bench")
        db.session.commit()
        seconds = time.perf_counter() - started
        bound = upper_bound(pairs, persons, len(slot_list), morning)
        print(f"{args.people} participants, {report.meetings} rendez-vous acceptés, "
              f"{len(slot_list)} créneaux × {args.tables} tables ({db.engine.dialect.name})")
        print(f"programme construit en {seconds:.2f} s (dont solveur {report.seconds:.2f} s, "
              f"{'optimal prouvé' if report.optimal else 'arrêté à la limite de temps'})")
        print(f"rendez-vous placés : {report.placed} / {report.meetings} = {report.placed / report.meetings:.1%} "
              f"(borne supérieure {bound}, soit {report.placed / bound:.1%} de la borne)")
        db.drop_all()


if __name__ == "__main__":
    main()
