"""Snapshots of the overview of a review, at 120×40 and 80×24."""

from __future__ import annotations

from pathlib import Path

import pytest

from revue.app.factory import make_app
from revue.app.screens.overview import OverviewScreen
from tests.helpers import (
    SIZES,
    epinay_reviews,
    open_review_screen,
    run_open,
    settle,
    trajectory_reviews,
)


@pytest.mark.parametrize("size", SIZES)
def test_overview_epinay_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    first, _second = epinay_reviews(sample_url)
    assert snap_compare(
        make_app(sample_url),
        terminal_size=size,
        run_before=run_open(lambda: OverviewScreen(first.id)),
    )


@pytest.mark.parametrize("size", SIZES)
def test_overview_trajectories_snapshot(
    snap_compare, db_url: str, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Scrolled to the indicators, so their table shows."""
    _first, second = trajectory_reviews(db_url, tmp_path)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_review_screen(pilot, OverviewScreen(second.id))
        label = pilot.app.screen.query_one("#overview-indicators-title")
        pilot.app.screen.query_one("#overview-scroll").scroll_to_widget(
            label, animate=False, top=True
        )
        await settle(pilot)

    assert snap_compare(make_app(db_url), terminal_size=size, run_before=run)
