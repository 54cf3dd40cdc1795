"""The history screen from the walk (F4) and from the log (h): see the versions, restore one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, TextArea

from revue.app.factory import make_app
from revue.app.screens.history import HistoryScreen
from revue.app.screens.log import LogScreen
from revue.app.screens.walk import WalkScreen
from revue.domain.log import Content
from revue.domain.review import ReviewKind, Status
from revue.store.models import HistoryRow
from revue.store.store import Store
from tests.test_app import settle, shown
from tests.test_snapshots import SIZES, _keys

EPI = "epinay-2018-2020"


@pytest.fixture(autouse=True)
def _paris_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _review_with_versions(url: str):  # type: ignore[no-untyped-def]
    """A review whose first objective went through three versions, at fixed times."""
    store = Store.open(url, author="Anne Inspectrice")
    try:
        review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
        objective = store.load_walk(review.id).objectives[0]
        store.save_record(
            review.id,
            objective.id,
            status=Status.IN_PROGRESS,
            analysis="Analyse soignée du premier trimestre.",
        )
        store.save_value(review.id, objective.indicators[0].id, 91)
        store.save_record(review.id, objective.id, analysis="")  # wiped by mistake
        with store.session() as session:
            rows = session.scalars(select(HistoryRow).order_by(HistoryRow.at)).all()
            for n, row in enumerate(rows):
                row.at = dt.datetime(2019, 6, 12, 18, 30 + n)
            session.commit()
        return review, objective
    finally:
        store.close()


async def test_restore_a_wiped_analysis_from_the_walk(sample_url: str) -> None:
    review, objective = _review_with_versions(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        assert walk.query_one("#analysis", TextArea).text == ""
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        text = shown(app)
        assert "Anne Inspectrice" in text and "12/06/2019 20:32" in text  # UTC 18:32, Paris
        assert "analyse" in text and "valeurs" in text
        await pilot.press("down")  # the version before the wipe
        await settle(pilot)
        assert "Analyse soignée du premier trimestre." in shown(app)
        await pilot.press("r")
        await settle(pilot)
        assert app.screen is walk
        assert walk.query_one("#analysis", TextArea).text == "Analyse soignée du premier trimestre."
    store = Store.open(sample_url)
    try:
        record = store.load_walk(review.id).records[objective.id]
        assert record.analysis == "Analyse soignée du premier trimestre."
        assert record.status is Status.IN_PROGRESS
        history = store.objective_history(review.id, objective.id)
        assert history[-1].note.startswith("restauration de la version du 12/06/2019")
    finally:
        store.close()


async def test_restore_an_accompaniment_from_the_log(sample_url: str) -> None:
    store = Store.open(sample_url, author="Claire Martin")
    first = store.add_accompaniment(
        Content(
            date=dt.date(2019, 1, 10),
            author="Claire Martin",
            modality="collective",
            initiative="team",
            schools=(),
            theme="Lecture",
            notes="Compte rendu complet",
        )
    )
    store.update_accompaniment(first.id, dataclasses.replace(first.content, notes="Compte"))
    store.close()
    app = make_app(sample_url, today=dt.date(2019, 3, 14))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.query_one(DataTable).row_count == 2
        await pilot.press("down", "r")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
    store = Store.open(sample_url)
    try:
        current, _ = store.get_accompaniment(first.id)
        assert current.content.notes == "Compte rendu complet"
        assert len(current.ancestors) == 2  # a new version: it travels in exchanges
    finally:
        store.close()


async def test_a_closed_review_shows_its_history_without_restore(sample_url: str) -> None:
    review, _ = _review_with_versions(sample_url)
    store = Store.open(sample_url)
    store.close_review(review.id)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert "Rétablir" not in shown(app)


@pytest.mark.parametrize("size", SIZES)
def test_history_screen(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    review, _ = _review_with_versions(sample_url)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _keys()(pilot)
        pilot.app.push_screen(WalkScreen(review.id))
        await _keys("f4", "down")(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
