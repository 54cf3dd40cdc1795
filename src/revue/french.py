"""French typography and formats of numbers and dates: one place for the screens, the
comparisons and every bilan writer."""

from __future__ import annotations

import datetime as dt
import re

NBSP = "\u00a0"  # before : and %, inside « »
NNBSP = "\u202f"  # before ; ! ? and as thousands separator

_BEFORE_COLON = re.compile(r"[ \t]+(:)(?=\s|$)")
_BEFORE_THIN = re.compile(r"[ \t]*([;!?])(?=\s|$)")
_BEFORE_PERCENT = re.compile(r"(\d)[ \t]*%")
_GUILLEMETS_OPEN = re.compile(r"«[ \t]*")
_GUILLEMETS_CLOSE = re.compile(r"[ \t]*»")


def typo(text: str) -> str:
    """Non-breaking spaces where French typography puts them (before : ; ! ? %, inside « »)."""
    text = _BEFORE_COLON.sub(NBSP + r"\1", text)
    text = _BEFORE_THIN.sub(NNBSP + r"\1", text)
    text = _BEFORE_PERCENT.sub(r"\1" + NBSP + "%", text)
    text = _GUILLEMETS_OPEN.sub("«" + NBSP, text)
    return _GUILLEMETS_CLOSE.sub(NBSP + "»", text)


def number(value: float | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", NNBSP)
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", NNBSP).replace(".", ",")


def quantity(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{number(value)}{NBSP}{unit}" if unit else number(value)


def signed(value: float | None) -> str:
    if value is None:
        return "—"
    text = number(abs(value))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else "0")


def date(value: dt.date | None) -> str:
    return "—" if value is None else f"{value:%d/%m/%Y}"


def local_time(at: dt.datetime) -> dt.datetime:
    """A time the store keeps in UTC (without zone) in the reader's time zone."""
    return at.replace(tzinfo=dt.UTC).astimezone()


def with_year(value: float | None, unit: str, year: str | None) -> str:
    return "—" if value is None else f"{quantity(value, unit)} ({year or '—'})"


def clip(text: str, width: int) -> str:
    """One line of at most ``width`` characters, with « … » when cut."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
