"""Every test gets its own store under tmp_path; nothing touches the user's real data folder."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from revue.services.demo import demo_files
from revue.store.store import Store
from tests.helpers import CLAIRE, PAUL, SCHOOLS, generated_reviews


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


@pytest.fixture(scope="session")
def empty_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the schema and nothing else, built once per session (per xdist
    worker): a test that needs many fresh stores copies it rather than run the migrations."""
    path = tmp_path_factory.mktemp("empty-store") / "revue.sqlite3"
    Store.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session")
def _sample_store_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples imported once per session (per xdist worker), with the backup the import
    takes: every test that asks for sample_url gets its own copy of this folder."""
    from revue.services.imports import import_files

    folder = tmp_path_factory.mktemp("sample-store") / "store"
    opened = Store.open(f"sqlite:///{folder / 'revue.sqlite3'}")
    done, errors = import_files(opened, list(demo_files()))
    opened.close()
    assert not errors, errors
    assert len(done) == 4  # two contracts and two projets académiques
    return folder


@pytest.fixture
def sample_url(db_url: str, _sample_store_folder: Path) -> str:
    """A store holding the sample contracts and projet académique (a copy of the session's,
    under this test's tmp_path: the same files an import would make, without the wait)."""
    shutil.copytree(_sample_store_folder, Path(db_url.removeprefix("sqlite:///")).parent)
    return db_url


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No cursor blinks in tests, so what a snapshot or a test reads does not depend on timing.

    Input and TextArea (the only widgets that blink, with their subclasses such as the command
    palette's input) toggle their cursor from a 0.5 s timer; the toggle is made a no-op, so the
    cursor stays as focusing left it (shown while focused, hidden otherwise) however slow the
    machine. ``cursor_blink = False`` would draw the cursor differently from the snapshots."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture
def bilan_url(sample_url: str) -> str:
    """The samples with a mid-term review of 2018-2019 (an avenant) and the final review."""
    generated_reviews(sample_url)
    return sample_url


@pytest.fixture
def log_url(sample_url: str) -> str:
    """The samples, the fictitious schools and both conseillers' logs (one conflict)."""
    from revue.formats.exchange import read_exchange
    from revue.formats.schools_csv import read_schools

    store = Store.open(sample_url)
    store.save_schools(read_schools(SCHOOLS))
    store.merge_versions(read_exchange(CLAIRE))
    store.merge_versions(read_exchange(PAUL))
    store.close()
    return sample_url


@pytest.fixture
def paris_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times shown in Paris time, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
