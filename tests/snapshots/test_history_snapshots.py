"""Snapshot of the history of an objective, at 120×40 and 80×24."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from revue.app.screens.walk import WalkScreen
from tests.helpers import SIZES, review_with_versions, run_keys

pytestmark = pytest.mark.usefixtures("paris_time")


@pytest.mark.parametrize("size", SIZES)
def test_history_screen(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    review, _ = review_with_versions(sample_url)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys()(pilot)
        pilot.app.push_screen(WalkScreen(review.id))
        await run_keys("f4", "down")(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
