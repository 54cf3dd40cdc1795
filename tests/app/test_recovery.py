"""A damaged store at start: the app says so and offers the latest good backup, never a
traceback; restoring keeps the damaged files aside."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from revue.app.screens.contracts import ContractsScreen
from revue.app.screens.recovery import RecoveryScreen
from revue.store.backup import list_backups, take_backup
from revue.store.store import Store
from tests.helpers import settle, shown, store_path, until, wreck


@pytest.mark.parametrize("how", ["page", "whole"])
async def test_a_damaged_store_offers_the_latest_good_backup(sample_url: str, how: str) -> None:
    path = store_path(sample_url)
    take_backup(path, "manuelle")
    wreck(path, how)
    damaged_bytes = path.read_bytes()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        # the check runs INTEGRITY_CHECK_AFTER seconds after the first paint, in a thread
        await until(pilot, lambda: isinstance(app.screen, RecoveryScreen), "the recovery screen")
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
    path = store_path(sample_url)
    for backup in list_backups(path):
        backup.path.unlink()
    wreck(path, "whole")
    before = path.read_bytes()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RecoveryScreen)
        assert "Aucune sauvegarde intacte" in shown(app)
        await pilot.click("#recovery-quit")
        await settle(pilot)
    assert path.read_bytes() == before
