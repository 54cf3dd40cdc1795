"""Evidence corrected and deleted in place in the walk, with undo, kept in the history."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input

from revue.app.factory import make_app
from revue.app.screens.walk import EvidenceList, WalkScreen
from revue.domain.review import EvidenceSource, ReviewKind
from revue.store.store import Store
from tests.helpers import EPI, settle, until


def review_with_evidence(url: str):  # type: ignore[no-untyped-def]
    store = Store.open(url)
    try:
        review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
        objective = store.load_walk(review.id).objectives[0]
        store.add_evidence(
            review.id,
            objective.id,
            dt.date(2019, 3, 12),
            "Résultats de CP",
            EvidenceSource.NATIONAL,
        )
        store.add_evidence(
            review.id, objective.id, dt.date(2019, 4, 2), "Visite en CE1", EvidenceSource.VISIT
        )
        return review, objective
    finally:
        store.close()


def stored(url: str, review_id, objective_id):  # type: ignore[no-untyped-def]
    store = Store.open(url)
    try:
        record = store.load_walk(review_id).records[objective_id]
        history = store.objective_history(review_id, objective_id)
        return [(e.date, e.source, e.text) for e in record.evidence], len(history)
    finally:
        store.close()


async def test_correct_delete_and_undo_in_place(sample_url: str) -> None:
    review, objective = review_with_evidence(sample_url)
    _, versions_before = stored(sample_url, review.id, objective.id)
    app = make_app(sample_url, today=dt.date(2019, 6, 20))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(review.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen)
        listed = screen.query_one("#evidence-list", EvidenceList)
        assert len(listed.items) == 2
        # correct the second item: its date, source and text
        listed.focus()
        await pilot.press("down", "enter")
        text = screen.query_one("#evidence-text", Input)
        await until(pilot, lambda: text.has_focus and text.value == "Visite en CE1", "the form")
        await pilot.press("end", *" et CE2", "shift+tab", "3", "shift+tab")
        date = screen.query_one("#evidence-date", Input)
        await until(pilot, lambda: date.has_focus, "the date")
        await pilot.press(*"03/04/2019", "enter")
        await until(
            pilot,
            lambda: (
                [e.text for e in screen.record(objective.id).evidence]
                == ["Résultats de CP", "Visite en CE1 et CE2"]
            ),
            "the correction",
        )
        assert len(listed.items) == 2
        # delete the first, then undo the deletion, then undo the correction
        listed.focus()
        await pilot.press("home", "delete")
        await until(pilot, lambda: len(listed.items) == 1, "the deletion")
        await settle(pilot)
        assert stored(sample_url, review.id, objective.id)[0] == [
            (dt.date(2019, 4, 3), EvidenceSource.CYCLE_COUNCIL, "Visite en CE1 et CE2")
        ]
        await pilot.press("u")
        await until(pilot, lambda: len(listed.items) == 2, "the item back")
        await pilot.press("u")
        await until(
            pilot,
            lambda: (
                [e.text for e in screen.record(objective.id).evidence]
                == ["Résultats de CP", "Visite en CE1"]
            ),
            "the correction undone",
        )
        await settle(pilot)
    items, versions = stored(sample_url, review.id, objective.id)
    assert items == [
        (dt.date(2019, 3, 12), EvidenceSource.NATIONAL, "Résultats de CP"),
        (dt.date(2019, 4, 2), EvidenceSource.VISIT, "Visite en CE1"),
    ]
    # correction, deletion, its undo, the correction's undo: each a version of the objective
    assert versions >= versions_before + 4
