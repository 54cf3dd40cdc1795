"""Snapshot of the bilan screen, at 120×40 and 80×24."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from revue.app.factory import make_app
from revue.app.screens.bilan import BilanScreen
from tests.helpers import EPI, SIZES, settle


@pytest.mark.parametrize("size", SIZES)
def test_bilan_screen_snapshot(snap_compare, bilan_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.push_screen(BilanScreen(EPI, "2019-2020", "final"))
        await settle(pilot)
        pilot.app.screen.query_one(
            "#b-path", Input
        ).value = "~/bilan-epinay-2018-2020-2019-2020.odt"
        await settle(pilot)

    assert snap_compare(make_app(bilan_url), terminal_size=size, run_before=run)
