"""A village's phase: the one notion of time that every rule asks."""
from datetime import date, datetime, time

import pytest

from app.extensions import db
from app.models import Village, VillagePhase
from tests.factories import make_village

# Paris is UTC+1 in winter: the village's day 10 February 2027 runs from 9 February 23:00 UTC.
DAY = date(2027, 2, 10)


@pytest.fixture
def village(app):
    return make_village(day=DAY, starts_at=time(9, 0), ends_at=time(17, 0))


@pytest.mark.parametrize("now, phase", [
    (datetime(2026, 12, 1, 12, 0), VillagePhase.OPEN),
    (datetime(2027, 2, 9, 22, 59), VillagePhase.OPEN),
    (datetime(2027, 2, 9, 23, 0), VillagePhase.DAY),
    (datetime(2027, 2, 10, 22, 59), VillagePhase.DAY),
    (datetime(2027, 2, 10, 23, 0), VillagePhase.AFTER),
])
def test_the_day_is_the_villages_calendar_day_in_its_time_zone(village, now, phase):
    assert village.phase(now) is phase


def test_before_registrations_open_the_village_is_not_yet_open(village):
    village.registration_opens_at = datetime(2027, 1, 1)
    assert village.phase(datetime(2026, 12, 31, 12)) is VillagePhase.NOT_YET_OPEN
    assert village.phase(datetime(2027, 1, 1, 12)) is VillagePhase.OPEN


def test_after_the_deadline_or_once_archived_registrations_are_closed(village):
    village.registration_closes_at = datetime(2027, 2, 1)
    assert village.phase(datetime(2027, 2, 2)) is VillagePhase.CLOSED
    village.registration_closes_at = None
    village.archived_at = datetime(2026, 12, 1)
    assert village.phase(datetime(2026, 12, 2)) is VillagePhase.CLOSED


def test_registration_stays_open_on_the_morning_of_the_day_until_the_village_begins(village):
    assert village.is_registration_open(datetime(2027, 2, 10, 7, 59))
    assert not village.is_registration_open(datetime(2027, 2, 10, 8, 0))
    assert village.has_begun(datetime(2027, 2, 10, 8, 0))


@pytest.mark.parametrize("now, expected", [
    (datetime(2027, 2, 9, 22, 59), "before"),
    (datetime(2027, 2, 10, 12, 0), "day"),
    (datetime(2027, 2, 10, 23, 0), "after"),
])
def test_the_sql_clauses_agree_with_the_phase(village, now, expected):
    db.session.commit()
    clauses = {
        "before": Village.before_day_clause(now),
        "day": Village.day_clause(now),
        "after": Village.after_day_clause(now),
    }
    found = {name for name, clause in clauses.items() if db.session.scalar(db.select(Village.id).where(clause))}
    assert found == {expected}
