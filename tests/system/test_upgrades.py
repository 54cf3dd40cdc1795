"""A store made by every earlier schema version opens in the current revue with all its data,
after a backup of it as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Connection

from revue.store.backup import list_backups
from revue.store.db import SCHEMA_HEAD
from revue.store.store import Store
from tests.helpers import FIXTURES

REVIEW = "00000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    "version", ["0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009"]
)
def test_old_store_upgrades_with_its_data(version: str, tmp_path: Path) -> None:
    path = tmp_path / "revue.sqlite3"
    shutil.copy(FIXTURES / f"store-{version}.sqlite3", path)
    store = Store.open(f"sqlite:///{path}")
    try:
        with store.engine.connect() as conn:
            assert (
                conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                == SCHEMA_HEAD
            )
        contract = store.get_contract("epinay-2018-2020")
        assert len(contract.objectives) == 31
        backups = list_backups(path)
        assert [b.reason for b in backups] == ["migration"]
        if version >= "0002":
            import uuid

            walk = store.load_walk(uuid.UUID(REVIEW))
            record = walk.records[walk.objectives[0].id]
            assert record.analysis == "Analyse d'avant"
            assert [e.text for e in record.evidence] == ["Preuve d'avant"]
            assert walk.values[walk.objectives[0].indicators[0].id] == 91.5
            assert walk.targets[walk.objectives[0].indicators[0].id].value == 95
        if version >= "0004":
            import uuid as _uuid

            assert store.get_synthesis(_uuid.UUID(REVIEW)).strengths == "Points forts d'avant"
        if version >= "0005":
            walk = store.load_walk(uuid.UUID(REVIEW))
            first = walk.objectives[0]
            assert walk.records[first.id].actions_done == ["action-d-avant"]
        if version >= "0006":
            entry = _uuid.UUID("00000000-0000-4000-8000-000000000002")
            assert [(h.note, h.content["notes"]) for h in store.accompaniment_history(entry)] == [
                ("reçu par échange", "Note d'avant")
            ]
        if version >= "0003":  # the search text of entries stored before 0007 was filled
            from revue.domain.log import LogFilter

            assert [
                e.content.notes
                for e in store.list_accompaniments(LogFilter(text="NOTE D’AVANT"))[0]
            ] == ["Note d'avant"]
        if version >= "0008":  # a projet stored in two tables becomes one document
            project = store.get_academic_project("pa-avant")
            assert project is not None and project.format_version == 1
            assert [(a.code, a.title, a.text) for a in project.axes] == [
                ("1", "Axe d'avant", "Orientations d'avant")
            ]
            objective = project.axes[0].objectives[0]
            assert (objective.code, objective.title, objective.criteria) == (
                "1.1",
                "Objectif d'avant",
                ["Critère d'avant"],
            )
            assert [lever.text for lever in objective.levers] == ["Levier d'avant"]
            assert project.source == ""  # exported in the canonical text
            assert [p.objective_count for p in store.list_academic_projects()] == [1]
        entries = store.list_accompaniments()[0]
        assert [e.content.notes for e in entries] == (["Note d'avant"] if version >= "0003" else [])
    finally:
        store.close()


def test_entries_of_an_old_store_still_travel(tmp_path: Path) -> None:
    from revue.formats.exchange import read_exchange

    path = tmp_path / "revue.sqlite3"
    shutil.copy(FIXTURES / "store-0003.sqlite3", path)
    store = Store.open(f"sqlite:///{path}")
    try:
        import datetime as dt

        exported = tmp_path / "echange.json"
        exported.write_text(
            store.export_exchange(None, dt.datetime(2019, 6, 1)).text, encoding="utf-8"
        )
        assert [v.content.notes for v in read_exchange(exported)] == ["Note d'avant"]
    finally:
        store.close()


def test_0009_goes_back_to_the_two_tables_and_up_again(tmp_path: Path) -> None:
    """Downgrading 0009 writes each projet back into academic_axes / academic_objectives
    (what version 1 holds); upgrading again gives the same projet back."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from revue.store.db import _alembic_config
    from tests.helpers import ACADEMIC

    url = f"sqlite:///{tmp_path / 'revue.sqlite3'}"
    store = Store.open(url)
    try:
        from revue.services.imports import import_files

        _done, errors = import_files(store, [ACADEMIC])
        assert not errors
        before = store.get_academic_project("nancy-metz-extrait")
    finally:
        store.close()
    assert before is not None
    engine = create_engine(url)
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")
    with engine.connect() as conn:
        axes = conn.execute(text("SELECT code, title FROM academic_axes")).all()
        assert [(a.code, a.title) for a in axes] == [(a.code, a.title) for a in before.axes]
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    engine.dispose()
    store = Store.open(url)
    try:
        after = store.get_academic_project("nancy-metz-extrait")
    finally:
        store.close()
    assert after is not None
    assert [(a.code, a.title, a.text) for a in after.axes] == [
        (a.code, a.title, a.text) for a in before.axes
    ]


def _log_indexes(conn: Connection) -> dict[str, str]:
    """The accompaniments table's indexes that 0011 touches: name → definition."""
    from sqlalchemy import text

    if conn.dialect.name == "postgresql":
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'accompaniments'"
    else:
        query = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'accompaniments'"
    return {
        name: definition
        for name, definition in conn.execute(text(query))
        if name in ("ix_accompaniments_deleted_date", "ix_accompaniments_in_conflict")
    }


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_0011_log_indexes_go_and_come_back(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """0011 adds the (deleted, date) index and makes the in-conflict index partial on
    PostgreSQL; its downgrade puts 0009's indexes back, entries untouched."""
    import datetime as dt

    from alembic import command
    from sqlalchemy import create_engine

    from revue.domain.log import Content, LogFilter
    from revue.store.db import _alembic_config

    url = (
        str(request.getfixturevalue("pg_url"))
        if engine_name == "postgresql"
        else f"sqlite:///{tmp_path / 'revue.sqlite3'}"
    )
    store = Store.open(url)
    try:
        store.add_accompaniment(
            Content(dt.date(2021, 3, 1), "CPC", "collective", "team", notes="Visite")
        )
    finally:
        store.close()
    engine = create_engine(url)
    config = _alembic_config()
    try:
        with engine.connect() as conn:
            head = _log_indexes(conn)
        assert "ix_accompaniments_deleted_date" in head
        assert "json_array_length" in head["ix_accompaniments_in_conflict"]  # partial
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0010")
        with engine.connect() as conn:
            before = _log_indexes(conn)
        assert "ix_accompaniments_deleted_date" not in before
        # as 0006 made it: partial on SQLite only
        partial = "json_array_length" in before["ix_accompaniments_in_conflict"]
        assert partial == (engine_name == "sqlite")
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        with engine.connect() as conn:
            assert _log_indexes(conn) == head
    finally:
        engine.dispose()
    store = Store.open(url)
    try:
        shown, total = store.list_accompaniments(LogFilter(school_year="2020-2021"))
        assert [v.content.notes for v in shown] == ["Visite"] and total == 1
        assert store.conflict_ids() == set()
    finally:
        store.close()
