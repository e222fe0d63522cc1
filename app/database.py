"""Engine settings: PostgreSQL connections that outlive their server are replaced; SQLite is
kept as safe as PostgreSQL under concurrent requests.

A pooled PostgreSQL connection whose server was restarted (or stopped, or its session ended)
is replaced before use. An idle session hears from the server only when the server ends it:
its last message, then the end of the connection, wait on the socket, and looking there takes
no round trip, unlike SQLAlchemy's pool_pre_ping (one more round trip to the database per
request, 0.2 ms and 75 Python calls on a scan of 4 statements). A server that vanished without
a word (a machine switched off, a network cut) is found by the first request that uses the
connection: that request fails, and SQLAlchemy then replaces every connection of the pool.

SQLite runs in WAL mode: readers never wait for the writer, nor the writer for readers.
A transaction starts as a plain read (BEGIN) and takes the write lock only when it is
about to write or lock rows (INSERT, UPDATE, DELETE, SELECT … FOR UPDATE): a badge
export reads for seconds without holding back a single scan or registration.
"""
import select

from sqlalchemy import event, func
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, scoped_session

# Statements that only read; anything else (INSERT, UPDATE, DELETE, DDL, SAVEPOINT…) writes.
_READING = ("SELECT", "WITH", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "EXPLAIN")
_WRITING = "sqlite_writing"


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def upsert_for(bind: Session | Connection, table):
    """An INSERT of `table` that can say what to do on a conflict (on_conflict_do_nothing,
    on_conflict_do_update), in the dialect of the session's (or connection's) database: both
    engines have one."""
    from sqlalchemy.dialects import postgresql, sqlite

    engine = bind.engine if isinstance(bind, Connection) else bind.get_bind()
    return (postgresql if is_postgresql(engine) else sqlite).insert(table)


# A transaction's commit that need not wait for PostgreSQL to flush it to disk (4 to 5 ms on the
# development machine), as no commit waits on SQLite (synchronous=NORMAL below), said by a
# statement of the transaction that writes, as one of its columns: no round trip of its own. A
# crash of the database server or of its machine, not of the application, may lose the last
# commits (of less than a second), each one whole: never half a transaction.
NOT_WAITING_FOR_DISK = func.set_config("synchronous_commit", "off", True)


def reading_only(session: Session | scoped_session) -> None:
    """What the session reads from now on runs outside a transaction on PostgreSQL, each
    statement on its own (autocommit): a page that reads one statement sends neither BEGIN
    before it nor ROLLBACK after, one round trip instead of three. Only for a request that
    writes nothing, called before its first statement; otherwise it does nothing. SQLite is
    left alone: its transactions cost no round trip, and its connections' own settings
    (configure_engine) must stay as they are."""
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction() and is_postgresql(session.get_bind()):
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def configure_engine(engine: Engine) -> None:
    if is_postgresql(engine):
        event.listen(engine, "checkout", _replace_if_the_server_left)
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
            # SQLite's advice for WAL: commits no longer wait for the disk (5 ms each here,
            # most of a scan); the file cannot be corrupted, and only the last commits before
            # a power cut (not a crash of the application) could be lost.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.info[_WRITING] = False
        # Straight to sqlite3: a BEGIN returns nothing, and going through SQLAlchemy's execution
        # (for _before_execute to let it pass) cost 70 Python calls per transaction.
        connection.connection.driver_connection.execute("BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(connection, cursor, statement, _parameters, context, _executemany):
        if connection.info.get(_WRITING, True) or not _writes(statement, context):
            return
        # A read transaction that turns into a write one fails when another writer committed
        # since it began. So the first write ends the reading (it changed nothing) and takes
        # the write lock up front, waiting its turn: what follows reads the latest committed
        # data, as each statement does in PostgreSQL's default isolation, and a decision
        # taken after SELECT … FOR UPDATE (places left, a first scan) is taken under the lock.
        cursor.execute("COMMIT")
        cursor.execute("BEGIN IMMEDIATE")
        connection.info[_WRITING] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        connection.info[_WRITING] = True  # outside a transaction: nothing to upgrade


def _replace_if_the_server_left(dbapi_connection, _record, _proxy) -> None:
    # DisconnectionError: the pool closes this connection and takes another (a new one if need be).
    if dbapi_connection.closed:
        raise DisconnectionError()
    socket = select.poll()  # not select.select: it fails on descriptors past 1023
    socket.register(dbapi_connection.fileno(), select.POLLIN)
    if socket.poll(0):
        raise DisconnectionError()


def _writes(statement: str, context) -> bool:
    if not statement.lstrip().upper().startswith(_READING):
        return True
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None
