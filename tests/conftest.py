"""Every test gets its own store under tmp_path; nothing touches the user's real data folder."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from revue.services.demo import demo_files
from revue.store.store import Store
from tests.helpers import CLAIRE, PAUL, SCHOOLS, generated_reviews
from tests.postgres import Server, why_unavailable


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


#: The test modules whose tests of the store run on both engines: each test that asks for
#: ``db_url`` (or ``store``, ``sample_url``, ``log_url``, ``bilan_url``) runs once on SQLite and
#: once on PostgreSQL (``[sqlite]``, ``[postgresql]`` in its name).
BOTH_ENGINES = {
    "tests.unit.test_store",
    "tests.unit.test_log",
    "tests.unit.test_history",
    "tests.unit.test_reviews",
    "tests.unit.test_exchange",
    "tests.unit.test_contract_format",
    "tests.unit.test_exchange_safety",
    "tests.unit.test_archive",
    "tests.system.test_concurrency",
    "tests.system.test_postgresql",
}
#: Tests of those modules about SQLite's file itself (its path, pragmas, permissions).
SQLITE_ONLY = {
    "test_sqlite_settings",
    "test_store_from_a_newer_revue_is_refused_untouched",
    "test_bulk_insert_stores_what_sqlalchemy_would",  # SQLite's own executemany path
    "test_same_file_gives_same_keys_on_every_laptop",  # compares the drivers' raw values
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" not in metafunc.fixturenames or metafunc.module.__name__ not in BOTH_ENGINES:
        return
    if metafunc.function.__name__ in SQLITE_ONLY:
        return
    metafunc.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """A throw-away PostgreSQL server for this session (this xdist worker), stopped at the
    end; the PostgreSQL tests are skipped, with the reason, where one cannot run here."""
    reason = why_unavailable()
    if reason:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    folder = Path(tempfile.mkdtemp(prefix="revue-pg-"))  # outside pytest's private folder
    folder.chmod(0o711)  # the server's own folder inside is 0700 (run as 'postgres' by root)
    server = Server.start(folder / "server")
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_empty_template(pg_server: Server) -> str:
    """A database holding revue's schema and nothing else: the template of each test's."""
    name = pg_server.new_database()
    Store.open(pg_server.url(name)).close()
    return name


@pytest.fixture
def pg_url(pg_server: Server, pg_empty_template: str) -> Iterator[str]:
    """This test's own PostgreSQL database (revue's schema, no data), dropped afterwards."""
    name = pg_server.new_database(pg_empty_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture
def db_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """This test's store: a SQLite file under tmp_path, or (``[postgresql]``, see
    :data:`BOTH_ENGINES`) a database of its own on the session's PostgreSQL server."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return str(request.getfixturevalue("pg_url"))
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


@pytest.fixture(scope="session")
def _pg_sample_template(pg_server: Server, pg_empty_template: str) -> str:
    """The samples imported once per session into a PostgreSQL database, copied per test."""
    from revue.services.imports import import_files

    name = pg_server.new_database(pg_empty_template)
    opened = Store.open(pg_server.url(name))
    _done, errors = import_files(opened, list(demo_files()))
    opened.close()
    assert not errors, errors
    return name


@pytest.fixture
def sample_url(db_url: str, request: pytest.FixtureRequest) -> str:
    """A store holding the sample contracts and projet académique (a copy of the session's,
    under this test's tmp_path: the same files an import would make, without the wait; on
    PostgreSQL, this test's database made again from the session's sample database)."""
    if db_url.startswith("postgresql"):
        server: Server = request.getfixturevalue("pg_server")
        template = request.getfixturevalue("_pg_sample_template")
        name = db_url.rsplit("/", 1)[1]
        server.drop_database(name)
        server.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY file_copy")
        return db_url
    folder: Path = request.getfixturevalue("_sample_store_folder")
    shutil.copytree(folder, Path(db_url.removeprefix("sqlite:///")).parent)
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
