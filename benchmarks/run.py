"""Measure revue on a department-size store (benchmarks/make_store.py builds it if missing).

Prints one table (median, min, max, ratio to the in-run reference, goal) and writes
benchmarks/results.json. Absolute times drift on shared machines, so every time is also given
as a ratio to a reference measured in the same run: start-up against a bare Textual app that
imports SQLAlchemy and shows an empty table; the command line (``revue --version``, ``revue
contract list``, ``revue bilan ID --format md``) against ``python -c "import sqlalchemy"``;
everything else against a fixed CPU workload (``reference_ms``: sorting 300,000 floats and
summing them, in this process).

    python benchmarks/run.py [--quick] [--only NAME] [--store PATH]
    python benchmarks/run.py --db postgresql|URL     (benchmarks/postgresql.py)
    python benchmarks/run.py --academie [--db postgresql|URL] [--quick]

Not a test: nothing here fails on a slow machine; read the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from make_store import (  # noqa: E402
    ACADEMIE_STORE,
    CACHE,
    academie_contract_id,
    build,
    build_academie,
    contract_id,
)

GOALS = {
    "startup_ratio": ("≤ 1.3", 1.3),
    "cli_contract_list_ratio": ("≤ 1.5", 1.5),
    "open_contract_ms": ("", None),
    "next_objective_p95_ms": ("≤ 30 ms", 30.0),
    "log_filter_ms": ("≤ 100 ms", 100.0),
    "cli_bilan_md_sample_s": ("≤ 0.8 s", 0.8),
    "bilan_odt_s": ("≤ 1.5 s", 1.5),
    "exchange_import_s": ("≤ 1 s", 1.0),
    "exchange_reimport_s": ("≤ 0.5 s", 0.5),
    "peak_rss_mb": ("≤ 150 Mo", 150.0),
    "department_300_s": ("≤ 3 s", 3.0),
}

DRIVER = HERE / "_driver.py"


def reference_ms() -> float:
    """A fixed CPU workload, to express times as ratios on a drifting machine."""
    rng = random.Random(1)
    data = [rng.random() for _ in range(300_000)]
    start = time.perf_counter()
    sum(sorted(data))
    return (time.perf_counter() - start) * 1000


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "p95": p95,
        "runs": len(ordered),
    }


def driver(*args: str) -> dict[str, float]:
    """Run benchmarks/_driver.py in a fresh process; returns what it printed (JSON) plus the
    whole process's wall time and peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(DRIVER), *args], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_ms"] = wall * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["children_max_rss_kb"] = max(before, after)
    return result


# --- measures ----------------------------------------------------------------------------------


def measure_startup(store: Path | str, runs: int) -> dict[str, object]:
    """Process start → first screen painted and usable, revue vs a bare Textual app."""
    revue, bare = [], []
    for _ in range(runs):
        bare.append(driver("bare", repr(time.time()))["ready_ms"])
        revue.append(driver("startup", repr(time.time()), str(store))["ready_ms"])
    ratios = [r / b for r, b in zip(revue, bare, strict=True)]
    return {"revue_ms": summary(revue), "bare_ms": summary(bare), "ratio": summary(ratios)}


def measure_app(store: Path | str, runs: int, contract: str = contract_id(0)) -> dict[str, object]:
    """Open the largest contract, 200 moves in the walk, log filters, peak memory."""
    samples: dict[str, list[float]] = {}
    rss = []
    for _ in range(runs):
        result = driver("app", str(store), contract)
        for key, value in result.items():
            if isinstance(value, list):
                samples.setdefault(key, []).extend(value)
        rss.append(result["peak_rss_mb"])
    out: dict[str, object] = {key: summary(values) for key, values in samples.items()}
    out["peak_rss_mb"] = summary(rss)
    return out


