"""A store's every row, copied from one engine to another through SQLAlchemy Core: portable
archives (backups of any engine) and moving a store (SQLite ↔ PostgreSQL), verified.

An archive is a revue store in one SQLite file at the current schema: every table of revue
(contracts, reviews, records, values, evidence, avenants, the log, schools, history, frozen
snapshots, the store's key and the colleagues' public keys). It can be restored into any
engine, or opened as it is (``revue --db sqlite:////chemin/archive.sqlite3``).

Reading takes one snapshot (PostgreSQL: a REPEATABLE READ, read-only transaction; SQLite: one
read transaction), so a copy made while others write is consistent. Writing is one write
transaction of the target (revue's write lock held): a copy or a restoration that fails
leaves the target as it was. After writing, the target is read again and compared with the
source: row counts and a SHA-256 of each table's rows (:func:`table_digests`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Delete, Engine, Select, Table, delete, func, select, text
from sqlalchemy.engine import make_url

from revue.domain.errors import NotFoundError, RevueError
from revue.domain.french import some_of
from revue.formats.fileio import atomic_target, private_folder
from revue.store.backup import (
    FOLDER,
    KEEP,
    Backup,
    integrity_problems,
    list_backups,
    new_backup_name,
    rotate,
)
from revue.store.db import (
    SCHEMA_HEAD,
    checkpoint,
    insert_many,
    open_engine,
    read_only_engine,
    stored_revision,
    write_session,
)
from revue.store.models import Base
from revue.store.paths import companions, data_dir

#: Rows read and written at a time (a department's log is 600,000 entries).
CHUNK = 2_000


def tables() -> list[Table]:
    """revue's tables, each after those it refers to."""
    return list(Base.metadata.sorted_tables)


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees the store as it was when it started, whatever others write."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with conn.begin():
            yield conn


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    raise TypeError(type(value).__name__)


def _row_digest(values: tuple[Any, ...]) -> bytes:
    text = json.dumps(values, default=_plain, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).digest()


@dataclass(frozen=True)
class TableDigest:
    rows: int
    sha256: str


def _owned(conn: Connection, query: Select[Any], owner: str | None) -> Select[Any]:
    """``query`` restricted to the rows of ``owner`` in a PostgreSQL store (migration 0010:
    every table has the column, which the models leave out); unchanged for SQLite or None."""
    if owner is None or conn.dialect.name != "postgresql":
        return query
    return query.where(text("owner = :revue_owner").bindparams(revue_owner=owner))


def table_digests(conn: Connection, owner: str | None = None) -> dict[str, TableDigest]:
    """Per table: its row count and a SHA-256 of its rows (each row's values in column order,
    as canonical JSON; the rows' digests sorted, so the engine's row order does not count);
    only ``owner``'s rows of a shared PostgreSQL database when it is given."""
    out: dict[str, TableDigest] = {}
    for table in tables():
        columns = list(table.c)
        query = _owned(conn, select(*columns), owner)
        digests = sorted(_row_digest(tuple(row)) for row in conn.execute(query).yield_per(CHUNK))
        whole = hashlib.sha256(b"".join(digests)).hexdigest()
        out[table.name] = TableDigest(len(digests), whole)
    return out


def row_counts(conn: Connection, owner: str | None = None) -> dict[str, int]:
    return {
        t.name: int(conn.scalar(_owned(conn, select(func.count()).select_from(t), owner)) or 0)
        for t in tables()
    }


def _scope(conn: Connection) -> str | None:
    """The circonscription whose rows the connected role sees (row-level security, migration
    0010); None for SQLite and for a role the policies do not apply to (the owner)."""
    if conn.dialect.name != "postgresql":
        return None
    scope = conn.scalar(text("SELECT revue_scope()"))
    return None if scope is None else str(scope)


def _owners(conn: Connection) -> list[str]:
    """The owners of the rows this connection sees (PostgreSQL), '' included."""
    if conn.dialect.name != "postgresql":
        return [""]
    found: set[str] = set()
    for table in tables():
        found |= set(conn.scalars(text(f"SELECT DISTINCT owner FROM {table.name}")))
    return sorted(found)


