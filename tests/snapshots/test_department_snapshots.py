"""Snapshots of the « Département » screen at 120×40 and 80×24: the circonscriptions, and
the shared indicators of one year."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from revue.app.factory import make_app
from revue.app.screens.department import DepartmentScreen
from tests.helpers import SIZES, run_keys

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bilans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fictitious bilans in ./bilans (a relative folder: the screen shows it)."""
    spec = importlib.util.spec_from_file_location(
        "fictitious_bilans", ROOT / "tools" / "fictitious_bilans.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.chdir(tmp_path)
    tool.write_bilans(Path("bilans"))
    return Path("bilans")


@pytest.mark.parametrize("size", SIZES)
def test_department_circonscriptions(
    snap_compare, sample_url: str, bilans: Path, size: tuple[int, int]
) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys()(pilot)
        pilot.app.push_screen(DepartmentScreen(bilans))
        await run_keys()(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_department_indicators_of_a_year(
    snap_compare, sample_url: str, bilans: Path, size: tuple[int, int]
) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys()(pilot)
        pilot.app.push_screen(DepartmentScreen(bilans))
        await run_keys("a", "a", "3")(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_department_messages(
    snap_compare, sample_url: str, bilans: Path, size: tuple[int, int]
) -> None:
    """A file of a newer format and a duplicate: the Messages tab, the first message whole."""
    (bilans / "zz-futur.toml").write_text('format = "revue-bilan"\nformat_version = 7\n')
    original = bilans / "bilan-fictive-002-2019-2020.toml"
    (bilans / "bilan-fictive-002-2019-2020-bis.toml").write_bytes(original.read_bytes())

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys()(pilot)
        pilot.app.push_screen(DepartmentScreen(bilans))
        await run_keys("4")(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_department_academic_axe(
    snap_compare, sample_url: str, bilans: Path, size: tuple[int, int]
) -> None:
    """The projet académique tab, filtered on axe 2."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys()(pilot)
        pilot.app.push_screen(DepartmentScreen(bilans))
        await run_keys("x", "x", "2")(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)
