"""Crash safety: processes that are writing are killed (SIGKILL) at random moments, many times.

After each kill the store passes ``PRAGMA integrity_check``, every write acknowledged before the
kill is there, and each import or merge is either whole or absent. The number of rounds can be
raised with REVUE_CRASH_ROUNDS (default 10 per kind); the count is printed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from revue.store.store import Store
from tests.helpers import ENTRIES, write_exchange

ROUNDS = int(os.environ.get("REVUE_CRASH_ROUNDS", "10"))
OBJECTIVES = 400

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def _big_contract(path: Path) -> None:
    parts = [
        'format = "revue-contrat"\nformat_version = 1\nid = "grand"\n'
        'title = "Grand contrat"\ncirconscription = "Ailleurs"\n'
        "start_date = 2019-09-01\nend_date = 2022-08-31\n"
    ]
    for o in range(OBJECTIVES):
        parts.append(
            f'\n[[objectives]]\nid = "o{o}"\ntext = "Objectif {o}"\n'
            f'\n[[objectives.indicators]]\nid = "i{o}"\nlabel = "Taux"\nunit = "%"\n'
            f'target = 80\ntarget_year = "2021-2022"\n'
        )
    path.write_text("".join(parts), encoding="utf-8")


def _template(tmp_path: Path, name: str, *, samples: bool = False) -> Path:
    path = tmp_path / "templates" / f"{name}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(f"sqlite:///{path}")
    if samples:
        from revue.services.demo import demo_files
        from revue.services.imports import import_files

        import_files(store, list(demo_files()))
    store.close()
    return path


def _fresh(template: Path, folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    target = folder / "revue.sqlite3"
    shutil.copy(template, target)
    return target


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)  # opening replays the WAL, as revue would
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _revue(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "revue", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _kill_after(process: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL after ``delay`` seconds; False when the process had already finished."""
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def _finished_in(args: list[str], template: Path, folder: Path) -> float:
    """How long the command takes when left alone: kills are spread over that time."""
    path = _fresh(template, folder)
    start = time.monotonic()
    assert (
        subprocess.run(
            [sys.executable, "-m", "revue", "--db", f"sqlite:///{path}", *args], capture_output=True
        ).returncode
        == 0
    )
    return time.monotonic() - start


def _kill_rounds(
    tmp_path: Path,
    name: str,
    template: Path,
    args: list[str],
    seed: int,
    window: tuple[float, float],
    counts: list[str],
    whole: int,
) -> None:
    """Start ``revue ARGS`` on a fresh copy of ``template`` and SIGKILL it at a random moment
    of ``window`` (fractions of the time it takes alone), ROUNDS times; after each kill the
    store is intact and the ``counts`` queries give all zeros or all ``whole``."""
    duration = _finished_in(args, template, tmp_path / "timing")
    rng = random.Random(seed)
    outcomes = {"absent": 0, "whole": 0}
    kills = 0
    for n in range(ROUNDS):
        path = _fresh(template, tmp_path / f"{name}-{n}")
        process = _revue("--db", f"sqlite:///{path}", *args)
        kills += _kill_after(process, rng.uniform(window[0] * duration, window[1] * duration))
        assert _integrity(path) == "ok"
        found = tuple(_count(path, sql) for sql in counts)
        assert found in ((0,) * len(counts), (whole,) * len(counts)), found
        outcomes["whole" if found[0] else "absent"] += 1
    print(f"\n{name} ({duration:.1f} s alone) killed {kills} times in {ROUNDS} rounds: {outcomes}")
    assert kills > 0


def test_killing_a_contract_import_leaves_it_whole_or_absent(tmp_path: Path) -> None:
    source = tmp_path / "grand.toml"
    _big_contract(source)
    _kill_rounds(
        tmp_path,
        "contract import",
        _template(tmp_path, "empty"),
        ["contract", "import", str(source)],
        seed=6,
        window=(0.05, 1.0),
        counts=["SELECT count(*) FROM objectives", "SELECT count(*) FROM indicators"],
        whole=OBJECTIVES,
    )


def test_killing_a_merge_leaves_it_whole_or_absent(tmp_path: Path) -> None:
    source = tmp_path / "echange.json"
    write_exchange(source)
    _kill_rounds(
        tmp_path,
        "exchange merge",
        _template(tmp_path, "samples", samples=True),
        ["exchange", "import", "--trust", str(source)],
        seed=7,
        window=(0.5, 1.5),
        counts=[
            "SELECT count(*) FROM accompaniments",
            "SELECT count(*) FROM accompaniments WHERE received_at IS NOT NULL",
            "SELECT count(*) FROM accompaniment_schools",
        ],
        whole=ENTRIES,
    )


EDIT_LOOP = """
import sys, uuid
from revue.store.store import Store
store = Store.open(sys.argv[1], author="Anne")
review = uuid.UUID(sys.argv[2])
walk = store.load_walk(review)
objectives = walk.objectives
i = 0
while True:
    i += 1
    objective = objectives[i % len(objectives)]
    store.save_record(review, objective.id, analysis=f"version {i}", status="en-cours")
    if objective.indicators:
        store.save_value(review, objective.indicators[0].id, float(i))
    print(i, objective.id, flush=True)
"""


def test_killing_review_edits_loses_no_acknowledged_write(tmp_path: Path) -> None:
    from revue.domain.review import ReviewKind

    template = _template(tmp_path, "samples", samples=True)
    store = Store.open(f"sqlite:///{template}")
    review = store.create_review("epinay-2018-2020", "2018-2019", ReviewKind.ANNUAL)
    store.close()
    rng = random.Random(8)
    acknowledged_total = 0
    for n in range(ROUNDS):
        path = _fresh(template, tmp_path / f"edit-{n}")
        process = subprocess.Popen(
            [sys.executable, "-c", EDIT_LOOP, f"sqlite:///{path}", str(review.id)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        wanted = rng.randint(5, 120)
        acknowledged: dict[str, int] = {}
        last = 0
        for line in process.stdout:  # a write is acknowledged once its call returned
            number, objective = line.split()
            last = int(number)
            acknowledged[objective] = last
            if last >= wanted:
                break
        time.sleep(rng.uniform(0, 0.05))  # land anywhere in the next writes
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert last >= wanted, "the writer died on its own"
        acknowledged_total += last
        assert _integrity(path) == "ok"
        check = Store.open(f"sqlite:///{path}")
        try:
            walk = check.load_walk(review.id)
            for objective, number in acknowledged.items():
                analysis = walk.records[objective].analysis
                assert int(analysis.removeprefix("version ")) >= number
                history = check.objective_history(review.id, objective)
                # Kept as such, or within a later version that only added text to it.
                assert any(h.content["analysis"].startswith(f"version {number}") for h in history)
        finally:
            check.close()
    print(f"\nreview edits killed {ROUNDS} times after {acknowledged_total} acknowledged writes")
