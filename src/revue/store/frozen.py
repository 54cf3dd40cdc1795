"""A closed review's frozen bilan, read with the standard library's sqlite3 only.

``revue bilan ID --format md`` (or toml) of a closed review needs nothing but the bilan frozen
when the review was closed (snapshot version 2): on a store already at the current schema it is
read here, read-only, without loading SQLAlchemy or the models, so the command answers at once.
Anything else (an open review, an older snapshot, another engine, another schema version, a
snapshot whose SHA-256 does not match) returns None: the caller then goes through
:class:`revue.store.store.Store` and :func:`revue.services.bilan.build_bilan`, which give the
same bilan, or say what is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from revue.domain.bilan import Bilan, thaw
from revue.domain.errors import RevueError
from revue.domain.history import Snapshot, sha256_of
from revue.store.backup import read_only
from revue.store.paths import check_own_file
from revue.store.schema import SCHEMA_HEAD, stored_revision

_KIND_ORDER = {"annuel": 0, "mi-parcours": 1, "final": 2}

_REVIEWS = (
    "SELECT r.id, r.school_year, r.kind, r.closed_at FROM reviews AS r "
    "JOIN contracts AS c ON c.id = r.contract_id WHERE c.slug = ?"
)
_SNAPSHOT = (
    "SELECT taken_at, sha256, content FROM review_snapshots WHERE review_id = ? "
    "ORDER BY taken_at DESC LIMIT 1"
)


def _pick(rows: list[tuple[object, str, str, object]], wanted: str | None) -> tuple[object, ...]:
    """The review ``wanted`` names (``2018-2019/annuel``; None: the last), as
    :func:`revue.domain.bilan.pick_review` picks it; raises LookupError when there is none
    (the slow path then says so in French)."""
    ordered = sorted(rows, key=lambda r: (int(r[1][:4]), _KIND_ORDER.get(r[2], 9)))
    if not ordered:
        raise LookupError(wanted)
    if wanted is None:
        return ordered[-1]
    year, _, kind = wanted.partition("/")
    for row in ordered:
        if row[1] == year and (not kind or row[2] == kind):
            return row
    raise LookupError(wanted)


def plain_sqlite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///relative`` or ``sqlite:////absolute`` URL (no options,
    no escapes), found without SQLAlchemy's URL parser; None for any other URL (the caller
    then uses :func:`revue.store.paths.sqlite_path`)."""
    prefix = "sqlite:///"
    rest = url[len(prefix) :] if url.startswith(prefix) else ""
    if not rest or any(c in rest for c in "?#%"):
        return None
    return Path(rest)


def quick_frozen_bilan(path: Path, contract_slug: str, wanted: str | None) -> Bilan | None:
    """The frozen bilan of the contract's review ``wanted`` in the SQLite store at ``path``,
    or None when this quick path does not apply."""
    try:
        check_own_file(path)
        if stored_revision(path) != SCHEMA_HEAD:
            return None
        conn = read_only(path)
    except (OSError, sqlite3.Error, RevueError):
        return None
    try:
        review = _pick(conn.execute(_REVIEWS, (contract_slug,)).fetchall(), wanted)
        if review[3] is None:  # open: the live store is needed
            return None
        found = conn.execute(_SNAPSHOT, (review[0],)).fetchone()
        if found is None:
            return None
        taken_at, sha256, content = found
        if sha256_of(content) != sha256:
            return None
        data = json.loads(content)
        if not isinstance(data, dict) or not isinstance(data.get("bilan"), dict):
            return None
        bilan = thaw(data["bilan"])
    except (sqlite3.Error, ValueError, LookupError, TypeError, RevueError):
        return None
    finally:
        conn.close()
    bilan.snapshot = Snapshot(
        taken_at=dt.datetime.fromisoformat(str(taken_at)), sha256=str(sha256), content=content
    )
    return bilan
