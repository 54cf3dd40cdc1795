"""Snapshots of the contract editor and its dialogs at 120×40 and 80×24: the header, an
indicator counted in the log, the add menu, a refused value, the editor locked by a review,
the new contract dialog, the delete confirmations (contract, projet académique).

Review the report, then --snapshot-update (this file only)."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from revue.domain.review import ReviewKind
from revue.store.store import Store
from tests.helpers import SIZES, run_keys, settle

THIONVILLE_ROW = "down"  # the contract list: Épinay first, then Thionville 1


@pytest.mark.parametrize("size", SIZES)
def test_editor_header(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=run_keys(THIONVILLE_ROW, "m")
    )


@pytest.mark.parametrize("size", SIZES)
def test_editor_counted_indicator(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    keys = (THIONVILLE_ROW, "m", *["down"] * 5)  # header, list, axe, champ, objective, indicator
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run_keys(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_editor_objective_links(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    keys = (THIONVILLE_ROW, "m", *["down"] * 4)
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run_keys(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_editor_add_menu(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    keys = (THIONVILLE_ROW, "m", "down", "down", "f2")
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run_keys(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_editor_refused_value(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys(THIONVILLE_ROW, "m", *["down"] * 5, "enter")(pilot)
        screen = pilot.app.screen
        wid = next(w for w, k in screen._keys.items() if k == "target")
        screen.query_one(f"#{wid}").focus()
        await settle(pilot)
        await pilot.press(*"douze")  # not a number: refused beside the field, kept
        await settle(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_editor_locked(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    store = Store.open(sample_url)
    store.create_review("thionville1-2016-2020", "2018-2019", ReviewKind.ANNUAL)
    store.close()
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=run_keys(THIONVILLE_ROW, "m")
    )


@pytest.mark.parametrize("size", SIZES)
def test_new_contract_dialog(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run_keys("n"))


@pytest.mark.parametrize("size", SIZES)
def test_delete_contract_confirmation(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=run_keys(THIONVILLE_ROW, "delete")
    )


@pytest.mark.parametrize("size", SIZES)
def test_delete_academic_dialog(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.screen.delete_academic_project()
        await settle(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
