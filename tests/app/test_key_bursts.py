"""Keys typed with no pause at all reach the field they were typed for (issue 16).

``burst`` puts every key in the App's queue at once, as a terminal delivers a burst of bytes
(faster than any typist): nothing waits between two keys, not even the pauses ``pilot.press``
makes. Each test then reads the store.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual import events
from textual.widgets import Input

from revue.app.factory import make_app
from revue.app.screens.log import EntryScreen
from revue.app.screens.walk import WalkScreen
from revue.domain.log import LogFilter
from revue.domain.review import ReviewKind, Status
from revue.store.store import Store
from tests.helpers import (
    EPI,
    LOG_TODAY,
    SIZES,
    burst,
    one_objective_keys,
    open_log,
    settle,
    stored_one_objective,
    through,
    typed,
    until,
)


@pytest.mark.parametrize("size", SIZES)
async def test_a_whole_objective_typed_in_one_burst(sample_url: str, size: tuple[int, int]) -> None:
    store = Store.open(sample_url)
    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url, today=dt.date(2019, 6, 20))
    keys, navigation = one_objective_keys()
    assert len(navigation) <= 12, navigation
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen)
        await until(pilot, lambda: screen.walk is not None, "the walk")
        burst(app, keys)
        await through(pilot)
        assert screen.index == 1  # F6 came last
        screen.flush(wait=True)
    walk, record = stored_one_objective(sample_url, review.id)
    assert record.analysis == "Les résultats progressent."
    assert record.adjustments == "Poursuivre en CE2."
    # nothing strayed into the next objective
    second = walk.objectives[1]
    assert second.id not in walk.records or not walk.records[second.id].analysis


async def test_the_same_objective_by_pilot_press(sample_url: str) -> None:
    """The same keys through one ``pilot.press`` call (Pilot's own rhythm)."""
    store = Store.open(sample_url)
    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url, today=dt.date(2019, 6, 20))
    keys, _ = one_objective_keys()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen)
        await pilot.press(*keys)
        await through(pilot)
        screen.flush(wait=True)
    store = Store.open(sample_url)
    try:
        walk = store.load_walk(review.id)
    finally:
        store.close()
    record = walk.records[walk.objectives[0].id]
    assert record.status is Status.REACHED and len(record.evidence) == 1
    assert (record.analysis, record.adjustments) == (
        "Les résultats progressent.",
        "Poursuivre en CE2.",
    )


async def test_tab_then_keys_in_a_burst_never_land_in_the_previous_field(
    sample_url: str,
) -> None:
    """The observed slip: `87,5` Tab `2,5` gave `87,52,5` in the first field. (A field
    reached by Tab has its text selected: End, then a key, adds to it.)"""
    store = Store.open(sample_url)
    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url, today=dt.date(2019, 6, 20))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen)
        burst(app, [*typed("87,5"), "tab", *typed("2,5"), "shift+tab", "end", "0"])
        await through(pilot)
        assert screen.query_one("#value-0", Input).value == "87,50"
        assert screen.query_one("#value-1", Input).value == "2,5"


async def test_a_log_entry_typed_in_one_burst(log_url: str) -> None:
    """« n », the date, Tabs to the notes, the notes, Tabs to the follow-up, the follow-up,
    Ctrl+S — all at once, from the log's table. (The form's Tab order is its own: the Tabs
    are counted on the form first, opened and closed again.)"""
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EntryScreen)
        chain = form.focus_chain
        first = chain.index(form.focused) if form.focused in chain else 0
        to_notes = chain.index(form.query_one("#e-notes")) - first
        to_follow = chain.index(form.query_one("#e-follow")) - chain.index(
            form.query_one("#e-notes")
        )
        assert form.focused is form.query_one("#e-date")  # the burst types the date first
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is log, "the log again")
        burst(
            app,
            [
                "n",
                *typed("13/03/2019"),
                *["tab"] * to_notes,
                *typed("Conseil de cycle : lecture"),
                *["tab"] * to_follow,
                *typed("Revoir en mai"),
                "ctrl+s",
            ],
        )
        await through(pilot)
        await until(pilot, lambda: app.screen is log, "the log after Ctrl+S")
    store = Store.open(log_url)
    try:
        rows, _ = store.list_accompaniments(LogFilter(text="Conseil de cycle : lecture"))
    finally:
        store.close()
    assert [(r.content.date, r.content.notes, r.content.follow_up) for r in rows] == [
        (dt.date(2019, 3, 13), "Conseil de cycle : lecture", "Revoir en mai")
    ]


async def test_a_paste_between_keys_keeps_its_place(sample_url: str) -> None:
    """A paste is handled in turn with the keys around it."""
    store = Store.open(sample_url)
    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url, today=dt.date(2019, 6, 20))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen)
        burst(app, ["8"])
        paste = events.Paste("7,5")
        paste.set_sender(app)
        app.post_message(paste)
        burst(app, ["tab", "2"])
        await through(pilot)
        assert screen.query_one("#value-0", Input).value == "87,5"
        assert screen.query_one("#value-1", Input).value == "2"


async def test_a_barrier_that_never_comes_back_does_not_stop_the_keys() -> None:
    """A node that drops the barrier (as a widget removed with it in its queue would): the
    next key goes after STUCK_AFTER seconds without progress, never lost."""
    from textual.app import ComposeResult

    from revue.app.keys import KeysInOrder

    class Dropping(Input):
        dropped = 0

        def call_later(self, callback, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
            if getattr(callback, "__name__", "") == "_reached" and not Dropping.dropped:
                Dropping.dropped += 1
                return True  # "posted", never run
            return super().call_later(callback, *args, **kwargs)

    class Tiny(KeysInOrder):
        def compose(self) -> ComposeResult:
            yield Dropping(id="field")

    app = Tiny()
    async with app.run_test() as pilot:
        field = app.query_one("#field", Input)
        field.focus()
        await pilot.pause()
        burst(app, ["a", "b", "c"])
        await until(pilot, lambda: field.value == "abc", "the three keys")
        await until(pilot, lambda: app.keys_pending == 0, "the keys through")
        assert Dropping.dropped == 1