def _timed(runs: int, action: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def measure_bilan(store: Path, runs: int) -> dict[str, object]:
    from revue.bilan.data import render_toml
    from revue.bilan.odt import save_odt
    from revue.services.bilan import build_bilan
    from revue.store.store import Store

    opened = Store.open(f"sqlite:///{store}")
    try:
        with tempfile.TemporaryDirectory() as work:
            target = Path(work) / "bilan.odt"
            gather = _timed(runs, lambda: build_bilan(opened, contract_id(0)))
            bilan = build_bilan(opened, contract_id(0))
            # The writing itself: the table of contents' page count by LibreOffice (when it
            # is installed) is LibreOffice's time, not revue's.
            odt = _timed(runs, lambda: save_odt(bilan, target, paginate=False))
            toml = _timed(runs, lambda: render_toml(bilan))
            whole = _timed(
                runs,
                lambda: save_odt(build_bilan(opened, contract_id(0)), target, paginate=False),
            )
    finally:
        opened.close()
    return {
        "gather_s": summary(gather),
        "odt_s": summary(odt),
        "toml_s": summary(toml),
        "odt_whole_s": summary(whole),
        "objectives": len(bilan.objectives),
    }


def measure_exchange(store: Path, runs: int) -> dict[str, object]:
    """Import the 10,000-entry file into a copy of the store, then import it again."""
    from revue.formats.exchange import read_exchange
    from revue.store.store import Store

    source = store.with_name("echange-10000.json")
    first, again, backups = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as work:
            copy = Path(work) / "revue.sqlite3"
            shutil.copy(store, copy)
            opened = Store.open(f"sqlite:///{copy}")
            try:
                start = time.perf_counter()
                opened.backup("manuelle")
                backups.append(time.perf_counter() - start)
                start = time.perf_counter()
                report = opened.merge_versions(read_exchange(source))
                first.append(time.perf_counter() - start)
                assert report.added == 10_000, report
                start = time.perf_counter()
                report = opened.merge_versions(read_exchange(source))
                again.append(time.perf_counter() - start)
                assert report.unchanged == 10_000, report
            finally:
                opened.close()
    return {"import_s": summary(first), "reimport_s": summary(again), "backup_s": summary(backups)}


#: The command line as a user runs it (what the ``revue`` console script does), and the reference
#: it is measured against in the same run: importing SQLAlchemy, which any command on the store
#: needs, in a bare interpreter.
CLI = ("-c", "import sys; from revue.cli.main import main; sys.exit(main())")
CLI_REFERENCE = ("-c", "import sqlalchemy")


def _process_ms(*args: str) -> float:
    """Wall time of ``python ARGS`` in a fresh process, which must succeed."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False)
    wall = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{args}: {done.stderr[-2000:]}")
    return wall


def sample_store(folder: Path) -> Path:
    """The samples with the Épinay contract's annual review of 2018-2019 closed: what
    ``revue bilan epinay-2018-2020 --format md`` is timed on (issue #14: ≤ 0.8 s)."""
    from revue.domain.review import ReviewKind, Status
    from revue.services.demo import demo_files
    from revue.services.imports import import_files
    from revue.store.store import Store

    path = folder / "echantillon.sqlite3"
    store = Store.open(f"sqlite:///{path}")
    try:
        import_files(store, list(demo_files()))
        review = store.create_review("epinay-2018-2020", "2018-2019", ReviewKind.ANNUAL)
        for objective in store.load_walk(review.id).objectives[:10]:
            store.save_record(review.id, objective.id, status=Status.IN_PROGRESS)
        store.close_review(review.id)
    finally:
        store.close()
    return path


def measure_cli(store: Path, runs: int) -> dict[str, object]:
    """Process start → exit of ``revue --version``, ``revue contract list``, ``revue bilan
    ID --format md`` (the largest contract's last review, open) and the same for the samples'
    closed review, each run against a fresh ``python -c "import sqlalchemy"`` measured just
    before it."""
    db = ("--db", f"sqlite:///{store}")
    work = Path(tempfile.mkdtemp(prefix="revue-bench-"))
    sample = ("--db", f"sqlite:///{sample_store(work)}")
    commands = {
        "version": ("--version",),
        "contract_list": (*db, "contract", "list"),
        "bilan_md": (*db, "bilan", contract_id(0), "--format", "md"),
        "bilan_md_sample": (*sample, "bilan", "epinay-2018-2020", "--format", "md"),
    }
    _process_ms(*CLI, *commands["contract_list"])  # warm the OS's file cache
    reference: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in commands}
    ratios: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs * 2):  # short runs: twice as many samples as the other measures
        for name, args in commands.items():
            base = _process_ms(*CLI_REFERENCE)
            took = _process_ms(*CLI, *args)
            reference.append(base)
            times[name].append(took)
            ratios[name].append(took / base)
    shutil.rmtree(work, ignore_errors=True)
    out: dict[str, object] = {"reference_ms": summary(reference)}
    for name in commands:
        out[f"{name}_ms"] = summary(times[name])
        out[f"{name}_ratio"] = summary(ratios[name])
    return out


