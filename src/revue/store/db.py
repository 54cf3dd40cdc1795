"""Opening a store: the engine, SQLite's settings, file permissions and schema migrations;
write transactions that wait their turn; database errors in French; the WAL put back into
the file before revue lets go of it."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import JSON, Connection, Engine, String, Table, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

from revue.domain.errors import InputError
from revue.formats.fileio import make_private, private_folder
from revue.store.backup import read_only, take_backup
from revue.store.paths import (
    OPEN_WAIT_LIMIT,
    WAITING_TO_OPEN,
    Notice,
    WriteTurnTimeout,
    check_own_file,
    data_dir,
    prepare_private_file,
    store_lock,
    write_turn,
)
from revue.store.paths import StoreError as StoreError  # re-exported: the app catches it
from revue.store.paths import sqlite_path as sqlite_path  # re-exported: the app and the CLI use it
from revue.store.pg import (
    OPEN_LOCK,
    WRITE_LOCK,
    is_postgresql_error,
    pg_busy,
    pg_known,
    pg_reason,
    take_lock,
    take_write_lock,
    write_lock_statements,
)

# The schema versions (store/schema.py), re-exported: a store already current opens without
# loading Alembic at all.
from revue.store.schema import KNOWN_REVISIONS as KNOWN_REVISIONS
from revue.store.schema import SCHEMA_HEAD as SCHEMA_HEAD
from revue.store.schema import stored_revision as stored_revision
from revue.store.sqlerrors import is_busy
from revue.store.sqlerrors import sqlite_reason as sqlite_reason  # re-exported: the CLI uses it

MIGRATIONS = Path(__file__).parent / "migrations"

#: SQLite's own wait for the write lock, in milliseconds, before a statement gives up.
BUSY_TIMEOUT_MS = 10_000
#: How long a writer waits its turn, in all, while another holds the write lock (a merge of a
#: department's log holds it for a minute or more), before it gives up with a French message.
WRITE_WAIT_LIMIT = 900.0
#: Seconds a closing store waits for another process to let it copy the WAL into the file.
CLOSE_CHECKPOINT_WAIT = 5.0


def _sqlite_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below), so that writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a transaction that returned is on disk, even across a power cut.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine on ``url`` with revue's SQLite settings; the file (and its folder) created
    private. The URL is checked before anything is created on disk."""
    path = sqlite_path(url)  # refuses a URL SQLite would refuse, before touching the disk
    parsed = make_url(url)
    try:
        engine = create_engine(parsed)
    except Exception as exc:  # missing driver for postgresql+psycopg, etc.
        raise StoreError(f"impossible d'ouvrir « {url} » : {type(exc).__name__}") from None
    if path is not None:
        try:
            prepare_private_file(path)
        except OSError as exc:
            engine.dispose()
            raise StoreError(
                f"impossible de créer le fichier de données {path} : {exc.strerror}"
            ) from None
    if parsed.get_backend_name() == "sqlite":
        _sqlite_settings(engine)
    return engine


def open_engine(url: str, notice: Notice | None = None) -> Engine:
    """The engine of a store ready to use: made, checked, migrated to :data:`SCHEMA_HEAD`.

    For a SQLite file, everything happens under the store's lock (two revue processes
    starting at once on a new store, or both upgrading it, take turns; ``notice`` is told if
    this one waits), and the schema version is first read through a read-only connection:
    a store made by a newer revue is refused byte for byte untouched.
    """
    path = sqlite_path(url)
    if path is None:
        engine = make_engine(url)
        return _migrated(engine, notice)
    check_own_file(path)
    try:
        private_folder(path.parent)
        if path.parent == data_dir():  # revue's own: 0700 even if an old revue left it open
            make_private(path.parent)
    except OSError as exc:
        raise StoreError(
            f"impossible de créer le dossier des données {path.parent} : {exc.strerror}"
        ) from None
    with store_lock(path, notice):
        _refuse_newer(stored_revision(path))
        return _migrated(make_engine(url))


def _migrated(engine: Engine, notice: Notice | None = None) -> Engine:
    try:
        migrate(engine, notice)
    except Exception:
        engine.dispose()
        raise
    return engine


def read_only_engine(path: Path) -> Engine:
    """An engine that only reads the SQLite file at ``path`` (``revue check``): no pragma, no
    journal mode switched, no permission changed, nothing created."""
    return create_engine("sqlite://", creator=lambda: read_only(path))


