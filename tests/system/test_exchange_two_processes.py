"""Issue #13, item 4, with two processes: the entry form is open in the app while
`python -m revue exchange import` updates that entry in another process; Ctrl+S in the form
then keeps both versions, in conflict, and says so. Nothing is lost, nothing is reverted."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from textual.widgets import DataTable, Static, TextArea

from revue.app.factory import make_app
from revue.app.screens.log import EntryScreen, LogScreen
from revue.store.store import Store
from tests.helpers import LOG_TODAY, open_log, settle, shown, until

COLLEAGUE = "Claire Martin (CPC, fictive)"


def _import_in_another_process(url: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "revue", "--db", url, "exchange", "import", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_form_keeps_both_versions_when_a_merge_updated_the_entry(
    sample_url: str, tmp_path: Path
) -> None:
    import datetime as dt

    from revue.domain.log import Content
    from revue.formats.exchange import read_exchange

    def entry(notes: str) -> Content:
        return Content(
            date=dt.date(2019, 1, 10),
            author=COLLEAGUE,
            modality="collective",
            initiative="team",
            schools=("0579901A",),
            theme="Lecture au CP",
            notes=notes,
        )

    colleague = Store.open(f"sqlite:///{tmp_path / 'collegue.sqlite3'}", author=COLLEAGUE)
    try:
        first = colleague.add_accompaniment(entry("Observation."))
        sent = tmp_path / "premier.json"
        sent.write_text(colleague.export_exchange(None, dt.datetime(2019, 1, 11)).text)
        colleague.update_accompaniment(first.id, entry("Observation. Ajout de la collègue."))
        update = tmp_path / "mise-a-jour.json"
        update.write_text(colleague.export_exchange(None, dt.datetime(2019, 1, 12)).text)
    finally:
        colleague.close()
    store = Store.open(sample_url)
    try:
        exchange = read_exchange(sent)
        store.import_exchange(exchange, accept=set(exchange.signers()))
    finally:
        store.close()

    app = make_app(sample_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        table = log.query_one(DataTable)
        table.focus()
        table.move_cursor(row=next(i for i, v in enumerate(log.rows) if v.id == first.id))
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EntryScreen)
        form.query_one("#e-notes", TextArea).text = "Observation. Mon ajout."
        merged = await asyncio.to_thread(_import_in_another_process, sample_url, update)
        assert merged.returncode == 0, merged.stderr
        assert merged.stdout.strip().splitlines()[-1] == (
            "ajoutés : 0, mis à jour : 1, inchangés : 0, conflits : 0"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = " ".join(str(form.query_one("#e-error", Static).render()).split())
        assert "un collègue a modifié cet accompagnement" in said, shown(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        await until(pilot, lambda: "1 conflit(s)" in shown(app), "the conflict in the log")
    check = Store.open(sample_url)
    try:
        current, conflicts = check.get_accompaniment(first.id)
    finally:
        check.close()
    assert {current.content.notes, *(c.content.notes for c in conflicts)} == {
        "Observation. Ajout de la collègue.",
        "Observation. Mon ajout.",
    }
