"""Snapshots of the shared dialogs, at 120×40 and 80×24."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from revue.app.widgets.dialogs import StaleEditScreen
from tests.helpers import SIZES, run_push


@pytest.mark.parametrize("size", SIZES)
def test_stale_edit_question(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    def dialog() -> StaleEditScreen:
        return StaleEditScreen(
            "l'analyse de l'objectif 3",
            "Les équipes ont engagé le travail sur la fluence au CP.",
            "Vu en conseil de cycle : progrès nets en CE1, à confirmer.",
            can_join=True,
        )

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run_push(dialog))
