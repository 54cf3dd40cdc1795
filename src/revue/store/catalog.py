"""The list of contracts: one query, run by the store and by ``revue contract list``'s quick path.

``revue contract list`` is what a user types to find a contract's identifier; it should answer
at once. On a store already at the current schema it reads the list with the standard
library's sqlite3, read-only, without loading SQLAlchemy's ORM or the models; any other store
(absent, older, another engine) goes through :class:`revue.store.store.Store`, which runs the
same query.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

from revue.domain.contract import ContractSummary, DocumentKind
from revue.domain.errors import RevueError
from revue.store.backup import read_only
from revue.store.paths import check_own_file
from revue.store.schema import SCHEMA_HEAD, stored_revision

#: Every contract, newest first, with its number of objectives.
CONTRACT_LIST = (
    "SELECT c.id, c.slug, c.title, c.kind, c.circonscription, c.start_date, c.end_date, "
    "(SELECT count(*) FROM objectives AS o WHERE o.contract_id = c.id) "
    "FROM contracts AS c ORDER BY c.start_date DESC, c.slug"
)


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def summaries(rows: Iterable[Sequence[object]]) -> list[ContractSummary]:
    """The rows of :data:`CONTRACT_LIST` (native values, or SQLite's text) as summaries."""
    return [
        ContractSummary(
            uuid=_uuid(ident),
            id=str(slug),
            title=str(title),
            kind=DocumentKind(str(kind)),
            circonscription=str(circonscription),
            start_date=_date(start),
            end_date=_date(end),
            objective_count=int(str(count)),
        )
        for ident, slug, title, kind, circonscription, start, end, count in rows
    ]


def quick_contract_list(path: Path) -> list[ContractSummary] | None:
    """The contracts of the SQLite store at ``path``, read without writing a byte; None when
    the quick path does not apply (no file yet, another schema version, unreadable): the
    caller then opens the store the usual way, which says what is wrong or migrates."""
    try:
        check_own_file(path)
        if stored_revision(path) != SCHEMA_HEAD:
            return None
        conn = read_only(path)
    except (OSError, sqlite3.Error, RevueError):  # Store.open then says what is wrong
        return None
    try:
        return summaries(conn.execute(CONTRACT_LIST).fetchall())
    except (sqlite3.Error, ValueError):
        return None
    finally:
        conn.close()
