"""An unexpected error in the CLI: a French sentence, never a traceback, and a report without
personal data (0600, in the state folder, 0700) whose path the sentence gives."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from revue.cli.main import main
from revue.formats.crash import KEEP, report_text, reports_folder, write_report
from revue.store.store import Store
from tests.helpers import mode

#: A note's text that must never leave the laptop through a report or a message.
NOTE = "Mme Dupont-Secret pleure en classe"


def _boom(self: Store) -> None:
    note = NOTE  # a local variable: Textual's and Rich's tracebacks would print it
    raise ValueError(f"impossible de traiter « {note} »")


def _report_in(err: str) -> Path:
    match = re.search(r"est dans (\S+\.txt)", err)
    assert match, err
    return Path(match[1])


def test_an_unexpected_error_gives_a_sentence_and_a_private_report(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(db_url).close()
    monkeypatch.setattr(Store, "list_academic_projects", _boom)
    assert main(["--db", db_url, "academic", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("revue : erreur inattendue de revue (ValueError)")
    assert NOTE not in err and "Traceback" not in err
    report = _report_in(err)
    assert report.parent == reports_folder()
    assert mode(report) == 0o600 and mode(report.parent) == 0o700
    text = report.read_text(encoding="utf-8")
    assert NOTE not in text and "impossible de traiter" not in text
    assert "exception : ValueError" in text
    assert re.search(r"revue/cli/main\.py:\d+ in main", text)
    assert re.search(r"test_crash_reports\.py:\d+ in _boom", text)
    assert str(Path.home()) not in text and "/tmp" not in text  # no folder naming the user


def test_in_a_real_process_no_traceback_reaches_the_terminal(db_url: str) -> None:
    Store.open(db_url).close()
    code = textwrap.dedent(
        f"""
        import sys
        from revue.store.store import Store
        def boom(self):
            note = {NOTE!r}
            raise KeyError(note)
        Store.list_academic_projects = boom
        from revue.cli.main import main
        sys.exit(main(["--db", {db_url!r}, "academic", "list"]))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and NOTE not in done.stderr
    assert "erreur inattendue de revue (KeyError)" in done.stderr
    report = _report_in(done.stderr)
    assert mode(report) == 0o600
    assert NOTE not in report.read_text(encoding="utf-8")


def test_a_database_error_is_said_in_french(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    def locked(self: Store) -> None:
        raise OperationalError("SELECT …", {}, sqlite3.OperationalError("database is locked"))

    Store.open(db_url).close()
    monkeypatch.setattr(Store, "list_academic_projects", locked)
    assert main(["--db", db_url, "academic", "list"]) == 1
    err = capsys.readouterr().err
    assert "occupées par un autre programme" in err
    assert "locked" not in err and "SELECT" not in err


def test_the_report_holds_types_and_places_only() -> None:
    def inner() -> None:
        secret = NOTE
        raise OSError(2, f"No such file: {secret}")

    try:
        try:
            inner()
        except OSError as exc:
            raise RuntimeError(NOTE) from exc
    except RuntimeError as exc:
        text = report_text(exc)
    assert NOTE not in text
    assert "exception : FileNotFoundError (ENOENT)" in text
    assert "exception : RuntimeError" in text
    assert text.index("FileNotFoundError") < text.index("RuntimeError")  # the cause first
    assert re.search(r"test_crash_reports\.py:\d+ in inner", text)


def test_only_the_last_reports_are_kept() -> None:
    for _ in range(KEEP + 5):
        assert write_report(ValueError(NOTE)) is not None
    kept = list(reports_folder().iterdir())
    assert len(kept) == KEEP
