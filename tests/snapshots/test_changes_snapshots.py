"""Snapshot of « depuis la dernière revue », at 120×40 and 80×24."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from revue.app.screens.changes import ChangesScreen
from tests.helpers import SIZES, epinay_reviews, run_open


@pytest.mark.parametrize("size", SIZES)
def test_changes_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    _first, second = epinay_reviews(sample_url)
    assert snap_compare(
        make_app(sample_url),
        terminal_size=size,
        run_before=run_open(lambda: ChangesScreen(second.id)),
    )
