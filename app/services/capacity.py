"""Confirmed places per village and role, kept exact rather than counted at each registration.

Every flush that confirms a registration, or cancels, deletes, or changes the role or village
of a confirmed one, adds the difference to the village's ConfirmedCount rows, in the same
transaction; a new registration, written in direct SQL without a flush, adds its own place
(add_confirmed). Registrations are decided with the village row locked, so the figures read
under that lock are exact; `recount` rebuilds them from the registrations (after a bulk insert).
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import Insert, ScalarSelect, delete, event, func, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..database import upsert_for
from ..extensions import db
from ..models import ConfirmedCount, Registration, RegistrationStatus, Village


def confirmed_counts(village: Village) -> dict[str, int]:
    """Confirmed registrations of the village, per role (roles without any may be missing)."""
    rows = db.session.execute(
        select(ConfirmedCount.role, ConfirmedCount.confirmed).where(ConfirmedCount.village_id == village.id)
    )
    return {role: confirmed for role, confirmed in rows if confirmed}


def confirmed_of(village_id, role=None) -> ScalarSelect:
    """The confirmed registrations of a village (of one `role`, else all), as a subquery to read
    with other values in one statement; the village and role may be bound parameters."""
    counted = select(func.coalesce(func.sum(ConfirmedCount.confirmed), 0)).where(
        ConfirmedCount.village_id == village_id
    )
    if role is not None:
        counted = counted.where(ConfirmedCount.role == role)
    return counted.scalar_subquery()


def recount(village: Village) -> None:
    """Rebuild the village's figures from its registrations."""
    db.session.execute(delete(ConfirmedCount).where(ConfirmedCount.village_id == village.id))
    db.session.execute(
        insert(ConfirmedCount).from_select(
            ["village_id", "role", "confirmed"],
            select(Registration.village_id, Registration.role, func.count())
            .where(Registration.village_id == village.id, Registration.status == RegistrationStatus.CONFIRMED)
            .group_by(Registration.village_id, Registration.role),
        )
    )


def watch_confirmations() -> None:
    if not event.contains(db.session, "after_flush", _count_changes):
        event.listen(db.session, "after_flush", _count_changes)


def _count_changes(session: Session, _flush_context) -> None:
    changes = Counter()
    for registration in session.new:
        if isinstance(registration, Registration):
            changes[_place(registration, "added")] += 1
    for registration in session.dirty:
        if isinstance(registration, Registration):
            changes[_place(registration, "deleted")] -= 1
            changes[_place(registration, "added")] += 1
    for registration in session.deleted:
        if isinstance(registration, Registration):
            changes[_place(registration, "deleted")] -= 1
    connection = session.connection()
    for (village_id, role), change in changes.items():
        if village_id is not None and change:
            add_confirmed(connection, village_id, role, change)


def add_confirmed(connection: Connection, village_id: int, role: str, change: int) -> None:
    """Add `change` to the village's confirmed `role`: for the flush above, and for a registration
    written in direct SQL, which no flush sees (registration.register; on PostgreSQL its INSERT
    adds the place itself, with adding_to_the_count). The row is created if missing."""
    connection.execute(_add_confirmed(connection), {"village_id": village_id, "role": role, "confirmed": change})


def _add_confirmed(connection: Connection) -> Insert:
    statement = _ADD_CONFIRMED.get(connection.dialect.name)
    if statement is None:
        # Built once per dialect, as every registration runs it.
        statement = _ADD_CONFIRMED[connection.dialect.name] = adding_to_the_count(
            upsert_for(connection, ConfirmedCount.__table__))
    return statement


def adding_to_the_count(upsert: Insert) -> Insert:
    """`upsert`, an INSERT of ConfirmedCount rows in a dialect that can say what to do on a
    conflict, made to add its figures to the rows that exist (the row is created if missing)."""
    return upsert.on_conflict_do_update(
        index_elements=["village_id", "role"],
        set_={"confirmed": ConfirmedCount.__table__.c.confirmed + upsert.excluded.confirmed},
    )


_ADD_CONFIRMED: dict[str, Insert] = {}


def _place(registration: Registration, side: str) -> tuple[int | None, str | None]:
    """(village id, role) of the confirmed place the registration takes after the flush
    (`side` "added") or took before it ("deleted"); (None, None) when it takes none."""
    state = inspect(registration)
    values = {}
    for name in ("status", "role", "village_id"):
        history = state.attrs[name].history
        if side == "added":
            value = (history.added or history.unchanged or [None])[0]
        else:
            value = (history.deleted or history.unchanged or [None])[0]
        values[name] = value
    if values["status"] != RegistrationStatus.CONFIRMED:
        return None, None
    return values["village_id"], values["role"]
