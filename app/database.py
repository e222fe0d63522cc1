"""Engine settings that keep SQLite as safe as PostgreSQL under concurrent requests."""
from sqlalchemy import event
from sqlalchemy.engine import Engine


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # SQLite upgrades a read transaction to a write one by failing when another
        # writer got there first; taking the write lock up front makes concurrent
        # registrations and check-ins wait their turn instead (the capacity check
        # and the insert then happen under one lock, as SELECT … FOR UPDATE does on PostgreSQL).
        connection.exec_driver_sql("BEGIN IMMEDIATE")
