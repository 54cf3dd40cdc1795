"""Snapshots of a contract: its cover, an objective, a section, at 120×40 and 80×24.

Each screen has its module here; review the report, then --snapshot-update."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from tests.helpers import SIZES, run_keys


@pytest.mark.parametrize("size", SIZES)
def test_contract_cover(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run_keys("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_objective_with_indicators(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run_keys("enter", "n"))


@pytest.mark.parametrize("size", SIZES)
def test_objective_with_computed_counts(
    snap_compare, sample_url: str, size: tuple[int, int]
) -> None:
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=run_keys("down", "enter", "n")
    )


@pytest.mark.parametrize("size", SIZES)
def test_section(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=run_keys("enter", "down")
    )