def _refuse_mixing(reading: Connection, writing: Connection, owner: str | None) -> None:
    """A copy that would lose whose rows are whose, refused (nothing has been written)."""
    from revue.store.grants import shared_scopes

    if owner is not None:
        for conn in (reading, writing):
            scope = _scope(conn)
            if scope is not None and scope != owner:
                raise RevueError(
                    f"ce rôle ne voit que les données de la circonscription « {scope} », pas "
                    f"celles de « {owner} » : faites cette copie avec le rôle propriétaire de la "
                    "base ; rien n'a été modifié"
                )
        return
    if _scope(reading) is None:
        mixed = [o for o in _owners(reading) if o]
        if mixed:
            raise RevueError(
                "la source est une base partagée entre circonscriptions ("
                + some_of(mixed)
                + ") : une copie ne garde pas à qui est chaque ligne ; copiez une "
                "circonscription à la fois (revue store copy --owner NOM) ou sauvegardez toute "
                "la base avec pg_dump ; rien n'a été modifié"
            )
    if writing.dialect.name == "postgresql" and _scope(writing) is None:
        shared = shared_scopes(writing)
        if shared:
            raise RevueError(
                "la destination est une base partagée entre circonscriptions ("
                + some_of(shared)
                + ") : dites à quelle circonscription sont ces données "
                "(revue store copy --owner NOM) ; rien n'a été modifié"
            )


class CopyMismatch(RevueError):
    """The copy read back differs from the source (it has been undone where it could be)."""


def copy_rows(
    source: Engine, target: Engine, *, replace: bool, owner: str | None = None
) -> dict[str, TableDigest]:
    """Copy every row of revue's tables from ``source`` to ``target`` (both at the current
    schema), in one write transaction of the target, then check the target against the
    source, still inside that transaction: a mismatch rolls everything back.

    ``replace``: the target's rows are deleted first (a restoration); else a target that
    already holds data is refused, untouched. Returns the source's digests.

    ``owner`` (a PostgreSQL database shared by circonscriptions, migration 0010): only that
    circonscription's rows are read from such a source, deleted, counted and compared in such
    a target, and the rows written there are its own. A role of one circonscription needs no
    ``owner``: the server shows it only its own rows and makes what it writes its own. Without
    it, a copy that would mix circonscriptions, or lose whose rows are whose, is refused."""
    with (
        snapshot(source) as reading,
        write_session(target, bulk=True, owner=owner, whole=True) as session,
    ):
        writing = session.connection()
        _refuse_mixing(reading, writing, owner)
        held = {name: n for name, n in row_counts(writing, owner).items() if n}
        if held and not replace:
            whose = "" if owner is None else f" de la circonscription « {owner} »"
            raise RevueError(
                f"la destination contient déjà des données{whose} ("
                + ", ".join(f"{name} : {n}" for name, n in sorted(held.items()))
                + ") : revue ne copie que dans une base vide ; rien n'a été modifié"
            )
        if replace:
            for table in reversed(tables()):
                writing.execute(_owned_delete(writing, table, owner))
        for table in tables():
            query = _owned(reading, select(table), owner)
            if _can_copy_in(writing, table):
                _copy_in(writing, table, reading.execute(query).yield_per(CHUNK))
                continue
            result = reading.execute(query).mappings().yield_per(CHUNK)
            for chunk in result.partitions(CHUNK):
                insert_many(session, table, [dict(row) for row in chunk])
        expected = table_digests(reading, owner)
        found = table_digests(writing, owner)
        if found != expected:
            differ = sorted(name for name in expected if expected[name] != found.get(name))
            raise CopyMismatch(
                "la copie relue ne correspond pas à l'original (tables : "
                + ", ".join(differ)
                + ") : elle a été annulée, rien n'a été modifié"
            )
    return expected


def _owned_delete(conn: Connection, table: Table, owner: str | None) -> Delete:
    if owner is None or conn.dialect.name != "postgresql":
        return delete(table)
    return delete(table).where(text("owner = :revue_owner").bindparams(revue_owner=owner))


def _can_copy_in(connection: Connection, table: Table) -> bool:
    """PostgreSQL, and no row-level security applying to this role on ``table``: PostgreSQL
    refuses ``COPY FROM`` where policies apply (a circonscription's role); such a copy goes
    through INSERT statements."""
    if connection.dialect.name != "postgresql":
        return False
    active = connection.scalar(text("SELECT row_security_active(:t)"), {"t": table.name})
    return not active


