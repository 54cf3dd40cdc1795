"""Two at once: the app open and writing while `revue exchange import` merges a large file in
another process. No "database is locked" reaches the user, no write is lost, and the app shows
the merged entries by itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, TextArea

from revue.app import app as app_module
from revue.app.factory import make_app
from revue.app.screens.log import LogScreen
from revue.app.screens.walk import WalkScreen
from revue.domain.review import ReviewKind
from revue.store.store import Store
from tests.helpers import ENTRIES, EPINAY, saved_label, settle, shown, until, write_exchange


def _merge_in_background(url: str, tmp_path: Path) -> subprocess.Popen[str]:
    source = tmp_path / "echange.json"
    write_exchange(source)
    return subprocess.Popen(
        [sys.executable, "-m", "revue", "--db", url, "exchange", "import", "--trust", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_typing_in_the_walk_while_a_merge_runs(sample_url: str, tmp_path: Path) -> None:
    store = Store.open(sample_url)
    review = store.create_review("epinay-2018-2020", "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url)
    errors: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        merge = _merge_in_background(sample_url, tmp_path)
        typed = ""
        check = Store.open(sample_url)
        first = walk.walk.objectives[0].id

        def saved_or_refused() -> bool:
            """The writer's verdict on what was typed: refused, or in the store."""
            label = saved_label(walk)
            if "non enregistré" in label:
                return True
            record = check.load_walk(review.id).records.get(first) if "✓" in label else None
            return record is not None and record.analysis == typed

        try:
            while merge.poll() is None:  # type, let it be saved, move on, for as long as it runs
                area = walk.query_one("#analysis", TextArea)
                area.focus()
                await pilot.press(*"Noté. ")
                typed += "Noté. "
                # written after SAVE_DELAY of quiet, while the merge holds the store
                await until(pilot, saved_or_refused, "the save of what was typed")
                if "non enregistré" in saved_label(walk):
                    errors.append(shown(app))
        finally:
            check.close()
        _out, err = merge.communicate()
        assert merge.returncode == 0, err
        walk.flush(wait=True)
        await settle(pilot)
        assert "Enregistré" in saved_label(walk)
    assert errors == []
    store = Store.open(sample_url)
    try:
        record = store.load_walk(review.id).records[store.load_walk(review.id).objectives[0].id]
        assert record.analysis == typed and typed
        assert store.list_accompaniments(limit=1)[1] == ENTRIES
    finally:
        store.close()


async def test_the_log_shows_a_merge_made_meanwhile_and_keeps_its_own_entry(
    sample_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revue.app import app as app_module

    monkeypatch.setattr(app_module, "POLL_SECONDS", 0.3)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        merge = _merge_in_background(sample_url, tmp_path)
        await pilot.press("n")  # an entry typed while the merge runs
        await settle(pilot)
        form = app.screen
        form.query_one("#e-author", Input).value = "Claire Martin"
        form.query_one("#e-network", Input).value = "REP+ Jean-Vilar"
        form.query_one("#e-notes", TextArea).text = "Visite pendant la fusion"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen), shown(app)
        _out, err = merge.communicate()
        assert merge.returncode == 0, err
        expected = f"{ENTRIES + 1:,}".replace(",", "\u202f")
        # the log polls the store every POLL_SECONDS and reloads when another process wrote
        await until(pilot, lambda: expected in shown(app), f"{expected} entries in the log")
        await settle(pilot)
        assert f"{expected} accompagnements" in shown(app)
        assert "locked" not in shown(app)


async def test_the_list_shows_a_contract_imported_meanwhile_from_the_cli(db_url: str) -> None:
    """The app open while `revue contract import` runs in another process: no lock error,
    and the new contract appears by itself."""
    app_module.POLL_SECONDS = 0.2
    try:
        app = make_app(db_url)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert "Aucun contrat" in shown(app)
            done = subprocess.run(
                [sys.executable, "-m", "revue", "--db", db_url, "contract", "import", str(EPINAY)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            # the list polls the store every POLL_SECONDS and reloads when another process wrote
            await until(
                pilot,
                lambda: app.screen.query_one(DataTable).row_count == 1,
                "the imported contract in the list",
            )
            await settle(pilot)
            assert app.screen.query_one(DataTable).row_count == 1
    finally:
        app_module.POLL_SECONDS = 2.0
