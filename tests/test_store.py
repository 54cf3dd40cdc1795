"""The store: schema under Alembic, SQLite settings, private files, refusing newer schemas."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from revue.errors import RevueError
from revue.paths import default_db_url
from revue.store.db import MIGRATIONS, SCHEMA_HEAD
from revue.store.models import Base
from revue.store.store import Store


def test_schema_head_constant_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_migrations_build_exactly_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


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
    from revue.imports import import_files
    from revue.store.backup import list_backups
    from tests.conftest import EPINAY

    url = default_db_url()
    path = Path(url.removeprefix("sqlite:///"))
    assert str(path).startswith(str(tmp_path))  # conftest points XDG_DATA_HOME into tmp_path
    old = os.umask(umask)
    try:
        Store.open(url).close()
        store = Store.open(url)
        import_files(store, [EPINAY])  # a write (WAL in use) and a backup
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm"),
                 *(b.path for b in list_backups(path))]
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
    from revue.imports import import_files
    from revue.paths import demo_files

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

