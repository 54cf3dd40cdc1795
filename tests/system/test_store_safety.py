"""The store file's safety with real processes: two revues opening a new store at once, a
writer waiting for a long one, the WAL emptied at exit, a newer revue's store left byte for
byte untouched, symbolic links not followed, URLs checked before anything is created.

Round counts can be raised with REVUE_SAFETY_ROUNDS (default 20); they are printed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from revue.cli.main import main
from revue.domain.log import Content
from revue.store.db import SCHEMA_HEAD
from revue.store.store import Store
from tests.helpers import CLAIRE, ENTRIES, EPINAY, FIXTURES, store_path, write_exchange

ROUNDS = int(os.environ.get("REVUE_SAFETY_ROUNDS", "20"))

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks and modes")

#: What must never reach a user: SQLite's and Python's English.
ENGLISH = ("database is locked", "File exists", "Traceback", "sqlite3.", "OperationalError")


def _revue_at_go(go: Path, *args: str) -> subprocess.Popen[str]:
    """``revue ARGS`` in a process that has imported everything and waits for ``go`` to
    exist: two of them then really start at the same moment."""
    code = textwrap.dedent(
        f"""
        import os, sys, time
        import alembic.command, sqlalchemy, revue.cli.main, revue.store.store
        print("ready", flush=True)
        while not os.path.exists({str(go)!r}):
            time.sleep(0.001)
        sys.exit(revue.cli.main.main({list(args)!r}))
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _race(folder: Path, *args: str) -> list[tuple[int, str]]:
    go = folder / "go"
    processes = [_revue_at_go(go, *args) for _ in range(2)]
    for process in processes:  # both have imported: the race is on opening, not on imports
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    go.touch()
    out = []
    for process in processes:
        _stdout, stderr = process.communicate(timeout=120)
        out.append((process.returncode, stderr))
    return out


