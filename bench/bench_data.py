"""The village every benchmark fills: one place to change what a bench village looks like."""
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
