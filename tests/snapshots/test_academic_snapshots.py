"""Snapshots of the projet académique screen and the alignment matrix, at 120×40 and 80×24."""

from __future__ import annotations

import datetime as dt

import pytest

from revue.app.factory import make_app
from revue.app.screens.academic import AcademicScreen, AlignmentScreen
from revue.domain.avenant import Avenant, AvenantChange, ChangeKind
from revue.domain.review import ReviewKind
from revue.store.store import Store
from tests.helpers import EPI, FIRST, SIZES, settle


def _links(url: str) -> None:
    """Épinay's first and third objectives attached by an avenant to two sections."""
    store = Store.open(url)
    try:
        third = store.get_contract(EPI).objectives_in_order()[2].id
        review = store.create_review(EPI, "2018-2019", ReviewKind.MIDTERM)
        changes = [
            AvenantChange(ChangeKind.LINK_ADD, objective, key, after={"link": key})
            for objective, key in (
                (FIRST, "faciliter-pilotage"),
                (third, "faciliter-pilotage"),
                (third, "collectifs-professionnels"),
            )
        ]
        store.record_avenant(review.id, Avenant(1, dt.date(2019, 3, 1), "Rattachements", changes))
    finally:
        store.close()


@pytest.mark.parametrize("size", SIZES)
def test_academic_screen_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    """The Créteil extract from Épinay: a section with its leviers, examples and resources."""
    _links(sample_url)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.push_screen(AcademicScreen(contract_id=EPI, key="evaluations-projets"))
        await settle(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_alignment_matrix_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    """Projet's objectives down at 120×40, the contract's down at 80×24; the cell under the
    cursor described below."""
    _links(sample_url)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.push_screen(AlignmentScreen(EPI))
        await settle(pilot)
        await pilot.press("down", "down", "right")
        await settle(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
