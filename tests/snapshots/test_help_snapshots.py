"""Snapshot of the help screen, at 120×40 and 80×24."""

from __future__ import annotations

import pytest

from revue.app.factory import make_app
from tests.helpers import SIZES, run_keys


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=run_keys("enter", "f1")
    )