def measure_department(store: Path, runs: int) -> dict[str, object]:
    """The DSDEN's consolidation of 300 fictitious bilan files (100 circonscriptions, 3
    years; tools/fictitious_bilans.py): reading them all and writing the consolidated TOML."""
    import importlib.util

    from revue.department.consolidate import consolidate
    from revue.department.writers import render_toml

    spec = importlib.util.spec_from_file_location(
        "fictitious_bilans", HERE.parent / "tools" / "fictitious_bilans.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with tempfile.TemporaryDirectory() as work:
        files = tool.write_bilans(Path(work), circonscriptions=100, years=3, complete=True)
        assert len(files) == 300, len(files)
        read = _timed(runs, lambda: consolidate([work]))
        whole = _timed(runs, lambda: render_toml(consolidate([work])))
    return {"read_s": summary(read), "whole_s": summary(whole), "files": len(files)}


def measure_academie(store: Path | str, runs: int) -> dict[str, object]:
    """The académie-size store (make_store.py --academie): start-up to the list of its 300
    contracts, and the app session on its 120-objective contract (walk, log filters over
    600,000 entries)."""
    return {
        "startup": measure_startup(store, runs),
        "app": measure_app(store, runs, academie_contract_id(0)),
    }


def academie_rows(details: dict[str, Any], ref: float) -> dict[str, tuple[float, float | None]]:
    """(value, ratio to the CPU reference) of the académie measures; start-up is already a
    ratio (to the bare Textual app)."""
    app = details["app"]
    rows: dict[str, tuple[float, float | None]] = {
        "startup_ratio": (details["startup"]["ratio"]["median"], None),
        "startup_ms": (details["startup"]["revue_ms"]["median"], None),
    }
    for key, source, stat in (
        ("open_contract_ms", "open_contract_ms", "median"),
        ("next_objective_p50_ms", "next_objective_ms", "median"),
        ("next_objective_p95_ms", "next_objective_ms", "p95"),
        ("log_filter_ms", "log_filter_ms", "median"),
        ("log_filter_year_ms", "log_filter_year_ms", "median"),
        ("log_filter_text_ms", "log_filter_text_ms", "median"),
        ("log_filter_max_ms", "log_filter_ms", "max"),
    ):
        value = app[source][stat]
        rows[key] = (value, value / ref)
    rows["peak_rss_mb"] = (app["peak_rss_mb"]["median"], None)
    return rows


ACADEMIE_GOALS = {
    "next_objective_p95_ms": "≤ 30 ms",
    "log_filter_ms": "≤ 150 ms",
    "startup_ratio": "≤ 1.3",
}


def print_academie(columns: dict[str, dict[str, tuple[float, float | None]]], ref: float) -> None:
    print(f"\nréférence (tri de 300 000 nombres) : {ref:.1f} ms")
    print("magasin d'académie : 300 contrats, 600 000 accompagnements (valeur [ratio])")
    names = list(columns)
    print(f"{'mesure':<24}" + "".join(f"{n:>22}" for n in names) + "  objectif")
    for key in next(iter(columns.values())):
        cells = []
        for name in names:
            value, ratio = columns[name][key]
            cells.append(f"{value:>12.1f}" + (f" [{ratio:5.2f}]" if ratio is not None else " " * 8))
        print(
            f"{key:<24}" + "".join(f"{c:>22}" for c in cells) + f"  {ACADEMIE_GOALS.get(key, '')}"
        )


MEASURES = {
    "startup": measure_startup,
    "cli": measure_cli,
    "app": measure_app,
    "bilan": measure_bilan,
    "exchange": measure_exchange,
    "department": measure_department,
}


def run_academie(db: str | None, runs: int) -> None:
    """``--academie``: on SQLite, or with ``--db`` on both engines; prints its table."""
    if not ACADEMIE_STORE.exists():
        build_academie(ACADEMIE_STORE, 2026)
    if db:
        import postgresql

        postgresql.compare_academie(None if db == "postgresql" else db, ACADEMIE_STORE, runs)
        return
    reference = statistics.median(reference_ms() for _ in range(7))
    details = measure_academie(ACADEMIE_STORE, runs)
    print_academie({"SQLite": academie_rows(details, reference)}, reference)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--only", choices=sorted(MEASURES), action="append")
    parser.add_argument("--store", type=Path, default=CACHE / "departement.sqlite3")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="postgresql: the department store on PostgreSQL beside SQLite instead "
        "(benchmarks/postgresql.py; a PostgreSQL URL of an empty database, or 'postgresql' "
        "for a throw-away server)",
    )
    parser.add_argument(
        "--academie",
        action="store_true",
        help="the académie-size store (300 contracts, 600,000 accompaniments; "
        "make_store.py --academie): start-up, walk, log filters; with --db, on both engines. "
        "Prints its table, writes nothing",
    )
    args = parser.parse_args()
    runs = 2 if args.quick else 5
    if args.academie:
        run_academie(args.db, runs)
        return
    if not args.store.exists():
        build(args.store, 2026)
    if args.db:
        import postgresql

        postgresql.compare(None if args.db == "postgresql" else args.db, args.store)
        return
    reference = summary([reference_ms() for _ in range(7)])
    details: dict[str, object] = {}
    for name in args.only or list(MEASURES):
        print(f"… {name}", file=sys.stderr)
        details[name] = MEASURES[name](args.store, runs)
    ref = reference["median"]
    results: dict[str, object] = {"reference_ms": reference, "details": details}
    rows: list[tuple[str, dict[str, float], float, str]] = []

    def add(key: str, stats: dict[str, float], scale: float, ratio_base: float | None) -> None:
        scaled = {k: v * scale if k != "runs" else v for k, v in stats.items()}
        value = scaled["p95"] if key.endswith("_p95_ms") else scaled["median"]
        results[key] = round(value, 3)
        ratio = (value / ratio_base) if ratio_base else value
        results[f"{key}_ratio"] = round(ratio, 2)
        rows.append((key, scaled, ratio, GOALS.get(key, ("", None))[0]))

    if "startup" in details:
        startup = details["startup"]
        add("startup_ratio", startup["ratio"], 1, None)  # already a ratio to the bare app
        results["startup_ms"] = round(startup["revue_ms"]["median"], 1)
        results["startup_bare_ms"] = round(startup["bare_ms"]["median"], 1)
    if "cli" in details:
        cli = details["cli"]
        for name in ("contract_list", "version", "bilan_md", "bilan_md_sample"):
            add(f"cli_{name}_ratio", cli[f"{name}_ratio"], 1, None)  # to import sqlalchemy
            results[f"cli_{name}_ms"] = round(cli[f"{name}_ms"]["median"], 1)
        add("cli_bilan_md_sample_s", cli["bilan_md_sample_ms"], 1 / 1000, None)
        results["cli_reference_ms"] = round(cli["reference_ms"]["median"], 1)
    if "app" in details:
        app = details["app"]
        add("open_contract_ms", app["open_contract_ms"], 1, ref)
        add("next_objective_p50_ms", app["next_objective_ms"], 1, ref)
        add("next_objective_p95_ms", app["next_objective_ms"], 1, ref)
        add("next_objective_press_p95_ms", app["next_objective_press_ms"], 1, ref)
        add("log_filter_ms", app["log_filter_ms"], 1, ref)
        add("log_filter_year_ms", app["log_filter_year_ms"], 1, ref)
        add("log_filter_text_ms", app["log_filter_text_ms"], 1, ref)
        add("peak_rss_mb", app["peak_rss_mb"], 1, None)
    if "bilan" in details:
        bilan = details["bilan"]
        add("bilan_odt_s", bilan["odt_whole_s"], 1, ref / 1000)
        add("bilan_toml_s", bilan["toml_s"], 1, ref / 1000)
    if "exchange" in details:
        exchange = details["exchange"]
        add("exchange_import_s", exchange["import_s"], 1, ref / 1000)
        add("exchange_reimport_s", exchange["reimport_s"], 1, ref / 1000)
        add("backup_before_merge_s", exchange["backup_s"], 1, ref / 1000)
    if "department" in details:
        add("department_300_s", details["department"]["whole_s"], 1, ref / 1000)
    results["machine"] = {
        "python": platform.python_version(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu": _cpu_name(),
        "store_mb": round(args.store.stat().st_size / 1e6),
    }
    print(f"\nréférence (tri de 300 000 nombres) : {ref:.1f} ms")
    print("(valeur : la médiane des essais, ou le 95e centile pour les clés en _p95)")
    print(f"{'mesure':<26}{'valeur':>11}{'min':>11}{'max':>11}{'ratio':>9}  objectif")
    for key, stats, ratio, goal in rows:
        value = stats["p95"] if key.endswith("_p95_ms") else stats["median"]
        print(
            f"{key:<26}{value:>11.3f}{stats['min']:>11.3f}{stats['max']:>11.3f}"
            f"{ratio:>9.2f}  {goal}"
        )
    out = HERE / "results.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\n{out} écrit.")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
