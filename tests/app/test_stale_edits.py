"""An edit never writes over what someone else saved meanwhile (another window on the same
store): the walk and the synthesis ask which to keep."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from revue.app.factory import make_app
from revue.app.screens.synthesis import SynthesisScreen
from revue.app.screens.walk import WalkScreen
from revue.app.widgets.dialogs import StaleEditScreen
from revue.domain.errors import StaleEdit
from revue.domain.review import ReviewKind
from revue.store.store import Store
from tests.helpers import EPI, settle, until


def _review(url: str):  # type: ignore[no-untyped-def]
    store = Store.open(url)
    try:
        return store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    finally:
        store.close()


def _elsewhere(url: str, write) -> None:  # type: ignore[no-untyped-def]
    """Another window: its own connection to the same store."""
    other = Store.open(url)
    try:
        write(other)
    finally:
        other.close()


def test_the_store_refuses_a_stale_save(sample_url: str) -> None:
    review = _review(sample_url)
    store = Store.open(sample_url)
    try:
        first = store.load_walk(review.id).objectives[0].id
        store.save_record(review.id, first, expected={"analysis": ""}, analysis="A")
        with pytest.raises(StaleEdit) as caught:
            store.save_record(review.id, first, expected={"analysis": ""}, analysis="B")
        assert caught.value.theirs == {"analysis": "A"}
        # the same value, or from what is stored: fine
        store.save_record(review.id, first, expected={"analysis": ""}, analysis="A")
        store.save_record(review.id, first, expected={"analysis": "A"}, analysis="C")
        assert store.load_walk(review.id).records[first].analysis == "C"
    finally:
        store.close()


async def _type_analysis(pilot, screen: WalkScreen, text: str) -> None:  # type: ignore[no-untyped-def]
    area = screen.query_one("#analysis", TextArea)
    area.focus()
    # In one change: typing key by key lets the autosave write mid-word on a loaded machine,
    # and the question would then open between two keys.
    area.insert(text)
    await pilot.pause()
    screen.flush(wait=True)


async def test_the_walk_asks_and_keeps_both_texts(sample_url: str) -> None:
    review = _review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen) and screen.walk is not None
        first = screen.walk.objectives[0].id
        _elsewhere(
            sample_url,
            lambda other: other.save_record(review.id, first, analysis="Vu en conseil de cycle."),
        )
        await _type_analysis(pilot, screen, "Progrès nets")
        await until(pilot, lambda: isinstance(app.screen, StaleEditScreen), "the question")
        await pilot.click("#stale-both-button")
        await settle(pilot)
        screen.flush(wait=True)
        assert app.screen is screen
        assert screen.query_one("#analysis", TextArea).text == (
            "Vu en conseil de cycle.\n\nProgrès nets"
        )
    store = Store.open(sample_url)
    try:
        assert store.load_walk(review.id).records[first].analysis == (
            "Vu en conseil de cycle.\n\nProgrès nets"
        )
    finally:
        store.close()


async def test_the_walk_keeps_the_other_text_when_asked(sample_url: str) -> None:
    review = _review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen) and screen.walk is not None
        first = screen.walk.objectives[0].id
        _elsewhere(sample_url, lambda other: other.save_record(review.id, first, analysis="X"))
        await _type_analysis(pilot, screen, "Y")
        await until(pilot, lambda: isinstance(app.screen, StaleEditScreen), "the question")
        await pilot.click("#stale-theirs-button")
        await settle(pilot)
        screen.flush(wait=True)
        assert screen.query_one("#analysis", TextArea).text == "X"
        # typing on from there writes normally
        await _type_analysis(pilot, screen, "Z")
        await settle(pilot)
        assert not isinstance(app.screen, StaleEditScreen)
    store = Store.open(sample_url)
    try:
        analysis = store.load_walk(review.id).records[first].analysis
        assert sorted(analysis) == ["X", "Z"]  # the other text kept, then typed on
    finally:
        store.close()


async def test_the_synthesis_asks_and_keeps_mine(sample_url: str) -> None:
    review = _review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(SynthesisScreen(review.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SynthesisScreen)
        _elsewhere(sample_url, lambda other: other.save_synthesis(review.id, strengths="Autre"))
        area = screen.query_one("#strengths", TextArea)
        area.focus()
        area.insert("Mien")  # in one change (see _type_analysis)
        await pilot.pause()
        screen.flush(wait=True)
        await until(pilot, lambda: isinstance(app.screen, StaleEditScreen), "the question")
        await pilot.click("#stale-mine-button")
        await settle(pilot)
        screen.flush(wait=True)
        assert not screen.unsaved
    store = Store.open(sample_url)
    try:
        assert store.get_synthesis(review.id).strengths == "Mien"
    finally:
        store.close()


def test_a_history_restore_does_not_undo_a_record_saved_meanwhile(sample_url: str) -> None:
    review = _review(sample_url)
    store = Store.open(sample_url)
    try:
        first = store.load_walk(review.id).objectives[0].id
        store.save_record(review.id, first, analysis="v1")
        store.save_record(review.id, first, analysis="v2 réécrite")
        oldest = next(
            e
            for e in store.objective_history(review.id, first)
            if e.content.get("analysis") == "v1"
        )
        shown = {"analysis": "v2 réécrite"}
        _elsewhere(sample_url, lambda other: other.save_record(review.id, first, analysis="v3"))
        with pytest.raises(StaleEdit) as caught:
            store.restore_objective(review.id, first, oldest.id, expected=shown)
        assert "rien n'a été rétabli" in str(caught.value)
        assert store.load_walk(review.id).records[first].analysis == "v3"
        store.restore_objective(review.id, first, oldest.id, expected={"analysis": "v3"})
        assert store.load_walk(review.id).records[first].analysis == "v1"
    finally:
        store.close()


async def test_an_indicator_value_saved_elsewhere_is_asked_about(sample_url: str) -> None:
    from textual.widgets import Input

    review = _review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen) and screen.walk is not None
        index, objective = next(
            (n, o)
            for n, o in enumerate(screen.walk.objectives)
            if any(i.computed is None for i in o.indicators)
        )
        indicator = next(i for i in objective.indicators if i.computed is None)
        await screen.go_to_objective(objective.id)
        await settle(pilot)
        assert screen.index == index
        _elsewhere(sample_url, lambda other: other.save_value(review.id, indicator.id, 42.0))
        field = screen.query_one("#value-0", Input)
        field.focus()
        field.insert_text_at_cursor("87,5")  # in one change (see _type_analysis)
        await pilot.pause()
        screen.flush(wait=True)
        await until(pilot, lambda: isinstance(app.screen, StaleEditScreen), "the question")
        assert "42" in str(app.screen.query_one("#stale-theirs").render())
        await pilot.click("#stale-mine-button")
        await settle(pilot)
        screen.flush(wait=True)
    store = Store.open(sample_url)
    try:
        assert store.load_walk(review.id).values[indicator.id] == 87.5
    finally:
        store.close()
