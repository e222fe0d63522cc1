"""Wall-clock times of a zone, converted in bulk as the exports do."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.timeutil import WallClock, to_local


@pytest.mark.parametrize("zone_name, day", [
    ("Europe/Paris", datetime(2026, 3, 29)),  # summer time from 01:00 UTC
    ("Europe/Paris", datetime(2026, 10, 25)),  # winter time from 01:00 UTC
    ("Australia/Lord_Howe", datetime(2026, 10, 3)),  # half an hour forward, at 15:30 UTC
])
def test_wall_clock_converts_as_to_local_across_a_change_of_offset(zone_name, day):
    zone = ZoneInfo(zone_name)
    wall_clock = WallClock(zone)
    moments = [day + timedelta(minutes=7 * n, seconds=n % 60, microseconds=n) for n in range(24 * 60 // 7)]

    assert [wall_clock(moment) for moment in moments] == [
        to_local(moment, zone).replace(tzinfo=None) for moment in moments
    ]
