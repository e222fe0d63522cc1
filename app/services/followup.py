"""Support needs followed after the village: threads, their steps, and what feeds them.

A thread is one need of one initiative (app/models/followup.py). This module knows nothing of
HTTP or e-mail: it opens and continues threads from what the villages know, records the steps
given by porteurs, partners and organisers, and reads threads for pages and reports.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import NeedThread, NeedThreadVillage


def threads_at_villages(village_ids: Iterable[int]):
    """SQL: the ids of the threads whose need was expressed at one of these villages (to join
    with need_thread, whose `status` column is the latest status)."""
    return select(NeedThreadVillage.thread_id).where(NeedThreadVillage.village_id.in_(list(village_ids)))


def threads_for_villages(village_ids: Iterable[int]) -> list[NeedThread]:
    """The threads of needs expressed at these villages, each with its current status
    (`thread.status`, a ThreadStatus value), its category and the villages of its history."""
    return list(db.session.scalars(
        select(NeedThread)
        .where(NeedThread.id.in_(threads_at_villages(village_ids)))
        .options(selectinload(NeedThread.villages))
        .order_by(NeedThread.id)
    ))