def _refuse_newer(revision: str | None) -> None:
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise StoreError(
            f"ces données ont été écrites par une version plus récente de revue (schéma "
            f"{revision}) : mettez revue à jour pour les ouvrir ; rien n'a été modifié"
        )


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision_on(conn)


def _revision_on(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _alembic_config() -> Any:
    from alembic.config import Config  # imported only when there is work to do

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine, notice: Notice | None = None) -> None:
    """Bring the schema to :data:`SCHEMA_HEAD`; refuse a store made by a newer revue."""
    if engine.dialect.name == "postgresql":
        _migrate_postgresql(engine, notice)
        return
    try:
        revision = current_revision(engine)
    except DatabaseError as exc:  # "file is not a database", a wrecked page…
        raise StoreError(
            f"le fichier de données est illisible ({sqlite_reason(exc)})", damaged=True
        ) from None
    if revision == SCHEMA_HEAD:
        return
    _refuse_newer(revision)
    from alembic import command  # imported only when there is work to do

    if revision is not None:  # an existing store: keep a copy of it as it was
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is not None:
            take_backup(path, "migration")

    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _migrate_postgresql(engine: Engine, notice: Notice | None) -> None:
    """The schema brought to :data:`SCHEMA_HEAD` on PostgreSQL, in one transaction that holds
    revue's opening lock and its write lock (revue.store.pg): simultaneous first opens take
    turns (the second finds the schema made), no write runs half-way through an upgrade, and
    an upgrade that fails leaves the schema as it was (PostgreSQL's DDL is transactional)."""
    try:
        revision = current_revision(engine)
        if revision == SCHEMA_HEAD:
            return
        _refuse_newer(revision)
        from alembic import command

        def tell() -> None:
            if notice is not None:
                with suppress(Exception):
                    notice(WAITING_TO_OPEN)

        with engine.begin() as conn:
            take_lock(conn, OPEN_LOCK, wait_seconds=OPEN_WAIT_LIMIT, tell=tell)
            take_lock(conn, WRITE_LOCK, wait_seconds=WRITE_WAIT_LIMIT, tell=tell)
            revision = _revision_on(conn)  # another revue may have done it meanwhile
            if revision == SCHEMA_HEAD:
                return
            _refuse_newer(revision)
            config = _alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except DBAPIError as exc:
        raise StoreError(
            f"impossible d'ouvrir la base de données {engine.url.render_as_string()} : "
            f"{pg_reason(exc)} ; rien n'a été modifié"
        ) from None


def is_database_error(exc: BaseException) -> bool:
    """An error of the database itself (the disk, the file, the lock), as opposed to a bug in
    revue (a constraint, a wrong statement): those get :func:`sqlite_reason`."""
    from sqlalchemy.exc import InternalError

    if isinstance(exc, OperationalError | InternalError) or type(exc) is DatabaseError:
        return True
    if is_postgresql_error(exc) and pg_known(exc):  # refused rights, read-only server…
        return True
    return isinstance(exc, sqlite3.OperationalError | sqlite3.InternalError) or (
        type(exc) is sqlite3.DatabaseError
    )


def write_failure(exc: BaseException) -> str:
    """What a failed write means for the user, in French (the transaction was rolled back)."""
    if is_postgresql_error(exc):
        why = _busy_too_long() if pg_busy(exc) else pg_reason(exc)
    elif is_busy(exc):
        why = _busy_too_long()
    else:
        why = sqlite_reason(exc)
    return f"écriture impossible : {why} ; rien n'a été modifié"


def _busy_too_long() -> str:
    return (
        "les données sont occupées par un autre programme depuis plus de "
        f"{WRITE_WAIT_LIMIT / 60:.0f} minutes"
    )


#: Told (once per write) to the user when a write waits for another one.
WAITING_TO_WRITE = (
    "les données sont occupées par une autre opération (une fusion, une importation…) : "
    "revue attend son tour pour enregistrer…"
)

#: Who is told when a write of an engine waits (the CLI prints it, the app shows it).
_notices: WeakKeyDictionary[Engine, Notice] = WeakKeyDictionary()


def set_wait_notice(engine: Engine, notice: Notice | None) -> None:
    """``notice`` is told :data:`WAITING_TO_WRITE` when a write through ``engine`` waits for
    another process (it may be called from any thread)."""
    if notice is None:
        _notices.pop(engine, None)
    else:
        _notices[engine] = notice


