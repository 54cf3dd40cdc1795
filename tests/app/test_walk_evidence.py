"""An evidence item typed in the walk and not added is never lost by moving or leaving."""

from __future__ import annotations

from textual.widgets import Input, Static

from revue.app.factory import make_app
from revue.app.screens.walk import WalkScreen
from revue.domain.review import ReviewKind
from revue.store.store import Store
from tests.helpers import EPI, settle, shown, until


def _review(url: str):  # type: ignore[no-untyped-def]
    store = Store.open(url)
    try:
        return store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    finally:
        store.close()


def _evidence(url: str, review_id) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    store = Store.open(url)
    try:
        walk = store.load_walk(review_id)
    finally:
        store.close()
    return {oid: [e.text for e in r.evidence] for oid, r in walk.records.items() if r.evidence}


async def _walk(pilot, review_id) -> WalkScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(WalkScreen(review_id))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WalkScreen)
    return screen


async def test_a_complete_item_left_by_f6_is_added(sample_url: str) -> None:
    review = _review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _walk(pilot, review.id)
        assert screen.walk is not None
        first = screen.walk.objectives[0].id
        screen.query_one("#evidence-date", Input).value = "15/03/2019"
        screen.query_one("#evidence-text", Input).value = "Relevé des tentatives"
        await pilot.press("f6")
        await settle(pilot)
        assert screen.index == 1
        await until(pilot, lambda: bool(screen.record(first).evidence), "the evidence added")
        assert "Preuve ajoutée" in shown(app) or screen.record(first).evidence
    assert _evidence(sample_url, review.id) == {first: ["Relevé des tentatives"]}


async def test_an_unfinished_item_comes_back_and_escape_warns(sample_url: str) -> None:
    review = _review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _walk(pilot, review.id)
        screen.query_one("#evidence-date", Input).value = "31/02/2019"  # no such day
        screen.query_one("#evidence-text", Input).value = "Conseil de cycle du 12"
        await pilot.press("f6")
        await settle(pilot)
        assert screen.index == 1
        assert screen.query_one("#evidence-text", Input).value == ""
        assert screen.unsaved  # an unfinished item counts as unsaved work
        await pilot.press("f5")
        await settle(pilot)
        assert screen.index == 0
        assert screen.query_one("#evidence-text", Input).value == "Conseil de cycle du 12"
        assert screen.query_one("#evidence-date", Input).value == "31/02/2019"
        assert "pas encore ajoutée" in str(screen.query_one("#evidence-error", Static).render())
        # leaving it on another objective, Escape keeps the walk open and says why
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert "Preuve pas encore ajoutée" in shown(app) or screen.unsaved
        # corrected and added: nothing is left unsaved
        await pilot.press("f5")
        await settle(pilot)
        screen.query_one("#evidence-date", Input).value = "28/02/2019"
        screen.query_one("#evidence-text", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: not screen.unsaved, "the corrected item written")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, WalkScreen)
    assert list(_evidence(sample_url, review.id).values()) == [["Conseil de cycle du 12"]]
