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


def parse_number(raw: str, unit: str = "") -> float | None:
    """``"87,5 %"`` -> 87.5; ``""`` -> None; raises ValueError on anything else.

    With the indicator's ``unit``, the number may be followed by it, in the singular or the
    plural, in any case and with or without accents: ``"251 points"``, ``"1 demande"``."""
    text = raw
    if unit:
        text = _without_unit(text, unit)
        if not text.strip() and raw.strip():
            raise ValueError(raw)  # the unit alone, without a number
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


# --- durations and counts (the accompaniment log) --------------------------------------------


class NotADuration(ValueError):
    """The text is not a duration this parser reads; ``str(exc)`` is a French reason."""


class NotACount(ValueError):
    """The text is not a whole number of people; ``str(exc)`` is a French reason."""


_MINUTES_WORD = r"(?:min(?:utes?)?|mn)"
_HOURS_WORD = r"(?:h|heures?)"
_DURATION_MINUTES = re.compile(rf"^(\d+) ?(?:{_MINUTES_WORD}\.?)?$", re.ASCII)
_DURATION_HOURS = re.compile(
    rf"^(\d+) ?(?:{_HOURS_WORD}|:) ?(?:(\d+) ?(?:{_MINUTES_WORD}\.?)?)?$", re.ASCII
)
_DURATION_DECIMAL_HOURS = re.compile(rf"^(\d+)[.,](\d+) ?{_HOURS_WORD}$", re.ASCII)
_DURATION_DECIMAL_MINUTES = re.compile(rf"^\d+[.,]\d+ ?(?:{_MINUTES_WORD}\.?)?$", re.ASCII)
_GROUPED_DIGITS = re.compile(r"^\d{1,3}(?: \d{3})+$", re.ASCII)
DURATION_EXAMPLES = "90, 1 h 30, 1,5 h ou 90 min"


def _plain_spaces(raw: str) -> str:
    text = raw
    for space in _SPACES:
        text = text.replace(space, " ")
    return " ".join(text.split())


def parse_duration(raw: str) -> int | None:
    """A duration as people write it, in whole minutes: ``"90"``, ``"90 min"``, ``"1h30"``,
    ``"1 h 30"``, ``"1:30"``, ``"1,5 h"``, ``"2 heures"``; ``""`` -> None.

    Anything else raises NotADuration with a French reason: nothing is guessed (``"1h75"``,
    ``"1,01 h"`` that is no whole number of minutes, ``"beaucoup"``), nothing is dropped."""
    text = _plain_spaces(raw).lower()
    if not text:
        return None
    if len(text) > 30:
        raise NotADuration(f"ce n'est pas une durée : écrivez {DURATION_EXAMPLES}")
    minutes: int | None = None
    if match := _DURATION_MINUTES.match(text):
        minutes = int(match[1])
    elif match := _DURATION_HOURS.match(text):
        extra = int(match[2]) if match[2] else 0
        if extra > 59:
            raise NotADuration(f"« {raw.strip()} » : après les heures, les minutes vont de 0 à 59")
        minutes = int(match[1]) * 60 + extra
    elif match := _DURATION_DECIMAL_HOURS.match(text):
        decimals = match[2]
        scaled = (int(match[1]) * 10 ** len(decimals) + int(decimals)) * 60
        if scaled % 10 ** len(decimals):
            raise NotADuration(
                f"« {raw.strip()} » ne fait pas un nombre entier de minutes : "
                "écrivez les heures et les minutes (1 h 20)"
            )
        minutes = scaled // 10 ** len(decimals)
    elif _DURATION_DECIMAL_MINUTES.match(text):
        raise NotADuration(
            f"« {raw.strip()} » : des minutes entières (90), ou des heures suivies de h (1,5 h)"
        )
    if minutes is None:
        raise NotADuration(f"« {raw.strip()} » n'est pas une durée : écrivez {DURATION_EXAMPLES}")
    if minutes == 0:
        raise NotADuration("durée nulle : laissez le champ vide si vous ne la connaissez pas")
    return minutes


def parse_count(raw: str) -> int | None:
    """A number of people: ``"12"``, ``"1 250"`` (grouped by thousands); ``""`` -> None.
    Anything else (words, signs, decimals, zero) raises NotACount with a French reason."""
    text = _plain_spaces(raw)
    if not text:
        return None
    if len(text) > 15:
        raise NotACount("ce n'est pas un nombre de personnes : écrivez le nombre seul (12)")
    if not (text.isdigit() or _GROUPED_DIGITS.match(text)) or not text.isascii():
        raise NotACount(f"« {raw.strip()} » n'est pas un nombre : écrivez-le en chiffres (12)")
    count = int(text.replace(" ", ""))
    if count == 0:
        raise NotACount("aucun participant : laissez le champ vide si vous ne le savez pas")
    return count


def _without_unit(raw: str, unit: str) -> str:
    """``raw`` without ``unit`` (or its singular) at its end, when it is there."""
    from revue.domain.french import fold, singular

    folded = fold(raw).rstrip()
    for form in sorted({fold(unit), fold(singular(unit))}, key=len, reverse=True):
        if form and folded.endswith(form):
            head = folded[: -len(form)]
            if not head or not head[-1].isalpha():  # « 12 points », « 12points », not « 12xpoints »
                return raw.rstrip()[: len(head)]
    return raw