#: SQLite's page cache while a bulk write runs, in KiB (the default is 2,000 KiB). Ten thousand
#: entries merged into a department's log dirty about 45 MB of pages; with the default cache
#: SQLite spills them to the WAL and rewrites some, a third slower (docs/performance.md).
BULK_CACHE_KIB = 65_536
#: The first wait for the write lock before the user is told, in milliseconds.
FIRST_WAIT_MS = 1_000


@contextmanager
def write_session(
    engine: Engine, *, bulk: bool = False, owner: str | None = None, whole: bool = False
) -> Iterator[Session]:
    """A session whose transaction holds the write lock from the start and commits on success.

    The lock is taken before the body runs (``BEGIN IMMEDIATE``). When another process holds
    it (a long merge), the write waits its turn, for up to :data:`WRITE_WAIT_LIMIT` seconds,
    telling the engine's notice (:func:`set_wait_notice`) once: it never fails because
    someone else was writing. A write the disk refuses (full, read-only) raises
    :class:`StoreError` with a French message; the transaction is rolled back, the store is
    as it was.

    ``bulk`` (a merge of thousands of entries, SQLite): a large page cache while the
    transaction runs, and the WAL copied back into the database file by a thread after the
    commit instead of inside it (SQLite's automatic checkpoint would make the commit wait for
    tens of megabytes to be written again). The commit is as durable either way: it is in the
    WAL, synced, when this returns; closing the store waits for that thread and empties the
    WAL (:func:`checkpoint`).

    ``owner`` (PostgreSQL, a database shared by circonscriptions): the rows this transaction
    inserts belong to that circonscription, and it takes that circonscription's write lock
    (the administrator's ``store copy --owner``; a circonscription's own role needs none).
    Without ``owner``, the owner of such a database is refused (:class:`StoreError`): its rows
    would be nobody's; ``whole``: unless the caller writes for the whole database (``revue
    admin``, a copy that checks the owners itself).
    """
    try:
        with _immediate(engine, owner, whole) as conn:
            raw = (
                conn.connection.dbapi_connection
                if bulk and engine.dialect.name == "sqlite"
                else None
            )
            before = _bulk_settings(raw)
            try:
                with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                    event.listen(session, "before_flush", _refuse_too_long)
                    yield session
                conn.commit()
            finally:
                _restore_settings(raw, before)
            if raw is not None:
                _checkpoint_in_background(engine)
    except DBAPIError as exc:
        if not is_database_error(exc):
            raise  # a bug (a constraint, a statement): the caller's report says so
        raise StoreError(write_failure(exc)) from None


def write_rows(engine: Engine, batches: Sequence[tuple[Table, list[dict[str, Any]]]]) -> None:
    """A write that only inserts rows prepared beforehand (a new entry: it reads nothing, so
    it needs no look at the store under the lock), all or nothing, with the guarantees of
    :func:`write_session`: it waits its turn, tells the engine's notice, fails in French.

    PostgreSQL: the transaction is sent whole in one pipeline (BEGIN, revue's write lock, the
    INSERTs, COMMIT): the server runs it as soon as the lock is free, and the lock is held
    only while the server inserts and commits, with no round trip to revue in between. The
    lock is first waited for :data:`FIRST_WAIT_MS` (``lock_timeout``); past that the user is
    told, once, and the transaction sent again to wait up to :data:`WRITE_WAIT_LIMIT`.
    SQLite: the rows converted before the turn is taken, then only ``executemany`` per table
    and COMMIT while the write lock is held (no session)."""
    batches = [(t, rows) for t, rows in batches if rows]
    if engine.dialect.paramstyle == "qmark":  # SQLite's driver
        _sqlite_write_rows(engine, _sqlite_inserts(engine.dialect, batches))
        return
    try:
        statements = (
            _pg_inserts(engine.dialect, batches) if engine.dialect.driver == "psycopg" else None
        )
    except (TypeError, ValueError):  # a value JSON cannot hold: the ordinary way
        statements = None
    if statements is None:
        with write_session(engine) as session:
            insert_rows(session, batches)
        return
    import psycopg
    from psycopg.errors import LockNotAvailable

    waits = (FIRST_WAIT_MS, max(1, int(WRITE_WAIT_LIMIT * 1000)))
    for attempt, milliseconds in enumerate(waits):
        sql = ""
        try:
            with engine.connect() as conn:
                raw: Any = conn.connection.dbapi_connection
                try:
                    with raw.cursor() as cursor:
                        try:
                            lock = write_lock_statements(cursor)
                        except ValueError as exc:  # the owner of a shared database
                            raise StoreError(str(exc)) from None
                    with raw.cursor() as cursor, raw.pipeline():
                        for sql, params in [
                            (f"SET LOCAL lock_timeout = {int(milliseconds)}", None),
                            *lock,
                            ("SET LOCAL lock_timeout = 0", None),
                            *statements,
                        ]:
                            cursor.execute(sql, params)
                        raw.commit()
                except BaseException:
                    with suppress(Exception):
                        raw.rollback()
                    raise
            return
        except LockNotAvailable:
            if attempt == len(waits) - 1:
                raise StoreError(
                    f"écriture impossible : {_busy_too_long()} ; rien n'a été modifié"
                ) from None
            _tell(engine, WAITING_TO_WRITE)
        except psycopg.Error as exc:
            wrapped = DBAPIError.instance(sql, None, exc, psycopg.Error)
            if not is_database_error(wrapped):
                raise wrapped from exc
            raise StoreError(write_failure(wrapped)) from None
        except DBAPIError as exc:  # connecting failed (SQLAlchemy's own error)
            if not is_database_error(exc):
                raise
            raise StoreError(write_failure(exc)) from None


