"""Backups before large changes, rotation, restore, and the integrity check."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from revue.cli.main import main
from revue.formats.exchange import read_exchange
from revue.services.imports import import_files
from revue.store.backup import list_backups, take_backup
from revue.store.store import Store
from tests.helpers import EPINAY, SAMPLES, table_counts


def test_backups_before_import_and_merge_are_private(store: Store) -> None:
    assert store.path is not None
    import_files(store, [EPINAY])
    store.merge_versions(read_exchange(SAMPLES / "echange-claire-martin-2018-2019.json"))
    reasons = [b.reason for b in list_backups(store.path)]
    assert reasons == ["import", "fusion"]
    for backup in list_backups(store.path):
        assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.path.parent.stat().st_mode) == 0o700


def test_rotation_keeps_the_newest(store: Store) -> None:
    assert store.path is not None
    for _ in range(5):
        take_backup(store.path, "manuelle", keep=3)
    assert len(list_backups(store.path)) == 3


def test_restore_puts_the_old_data_back_after_a_backup(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    store = Store.open(db_url)
    import_files(store, [EPINAY])  # backup "import" holds the empty store
    store.close()
    empty = next(
        b for b in list_backups(Path(db_url.removeprefix("sqlite:///"))) if b.reason == "import"
    )
    assert main(["--db", db_url, "backup", "restore", empty.name]) == 0
    assert "sauvegardées d'abord" in capsys.readouterr().out
    store = Store.open(db_url)
    assert store.list_contracts() == []
    reasons = [b.reason for b in list_backups(store.path)]  # type: ignore[arg-type]
    store.close()
    assert "restauration" in reasons


def test_check_reports_a_damaged_store(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    Store.open(db_url).close()
    assert main(["--db", db_url, "check"]) == 0
    assert "intègre" in capsys.readouterr().out
    path = Path(db_url.removeprefix("sqlite:///"))
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # wreck a page
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert main(["--db", db_url, "check"]) == 1
    out = capsys.readouterr().out
    assert "ABÎMÉ" in out and "revue backup restore" in out


def test_unknown_backup_name(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    Store.open(db_url).close()
    assert main(["--db", db_url, "backup", "restore", "inconnue.sqlite3"]) == 1
    assert "aucune sauvegarde" in capsys.readouterr().err


def test_check_verifies_the_frozen_reviews(
    capsys: pytest.CaptureFixture[str], sample_url: str
) -> None:
    from sqlalchemy import update

    from revue.domain.review import ReviewKind
    from revue.store.models import ReviewSnapshotRow

    store = Store.open(sample_url)
    review = store.create_review("epinay-2018-2020", "2018-2019", ReviewKind.ANNUAL)
    store.close_review(review.id)
    store.close()
    assert main(["--db", sample_url, "check"]) == 0
    assert "empreintes des revues clôturées" in capsys.readouterr().out
    store = Store.open(sample_url)
    with store.session() as session:
        session.execute(update(ReviewSnapshotRow).values(content='{"retouché": true}'))
        session.commit()
    store.close()
    assert main(["--db", sample_url, "check"]) == 1
    assert "ne correspond plus à son empreinte SHA-256" in capsys.readouterr().out


def test_backup_taken_alongside_a_merge_holds_the_log_before_it(store: Store) -> None:
    """The merge's backup is copied in a thread while the merge is written: it must show the
    store as it was before, not part of the merge."""
    assert store.path is not None
    store.merge_versions(read_exchange(SAMPLES / "echange-claire-martin-2018-2019.json"))
    before = store.list_accompaniments(limit=1000)[1]
    report = store.merge_versions(read_exchange(SAMPLES / "echange-paul-durand-2018-2019.json"))
    assert report.added > 0
    newest = list_backups(store.path)[-1]
    assert newest.reason == "fusion"
    copy = Store.open(f"sqlite:///{newest.path}")
    try:
        assert copy.list_accompaniments(limit=1000)[1] == before
    finally:
        copy.close()


def test_a_merge_whose_backup_fails_changes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revue.domain.errors import RevueError
    from revue.store import backup as backup_module

    def refuse(*args: object, **kwargs: object) -> None:
        raise RevueError("sauvegarde impossible (disque plein)")

    monkeypatch.setattr(backup_module, "take_backup", refuse)
    with pytest.raises(RevueError, match="sauvegarde impossible"):
        store.merge_versions(read_exchange(SAMPLES / "echange-claire-martin-2018-2019.json"))
    assert store.list_accompaniments(limit=1000) == ([], 0)
    assert table_counts(store)["history"] == 0


def test_a_bulk_merge_puts_sqlite_settings_back(store: Store) -> None:
    """A merge writes with a large page cache and without SQLite's automatic checkpoint (a
    thread checkpoints after the commit); the connection goes back to the pool as it was."""
    store.merge_versions(read_exchange(SAMPLES / "echange-claire-martin-2018-2019.json"))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
        assert conn.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
