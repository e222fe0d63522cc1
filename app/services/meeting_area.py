"""A village's rules for meetings and its meeting area: tables, slots and breaks.

Every change to a village's meetings starts with `lock_settings`: the settings row, locked
until the end of the transaction (SELECT … FOR UPDATE on PostgreSQL; on SQLite every
transaction already holds the write lock), so that requests, answers, moves and the
building of the schedule of one village take turns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import MatchingSettings, MeetingTable, Role, Village
from ..templating import french_time
from . import audit


@dataclass(frozen=True)
class Slot:
    starts_at: time
    ends_at: time

    @property
    def label(self) -> str:
        return f"{french_time(self.starts_at)} – {french_time(self.ends_at)}"


class AreaError(Exception):
    """The meeting area as asked cannot be; the message is meant for people."""


def settings_of(village: Village) -> MatchingSettings:
    """The village's settings, created with the defaults the first time they are needed."""
    if village.matching_settings is None:
        village.matching_settings = MatchingSettings()
        db.session.flush()
    return village.matching_settings


def lock_settings(village: Village) -> MatchingSettings:
    settings_of(village)
    return db.session.scalar(
        select(MatchingSettings)
        .where(MatchingSettings.village_id == village.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def slots(settings: MatchingSettings) -> list[Slot]:
    """The slots between the area's start and end, none overlapping a break."""
    day = datetime(2000, 1, 1)
    length = timedelta(minutes=settings.slot_minutes)
    breaks = [(_at(day, start), _at(day, end)) for start, end in settings.breaks or []]
    found, start, end = [], _at(day, settings.area_starts_at), _at(day, settings.area_ends_at)
    while start + length <= end:
        overlapping = [b_end for b_start, b_end in breaks if b_start < start + length and start < b_end]
        if overlapping:
            start = max(overlapping)
            continue
        found.append(Slot(start.time(), (start + length).time()))
        start += length
    return found


def parse_breaks(text: str) -> list[list[str]]:
    """« 11 h – 11 h 20, 12 h – 12 h 10 » (or « 11:00-11:20 ») as [["11:00", "11:20"], …];
    AreaError names what is wrong."""
    breaks = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        start, _, end = part.replace("–", "-").partition("-")
        try:
            start_at, end_at = _clock(start), _clock(end)
        except ValueError:
            raise AreaError(f"« {part} » n'est pas une pause lisible : écrivez par exemple 11 h – 11 h 20.") from None
        if end_at <= start_at:
            raise AreaError(f"La pause « {part} » finit avant de commencer.")
        breaks.append([f"{start_at:%H:%M}", f"{end_at:%H:%M}"])
    return breaks


def breaks_text(settings: MatchingSettings) -> str:
    """The breaks as French writes times: « 11 h 20 – 11 h 30, 12 h 30 – 14 h »."""
    return ", ".join(f"{french_time(_clock(start))} – {french_time(_clock(end))}" for start, end in settings.breaks or [])


def tables(village: Village) -> list[MeetingTable]:
    return list(db.session.scalars(
        select(MeetingTable).where(MeetingTable.village_id == village.id).order_by(MeetingTable.id)
    ))


def update(village: Village, values: dict, table_count: int, actor: str) -> None:
    """Save the area and rules; tables are named « Table 1 », « Table 2 »… and only added or
    removed at the end, so that placed meetings keep theirs."""
    settings = lock_settings(village)
    if values["area_ends_at"] <= values["area_starts_at"]:
        raise AreaError("L'espace de rendez-vous doit finir après son ouverture.")
    for name, value in values.items():
        setattr(settings, name, value)
    existing = tables(village)
    for number in range(len(existing) + 1, table_count + 1):
        db.session.add(MeetingTable(village_id=village.id, name=f"Table {number}"))
    for table in existing[table_count:]:
        db.session.delete(table)
    settings.schedule_version += 1
    audit.record(actor, "meeting_area_updated", village, tables=table_count, **values)


def may_ask(settings: MatchingSettings, requester_role: str, recipient_role: str) -> bool:
    return recipient_role in (settings.ask_rules or {}).get(requester_role, [])


def roles_askable_by(settings: MatchingSettings, role: str) -> list[str]:
    return [r.value for r in Role if may_ask(settings, role, r.value)]


def _at(day: datetime, clock: time | str) -> datetime:
    return datetime.combine(day.date(), clock if isinstance(clock, time) else _clock(clock))


# « 11 h 20 », « 11h », « 11:20 »
_CLOCK = re.compile(r"\s*(\d{1,2})\s*(?:[:h]\s*(\d{2})?)?\s*", re.I)


def _clock(text: str) -> time:
    found = _CLOCK.fullmatch(text)
    if not found:
        raise ValueError(text)
    return time(int(found[1]), int(found[2] or 0))  # ValueError past 23 h 59