def _sqlite_write_rows(engine: Engine, statements: list[tuple[str, list[Any]]]) -> None:
    try:
        with _immediate(engine) as conn:
            for sql, rows in statements:
                conn.exec_driver_sql(sql, rows)
            conn.commit()
    except DBAPIError as exc:
        if not is_database_error(exc):
            raise
        raise StoreError(write_failure(exc)) from None


def _sqlite_inserts(
    dialect: Any, batches: Sequence[tuple[Table, list[dict[str, Any]]]]
) -> list[tuple[str, list[Any]]]:
    """The SQLite statements of :func:`insert_rows` (one ``executemany`` each), their rows
    converted."""
    statements = []
    for table, rows in batches:
        names, columns = _converted(dialect, table, rows)
        sql = _insert_sql(dialect, table, names, f"VALUES ({', '.join(['?'] * len(names))})")
        statements.append((sql, list(zip(*columns, strict=True))))
    return statements


@contextmanager
def _immediate(
    engine: Engine, owner: str | None = None, whole: bool = False
) -> Iterator[Connection]:
    """A connection whose transaction holds the write lock, once it is free.

    SQLite: the writers of revue first queue for their turn on an OS lock beside the store
    (:func:`revue.store.paths.write_turn`: woken the moment the previous writer is done, in
    place of SQLite's sleeping busy handler), held until the transaction ends; then
    ``BEGIN IMMEDIATE`` waits :data:`FIRST_WAIT_MS` for SQLite's lock (held by a program that
    writes without the OS lock), then the user is told and each new try waits
    :data:`BUSY_TIMEOUT_MS`, until :data:`WRITE_WAIT_LIMIT` in all. A failed ``BEGIN`` leaves
    nothing to undo: each try takes a fresh connection.

    PostgreSQL: the transaction's first statement takes revue's write lock (an advisory lock,
    see :mod:`revue.store.pg`: per circonscription in a shared database), waiting the same
    way."""
    sqlite = engine.dialect.name == "sqlite"
    postgresql = engine.dialect.name == "postgresql"
    deadline = time.monotonic() + WRITE_WAIT_LIMIT
    waited = False

    def told() -> None:
        nonlocal waited
        waited = True
        _tell(engine, WAITING_TO_WRITE)

    with ExitStack() as turn:
        path = _write_lock_path(engine) if sqlite else None
        if path is not None:
            try:
                turn.enter_context(
                    write_turn(path, deadline, told, tell_after=FIRST_WAIT_MS / 1000)
                )
            except WriteTurnTimeout:
                raise StoreError(
                    f"écriture impossible : {_busy_too_long()} ; rien n'a été modifié"
                ) from None
        while True:
            conn = engine.connect()
            try:
                if sqlite:
                    _busy_timeout(conn, BUSY_TIMEOUT_MS if waited else FIRST_WAIT_MS)
                conn.execution_options(sqlite_immediate=True)
                conn.begin()
                if postgresql:
                    if owner is not None:  # the administrator writing for one circonscription
                        conn.execute(
                            text("SELECT set_config('revue.owner', :owner, true)"),
                            {"owner": owner},
                        )
                    try:
                        take_write_lock(
                            conn,
                            wait_seconds=WRITE_WAIT_LIMIT,
                            tell=lambda: _tell(engine, WAITING_TO_WRITE),
                            whole=whole,
                        )
                    except ValueError as exc:  # the owner of a shared database
                        raise StoreError(str(exc)) from None
                break
            except OperationalError as exc:
                conn.close()
                if not sqlite or not is_busy(exc) or time.monotonic() > deadline:
                    raise
                if not waited:
                    _tell(engine, WAITING_TO_WRITE)
                waited = True
            except BaseException:
                conn.close()
                raise
        try:
            if sqlite and not waited:
                _busy_timeout(conn, BUSY_TIMEOUT_MS)
            yield conn
        finally:
            if sqlite and waited:
                with suppress(Exception):
                    _busy_timeout(conn, BUSY_TIMEOUT_MS)
            conn.close()  # rolls back whatever was not committed; then the turn is let go


