"""What the app tells beyond its screens: an unexpected error ends it with a French sentence and a
private report instead of Textual's traceback (which prints every frame's local variables: a
note, a name); a write that waits for another program says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.worker import WorkerFailed

from revue.app.factory import make_app
from revue.formats.crash import reports_folder
from revue.store.store import Store
from tests.helpers import mode, settle

NOTE = "Mme Dupont-Secret pleure en classe"


async def test_an_error_in_a_worker_ends_the_app_with_a_sentence_and_a_report(
    sample_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(self: Store) -> None:
        note = NOTE  # a local variable of the failing frame
        raise ValueError(note)

    monkeypatch.setattr(Store, "list_contracts", boom)
    app = make_app(sample_url)
    with pytest.raises(WorkerFailed):  # run_test re-raises it for tests, as Textual does
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
    assert app.return_code == 1
    assert app.crash_text is not None
    assert app.crash_text.startswith("erreur inattendue de revue (ValueError)")
    assert NOTE not in app.crash_text
    out, err = capsys.readouterr()
    assert NOTE not in out + err and "Traceback" not in out + err
    assert "erreur inattendue de revue" in err
    match = re.search(r"est dans (\S+\.txt)", app.crash_text)
    assert match
    report = Path(match[1])
    assert report.parent == reports_folder()
    assert mode(report) == 0o600 and mode(report.parent) == 0o700
    text = report.read_text(encoding="utf-8")
    assert NOTE not in text
    assert re.search(r"test_reporting\.py:\d+ in boom", text)
    assert re.search(r"revue/app/screens/contracts\.py:\d+ in load", text)


async def test_an_error_in_a_key_s_action_too(
    sample_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom() -> None:
        note = NOTE
        raise RuntimeError(note)

    app = make_app(sample_url)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            app.action_help = boom  # type: ignore[method-assign]  # F1 runs it
            await pilot.press("f1")
            await settle(pilot)
    assert app.crash_text is not None and "(RuntimeError)" in app.crash_text
    out, err = capsys.readouterr()
    assert NOTE not in out + err and "Traceback" not in out + err


async def test_a_write_that_waits_for_another_program_says_so(
    sample_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock (a long merge in a terminal): the app's write
    waits, a notification says why, and the write succeeds."""
    import asyncio
    import subprocess
    import sys
    import textwrap

    from revue.formats.schools_csv import read_schools
    from revue.store import db
    from tests.helpers import SCHOOLS, store_path, until

    monkeypatch.setattr(db, "FIRST_WAIT_MS", 100)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    code = textwrap.dedent(
        f"""
        import sqlite3, time
        conn = sqlite3.connect({str(store_path(sample_url))!r}, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        print("held", flush=True)
        time.sleep(2)
        conn.execute("ROLLBACK")
        """
    )
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        schools = read_schools(SCHOOLS)
        write = asyncio.create_task(asyncio.to_thread(app.store.save_schools, schools))
        await until(
            pilot,
            lambda: any("attend son tour" in str(n.message) for n in app._notifications),
            "the notification that the write waits",
        )
        added, _ = await write
        holder.wait(timeout=60)
        assert added > 0
