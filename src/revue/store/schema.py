"""The schema version this revue writes, and those it knows how to upgrade from.

Kept apart from the engine code so that reading a store's version (``revue contract list``'s
quick path, ``revue check``) loads neither SQLAlchemy's ORM nor Alembic.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from revue.store.backup import read_only
from revue.store.paths import StoreError
from revue.store.sqlerrors import sqlite_reason

SCHEMA_HEAD = "0011"
KNOWN_REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
)


def stored_revision(path: Path) -> str | None:
    """The schema version of the file at ``path``, read without writing anything: not the
    journal mode, not the change counter, not a -wal file when there is none (the file is then
    read as immutable). None for a new (absent or empty) file."""
    try:
        if path.stat().st_size == 0:
            return None
    except FileNotFoundError:
        return None
    try:
        conn = read_only(path)
    except sqlite3.Error as exc:
        raise StoreError(f"le fichier de données est illisible ({sqlite_reason(exc)})") from None
    try:
        listed = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if listed is None:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
    except sqlite3.DatabaseError as exc:  # "file is not a database", a wrecked page…
        raise StoreError(
            f"le fichier de données est illisible ({sqlite_reason(exc)})", damaged=True
        ) from None
    finally:
        conn.close()
