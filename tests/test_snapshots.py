"""Snapshots of every screen at 120×40 and 80×24 (review the report, then --snapshot-update)."""

from __future__ import annotations

from pathlib import Path

import pytest

from revue.app.factory import make_app
from tests.conftest import EPINAY

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def _keys(*keys: str):  # type: ignore[no-untyped-def]
    """Press keys one at a time, letting the store's workers finish after each."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_contract_list(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=_keys())


@pytest.mark.parametrize("size", SIZES)
def test_empty_store(snap_compare, db_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(db_url), terminal_size=size, run_before=_keys())


@pytest.mark.parametrize("size", SIZES)
def test_contract_cover(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=_keys("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_objective_with_indicators(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=_keys("enter", "n"))


@pytest.mark.parametrize("size", SIZES)
def test_objective_with_computed_counts(
    snap_compare, sample_url: str, size: tuple[int, int]
) -> None:
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=_keys("down", "enter", "n")
    )


@pytest.mark.parametrize("size", SIZES)
def test_section(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=_keys("enter", "down"))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=_keys("enter", "f1"))


@pytest.mark.parametrize("size", SIZES)
def test_command_palette(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _keys("enter", "ctrl+p")(pilot)
        await pilot.press(*"formés")
        await pilot.pause(0.5)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_import_dialog_reports(
    snap_compare,
    db_url: str,
    size: tuple[int, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A relative path typed in a fixed folder, so the report reads the same on every machine.
    (tmp_path / "contrat-epinay.toml").write_bytes(EPINAY.read_bytes())
    monkeypatch.chdir(tmp_path)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _keys("i")(pilot)
        pilot.app.screen.query_one("Input").value = "contrat-epinay.toml"
        await _keys("enter")(pilot)

    assert snap_compare(make_app(db_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _keys("enter", "e")(pilot)
        pilot.app.screen.query_one("Input").value = "~/contrat-epinay.toml"

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
