"""Opening a store: the engine, SQLite's settings, file permissions and schema migrations."""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session

from revue.domain.errors import RevueError
from revue.store.backup import take_backup
from revue.store.paths import prepare_private_file
from revue.store.paths import sqlite_path as sqlite_path  # re-exported: the app and the CLI use it

#: The newest migration in ``migrations/versions``. A test checks it is Alembic's head; knowing
#: it here lets a store that is already current open without loading Alembic at all.
SCHEMA_HEAD = "0008"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(RevueError):
    """The store cannot be opened or written."""


def _sqlite_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below), so that writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a transaction that returned is on disk, even across a power cut.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"adresse de base de données invalide : « {url} »") from None
    path = sqlite_path(url)
    if path is not None:
        try:
            prepare_private_file(path)
        except OSError as exc:
            raise StoreError(
                f"impossible de créer le fichier de données {path} : {exc.strerror}"
            ) from None
    try:
        engine = create_engine(parsed)
    except Exception as exc:  # missing driver for postgresql+psycopg, etc.
        raise StoreError(f"impossible d'ouvrir « {url} » : {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        _sqlite_settings(engine)
    return engine


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the schema to :data:`SCHEMA_HEAD`; refuse a store made by a newer revue."""
    try:
        revision = current_revision(engine)
    except DatabaseError as exc:  # "file is not a database", a wrecked page…
        raise StoreError(f"le fichier de données est illisible ({exc.orig})") from None
    if revision == SCHEMA_HEAD:
        return
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise StoreError(
            f"ces données ont été écrites par une version plus récente de revue (schéma "
            f"{revision}) : mettez revue à jour pour les ouvrir ; rien n'a été modifié"
        )
    from alembic import command  # imported only when there is work to do
    from alembic.config import Config

    if revision is not None:  # an existing store: keep a copy of it as it was
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is not None:
            take_backup(path, "migration")

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def write_failure(exc: OperationalError) -> str:
    """What a failed write means for the user, in French (the transaction was rolled back)."""
    text = str(exc.orig).lower()
    if "full" in text:
        why = "le disque est plein (libérez de la place)"
    elif "readonly" in text or "read-only" in text or "read only" in text:
        why = "le dossier des données est en lecture seule"
    elif "locked" in text or "busy" in text:
        why = "les données sont occupées par un autre programme depuis plus de 10 secondes"
    elif "unable to open" in text:
        why = "le fichier de données est inaccessible"
    elif "i/o" in text:
        why = "erreur d'écriture sur le disque"
    else:
        why = f"erreur de la base de données ({exc.orig})"
    return f"écriture impossible : {why} ; rien n'a été modifié"


#: SQLite's page cache while a bulk write runs, in KiB (the default is 2,000 KiB). Ten thousand
#: entries merged into a department's log dirty about 45 MB of pages; with the default cache
#: SQLite spills them to the WAL and rewrites some, a third slower (docs/performance.md).
BULK_CACHE_KIB = 65_536


@contextmanager
def write_session(engine: Engine, *, bulk: bool = False) -> Iterator[Session]:
    """A session whose transaction takes the write lock at once and commits on success.

    A write the disk refuses (full, read-only, locked too long) raises :class:`StoreError`
    with a French message; the transaction is rolled back, the store is as it was.

    ``bulk`` (a merge of thousands of entries, SQLite): a large page cache while the
    transaction runs, and the WAL copied back into the database file by a thread after the
    commit instead of inside it (SQLite's automatic checkpoint would make the commit wait for
    tens of megabytes to be written again). The commit is as durable either way: it is in the
    WAL, synced, when this returns.
    """
    try:
        with engine.connect() as conn:
            conn.execution_options(sqlite_immediate=True)
            raw = (
                conn.connection.dbapi_connection
                if bulk and engine.dialect.name == "sqlite"
                else None
            )
            before = _bulk_settings(raw)
            try:
                with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                    yield session
            finally:
                _restore_settings(raw, before)
            if raw is not None:
                _checkpoint_in_background(engine)
    except OperationalError as exc:
        raise StoreError(write_failure(exc)) from None


def _bulk_settings(raw: Any) -> tuple[int, int] | None:
    """Set the bulk write's cache and checkpoint settings on a DBAPI connection (outside any
    transaction: PRAGMAs there start none); the previous ones, to put back."""
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


def _checkpoint_in_background(engine: Engine) -> None:
    """Copy the WAL back into the database file in a thread (what SQLite's automatic
    checkpoint does after a commit). Housekeeping only: if it cannot run now (another reader,
    the process ending), SQLite does it at a later commit or when the store is closed."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:
        return

    def checkpoint() -> None:
        with suppress(Exception):
            connection = sqlite3.connect(path, timeout=10)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()

    threading.Thread(target=checkpoint, name="revue-checkpoint", daemon=True).start()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(bind=engine) as session:
        yield session


def insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) as ``session.execute(insert(table), rows)`` would,
    converting values column by column with the columns' own types, in one ``executemany``.

    A merge writes tens of thousands of rows; SQLAlchemy's per-row bookkeeping for a generic
    INSERT cost it a third of a second (see docs/performance.md). Same stored values: a test
    compares both ways.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.paramstyle != "qmark":  # a server database: SQLAlchemy's own way
        from sqlalchemy import insert

        connection.execute(insert(table), rows)
        return
    names = list(rows[0])
    quote = dialect.identifier_preparer.quote
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
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' * len(names))})"
    )
    connection.exec_driver_sql(statement, list(zip(*columns, strict=True)))


def new_ids(count: int) -> list[uuid.UUID]:
    """``count`` random (version 4) UUIDs from one read of the system's random source."""
    raw = os.urandom(16 * count)
    return [uuid.UUID(bytes=raw[i : i + 16], version=4) for i in range(0, 16 * count, 16)]
