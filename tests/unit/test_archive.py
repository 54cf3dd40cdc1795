"""Archives and copies of a store through SQLAlchemy Core (revue.store.archive), on SQLite and
PostgreSQL (each test runs on both, see tests/conftest.py: BOTH_ENGINES): every table, every
row, verified; ``revue backup`` and ``revue check`` on a server store; ``revue store copy``
from a laptop's SQLite into PostgreSQL and back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from revue.cli.main import main
from revue.domain.errors import RevueError
from revue.formats.exchange import read_exchange
from revue.store.archive import copy_rows, snapshot, table_digests, tables, write_archive
from revue.store.store import Store
from tests.helpers import CLAIRE, PAUL, table_counts


def _full(url: str) -> Store:
    """The store at ``url`` with something in every table revue has."""
    store = Store.open(url)
    store.merge_versions(read_exchange(CLAIRE))
    store.import_exchange(ex := read_exchange(PAUL), accept=set(ex.signers()))
    store.own_key()  # the store's own key
    return store


def _digests(store: Store) -> dict[str, object]:
    with snapshot(store.engine) as conn:
        return dict(table_digests(conn))


@pytest.fixture
def other_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second, empty store on the same engine as ``db_url``."""
    if db_url.startswith("postgresql"):
        return _second_database(request)
    return f"sqlite:///{tmp_path / 'autre' / 'revue.sqlite3'}"


def _second_database(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL database of this test's besides ``pg_url`` (which ``db_url`` may be)."""
    server = request.getfixturevalue("pg_server")
    name = server.new_database(request.getfixturevalue("pg_empty_template"))
    request.addfinalizer(lambda: server.drop_database(name))
    return str(server.url(name))


def test_an_archive_holds_every_row_and_restores_them_anywhere(
    bilan_url: str, other_url: str, tmp_path: Path
) -> None:
    store = _full(bilan_url)
    try:
        counts = table_counts(store)
        empty = [name for name, n in counts.items() if n == 0]
        # history, snapshots, keys, the log: everything but what the samples do not use
        assert {"history", "review_snapshots", "store_key", "known_keys"} <= {
            name for name, n in counts.items() if n
        }, empty
        archive = tmp_path / "archive.sqlite3"
        written = write_archive(store.engine, archive)
        before = _digests(store)
    finally:
        store.close()
    assert written == before
    assert archive.stat().st_mode & 0o777 == 0o600
    assert not Path(f"{archive}-wal").exists()
    # the archive is a revue store: opened as it is, it holds the same rows
    opened = Store.open(f"sqlite:///{archive}")
    try:
        assert _digests(opened) == before
        # restored into another (empty) store of the same engine: the same rows again
        target = Store.open(other_url)
        try:
            copy_rows(opened.engine, target.engine, replace=False)
            assert _digests(target) == before
            assert [c.id for c in target.list_contracts()] == [
                c.id for c in opened.list_contracts()
            ]
            assert target.snapshot_problems() == []
        finally:
            target.close()
    finally:
        opened.close()


def test_copying_into_a_store_that_holds_data_is_refused_untouched(
    sample_url: str, other_url: str
) -> None:
    source = Store.open(sample_url)
    target = _full(other_url)
    try:
        before = _digests(target)
        with pytest.raises(RevueError, match="la destination contient déjà des données"):
            copy_rows(source.engine, target.engine, replace=False)
        assert _digests(target) == before
    finally:
        source.close()
        target.close()


def test_backup_create_list_restore_and_check_through_the_cli(
    sample_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", sample_url, "backup", "create"]) == 0
    capsys.readouterr()
    assert main(["--db", sample_url, "backup", "list"]) == 0
    listed = capsys.readouterr().out.strip().splitlines()
    made = next(line.split("\t")[0] for line in listed if "à la demande" in line)
    store = Store.open(sample_url)
    try:
        kept = _digests(store)
        store.delete_contract("epinay-2018-2020")
        assert _digests(store) != kept
    finally:
        store.close()

    assert main(["--db", sample_url, "backup", "restore", made]) == 0
    said = capsys.readouterr().out
    assert f"Sauvegarde {made} remise en place." in said
    store = Store.open(sample_url)
    try:
        assert _digests(store) == kept
    finally:
        store.close()
    assert main(["--db", sample_url, "check"]) == 0
    assert "intègre" in capsys.readouterr().out


def test_check_finds_a_changed_frozen_review_on_any_engine(
    bilan_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import update

    from revue.store.models import ReviewSnapshotRow

    store = Store.open(bilan_url)
    try:
        with store.session() as session, session.begin():
            session.execute(update(ReviewSnapshotRow).values(sha256="0" * 64))
    finally:
        store.close()
    assert main(["--db", bilan_url, "check"]) == 1
    assert "le relevé figé n'est plus une preuve" in capsys.readouterr().out


def test_store_copy_to_the_other_engine_and_back_is_verified(
    sample_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    """A laptop's SQLite into the departmental PostgreSQL and back (whatever the engine of
    ``sample_url``, the copy crosses to the other one and comes back)."""
    first = (
        _second_database(request)
        if sample_url.startswith("sqlite")
        else f"sqlite:///{tmp_path / 'portable' / 'revue.sqlite3'}"
    )
    back = f"sqlite:///{tmp_path / 'retour' / 'revue.sqlite3'}"
    store = _full(sample_url)
    try:
        original = _digests(store)
    finally:
        store.close()
    assert main(["store", "copy", "--from", sample_url, "--to", first]) == 0
    said = capsys.readouterr().out
    assert f"mêmes empreintes SHA-256 dans les {len(tables())} tables" in said
    assert main(["store", "copy", "--from", first, "--to", back]) == 0
    for url in (first, back):
        copy = Store.open(url)
        try:
            assert _digests(copy) == original
        finally:
            copy.close()
    # a second copy into the same place is refused: it holds data now
    assert main(["store", "copy", "--from", sample_url, "--to", back]) == 1
    assert "la destination contient déjà des données" in capsys.readouterr().err


def test_reference_problems_finds_a_reference_that_leads_nowhere(sample_url: str) -> None:
    from revue.store.archive import reference_problems

    store = Store.open(sample_url)
    try:
        assert reference_problems(store.engine) == []
        nowhere = "f" * 32  # a section key no section has
        if store.path is None:  # PostgreSQL: the superuser may turn the checks off
            with store.engine.connect() as conn:
                conn.exec_driver_sql("SET session_replication_role = replica")
                conn.exec_driver_sql(f"UPDATE objectives SET section_id = '{nowhere}'")
                conn.commit()
        else:  # SQLite: a tool that does not turn foreign keys on
            raw = sqlite3.connect(store.path)
            with raw:
                raw.execute(f"UPDATE objectives SET section_id = '{nowhere}'")
            raw.close()
        assert reference_problems(store.engine) == [
            "35 référence(s) cassée(s) dans la table objectives (section_id → sections)"
        ]
    finally:
        store.close()