#: The OS lock file of each SQLite engine's writers (None: an in-memory database).
_write_locks: WeakKeyDictionary[Engine, Path | None] = WeakKeyDictionary()


def _write_lock_path(engine: Engine) -> Path | None:
    if engine not in _write_locks:
        _write_locks[engine] = sqlite_path(engine.url.render_as_string(hide_password=False))
    return _write_locks[engine]


def _refuse_too_long(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse, before anything is written, a text longer than its column allows: PostgreSQL
    would refuse it with an English error and SQLite would store it, so both engines refuse it
    here, the same way, in French (the transaction is rolled back)."""
    for item in (*session.new, *session.dirty):
        mapper = inspect(item).mapper
        for prop in mapper.column_attrs:
            _check_length(prop.columns[0], getattr(item, prop.key, None))


def refuse_too_long(table: Table, rows: list[dict[str, Any]]) -> None:
    """The same refusal as a session's flush makes (see ``_refuse_too_long``), for rows written
    through the table (:func:`insert_rows`)."""
    for name in rows[0] if rows else ():
        column = table.c[name]
        if isinstance(column.type, String) and getattr(column.type, "length", None) is not None:
            for row in rows:
                _check_length(column, row[name])


def _check_length(column: Any, value: Any) -> None:
    length = getattr(column.type, "length", None)
    if not isinstance(column.type, String) or length is None:
        return
    if isinstance(value, str) and len(value) > length:
        shown = value if len(value) <= 40 else f"{value[:40]}…"
        raise InputError(
            f"« {shown} » est trop long ({len(value)} caractères, au plus {length}) : "
            "rien n'a été modifié",
            field=column.name,
        )


def _busy_timeout(conn: Connection, milliseconds: int) -> None:
    conn.connection.dbapi_connection.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")  # type: ignore[union-attr]


def _tell(engine: Engine, message: str) -> None:
    notice = _notices.get(engine)
    if notice is not None:
        with suppress(Exception):  # telling must never make the write fail
            notice(message)


def _bulk_settings(raw: Any) -> tuple[int, int] | None:
    """Set the bulk write's cache and checkpoint settings on a DBAPI connection; the previous
    ones, to put back."""
    if raw is None:
        return None
    before = (
        raw.execute("PRAGMA cache_size").fetchone()[0],
        raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0],
    )
    raw.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    raw.execute("PRAGMA wal_autocheckpoint = 0")
    return before


def _restore_settings(raw: Any, before: tuple[int, int] | None) -> None:
    if before is None:  # not a bulk write
        return
    with suppress(Exception):  # a connection that cannot take this is being discarded
        raw.execute(f"PRAGMA cache_size = {int(before[0])}")
        raw.execute(f"PRAGMA wal_autocheckpoint = {int(before[1])}")


#: The checkpoint threads still running, by store file (closing a store waits for its own).
_checkpoints: dict[Path, threading.Thread] = {}
_checkpoints_lock = threading.Lock()


def _checkpoint_in_background(engine: Engine) -> None:
    """Copy the WAL back into the database file in a thread (what SQLite's automatic
    checkpoint does after a commit), off the caller's path (the app's UI, the CLI's report).
    Not a daemon thread: a process that ends lets it finish, and :func:`checkpoint` (closing
    the store) waits for it, then empties the WAL."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:
        return

    def run() -> None:
        _checkpoint_file(path, "PASSIVE", BUSY_TIMEOUT_MS / 1000)

    worker = threading.Thread(target=run, name="revue-checkpoint")
    with _checkpoints_lock:
        _checkpoints[path] = worker
    worker.start()


def checkpoint(engine: Engine) -> bool:
    """Put everything the WAL holds into the store file and empty the WAL (TRUNCATE), so that
    the ``.sqlite3`` file alone holds all the data; done when a store closes (a command
    ending, the app quitting). False when another process kept it from finishing (it does it
    when it closes in turn): nothing is lost either way, the WAL is durable."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:
        return True
    with _checkpoints_lock:
        pending = _checkpoints.pop(path, None)
    if pending is not None:
        pending.join()
    return _checkpoint_file(path, "TRUNCATE", CLOSE_CHECKPOINT_WAIT)


def _checkpoint_file(path: Path, mode: str, wait: float) -> bool:
    if not Path(f"{path}-wal").exists():
        return True  # nothing to copy back (or not a WAL store)
    try:
        # mode=rw: a store that has gone (moved aside by a restoration) is not made again
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=rw", uri=True, timeout=wait)
    except sqlite3.Error:
        return False
    try:
        busy, _pages, _done = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        return bool(busy == 0)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session to read with; on PostgreSQL, a read the server refuses (a role without the
    right to read that table, see revue.store.grants) raises :class:`StoreError` in French."""
    try:
        with Session(bind=engine) as session:
            yield session
    except DBAPIError as exc:
        if not (is_postgresql_error(exc) and pg_known(exc)):
            raise
        raise StoreError(f"lecture impossible : {pg_reason(exc)}") from None


def insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) as ``session.execute(insert(table), rows)`` would,
    converting values column by column with the columns' own types (see :func:`insert_rows`)."""
    insert_rows(session, [(table, rows)])


