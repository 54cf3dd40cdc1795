"""Snapshot of the command palette, at 120×40 and 80×24."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from tests.helpers import SIZES, palette_search, run_keys


@pytest.mark.parametrize("size", SIZES)
def test_command_palette(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys("enter", "ctrl+p")(pilot)
        await palette_search(pilot, "formés", by_hand=True)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
