"""French input, read the same way on every screen: numbers (``87,5``, ``87.5 %``, ``1 250``),
whole numbers and dates (``15/03/2019``)."""

from __future__ import annotations

import datetime as dt
import re

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_SPACES = ("\u00a0", "\u202f", " ")


class NotADate(ValueError):
    """The text is not written jj/mm/aaaa."""


class NoSuchDay(ValueError):
    """Written jj/mm/aaaa, but the day does not exist (31/02/2019)."""


def parse_number(raw: str) -> float | None:
    """``"87,5 %"`` -> 87.5; ``""`` -> None; raises ValueError on anything else."""
    text = raw
    for space in _SPACES:
        text = text.replace(space, "")
    text = text.rstrip("%")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise ValueError(raw)
    return float(text.replace(",", "."))


def parse_whole(raw: str) -> int | None:
    """``"12"`` -> 12; ``""`` -> None; raises ValueError on anything else (signs included)."""
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(raw)
    return int(text)


def parse_date(raw: str) -> dt.date:
    """``"15/03/2019"`` -> date; NotADate or NoSuchDay (both ValueError) otherwise."""
    match = _DATE.match(raw)
    if not match:
        raise NotADate(raw)
    try:
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise NoSuchDay(raw) from None
