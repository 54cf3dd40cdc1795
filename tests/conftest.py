"""Every test gets its own store under tmp_path; nothing touches the user's real data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from revue.services.demo import demo_files, sample_data_dir
from revue.store.store import Store

SAMPLES = sample_data_dir()
EPINAY = SAMPLES / "contrat-epinay-2018-2020.toml"
THIONVILLE = SAMPLES / "projet-thionville1-2016-2020.toml"
ACADEMIC = SAMPLES / "projet-academique-nancy-metz.toml"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the default store and every platformdirs folder into tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("REVUE_DB", raising=False)
    monkeypatch.delenv("REVUE_CONFIG", raising=False)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'revue.sqlite3'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    yield opened
    opened.close()


@pytest.fixture
def sample_url(db_url: str) -> str:
    """A store holding the sample contracts and projet académique."""
    from revue.services.imports import import_files

    opened = Store.open(db_url)
    done, errors = import_files(opened, list(demo_files()))
    opened.close()
    assert not errors, errors
    assert len(done) == 3
    return db_url


def table_counts(store: Store) -> dict[str, int]:
    """Rows per table: 'the store is exactly as before' is checked with this."""
    from sqlalchemy import func, select

    from revue.store.models import Base

    with store.session() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Input cursors do not blink in tests, so snapshots do not depend on timing."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
