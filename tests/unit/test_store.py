"""The store: schema under Alembic, SQLite settings, private files, refusing newer schemas."""

from __future__ import annotations

import os
import stat
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import ForeignKeyConstraint, text

from revue.domain.errors import RevueError
from revue.store.db import MIGRATIONS, SCHEMA_HEAD
from revue.store.models import Base
from revue.store.paths import default_db_url
from revue.store.store import Store


def test_schema_head_constant_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_migrations_build_exactly_the_models(store: Store) -> None:
    """The models are the schema; on PostgreSQL, but for what migration 0010 adds there and
    the models leave out on purpose: ``owner`` in every table and in every key, the log's two
    owner-led indexes and the ``revue_scopes`` table."""
    postgresql = store.engine.dialect.name == "postgresql"

    def include(_obj: object, name: str | None, kind: str, _reflected: bool, _to: object) -> bool:
        if not postgresql:
            return True
        if kind == "table" and name == "revue_scopes":
            return False
        if kind == "index" and name and name.startswith("ix_accompaniments_owner_"):
            return False
        return not (kind == "column" and name == "owner")

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include})
        diff = compare_metadata(context, Base.metadata)
    if postgresql:  # each key found with owner last, and wanted without it: one pair each
        removed = Counter(
            _key(item[1]) for item in diff if item[0] in ("remove_constraint", "remove_fk")
        )
        added = Counter(_key(item[1]) for item in diff if item[0] in ("add_constraint", "add_fk"))
        assert len(removed) == len(diff) / 2
        assert removed == added
        assert all("owner" in item[1].columns for item in diff if item[0].startswith("remove"))
    else:
        assert diff == []


def _key(constraint: Any) -> tuple[object, ...]:
    """What a unique constraint or foreign key is about, ``owner`` left out."""
    columns = tuple(c.name for c in constraint.columns if c.name != "owner")
    if isinstance(constraint, ForeignKeyConstraint):
        targets = tuple(e.target_fullname for e in constraint.elements if e.parent.name != "owner")
        ondelete = (constraint.ondelete or "").split(" (")[0]
        return ("fk", constraint.table.name, columns, targets, ondelete)
    return ("unique", constraint.table.name, columns)


