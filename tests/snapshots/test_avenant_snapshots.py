"""Snapshots of the avenant screen: empty, with a change, refused, at 120×40 and 80×24."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, TextArea

from revue.app.factory import make_app
from revue.domain.review import ReviewKind
from tests.helpers import (
    FIRST,
    SIZES,
    add_change,
    avenant_review,
    choose_change,
    open_avenant,
    settle,
)


@pytest.mark.parametrize("size", SIZES)
def test_avenant_empty_form_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    midterm = avenant_review(sample_url)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_avenant(pilot, midterm.id)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_avenant_form_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    """One change prepared: the list is focused so it shows, with Suppr in the footer."""
    midterm = avenant_review(sample_url)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await open_avenant(pilot, midterm.id)
        screen.query_one("#av-reason", TextArea).text = "Cible de tentative trop ambitieuse"
        await choose_change(pilot, screen, FIRST, "indicator-target")
        screen.query_one("#av-value", Input).value = "95"
        await add_change(pilot)
        screen.query_one("#av-changes").focus()
        await settle(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_avenant_refused_on_annual_snapshot(
    snap_compare, sample_url: str, size: tuple[int, int]
) -> None:
    annual = avenant_review(sample_url, ReviewKind.ANNUAL)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_avenant(pilot, annual.id)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_avenant_link_change_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    """A link to the projet académique prepared and added: before → after as the links."""
    midterm = avenant_review(sample_url)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await open_avenant(pilot, midterm.id)
        screen.query_one("#av-reason", TextArea).text = "Rattachement au projet académique"
        await choose_change(pilot, screen, FIRST, "link-add")
        screen.query_one("#av-link", Select).value = "faciliter-pilotage"
        await add_change(pilot)
        await choose_change(pilot, screen, FIRST, "link-add")
        screen.query_one("#av-changes").focus()
        await settle(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
