"""Snapshots of the reviews list, the new-review dialog and the walk, at 120×40 and 80×24."""

from __future__ import annotations

import datetime as dt

import pytest

from revue.app.factory import make_app
from revue.app.screens.reviews import ReviewsScreen
from revue.app.screens.walk import WalkScreen
from revue.domain.review import EvidenceSource, ReviewKind, Status
from revue.store.store import Store
from tests.test_snapshots import SIZES, _keys

EPI = "epinay-2018-2020"


def _filled(url: str):  # type: ignore[no-untyped-def]
    """Two reviews: 2018-2019 with work on the first objective and closed, 2019-2020 open."""
    store = Store.open(url)
    try:
        first = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
        objective = store.load_walk(first.id).objectives[0]
        store.save_record(
            first.id,
            objective.id,
            status=Status.IN_PROGRESS,
            analysis="Les tentatives progressent ; la non-réponse reste forte en CE1.",
        )
        store.save_value(first.id, objective.indicators[0].id, 91)
        store.save_value(first.id, objective.indicators[1].id, 6.5)
        store.add_evidence(
            first.id,
            objective.id,
            dt.date(2019, 3, 12),
            "Résultats des évaluations de CP",
            EvidenceSource.NATIONAL,
        )
        store.close_review(first.id)
        second = store.create_review(EPI, "2019-2020", ReviewKind.ANNUAL)
        return first, second
    finally:
        store.close()


def _push(screen_factory):  # type: ignore[no-untyped-def]
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _keys()(pilot)
        pilot.app.push_screen(screen_factory())
        await _keys()(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_reviews_list(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    _filled(sample_url)
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=_push(lambda: ReviewsScreen(EPI))
    )


@pytest.mark.parametrize("size", SIZES)
def test_new_review_dialog(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _push(lambda: ReviewsScreen(EPI))(pilot)
        await pilot.press("n")
        await _keys()(pilot)
        pilot.app.screen.query_one("#year").value = "2018-2019"
        await _keys()(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_walk_with_history(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    _first, second = _filled(sample_url)
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=_push(lambda: WalkScreen(second.id))
    )


@pytest.mark.parametrize("size", SIZES)
def test_walk_closed_review(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    first, _second = _filled(sample_url)
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=_push(lambda: WalkScreen(first.id))
    )