def test_sqlite_settings(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_default_store_is_private_in_the_user_data_folder(tmp_path: Path, umask: int) -> None:
    """The store, its -wal and -shm files and its backups are 0600 in 0700 folders, whatever
    the umask."""
    from revue.services.imports import import_files
    from revue.store.backup import list_backups
    from tests.helpers import EPINAY

    url = default_db_url()
    path = Path(url.removeprefix("sqlite:///"))
    assert str(path).startswith(str(tmp_path))  # conftest points XDG_DATA_HOME into tmp_path
    old = os.umask(umask)
    try:
        Store.open(url).close()
        store = Store.open(url)
        import_files(store, [EPINAY])  # a write (WAL in use) and a backup
        files = [
            path,
            Path(f"{path}-wal"),
            Path(f"{path}-shm"),
            *(b.path for b in list_backups(path)),
        ]
        assert len(files) >= 4
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        store.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((path.parent / "sauvegardes").stat().st_mode) == 0o700


def test_revue_db_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVUE_DB", f"sqlite:///{tmp_path / 'ailleurs.sqlite3'}")
    assert default_db_url().endswith("ailleurs.sqlite3")


def test_store_from_a_newer_revue_is_refused_untouched(db_url: str) -> None:
    store = Store.open(db_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    path = Path(db_url.removeprefix("sqlite:///"))
    before = path.read_bytes()
    with pytest.raises(RevueError, match="plus récente"):
        Store.open(db_url)
    assert path.read_bytes() == before


def test_foreign_keys_cascade_on_contract_delete(sample_url: str) -> None:
    store = Store.open(sample_url)
    try:
        store.delete_contract("epinay-2018-2020")
        with store.engine.connect() as conn:
            orphans = conn.exec_driver_sql(
                "SELECT count(*) FROM objectives WHERE contract_id NOT IN (SELECT id FROM contracts)"
            ).scalar()
        assert orphans == 0
        assert [c.id for c in store.list_contracts()] == ["thionville1-2016-2020"]
    finally:
        store.close()


def test_same_file_gives_same_keys_on_every_laptop(tmp_path: Path, sample_url: str) -> None:
    from revue.services.demo import demo_files
    from revue.services.imports import import_files

    other = Store.open(f"sqlite:///{tmp_path / 'autre.sqlite3'}")
    mine = Store.open(sample_url)
    try:
        import_files(other, list(demo_files()))
        query = "SELECT id, slug FROM objectives ORDER BY slug"
        with other.engine.connect() as a, mine.engine.connect() as b:
            assert a.exec_driver_sql(query).all() == b.exec_driver_sql(query).all()
    finally:
        other.close()
        mine.close()


def test_bulk_insert_stores_what_sqlalchemy_would(store: Store) -> None:
    """insert_many converts values with the columns' own types: the stored bytes are those of
    an ordinary SQLAlchemy insert (uuids, dates and times, JSON, booleans, NULLs)."""
    import datetime as dt
    import uuid

    from sqlalchemy import insert

    from revue.store.db import insert_many, new_ids
    from revue.store.models import AccompanimentRow, HistoryRow

    def rows(ids: list[uuid.UUID]) -> list[dict[str, object]]:
        at = dt.datetime(2026, 6, 20, 21, 30)  # no microseconds: SQLite's format keeps them
        return [
            {
                "id": ident,
                "kind": "accompaniment",
                "review_id": None,
                "item_id": ident,
                "at": at + dt.timedelta(microseconds=n),
                "author": "Claire Martin",
                "note": "reçu par échange",
                "content": []
                if n == 0
                else {"notes": "élève « X »", "deleted": n % 2 == 0, "n": n, "list": []},
            }
            for n, ident in enumerate(ids)
        ]

    first, second = new_ids(3), new_ids(3)
    assert len({*first, *second}) == 6 and all(i.version == 4 for i in first)
    with store.session() as session, session.begin():
        session.execute(insert(HistoryRow.__table__), rows(first))
        insert_many(session, HistoryRow.__table__, rows(second))
        insert_many(session, AccompanimentRow.__table__, [])  # nothing to do
    with store.session() as session:
        stored = (
            session.connection()
            .exec_driver_sql(
                "SELECT id, kind, review_id, item_id, at, author, note, content FROM history "
                "ORDER BY at, rowid"
            )
            .all()
        )
    by_sqlalchemy, by_bulk = stored[0::2], stored[1::2]
    assert len(by_sqlalchemy) == len(by_bulk) == 3
    for a, b, ident_a, ident_b in zip(by_sqlalchemy, by_bulk, first, second, strict=True):
        assert a[0] == ident_a.hex and b[0] == ident_b.hex
        assert a[1:3] == b[1:3] and a[4:] == b[4:]


def test_fold_removes_case_accents_and_ligatures() -> None:
    from revue.domain.french import fold

    # non-breaking spaces (French typography) become the spaces a search is typed with
    assert fold("Élève à l’ŒUVRE, «\u00a0Ça\u00a0»") == "eleve a l'oeuvre, « ca »"
    assert fold("ÉCOLE") == fold("école") == fold("ecole") == "ecole"


def test_change_marker_moves_with_each_change_and_only_then(store: Store) -> None:
    """What the app polls every two seconds: it moves when an entry is added, edited or
    merged, or a contract imported, and stays put otherwise (one statement, whatever the
    store's size)."""
    import datetime as dt

    from sqlalchemy import event

    from revue.domain.log import Content, Version
    from revue.services.demo import demo_files
    from revue.services.imports import import_files

    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    empty = store.change_marker()
    assert empty[0] == 0 and empty[2] == 0
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert store.change_marker() == empty
    entry = store.add_accompaniment(
        Content(dt.date(2021, 3, 1), "CPC", "collective", "team", notes="Visite")
    )
    added = store.change_marker()
    assert added != empty and added[2] == 1
    store.update_accompaniment(entry.id, Content(dt.date(2021, 3, 1), "CPC", "collective", "team"))
    edited = store.change_marker()
    assert edited != added and edited[2] == 1
    store.merge_versions(
        [Version.first(Content(dt.date(2021, 3, 2), "CPC", "individual", "ien", notes="Reçu"))]
    )
    merged = store.change_marker()
    assert merged != edited and merged[2] == 2
    done, errors = import_files(store, list(demo_files())[:1])
    assert done and not errors
    imported = store.change_marker()
    assert imported[0] == merged[0] + 1 and imported[1] is not None
    assert store.change_marker() == imported


def test_rows_inserted_through_the_tables_are_stored_as_sqlalchemy_stores_them(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """insert_rows (SQLite's executemany, PostgreSQL's multi-row INSERTs in one pipeline,
    several statements per table here) stores what an ordinary SQLAlchemy insert stores, as
    the database's own text of each value; a failure is SQLAlchemy's error, as usual."""
    import datetime as dt
    import uuid

    from sqlalchemy import Text, cast, func, insert, select
    from sqlalchemy.exc import IntegrityError

    from revue.store import db
    from revue.store.models import AccompanimentRow, AccompanimentSchoolRow

    monkeypatch.setattr(db, "PG_ROWS_PER_INSERT", 2)
    table = AccompanimentRow.__table__

    def rows(tag: str) -> list[dict[str, object]]:
        return [
            {
                "id": uuid.uuid4(),
                "date": dt.date(2021, 3, n + 1),
                "author": "Claire Martin",
                "network": "",
                "modality": "collective",
                "initiative": "team",
                "theme": f"{tag} {n}",
                "duration_minutes": None if n % 2 else 90,
                "participants": n,
                "notes": "élève « X »\n",
                "follow_up": "",
                "deleted": n % 2 == 0,
                "search_text": "eleve",
                "version": f"{n:064x}",
                "parents": [] if n % 2 else [f"{n + 1:064x}"],
                "ancestors": [],
                "conflicts": [] if n else [{"version": "a", "content": {"n": 1, "é": "« x »"}}],
                "signer": None,
                "signature": None,
                "updated_at": dt.datetime(2026, 6, 20, 21, 30, 5, 123456),
                "received_at": None if n else dt.datetime(2026, 6, 21),
            }
            for n in range(5)
        ]

    ordinary, bulk = rows("ordinary"), rows("bulk")
    with store.session() as session, session.begin():
        session.execute(insert(table), ordinary)
        db.insert_rows(
            session,
            [
                (table, bulk),
                (AccompanimentSchoolRow.__table__, []),
                (
                    AccompanimentSchoolRow.__table__,
                    [{"accompaniment_id": r["id"], "uai": "0570001A"} for r in bulk],
                ),
            ],
        )
    names = [c.name for c in table.c if c.name in ordinary[0]]
    with store.session() as session:
        stored = {
            r[0]: r[1:]
            for r in session.execute(
                select(
                    table.c.theme,
                    *(cast(table.c[n], Text) for n in names if n not in {"id", "theme"}),
                )
            )
        }
        links = session.scalar(select(func.count()).select_from(AccompanimentSchoolRow))
    assert len(stored) == 10
    for n in range(5):
        assert stored[f"ordinary {n}"] == stored[f"bulk {n}"]
    assert links == 5
    with pytest.raises(IntegrityError), store.session() as session, session.begin():
        db.insert_rows(session, [(table, bulk[:1])])


def test_rows_inserted_through_the_tables_keep_floats_exactly_even_infinite(
    sample_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """insert_rows sends PostgreSQL its rows as JSON, which holds every finite float exactly;
    a batch holding a value JSON cannot (infinity) goes SQLAlchemy's way, in order."""
    import math
    import uuid

    from sqlalchemy import Text, cast, insert, select

    from revue.store import db
    from revue.store.db import insert_rows
    from revue.store.models import IndicatorRow, ObjectiveRow

    store = Store.open(sample_url)
    try:
        with store.session() as session:
            objective = session.scalars(select(ObjectiveRow.id).limit(1)).one()

        def row(value: float) -> dict[str, object]:
            return {
                "id": uuid.uuid4(),
                "objective_id": objective,
                "slug": f"essai-{uuid.uuid4().hex[:8]}",
                "position": 99,
                "label": "Essai",
                "baseline_value": value,
                "target_value": None,
                "baseline_year": None,
                "target_year": None,
                "unit": "",
                "source": "",
                "note": "",
                "direction": "up",
                "computed": None if value != 1 / 3 else {"modality": "collective"},
            }

        exact, infinite, after = row(0.1 + 0.2), row(math.inf), row(1 / 3)
        with store.session() as session, session.begin():
            insert_rows(
                session,
                [
                    (IndicatorRow.__table__, [exact]),
                    (IndicatorRow.__table__, [infinite]),
                    (IndicatorRow.__table__, [after]),
                ],
            )
        with store.session() as session:
            stored = dict(
                session.execute(
                    select(IndicatorRow.id, IndicatorRow.baseline_value).where(
                        IndicatorRow.id.in_([exact["id"], infinite["id"], after["id"]])
                    )
                ).all()
            )
        assert stored == {exact["id"]: 0.1 + 0.2, infinite["id"]: math.inf, after["id"]: 1 / 3}
        # within one table's rows, sent a document at a time: those before the infinite value
        # go as JSON, the rest SQLAlchemy's way
        monkeypatch.setattr(db, "PG_ROWS_PER_INSERT", 1)
        several = [row(0.25), row(-math.inf), row(0.75)]
        with store.session() as session, session.begin():
            insert_rows(session, [(IndicatorRow.__table__, several)])
        with store.session() as session:
            values = dict(
                session.execute(
                    select(IndicatorRow.id, IndicatorRow.baseline_value).where(
                        IndicatorRow.id.in_([r["id"] for r in several])
                    )
                ).all()
            )
        assert values == {r["id"]: r["baseline_value"] for r in several}
        ordinary = row(0.5)
        with store.session() as session, session.begin():
            session.execute(insert(IndicatorRow.__table__), [ordinary])
        with store.session() as session:  # JSON None is stored as SQLAlchemy stores it
            texts = dict(
                session.execute(
                    select(IndicatorRow.id, cast(IndicatorRow.computed, Text)).where(
                        IndicatorRow.id.in_([exact["id"], ordinary["id"], after["id"]])
                    )
                ).all()
            )
        assert texts[exact["id"]] == texts[ordinary["id"]] == "null"
        assert texts[after["id"]] == '{"modality": "collective"}'
    finally:
        store.close()
