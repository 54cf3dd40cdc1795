"""Runs inside a fresh process for benchmarks/run.py; prints one JSON line.

    _driver.py bare SPAWNED_AT              a bare Textual app (SQLAlchemy imported, empty table)
    _driver.py startup SPAWNED_AT STORE     revue on STORE until the contract list is shown
    _driver.py app STORE CONTRACT           open the contract, walk, log filters, peak memory

STORE is a SQLite file or a database URL (``postgresql+psycopg://…``).

Start-up is timed from SPAWNED_AT (the parent's clock just before it started this process) to
the moment the first screen is painted and usable, so that what happens after (the integrity
check revue runs in the background, the interpreter's exit) does not count.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

SIZE = (120, 40)


async def _until(pilot, condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``condition()`` holds, then paint the screen."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.001)
    _paint(pilot.app)


def _paint(app) -> None:  # type: ignore[no-untyped-def]
    """Lay the screen out and render all of it to the (headless) display now, once: what a
    user waits for, without the test harness's idle waits.

    Textual's layout pass renders, when its screen is shown, the regions marked as changed;
    the whole screen is marked first, so that this one pass renders it whole. (Until
    2026-12-02 the whole screen was rendered again after that pass: in moves that changed
    the layout, the changed part was rendered twice, which no refresh of the app does — see
    docs/performance.md.)"""
    screen = app.screen
    screen._compositor._dirty_regions.add(app.size.region)
    screen._refresh_layout(app.size)


def _url(store: str) -> str:
    """STORE is a SQLite file, or a database URL (benchmarks/postgresql.py)."""
    return store if "://" in store else f"sqlite:///{store}"


async def bare(spawned_at: float) -> dict[str, object]:
    import sqlalchemy  # noqa: F401 - the reference imports what revue's store needs
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            self.query_one(DataTable).add_columns("Circonscription", "Période", "Titre")

    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ready = time.time()
    return {"ready_ms": (ready - spawned_at) * 1000}


async def startup(spawned_at: float, store: str) -> dict[str, object]:
    from textual.widgets import DataTable

    from revue.app.factory import make_app
    from revue.app.screens.contracts import ContractsScreen

    app = make_app(_url(store))
    async with app.run_test(size=SIZE) as pilot:
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ContractsScreen)
                and app.screen.query_one(DataTable).row_count > 0
            ),
        )
        ready = time.time()
        app.workers.cancel_all()
    return {"ready_ms": (ready - spawned_at) * 1000}


async def app_session(store: str, contract: str) -> dict[str, object]:
    from textual.widgets import DataTable, Input, Select, Tree

    from revue.app.factory import make_app
    from revue.app.screens.contract import ContractScreen
    from revue.app.screens.contracts import ContractsScreen
    from revue.app.screens.log import LogScreen
    from revue.app.screens.walk import WalkScreen

    app = make_app(_url(store))
    out: dict[str, list[float]] = {
        "open_contract_ms": [],
        "next_objective_ms": [],
        "next_objective_press_ms": [],
        "log_filter_year_ms": [],
        "log_filter_text_ms": [],
    }
    async with app.run_test(size=SIZE) as pilot:
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ContractsScreen)
                and app.screen.query_one(DataTable).row_count > 0
            ),
        )
        await app.workers.wait_for_complete()  # the integrity check at start

        for _ in range(3):  # the contract's tree
            start = time.perf_counter()
            app.open_contract(contract)
            await _until(
                pilot,
                lambda: (
                    isinstance(app.screen, ContractScreen)
                    and bool(app.screen.query(Tree))
                    and len(app.screen.query_one(Tree).root.children) > 0
                ),
            )
            out["open_contract_ms"].append((time.perf_counter() - start) * 1000)
            app.pop_screen()
            await pilot.pause()

        review = app.store.list_reviews(contract)[-1]
        app.push_screen(WalkScreen(review.id))
        await _until(
            pilot, lambda: isinstance(app.screen, WalkScreen) and app.screen.walk is not None
        )
        walk = app.screen
        assert isinstance(walk, WalkScreen) and walk.walk is not None
        count = len(walk.walk.objectives)
        for move in range(200):  # forward to the end, then back: what F6 and F5 run
            forward = (move // (count - 1)) % 2 == 0
            start = time.perf_counter()
            await (walk.action_next() if forward else walk.action_previous())
            _paint(app)
            out["next_objective_ms"].append((time.perf_counter() - start) * 1000)
            await pilot.pause()  # let the app catch up with its own messages
        for _ in range(20):  # through the harness, key press included, for comparison
            start = time.perf_counter()
            await pilot.press("f6")
            await pilot.pause()
            out.setdefault("next_objective_press_ms", []).append(
                (time.perf_counter() - start) * 1000
            )
        app.pop_screen()
        await pilot.pause()

        app.push_screen(LogScreen())
        await _until(pilot, lambda: isinstance(app.screen, LogScreen) and app.screen.rows)
        log = app.screen
        assert isinstance(log, LogScreen)

        async def filtered(change) -> float:  # type: ignore[no-untyped-def]
            before = log.rows
            start = time.perf_counter()
            change()
            await _until(pilot, lambda: log.rows is not before)
            return (time.perf_counter() - start) * 1000

        for year in ("2019-2020", "2020-2021", "2021-2022", "2018-2019"):
            out["log_filter_year_ms"].append(
                await filtered(lambda y=year: setattr(log.query_one("#f-year", Select), "value", y))
            )
        log.query_one("#f-year", Select).clear()
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        for text in ("fluence", "calcul mental", "conseil", "projet d'école"):
            out["log_filter_text_ms"].append(
                await filtered(lambda t=text: setattr(log.query_one("#f-text", Input), "value", t))
            )
        app.workers.cancel_all()
    result: dict[str, object] = dict(out)
    result["log_filter_ms"] = out["log_filter_year_ms"] + out["log_filter_text_ms"]
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> None:
    mode = sys.argv[1]
    if mode == "bare":
        result = asyncio.run(bare(float(sys.argv[2])))
    elif mode == "startup":
        result = asyncio.run(startup(float(sys.argv[2]), sys.argv[3]))
    else:
        result = asyncio.run(app_session(sys.argv[2], sys.argv[3]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
