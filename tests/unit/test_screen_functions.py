"""The small pure functions behind the screens: sparklines, bars, column widths, French
numbers. No app runs here (the log's completion: tests/unit/test_log.py)."""

from __future__ import annotations

import pytest

from revue.app.screens.changes import fit_widths
from revue.app.screens.overview import bar_widths, signed, sparkline
from revue.domain.parsing import parse_number
from revue.domain.parsing import parse_number as parse_target


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([1, 8]) == "▁█"
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert sparkline([70, 75, 82, 100]) == "▁▂▄█"
    assert sparkline([5, 5, 5]) == "▄▄▄"  # flat: mid-height
    assert sparkline([3]) == "▄"
    assert sparkline([1, None, 2]) == "▁ █"  # a year without a value
    assert sparkline([None]) == " "
    assert all(c in "▁▂▃▄▅▆▇█" for c in sparkline([0.1, 0.7, -3, 12.5, 4]))


def test_bar_widths_are_proportional_and_fill_the_bar() -> None:
    assert bar_widths([1, 1], 10) == [5, 5]
    assert bar_widths([3, 0, 1], 8) == [6, 0, 2]
    assert bar_widths([0, 0], 10) == [0, 0]
    assert bar_widths([1, 99], 10) == [1, 9]  # a status present never disappears
    for counts in ([2, 3, 5, 0, 1, 1, 19], [1, 1, 1, 1, 1, 1, 1], [10, 0, 0, 0, 0, 0, 0]):
        for width in (7, 40, 76, 116):
            cells = bar_widths(counts, width)
            assert sum(cells) == width
            assert all((c > 0) == (n > 0) for c, n in zip(cells, counts, strict=True))


def test_change_columns_share_the_width() -> None:
    assert fit_widths([10, 8, 5, 12], 100) == [10, 8, 5, 12]  # all fit: as they are
    assert fit_widths([60, 9, 11, 80], 70) == [25, 9, 11, 25]  # short ones keep their size
    assert sum(fit_widths([50, 50, 50, 50], 70)) <= 70


def test_signed_gap_in_french() -> None:
    assert signed(4.25) == "+4,25"
    assert signed(-8) == "−8"
    assert signed(0) == "0"


def test_parse_target_accepts_french_and_english_decimals() -> None:
    assert parse_target("4,5") == parse_target("4.5") == 4.5
    assert parse_target("95 %") == 95
    assert parse_target("") is None
    for bad in ("beaucoup", "4,5,6"):
        with pytest.raises(ValueError):
            parse_target(bad)


def test_parse_number() -> None:
    assert parse_number("87,5 %") == 87.5
    assert parse_number(" 12 ") == 12
    assert parse_number("") is None
    with pytest.raises(ValueError):
        parse_number("beaucoup")
