"""Snapshot of the recovery screen a damaged store opens on, at 120×40 and 80×24."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from revue.store.backup import list_backups, take_backup
from tests.helpers import SIZES, run_keys, store_path, wreck


@pytest.mark.parametrize("size", SIZES)
def test_recovery_screen(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    path = store_path(sample_url)
    for backup in list_backups(path):
        backup.path.unlink()
    made = take_backup(path, "manuelle")
    assert made is not None
    made.path.rename(made.path.with_name("20190612-183000-manuelle.sqlite3"))
    wreck(path, "whole")

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys()(pilot)
        # The SQLite message varies with the library version; the screen's layout does not.
        pilot.app.screen.query_one("#recovery-problem").update(
            "Les données n'ont pas passé la vérification d'intégrité.\n"
            "Détail : le fichier de données est illisible (file is not a database)"
        )

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