def _copy_in(connection: Connection, table: Table, rows: Iterable[Sequence[Any]]) -> None:
    """Write ``rows`` (values in the order of the table's columns) into ``table`` of a
    PostgreSQL database with ``COPY … FROM STDIN``, in the connection's transaction: the
    values converted as an INSERT would (the columns' own bind processors: JSON columns as
    JSON), streamed instead of sent as INSERT statements of a thousand rows each (an
    académie's store, 600,000 entries: 529 s → 287 s with the verification, which is now
    most of it; docs/performance.md)."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.c]
    names = ", ".join(quote(column.name) for column in table.c)
    raw = connection.connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    value if process is None else process(value)
                    for process, value in zip(processors, row, strict=True)
                ]
            )


# --- archives: a store's rows in one SQLite file --------------------------------------------


def write_archive(source: Engine, target: Path) -> dict[str, TableDigest]:
    """Write every row of the store behind ``source`` into a new archive at ``target`` (a
    revue store in one SQLite file, private 0600), verified; all or nothing."""
    target = target.expanduser()
    private_folder(target.parent)
    with atomic_target(target, private=True) as tmp:
        try:
            archive = open_engine(f"sqlite:///{tmp}")
            try:
                digests = copy_rows(source, archive, replace=False)
            finally:
                archive.dispose()
                checkpoint(archive)
            _one_file(tmp)
        finally:
            for extra in companions(tmp)[1:]:
                extra.unlink(missing_ok=True)
    return digests


def _one_file(path: Path) -> None:
    """The archive made one self-contained file (rollback journal, not WAL)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


@contextmanager
def archive_engine(path: Path) -> Iterator[Engine]:
    """An engine reading the archive at ``path`` at the current schema: the file itself when
    it is current (opened read-only), else a migrated copy of it (the archive is untouched)."""
    revision = stored_revision(path)
    if revision == SCHEMA_HEAD:
        engine = read_only_engine(path)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    with tempfile.TemporaryDirectory(prefix="revue-archive-") as folder:
        copy = Path(folder) / "archive.sqlite3"
        shutil.copyfile(path, copy)
        engine = open_engine(f"sqlite:///{copy}")
        try:
            yield engine
        finally:
            engine.dispose()
            checkpoint(engine)


# --- backups of a server's store --------------------------------------------------------------


def server_folder(url: str) -> Path:
    """Where the backups of the server store at ``url`` are kept: in the user's data folder,
    one folder per server, port, database and role (the password is never part of the name):
    in a database shared by circonscriptions each role's archives hold its own rows only, and
    one restored by another role would give them to its circonscription."""
    parsed = make_url(url)
    name = f"{parsed.host or 'local'}-{parsed.port or 5432}-{parsed.database or ''}"
    if parsed.username:
        name += f"-{parsed.username}"
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return data_dir() / "serveurs" / safe / FOLDER


def _anchor(url: str) -> Path:
    """A path whose :func:`revue.store.backup.backup_folder` is :func:`server_folder`."""
    return server_folder(url).parent / "base"


def take_server_backup(engine: Engine, url: str, reason: str, *, keep: int = KEEP) -> Backup:
    """An archive of the server store, in its backup folder; the oldest beyond ``keep`` go."""
    now = dt.datetime.now()
    target = new_backup_name(_anchor(url), now, reason)
    write_archive(engine, target)
    rotate(target.parent, keep)
    return Backup(target, now, reason, target.stat().st_mtime_ns)


def list_server_backups(url: str) -> list[Backup]:
    return list_backups(_anchor(url))


def restore_server_backup(engine: Engine, url: str, name: str) -> Backup:
    """Put an archive back in place of the server store's rows, after archiving them: one
    transaction (a failure leaves the store as it was). Returns the archive taken before."""
    chosen = next((b for b in list_server_backups(url) if b.name == name), None)
    if chosen is None:
        raise NotFoundError(f"aucune sauvegarde « {name} » (revue backup list les montre)")
    problem = integrity_problems(chosen.path)
    if problem:
        raise RevueError(
            f"la sauvegarde « {name} » est abîmée ({problem}) : choisissez-en une autre"
        )
    before = take_server_backup(engine, url, "restauration")
    with archive_engine(chosen.path) as source:
        copy_rows(source, engine, replace=True)
    return before


def reference_problems(engine: Engine) -> list[str]:
    """References between tables that lead nowhere, table by table, in French (a server
    enforces them already; SQLite does when its foreign keys are on): read in one snapshot."""
    problems: list[str] = []
    with snapshot(engine) as conn:
        for table in tables():
            for key in sorted(table.foreign_keys, key=lambda k: k.parent.name):
                child = key.parent
                parent = key.column.table.alias().c[key.column.name]  # sections → sections too
                orphans = conn.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(
                        child.is_not(None),
                        ~select(parent).where(parent == child).exists(),
                    )
                )
                if orphans:
                    problems.append(
                        f"{orphans} référence(s) cassée(s) dans la table {table.name} "
                        f"({child.name} → {key.column.table.name})"
                    )
    return problems
