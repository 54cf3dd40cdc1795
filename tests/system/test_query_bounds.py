"""The walk and the log issue the same number of SQL statements whatever the store's size: no
query per objective, per indicator, per year or per entry (no N+1). Counted with SQLAlchemy's
cursor events while the real screens run; no timing here (see benchmarks/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from textual.widgets import Select

from revue.app import app as app_module
from revue.app.factory import make_app
from revue.app.screens.log import LogScreen
from revue.app.screens.walk import WalkScreen
from revue.domain.contract import stable_uuid
from revue.domain.log import Content, Version
from revue.domain.review import EvidenceSource, ReviewKind, Status
from revue.store.store import Store
from tests.helpers import settle

THIONVILLE = "thionville1-2016-2020"  # its indicators include counts taken from the log
YEARS = ["2016-2017", "2017-2018", "2018-2019", "2019-2020"]


@contextmanager
def counting(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def _fill(url: str, years: int, entries: int) -> None:
    """``years`` reviews with every objective examined, and ``entries`` accompaniments linked
    to the contract's objectives."""
    store = Store.open(url)
    try:
        for year in YEARS[:years]:
            review = store.create_review(THIONVILLE, year, ReviewKind.ANNUAL)
            walk = store.load_walk(review.id)
            for objective in walk.objectives:
                store.save_record(
                    review.id, objective.id, status=Status.IN_PROGRESS, analysis=f"Analyse {year}"
                )
                for indicator in objective.indicators:
                    if indicator.computed is None:
                        store.save_value(review.id, indicator.id, 10.0)
                store.add_evidence(
                    review.id,
                    objective.id,
                    dt.date(int(year[:4]), 10, 1),
                    "Visite",
                    EvidenceSource.VISIT,
                )
        objectives = [
            str(stable_uuid(THIONVILLE, "objective", o.id))
            for o in store.get_contract(THIONVILLE).objectives
        ]
        store.merge_versions(
            [
                Version.first(
                    Content(
                        date=dt.date(2016, 9, 5) + dt.timedelta(days=n % 1400),
                        author=f"CPC {n % 7}",
                        modality=("collective", "individual")[n % 2],
                        initiative="team",
                        schools=("0570001A",),
                        theme=f"Thème {n % 13}",
                        objectives=(objectives[n % len(objectives)],),
                    )
                )
                for n in range(entries)
            ]
        )
    finally:
        store.close()


async def _statements(url: str) -> dict[str, int]:
    """Statements issued by: opening the walk of the last review, moving through three
    objectives, opening the log, filtering it by year and by text."""
    app = make_app(url)
    counts: dict[str, int] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store = app.store
        review = store.list_reviews(THIONVILLE)[-1]
        with counting(store) as statements:
            app.push_screen(WalkScreen(review.id))
            await settle(pilot)
        counts["open the walk"] = len(statements)
        walk = app.screen
        assert isinstance(walk, WalkScreen) and walk.walk is not None
        with counting(store) as statements:
            for _ in range(3):
                await pilot.press("f6")
                await settle(pilot)
        counts["three moves"] = len(statements)
        app.pop_screen()
        await settle(pilot)
        with counting(store) as statements:
            app.push_screen(LogScreen())
            await settle(pilot)
        counts["open the log"] = len(statements)
        screen = app.screen
        assert isinstance(screen, LogScreen)
        with counting(store) as statements:
            screen.query_one("#f-year", Select).value = "2018-2019"
            await settle(pilot)
        counts["filter by year"] = len(statements)
    return counts


@pytest.fixture(autouse=True)
def _no_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's two-second poll of the store would add statements at random moments."""
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600.0)


async def test_statements_do_not_grow_with_the_store(
    sample_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import shutil

    small_dir = tmp_path_factory.mktemp("small")
    large_dir = tmp_path_factory.mktemp("large")
    source = sample_url.removeprefix("sqlite:///")
    small = small_dir / "revue.sqlite3"
    large = large_dir / "revue.sqlite3"
    shutil.copy(source, small)
    shutil.copy(source, large)
    # a previous review in both; more entries than one page of the log in both (a page that
    # holds every match needs no count)
    _fill(f"sqlite:///{small}", years=2, entries=80)
    _fill(f"sqlite:///{large}", years=4, entries=600)
    few = await _statements(f"sqlite:///{small}")
    many = await _statements(f"sqlite:///{large}")
    print(f"\nstatements (small store): {few}\nstatements (large store): {many}")
    assert many == few
    assert many["three moves"] == 0  # moving shows what the walk loaded
    assert all(n <= 30 for n in many.values()), many
