"""A village's roster version: the counter that check-in phones follow (see checkin_roster).

Taking the next version is an UPDATE of the village row, which keeps that row locked until the
transaction ends: transactions that take versions of the same village commit in the order they
took them, so a phone never sees version N+1 before a still-uncommitted N.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, Row, Update, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..database import NOT_WAITING_FOR_DISK, is_postgresql
from ..models import Village

_VILLAGE = Village.__table__
# Built once: every scan runs one of them. The village's parameter is "village", not
# "village_id": in a statement that writes more tables in CTEs (checkin._ADMIT_AT_ONCE),
# SQLAlchemy would take a parameter named after a column as a value to set in that column.
_NEXT = (
    update(_VILLAGE)
    .where(_VILLAGE.c.id == bindparam("village"))
    .values(roster_version=_VILLAGE.c.roster_version + 1)
)
_TAKE_NEXT = _NEXT.returning(_VILLAGE.c.roster_version)
_GIVE_BACK = (
    update(_VILLAGE)
    .where(_VILLAGE.c.id == bindparam("village"))
    .values(roster_version=bindparam("version") - 1)
    .returning(_VILLAGE.c.roster_version)
)


def lock_taking_next(session: Session, village_id: int, *, commit_not_waiting_for_disk: bool = False) -> Village:
    """The village, locked until the end of the transaction and read afresh, its next version
    taken (its roster_version) by the same statement: for a registration, which needs both, one
    round trip less while the village is locked. A registration refused (closed, already made)
    is rolled back, and its version with it. `commit_not_waiting_for_disk`: on PostgreSQL the
    same statement also says that the transaction's commit need not wait for the disk
    (database.NOT_WAITING_FOR_DISK), without a round trip of its own.

    The statement is Core, and its row is set on the village the session already holds: the
    ORM's loading of the same row (populate_existing) cost three times as much Python, all of it
    while the village is locked."""
    connection = session.connection()
    statement = (_LOCK_TAKING_NEXT_NOT_WAITING if commit_not_waiting_for_disk and is_postgresql(connection.engine)
                 else _LOCK_TAKING_NEXT)
    row = connection.execute(statement, {"village": village_id}).one()
    village = session.get(Village, village_id)
    for column, value in zip(_VILLAGE.c, row):  # the village's columns, before any other
        set_committed_value(village, column.key, value)
    return village


# Built once: every registration runs one of them.
_LOCK_TAKING_NEXT = _NEXT.returning(*_VILLAGE.c)
_LOCK_TAKING_NEXT_NOT_WAITING = _NEXT.returning(*_VILLAGE.c, NOT_WAITING_FOR_DISK)


def _run(session: Session, statement, village_id: int, **values) -> int | None:
    row = take_next_with(session, statement, village_id, **values)
    return None if row is None else row[0]


def take_next_with(session: Session, statement, village_id: int, **values) -> Row | None:
    """The row of `statement`, whose first column is the version it took (a statement from
    next_if, or one that takes it in a CTE and writes more with it, all in one round trip);
    None when it took none."""
    # On the connection: the statement is Core, the ORM's dispatch of it would add nothing.
    row = session.connection().execute(statement, {"village": village_id, **values}).first()
    loaded = session.identity_map.get(identity_key(Village, village_id))
    if loaded is not None and row is not None:
        set_committed_value(loaded, "roster_version", row[0])
    return row


def take_next(session: Session, village_id: int) -> int:
    """The village's next version, for the registrations changed now; the village row stays locked."""
    return _run(session, _TAKE_NEXT, village_id)


def next_if(condition: ColumnElement[bool]) -> Update:
    """The statement of take_next_if: take_next's, which takes a version only where `condition`
    holds (built once by the caller, its parameters given to take_next_if)."""
    return _TAKE_NEXT.where(condition)


def take_next_if(session: Session, statement: Update, village_id: int, **values) -> int | None:
    """The village's next version if the condition of `statement` (from next_if) holds, the
    village row then locked as by take_next; None if it does not, with nothing written or locked.
    Saves taking a version only to give it back when the change it was for turns out not to be made."""
    return _run(session, statement, village_id, **values)


def give_back(session: Session, village_id: int, version: int) -> None:
    """Undo take_next when nothing was stamped with `version`: the row has been locked by this
    transaction since, so nobody else saw or took a version in between."""
    _run(session, _GIVE_BACK, village_id, version=version)
