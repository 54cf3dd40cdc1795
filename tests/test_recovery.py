"""A damaged store at start: the app says so and offers the latest good backup, never a
traceback; restoring keeps the damaged files aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from revue.app.app import INTEGRITY_CHECK_AFTER
from revue.app.factory import make_app
from revue.app.screens.contracts import ContractsScreen
from revue.app.screens.recovery import RecoveryScreen
from revue.store.backup import list_backups, take_backup
from revue.store.store import Store
from tests.test_app import settle, shown
from tests.test_snapshots import SIZES, _keys


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _wreck(path: Path, how: str) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if how == "page":  # the file opens, the quick check fails
        data = bytearray(path.read_bytes())
        data[8192:16384] = b"\xff" * 8192
        path.write_bytes(bytes(data))
    else:  # not even a database any more
        path.write_bytes(b"\x00garbage" * 4096)


@pytest.mark.parametrize("how", ["page", "whole"])
async def test_a_damaged_store_offers_the_latest_good_backup(sample_url: str, how: str) -> None:
    path = _path(sample_url)
    take_backup(path, "manuelle")
    _wreck(path, how)
    damaged_bytes = path.read_bytes()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(INTEGRITY_CHECK_AFTER + 0.2)  # the check runs after the first paint
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, RecoveryScreen)
        assert "Dernière sauvegarde intacte" in shown(app)
        await pilot.click("#recovery-restore")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ContractsScreen)
        assert "Épinay" in shown(app)
    store = Store.open(sample_url)
    try:
        assert store.integrity_problems() == ""
        assert len(store.list_contracts()) == 2
    finally:
        store.close()
    aside = [b for b in list_backups(path) if b.reason == "abimee"]
    assert len(aside) == 1 and aside[0].path.read_bytes() == damaged_bytes


async def test_without_a_good_backup_quitting_changes_nothing(sample_url: str) -> None:
    path = _path(sample_url)
    for backup in list_backups(path):
        backup.path.unlink()
    _wreck(path, "whole")
    before = path.read_bytes()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RecoveryScreen)
        assert "Aucune sauvegarde intacte" in shown(app)
        await pilot.click("#recovery-quit")
        await settle(pilot)
    assert path.read_bytes() == before


@pytest.mark.parametrize("size", SIZES)
def test_recovery_screen(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    path = _path(sample_url)
    for backup in list_backups(path):
        backup.path.unlink()
    made = take_backup(path, "manuelle")
    assert made is not None
    made.path.rename(made.path.with_name("20190612-183000-manuelle.sqlite3"))
    _wreck(path, "whole")

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _keys()(pilot)
        # The SQLite message varies with the library version; the screen's layout does not.
        pilot.app.screen.query_one("#recovery-problem").update(
            "Les données n'ont pas passé la vérification d'intégrité.\n"
            "Détail : le fichier de données est illisible (file is not a database)"
        )

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
