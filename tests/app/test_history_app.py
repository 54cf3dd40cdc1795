"""The history screen from the walk (F4) and from the log (h): see the versions, restore one."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from textual.widgets import DataTable, TextArea

from revue.app.factory import make_app
from revue.app.screens.history import HistoryScreen
from revue.app.screens.log import LogScreen
from revue.app.screens.walk import WalkScreen
from revue.domain.log import Content
from revue.domain.review import Status
from revue.store.store import Store
from tests.helpers import review_with_versions, settle, shown

pytestmark = pytest.mark.usefixtures("paris_time")


async def test_restore_a_wiped_analysis_from_the_walk(sample_url: str) -> None:
    review, objective = review_with_versions(sample_url)
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
    review, _ = review_with_versions(sample_url)
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
