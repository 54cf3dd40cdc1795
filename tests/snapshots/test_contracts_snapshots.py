"""Snapshots of the contract list, with the samples and empty, at 120×40 and 80×24."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from tests.helpers import SIZES, run_keys


@pytest.mark.parametrize("size", SIZES)
def test_contract_list(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run_keys())


@pytest.mark.parametrize("size", SIZES)
def test_empty_store(snap_compare, db_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(db_url), terminal_size=size, run_before=run_keys())