def _revision(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        conn.close()


def _check_race(results: list[tuple[int, str]], failures: list[str]) -> None:
    for code, stderr in results:
        if code != 0 or any(word in stderr for word in ENGLISH):
            failures.append(f"exit {code}: {stderr}")


def test_two_processes_creating_a_new_store_at_once(tmp_path: Path) -> None:
    failures: list[str] = []
    for n in range(ROUNDS):
        folder = tmp_path / f"round-{n}"
        folder.mkdir()
        path = folder / "donnees" / "revue.sqlite3"  # the folder is made by the race too
        _check_race(_race(folder, "--db", f"sqlite:///{path}", "contract", "list"), failures)
        assert _revision(path) == SCHEMA_HEAD
    print(f"\n{ROUNDS} rounds of two processes creating a store: {len(failures)} failures")
    assert failures == []


def test_two_processes_upgrading_an_old_store_at_once(tmp_path: Path) -> None:
    failures: list[str] = []
    for n in range(ROUNDS):
        folder = tmp_path / f"round-{n}"
        folder.mkdir()
        path = folder / "revue.sqlite3"
        shutil.copy(FIXTURES / "store-0003.sqlite3", path)
        _check_race(_race(folder, "--db", f"sqlite:///{path}", "contract", "list"), failures)
        assert _revision(path) == SCHEMA_HEAD
        backups = list((folder / "sauvegardes").iterdir())
        assert len(backups) == 1, backups  # one upgrade, by whoever came first
    print(f"\n{ROUNDS} rounds of two processes upgrading a store: {len(failures)} failures")
    assert failures == []


# --- a writer while another holds the write lock -----------------------------------------


def _hold_write_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that takes the write lock and keeps it ``seconds`` (as a merge of a
    department's log does for a minute)."""
    code = textwrap.dedent(
        f"""
        import sqlite3, sys, time
        conn = sqlite3.connect({str(path)!r}, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE held (x)")
        print("held", flush=True)
        time.sleep({seconds})
        conn.execute("ROLLBACK")
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_writer_waits_for_a_long_write_then_succeeds(db_url: str) -> None:
    """The other process holds the lock longer than SQLite's busy timeout (10 s): the import
    waits, says so in French, and succeeds."""
    from revue.store.db import BUSY_TIMEOUT_MS

    Store.open(db_url).close()
    holder = _hold_write_lock(store_path(db_url), BUSY_TIMEOUT_MS / 1000 + 2)
    try:
        start = time.monotonic()
        writer = subprocess.run(
            [sys.executable, "-m", "revue", "--db", db_url, "contract", "import", str(EPINAY)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        waited = time.monotonic() - start
    finally:
        holder.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr
    assert "attend son tour" in writer.stderr
    assert not any(word in writer.stderr for word in ENGLISH), writer.stderr
    assert waited > BUSY_TIMEOUT_MS / 1000
    store = Store.open(db_url)
    try:
        assert [c.id for c in store.list_contracts()] == ["epinay-2018-2020"]
    finally:
        store.close()
    print(f"\nthe writer waited {waited:.1f} s and succeeded")


def test_the_app_s_writes_wait_too(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process, with short timeouts: a write through the store waits for another process's
    write lock for several busy timeouts, tells its notice once, and succeeds."""
    from revue.store import db

    monkeypatch.setattr(db, "FIRST_WAIT_MS", 100)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    told: list[str] = []
    store = Store.open(db_url, notice=told.append)
    try:
        holder = _hold_write_lock(store_path(db_url), 2.0)
        try:
            from revue.formats.schools_csv import read_schools
            from tests.helpers import SCHOOLS

            added, _ = store.save_schools(read_schools(SCHOOLS))
        finally:
            holder.wait(timeout=60)
        assert added > 0
        assert told == [db.WAITING_TO_WRITE]
    finally:
        store.close()


def test_a_write_that_waits_too_long_fails_in_french(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revue.domain.errors import RevueError
    from revue.store import db

    monkeypatch.setattr(db, "FIRST_WAIT_MS", 100)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(db, "WRITE_WAIT_LIMIT", 0.5)
    store = Store.open(db_url)
    try:
        holder = _hold_write_lock(store_path(db_url), 3.0)
        try:
            from revue.formats.schools_csv import read_schools
            from tests.helpers import SCHOOLS

            with pytest.raises(RevueError) as refused:
                store.save_schools(read_schools(SCHOOLS))
        finally:
            holder.wait(timeout=60)
        message = str(refused.value)
        assert "occupées par un autre programme" in message and "rien n'a été modifié" in message
        assert "locked" not in message
    finally:
        store.close()


def _revue_writer_holding_its_turn(url: str) -> subprocess.Popen[str]:
    """Another revue process inside a write (its turn and SQLite's lock held) until a line
    comes on its standard input: a long merge, for as long as the test needs."""
    code = textwrap.dedent(
        f"""
        import sys
        from revue.store.db import write_session
        from revue.store.store import Store
        store = Store.open({url!r})
        with write_session(store.engine):
            print("held", flush=True)
            sys.stdin.readline()
        store.close()
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held", holder.communicate(timeout=60)
    return holder


def _let_go(holder: subprocess.Popen[str]) -> None:
    _out, err = holder.communicate("\n", timeout=60)
    assert holder.returncode == 0, err


def _until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


def test_writers_queue_for_their_turn_and_tell_once(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A revue writer waiting for another's turn (the OS lock beside the store, taken before
    BEGIN IMMEDIATE) is told once, waits without SQLite's busy handler (its time limit is far
    shorter than the wait), and writes as soon as the other lets go."""
    from revue.store import db
    from revue.store.paths import write_lock_path

    monkeypatch.setattr(db, "FIRST_WAIT_MS", 100)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 100)
    from sqlalchemy import event

    told: list[str] = []
    store = Store.open(db_url, notice=told.append)
    tries: list[object] = []
    event.listen(store.engine, "engine_connect", tries.append)
    try:
        holder = _revue_writer_holding_its_turn(db_url)
        results: list[object] = []
        writer = threading.Thread(
            target=lambda: results.append(store.add_accompaniment(_entry("en attente")))
        )
        try:
            writer.start()
            _until(lambda: told != [])
            assert results == []  # still waiting: the other holds its turn
        finally:
            _let_go(holder)
        writer.join(60)
        assert len(results) == 1 and told == [db.WAITING_TO_WRITE]
        assert len(tries) == 1  # one BEGIN IMMEDIATE, after the turn: no busy handler retries
        assert store.list_accompaniments()[1] == 1
        assert stat.S_IMODE(write_lock_path(store_path(db_url)).stat().st_mode) == 0o600
    finally:
        store.close()


def test_a_writer_that_waits_its_turn_too_long_fails_in_french(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revue.domain.errors import RevueError
    from revue.store import db

    monkeypatch.setattr(db, "FIRST_WAIT_MS", 100)
    monkeypatch.setattr(db, "WRITE_WAIT_LIMIT", 0.5)
    told: list[str] = []
    store = Store.open(db_url, notice=told.append)
    try:
        holder = _revue_writer_holding_its_turn(db_url)
        try:
            with pytest.raises(RevueError) as refused:
                store.add_accompaniment(_entry("trop tard"))
        finally:
            _let_go(holder)
        message = str(refused.value)
        assert "occupées par un autre programme" in message and "rien n'a été modifié" in message
        assert told == [db.WAITING_TO_WRITE]
        store.add_accompaniment(_entry("à son tour"))  # the turn given up is free again
        assert store.list_accompaniments()[1] == 1
    finally:
        store.close()


def _entry(notes: str) -> Content:
    import datetime as dt

    return Content(
        date=dt.date(2021, 3, 1),
        author="Claire Martin",
        modality="collective",
        initiative="team",
        notes=notes,
    )


# --- the WAL emptied at exit ------------------------------------------------------------


def _entries_in_copy(path: Path, folder: Path) -> int:
    """Copy the .sqlite3 file alone (as a user copying "the store" would) and count."""
    folder.mkdir()
    copy = folder / "copie.sqlite3"
    shutil.copy(path, copy)
    conn = sqlite3.connect(copy)
    try:
        return int(conn.execute("SELECT count(*) FROM accompaniments").fetchone()[0])
    finally:
        conn.close()


def test_after_a_merge_the_store_file_alone_holds_everything(
    sample_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "echange.json"
    write_exchange(source)
    rounds = max(3, ROUNDS // 4)
    found = []
    template = tmp_path / "modele.sqlite3"
    shutil.copy(store_path(sample_url), template)
    for n in range(rounds):
        folder = tmp_path / f"round-{n}"
        folder.mkdir()
        path = folder / "revue.sqlite3"
        shutil.copy(template, path)
        command = ["exchange", "import", "--trust", str(source)]
        done = subprocess.run(
            [sys.executable, "-m", "revue", "--db", f"sqlite:///{path}", *command],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
        found.append(_entries_in_copy(path, tmp_path / f"copy-{n}"))
    print(f"\n{rounds} merges of {ENTRIES} entries: the file alone held {found}")
    assert found == [ENTRIES] * rounds


def test_backup_create_output_is_one_self_contained_file(
    sample_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """While another connection keeps the WAL in use (the app open), ``backup create -o``
    writes one file that holds everything, with no -wal beside it."""
    source = tmp_path / "echange.json"
    write_exchange(source)
    store = Store.open(sample_url)  # stays open: its WAL is not emptied meanwhile
    keeper = sqlite3.connect(store_path(sample_url))
    keeper.execute("SELECT count(*) FROM accompaniments").fetchone()
    try:
        assert main(["--db", sample_url, "exchange", "import", "--trust", str(source)]) == 0
        target = tmp_path / "emporter" / "copie.sqlite3"
        target.parent.mkdir()
        assert main(["--db", sample_url, "backup", "create", "-o", str(target)]) == 0
        assert "un seul fichier" in capsys.readouterr().out
    finally:
        keeper.close()
        store.close()
    assert sorted(p.name for p in target.parent.iterdir()) == ["copie.sqlite3"]
    conn = sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT count(*) FROM accompaniments").fetchone()[0] == ENTRIES
    finally:
        conn.close()


def test_backup_create_output_refuses_the_store_itself(
    sample_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = store_path(sample_url)
    before = path.read_bytes()
    assert main(["--db", sample_url, "backup", "create", "-o", str(path)]) == 1
    assert "le fichier de données lui-même" in capsys.readouterr().err
    assert path.read_bytes() == before


async def test_closing_the_app_empties_the_wal(sample_url: str, tmp_path: Path) -> None:
    """A merge made in the app (its checkpoint runs in a thread, off the UI) is in the store
    file alone once the app has closed."""
    from revue.app.factory import make_app
    from revue.formats.exchange import read_exchange
    from tests.helpers import settle

    source = tmp_path / "echange.json"
    write_exchange(source)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.store.merge_versions(read_exchange(source))
        await pilot.press("ctrl+q")
    path = store_path(sample_url)
    assert _entries_in_copy(path, tmp_path / "copie") == ENTRIES


# --- a newer revue's store ----------------------------------------------------------------


def _fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_newer_revue_s_store_is_left_byte_for_byte(
    db_url: str, journal: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(db_url).close()
    path = store_path(db_url)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.close()
    before = _fingerprint(path.parent)
    assert main(["--db", db_url, "contract", "list"]) == 1
    assert "plus récente" in capsys.readouterr().err
    assert main(["--db", db_url, "check"]) == 0  # the check reads without writing
    from revue.app.factory import make_app
    from revue.domain.errors import RevueError

    with pytest.raises(RevueError, match="plus récente"):
        make_app(db_url)
    after = _fingerprint(path.parent)
    assert after == before


def test_check_reads_a_copy_without_changing_it(
    sample_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy made by ``backup create -o`` (rollback journal, not WAL) is checked as it is:
    ``revue check`` does not switch it to WAL nor leave files beside it."""
    folder = tmp_path / "copie"
    folder.mkdir()
    copy = folder / "copie.sqlite3"
    assert main(["--db", sample_url, "backup", "create", "-o", str(copy)]) == 0
    before = _fingerprint(folder)
    assert main(["--db", f"sqlite:///{copy}", "check"]) == 0
    assert "intègre" in capsys.readouterr().out
    assert _fingerprint(folder) == before


# --- symbolic links and other people's files ----------------------------------------------


def test_a_store_that_is_a_symbolic_link_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "autre" / "leur.sqlite3"
    other.parent.mkdir()
    Store.open(f"sqlite:///{other}").close()
    before = _fingerprint(other.parent)
    link = tmp_path / "moi" / "revue.sqlite3"
    link.parent.mkdir()
    link.symlink_to(other)
    url = f"sqlite:///{link}"
    for command in (["contract", "import", str(EPINAY)], ["check"], ["backup", "create"]):
        assert main(["--db", url, *command]) == 1, command
        err = capsys.readouterr().err
        assert "lien symbolique" in err, command
    assert _fingerprint(other.parent) == before


@pytest.mark.skipif(os.getuid() != 0, reason="making another user's file needs root")
def test_another_user_s_store_is_refused(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(db_url).close()
    path = store_path(db_url)
    os.chown(path, 12345, 12345)
    assert main(["--db", db_url, "contract", "list"]) == 1
    assert "appartient à un autre utilisateur" in capsys.readouterr().err


def test_a_backup_folder_that_is_a_symbolic_link_is_not_followed(
    sample_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = store_path(sample_url)
    folder = path.parent / "sauvegardes"
    shutil.rmtree(folder)
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    elsewhere.chmod(0o755)
    folder.symlink_to(elsewhere)
    before = path.read_bytes()
    for command in (
        ["exchange", "import", "--trust", str(CLAIRE)],
        ["backup", "create"],
        ["backup", "list"],
    ):
        assert main(["--db", sample_url, *command]) == 1, command
        err = capsys.readouterr().err
        assert "lien symbolique" in err and "Traceback" not in err, command
    assert list(elsewhere.iterdir()) == []
    assert elsewhere.stat().st_mode & 0o777 == 0o755  # not chmod-ed
    assert path.read_bytes() == before  # the merge did not happen without its backup


def test_foreign_entries_in_the_backup_folder_are_ignored(
    sample_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = store_path(sample_url)
    folder = path.parent / "sauvegardes"
    dangling = folder / "20190101-000000-manuelle.sqlite3"
    dangling.symlink_to(tmp_path / "absent.sqlite3")
    target = tmp_path / "cible.sqlite3"
    target.write_bytes(b"pas une sauvegarde")
    linked = folder / "20190102-000000-manuelle.sqlite3"
    linked.symlink_to(target)
    (folder / "notes.txt").write_text("à moi", encoding="utf-8")
    assert main(["--db", sample_url, "exchange", "import", "--trust", str(CLAIRE)]) == 0
    assert main(["--db", sample_url, "backup", "list"]) == 0
    out = capsys.readouterr().out
    assert "20190101" not in out and "20190102" not in out and "fusion" in out
    for _ in range(25):  # rotation removes old backups, never the links or the other file
        assert main(["--db", sample_url, "backup", "create"]) == 0
    assert dangling.is_symlink() and linked.is_symlink()
    assert target.read_bytes() == b"pas une sauvegarde"
    assert (folder / "notes.txt").exists()
    assert main(["--db", sample_url, "backup", "restore", linked.name]) == 1
    assert "aucune sauvegarde" in capsys.readouterr().err


# --- URLs checked before anything is made --------------------------------------------------


@pytest.mark.parametrize(
    "url", ["sqlite://tmp/x", "sqlite://moi@/x.sqlite3", "sqlite:///x.sqlite3?mode=ro", "nimp://"]
)
@pytest.mark.parametrize("command", [["contract", "list"], ["backup", "create"], ["check"], []])
def test_a_bad_url_creates_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    command: list[str],
) -> None:
    here = tmp_path / "ici"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["--db", url, *command]) != 0
    err = capsys.readouterr().err
    assert err.startswith("revue : ") and "Traceback" not in err
    assert list(here.iterdir()) == []
    assert not (tmp_path / "tmp").exists()
