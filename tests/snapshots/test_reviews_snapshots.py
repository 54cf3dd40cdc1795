"""Snapshots of the reviews list and the new-review dialog, at 120×40 and 80×24."""

from __future__ import annotations

from pathlib import Path

import pytest

from revue.app.factory import make_app
from revue.app.screens.reviews import ReviewsScreen
from tests.helpers import (
    EPI,
    SIZES,
    TRAJ,
    closed_and_open_reviews,
    run_keys,
    run_push,
    trajectory_reviews,
)


@pytest.mark.parametrize("size", SIZES)
def test_reviews_list(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    closed_and_open_reviews(sample_url)
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=run_push(lambda: ReviewsScreen(EPI))
    )


@pytest.mark.parametrize("size", SIZES)
def test_new_review_dialog(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_push(lambda: ReviewsScreen(EPI))(pilot)
        await pilot.press("n")
        await run_keys()(pilot)
        pilot.app.screen.query_one("#year").value = "2018-2019"
        await run_keys()(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_reviews_list_with_a_midterm(
    snap_compare, db_url: str, tmp_path: Path, size: tuple[int, int]
) -> None:
    """« Évaluation à mi-parcours 2019-2020 » whole, even at 80 columns."""
    trajectory_reviews(db_url, tmp_path)
    assert snap_compare(
        make_app(db_url), terminal_size=size, run_before=run_push(lambda: ReviewsScreen(TRAJ))
    )