#: Rows per INSERT on PostgreSQL (one JSON document each, see insert_rows). The server's
#: json_to_recordset keeps the rows it reads in memory up to work_mem (4 MB by default) and
#: spills them to a temporary file beyond: 2,000 entries of a merge (about 1 MB) stay in memory,
#: and the server inserts one document while the next is encoded. A 10,000-entry merge on
#: PostgreSQL: 1.14 s of writing with one document a table, 0.86 s with these.
PG_ROWS_PER_INSERT = 2_000


def insert_rows(session: Session, batches: Iterable[tuple[Table, list[dict[str, Any]]]]) -> None:
    """Insert each batch of rows (dicts with the same keys) into its table, in order, as
    ``session.execute(insert(table), rows)`` would, without SQLAlchemy's per-row bookkeeping.

    Values are converted column by column with the columns' own SQLAlchemy types (a test
    compares the stored values with an ordinary insert's, on both engines). SQLite: one
    ``executemany`` per table. PostgreSQL (psycopg): one ``INSERT … SELECT … FROM
    json_to_recordset(…)`` per :data:`PG_ROWS_PER_INSERT` rows of a table, sent as one JSON
    document (built by the json module's C encoder; the server reads each value with its
    column's type), every batch in
    one pipeline, so that the server is waited for once, not once per table or per row: a save
    is one round trip while it holds the write lock, a merge's tens of thousands of rows a few
    statements (docs/performance.md). Each document is sent as soon as it is encoded, and
    ``batches`` may be a generator: the server inserts rows while the next ones are being
    prepared. A JSON column's text is what SQLAlchemy's serializer (``json.dumps``) writes,
    None included (``null``). Not COPY: PostgreSQL refuses COPY FROM into
    a table under row-level security. Not ``VALUES (…), (…)``: psycopg parses such a statement
    again each time (8 s for a merge); not arrays (``unnest``): psycopg's array dumping cost
    3 s for a merge.
    """
    batches = ((table, rows) for table, rows in batches if rows)
    connection = session.connection()
    dialect = connection.dialect
    if dialect.paramstyle == "qmark":  # SQLite's driver
        for batch in batches:
            for sql, values in _sqlite_inserts(dialect, [batch]):
                connection.exec_driver_sql(sql, values)
        return
    from sqlalchemy import insert

    if dialect.driver != "psycopg":  # another server driver: SQLAlchemy's own way
        for table, rows in batches:
            connection.execute(insert(table), rows)
        return
    import psycopg

    raw: Any = connection.connection.dbapi_connection
    sql = ""
    try:
        while True:
            aside: tuple[Table, list[dict[str, Any]]] | None = None
            with raw.cursor() as cursor, raw.pipeline():
                for table, rows in batches:
                    documents = _pg_documents(dialect, table, rows)
                    for start in range(0, len(rows), PG_ROWS_PER_INSERT):
                        try:
                            sql, document = next(documents)
                        except (TypeError, ValueError):  # a value JSON cannot hold (NaN…)
                            aside = table, rows[start:]
                            break
                        cursor.execute(sql, [document])
                    if aside is not None:
                        break
            if aside is None:
                return
            # Those rows SQLAlchemy's way, once the statements before them are done.
            sql = ""
            connection.execute(insert(aside[0]), aside[1])
    except psycopg.Error as exc:
        raise DBAPIError.instance(sql, None, exc, psycopg.Error) from exc


