"""Snapshots of the walk, open with a previous review and closed, at 120×40 and 80×24."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from revue.app.screens.walk import WalkScreen
from tests.helpers import SIZES, closed_and_open_reviews, run_push


@pytest.mark.parametrize("size", SIZES)
def test_walk_with_history(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    _first, second = closed_and_open_reviews(sample_url)
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=run_push(lambda: WalkScreen(second.id))
    )


@pytest.mark.parametrize("size", SIZES)
def test_walk_closed_review(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    first, _second = closed_and_open_reviews(sample_url)
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=run_push(lambda: WalkScreen(first.id))
    )
