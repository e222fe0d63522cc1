"""Past villages whose support needs are followed (app/services/followup.py)."""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import NeedThread, Registration
from app.services import followup
from tests.factories_report import held_village


def followed_village(days_ago: int = 40, **fields):
    """held_village (five porteurs, a meeting whose porteur noted an orientation), its threads fed."""
    village = held_village(days_ago=days_ago, **fields)
    followup.feed(village)
    db.session.commit()
    return village


def person(village, n: int) -> Registration:
    """The n-th person of held_village's PEOPLE (0-4 porteurs, 5-7 institutions, 8-9 élus)."""
    return db.session.scalar(select(Registration).where(Registration.village_id == village.id,
                                                        Registration.first_name == f"Prénom{n}"))


def thread_of(registration: Registration, category: str) -> NeedThread:
    return db.session.scalar(select(NeedThread).where(NeedThread.initiative_id == registration.initiative.id,
                                                      NeedThread.category == category))


def days_after(village, days: int):
    """A moment `days` after the village's day, at noon UTC."""
    return datetime.combine(village.day + timedelta(days=days), time(12))

