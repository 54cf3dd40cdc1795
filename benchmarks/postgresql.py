"""Measure revue's department store on PostgreSQL beside SQLite (issue 18).

    python benchmarks/postgresql.py [--db URL] [--store PATH] [--seconds 60] [--writers 20]
                                    [--pace 0.75] [--only app,merge,writers] [--empty]

``--db``: an empty PostgreSQL database to fill (its rows are replaced); without it a throw-away
server is started on localhost (tests/postgres.py: initdb and pg_ctl, as the tests do). The
department store (benchmarks/make_store.py, built if missing) is copied into it with
``revue store copy``'s code, then, on both engines:

- the app on the largest contract (benchmarks/_driver.py: open, 200 moves in the walk, log
  filters), as benchmarks/run.py measures it;
- the 10,000-entry exchange merged, then merged again;
- ``--writers`` processes saving accompaniments for ``--seconds`` at once: each save's time,
  and every save reported done looked for afterwards (lost = reported but not found). Twice:
  in a closed loop (each writer saves again as soon as its save returns: the heaviest load,
  where a save's time is mostly its place in the queue), then paced (each writer saves once
  every ``--pace`` seconds, on a fixed schedule whatever its saves cost, the writers' phases
  spread over the interval: a heavy but human rate). ``--pace 0``: the closed loop only.

``--only`` runs some of the three measures; ``--empty`` measures on new, empty stores instead
of the department store (quicker, to compare changes while developing; not the figures of
docs/performance.md).

Prints one table; writes nothing (benchmarks/results.json is benchmarks/run.py's). Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from make_store import CACHE, build, contract_id  # noqa: E402

DRIVER = HERE / "_driver.py"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_app(url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(DRIVER), "app", url, contract_id(0)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def merge_twice(url: str, exchange: Path) -> tuple[float, float]:
    from revue.formats.exchange import read_exchange
    from revue.store.store import Store

    store = Store.open(url)
    try:
        start = time.perf_counter()
        report = store.merge_versions(read_exchange(exchange))
        first = time.perf_counter() - start
        assert report.added == 10_000, report
        start = time.perf_counter()
        report = store.merge_versions(read_exchange(exchange))
        again = time.perf_counter() - start
        assert report.unchanged == 10_000, report
    finally:
        store.close()
    return first, again


def _writer(
    url: str, n: int, seconds: float, pace: float, barrier: Any, out: Any, count: int
) -> None:
    from revue.domain.log import Content
    from revue.store.store import Store

    store = Store.open(url, author=f"Écrivain {n}")
    times: list[float] = []
    saved: list[str] = []
    errors: list[str] = []
    try:
        barrier.wait(120)
        begin = time.monotonic()
        deadline = begin + seconds
        k = 0
        while time.monotonic() < deadline:
            if pace:  # open loop: the k-th save is due at a fixed time, late or not
                due = begin + pace * (k + n / count)
                if due >= deadline:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
            note = f"banc{'cadence' if pace else 'boucle'} {n}-{k}"
            start = time.perf_counter()
            try:
                store.add_accompaniment(
                    Content(
                        date=dt.date(2021, 3, 1),
                        author=f"Écrivain {n}",
                        modality="collective",
                        initiative="team",
                        theme="Banc d'essai",
                        notes=note,
                    )
                )
                times.append(time.perf_counter() - start)
                saved.append(note)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            k += 1
    finally:
        store.close()
    out.put((times, saved, errors))


def writers(url: str, count: int, seconds: float, pace: float = 0.0) -> dict[str, Any]:
    from revue.domain.log import LogFilter
    from revue.store.store import Store

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(count)
    out = context.Queue()
    processes = [
        context.Process(target=_writer, args=(url, n, seconds, pace, barrier, out, count))
        for n in range(count)
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join()
    times = [t for r in results for t in r[0]]
    saved = {note for r in results for note in r[1]}
    errors = [e for r in results for e in r[2]]
    store = Store.open(url)
    try:
        found_versions, _total = store.list_accompaniments(
            LogFilter(text=f"banc{'cadence' if pace else 'boucle'} "), limit=len(saved) + 1000
        )
        found = {v.content.notes for v in found_versions}
    finally:
        store.close()
    return {
        "saves": len(times),
        "lost": len(saved - found),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "save_p50_ms": statistics.median(times) * 1000,
        "save_p95_ms": p95(times) * 1000,
    }


def copy_into(source: Path, url: str) -> float:
    from sqlalchemy import delete

    from revue.store.archive import copy_rows, tables
    from revue.store.db import write_session
    from revue.store.store import Store

    src = Store.open(f"sqlite:///{source}")
    dst = Store.open(url)
    try:
        with write_session(dst.engine) as session:  # --db may be a used database
            for table in reversed(tables()):
                session.execute(delete(table))
        start = time.perf_counter()
        copy_rows(src.engine, dst.engine, replace=False)
        took = time.perf_counter() - start
        # A server's tables as autovacuum leaves them shortly after a load: statistics and the
        # visibility map (index-only counts) up to date, as they are for anyone who works on
        # the database, not for the first minute after a bulk copy.
        with dst.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
        return took
    finally:
        src.close()
        dst.close()


def holds_copy_of(source: Path, url: str) -> bool:
    """True when the database at ``url`` already holds as many rows of each table as the
    store at ``source`` (a copy made by an earlier run: copying 600,000 entries takes
    minutes)."""
    from revue.store.archive import row_counts
    from revue.store.store import Store

    src, dst = Store.open(f"sqlite:///{source}"), Store.open(url)
    try:
        with src.engine.connect() as a, dst.engine.connect() as b:
            return row_counts(a) == row_counts(b)
    finally:
        src.close()
        dst.close()


@contextmanager
def database(db: str | None) -> Iterator[tuple[str, Path]]:
    """The PostgreSQL database to measure (``db``, or a new one on a throw-away server started
    on localhost as the tests do) and a scratch folder, both gone afterwards."""
    server = None
    folder = Path(tempfile.mkdtemp(prefix="revue-bench-"))
    try:
        url = db
        if url is None:
            from tests.postgres import Server, why_unavailable

            reason = why_unavailable()
            if reason:
                sys.exit(f"no PostgreSQL here: {reason}")
            folder.chmod(0o711)
            server = Server.start(folder / "server", durable=True)
            url = server.url(server.new_database())
        yield url, folder
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def compare_academie(db: str | None, store: Path, runs: int) -> None:
    """The académie measures (benchmarks/run.py --academie) on SQLite and on PostgreSQL
    (``db``, reused if it already holds this store, else filled; or a throw-away server)."""
    from run import academie_rows, measure_academie, print_academie, reference_ms

    with database(db) as (url, _folder):
        copied = None
        if not holds_copy_of(store, url):
            print("… copy into PostgreSQL", file=sys.stderr)
            copied = copy_into(store, url)
        reference = statistics.median(reference_ms() for _ in range(7))
        columns = {}
        for name, target in (("SQLite", str(store)), ("PostgreSQL", url)):
            print(f"… {name}", file=sys.stderr)
            columns[name] = academie_rows(measure_academie(target, runs), reference)
    if copied is not None:
        print(f"copie dans PostgreSQL (vérifiée) : {copied:.1f} s")
    print_academie(columns, reference)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty PostgreSQL database (default: a throw-away one)")
    parser.add_argument("--store", type=Path, default=CACHE / "departement.sqlite3")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument(
        "--pace", type=float, default=0.75, help="seconds between a paced writer's saves (0: none)"
    )
    parser.add_argument("--only", default="app,merge,writers", help="app, merge, writers")
    parser.add_argument("--empty", action="store_true", help="new empty stores (development)")
    args = parser.parse_args()
    if not args.store.exists():
        build(args.store, 2026)
    compare(
        args.db,
        args.store,
        seconds=args.seconds,
        count=args.writers,
        pace=args.pace,
        only=set(args.only.split(",")),
        empty=args.empty,
    )


def compare(
    db: str | None,
    store: Path,
    *,
    seconds: float = 60.0,
    count: int = 20,
    pace: float = 0.75,
    only: set[str] | None = None,
    empty: bool = False,
) -> None:
    """Measure the store at ``store`` on SQLite and, copied there, on PostgreSQL (``db``, or a
    throw-away server); print the table. ``only``: some of app, merge, writers; ``empty``: on
    new empty stores instead."""
    only = only or {"app", "merge", "writers"}
    with database(db) as (url, folder):
        from run import reference_ms

        reference = statistics.median(reference_ms() for _ in range(7))
        rows: dict[str, dict[str, Any]] = {"sqlite": {}, "postgresql": {}}
        work = folder / "sqlite"
        work.mkdir()
        copy = work / "revue.sqlite3"
        if not empty:
            print("… copy into PostgreSQL", file=sys.stderr)
            rows["postgresql"]["store_copy_s"] = copy_into(store, url)
            shutil.copy(store, copy)
        urls = {"sqlite": f"sqlite:///{copy}", "postgresql": url}
        for engine, target in urls.items():
            if "app" in only:
                print(f"… app on {engine}", file=sys.stderr)
                app = run_app(target)
                rows[engine]["open_contract_ms"] = statistics.median(app["open_contract_ms"])
                rows[engine]["next_objective_p95_ms"] = p95(app["next_objective_ms"])
                rows[engine]["log_filter_ms"] = statistics.median(app["log_filter_ms"])
            if "merge" in only:
                print(f"… merges on {engine}", file=sys.stderr)
                first, again = merge_twice(target, store.with_name("echange-10000.json"))
                rows[engine]["merge_10000_s"] = first
                rows[engine]["remerge_10000_s"] = again
            if "writers" in only:
                print(f"… {count} writers for {seconds:.0f} s on {engine}", file=sys.stderr)
                rows[engine].update(writers(target, count, seconds))
                if pace:
                    print(f"… paced: one save every {pace} s each", file=sys.stderr)
                    paced = writers(target, count, seconds, pace)
                    rows[engine].update({f"paced_{k}": v for k, v in paced.items()})
    keys = [k for k in rows["postgresql"] if not k.endswith("first_error")]
    keys += [k for k in rows["sqlite"] if k not in keys and not k.endswith("first_error")]
    after = statistics.median(reference_ms() for _ in range(7))
    print(
        f"\nréférence (tri de 300 000 nombres, benchmarks/run.py) : {reference:.1f} ms au début, "
        f"{after:.1f} ms à la fin"
    )
    print(f"{'mesure':<24}{'SQLite':>12}{'PostgreSQL':>12}")
    for key in keys:
        cells = [rows[e].get(key) for e in ("sqlite", "postgresql")]
        text = [f"{c:>12.3f}" if isinstance(c, float) else f"{c!s:>12}" for c in cells]
        print(f"{key:<24}{''.join(text)}")
    for engine in rows:
        for key in ("first_error", "paced_first_error"):
            if rows[engine].get(key):
                print(f"{engine}: {key.replace('_', ' ')}: {rows[engine][key]}")


if __name__ == "__main__":
    main()