def _pg_inserts(
    dialect: Any, batches: Sequence[tuple[Table, list[dict[str, Any]]]]
) -> list[tuple[str, list[Any]]]:
    """The PostgreSQL statements of :func:`insert_rows`, with their parameters."""
    return [
        (sql, [document])
        for table, rows in batches
        for sql, document in _pg_documents(dialect, table, rows)
    ]


def _pg_documents(
    dialect: Any, table: Table, rows: list[dict[str, Any]]
) -> Iterator[tuple[str, str]]:
    """The INSERT of ``rows`` into ``table`` and its JSON documents, one per
    :data:`PG_ROWS_PER_INSERT` rows, each encoded when asked for (TypeError or ValueError for
    a value JSON cannot hold)."""
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    # A JSON column's value is nested in the document as it is: the server keeps its text as
    # the json module wrote it, which is what SQLAlchemy's serializer (json.dumps) writes;
    # json_to_recordset reads a JSON null as SQL NULL, stored back as 'null' (as SQLAlchemy's
    # JSON type stores None). Text is read as text: a varchar(n) would cut a value too long
    # where the column's assignment refuses it.
    nested = {n for n in names if isinstance(table.c[n].type, JSON)}
    fields = ", ".join(
        f"{quote(n)} "
        + (
            "JSON"
            if n in nested
            else "TEXT"
            if isinstance(table.c[n].type, String)
            else table.c[n].type.compile(dialect)
        )
        for n in names
    )
    chosen = ", ".join(
        f"COALESCE(r.{quote(n)}, 'null'::json)" if n in nested else f"r.{quote(n)}" for n in names
    )
    sql = _insert_sql(
        dialect, table, names, f"SELECT {chosen} FROM json_to_recordset(%s::json) AS r({fields})"
    )
    for start in range(0, len(rows), PG_ROWS_PER_INSERT):
        chunk = rows[start : start + PG_ROWS_PER_INSERT]
        yield sql, json.dumps(chunk, default=_json_value, allow_nan=False)


def _json_value(value: Any) -> str:
    """A uuid, date, time or bytes in the JSON of :func:`insert_rows` (PostgreSQL reads them
    back with the column's type; bytes in bytea's hex format)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date | dt.time):  # datetime too
        return value.isoformat()
    if isinstance(value, bytes):
        return f"\\x{value.hex()}"
    raise TypeError(f"{type(value).__name__} is not sent as JSON")


def _converted(
    dialect: Any, table: Table, rows: list[dict[str, Any]]
) -> tuple[list[str], list[list[Any]]]:
    """The column names of ``rows`` and each column's values converted for the driver."""
    names = list(rows[0])
    columns = []
    for name in names:
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        values = [row[name] for row in rows]
        if process is None:
            columns.append(values)
        elif isinstance(table.c[name].type, JSON):  # mostly empty lists (parents, conflicts)
            empty = process([])
            columns.append([empty if v == [] else process(v) for v in values])
        else:
            columns.append(list(map(process, values)))
    return names, columns


def _insert_sql(dialect: Any, table: Table, names: list[str], rows: str) -> str:
    quote = dialect.identifier_preparer.quote
    return f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) {rows}"


def new_ids(count: int) -> list[uuid.UUID]:
    """``count`` random (version 4) UUIDs from one read of the system's random source."""
    raw = os.urandom(16 * count)
    return [uuid.UUID(bytes=raw[i : i + 16], version=4) for i in range(0, 16 * count, 16)]
