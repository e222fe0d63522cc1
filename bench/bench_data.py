"""The village every benchmark fills, and how benchmarks time a page."""
import statistics
import time as clock
from datetime import date, time, timedelta

from app.models import Village


def bench_village(capacity: int, days_ahead: int = 30, **fields) -> Village:
    values = dict(
        slug="bench",
        name="Village des initiatives solidaires – Banc d'essai",
        town="Avignon",
        venue="Maison des associations",
        address="2 rue Saint-Jean le Vieux, 84000 Avignon",
        day=date.today() + timedelta(days=days_ahead),
        starts_at=time(9),
        ends_at=time(17),
        capacity=capacity,
    )
    values.update(fields)
    return Village(**values)


def measure(client, url: str, runs: int) -> tuple[float, float]:
    """The median and slowest of `runs` GETs of `url`, in milliseconds, through the whole Flask stack."""
    timings = []
    for _ in range(runs):
        started = clock.perf_counter()
        response = client.get(url)
        timings.append((clock.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), max(timings)
