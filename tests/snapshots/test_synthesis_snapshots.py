"""Snapshot of the synthesis screen, at 120×40 and 80×24."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from revue.app.screens.synthesis import SynthesisScreen
from revue.store.store import Store
from tests.helpers import SIZES, final_review, settle


@pytest.mark.parametrize("size", SIZES)
def test_synthesis_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    final = final_review(sample_url)
    store = Store.open(sample_url)
    store.save_synthesis(
        final.id,
        strengths="Une culture de l'évaluation partagée.",
        vigilance="La non-réponse reste forte en CE1.",
    )
    store.close()

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.push_screen(SynthesisScreen(final.id))
        await settle(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
