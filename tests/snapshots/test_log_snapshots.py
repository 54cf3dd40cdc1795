"""Snapshots of the accompaniment log, its entry form and its conflicts, at 120×40 and 80×24."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from revue.app.factory import make_app
from tests.helpers import LOG_TODAY, SIZES, open_log, settle


@pytest.mark.parametrize("size", SIZES)
def test_log_screen(snap_compare, log_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_log(pilot)

    assert snap_compare(make_app(log_url, today=LOG_TODAY), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_entry_form(snap_compare, log_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_log(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(make_app(log_url, today=LOG_TODAY), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_entry_form_refusing_a_value(snap_compare, log_url: str, size: tuple[int, int]) -> None:
    """A duration understood beside its field, a word in participants refused beside it (the
    cursor in it), and a proposal drawn after an arrow in the schools field."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_log(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#e-duration", Input).value = "1h30"
        form.query_one("#e-participants", Input).value = "beaucoup"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(make_app(log_url, today=LOG_TODAY), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_entry_form_proposing_a_school(snap_compare, log_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_log(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("tab", "tab", *"Till")
        await settle(pilot)

    assert snap_compare(make_app(log_url, today=LOG_TODAY), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_conflicts_screen(snap_compare, log_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_log(pilot)
        pilot.app.screen.query_one(DataTable).focus()
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(make_app(log_url, today=LOG_TODAY), terminal_size=size, run_before=run)
