"""Reading villages and their places left."""
from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..models import Registration, RegistrationStatus, Village


def upcoming(today: date | None = None) -> list[Village]:
    today = today or date.today()
    return list(
        db.session.scalars(
            select(Village)
            .where(Village.archived_at.is_(None), Village.day >= today)
            .order_by(Village.day, Village.starts_at)
        )
    )


def confirmed_counts(village_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Registration.village_id, func.count())
        .where(
            Registration.village_id.in_(village_ids),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(Registration.village_id)
    )
    return dict(rows.all())


def places_left(village: Village) -> int:
    taken = confirmed_counts([village.id]).get(village.id, 0)
    return max(village.capacity - taken, 0)


def places_left_by_village(found: list[Village]) -> dict[int, int]:
    taken = confirmed_counts([v.id for v in found])
    return {v.id: max(v.capacity - taken.get(v.id, 0), 0) for v in found}
