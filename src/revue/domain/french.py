"""French typography and formats of numbers and dates: one place for the screens, the
comparisons and every bilan writer."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

NBSP = "\u00a0"  # before : and %, inside « »
NNBSP = "\u202f"  # before ; ! ? and as thousands separator

_BEFORE_COLON = re.compile(r"[ \t]+(:)(?=\s|$)")
_BEFORE_THIN = re.compile(r"[ \t]*([;!?])(?=\s|$)")
_BEFORE_PERCENT = re.compile(r"(\d)[ \t]*%")
_GUILLEMETS_OPEN = re.compile(r"«[ \t]*")
_GUILLEMETS_CLOSE = re.compile(r"[ \t]*»")


_SPELT_OUT = (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"), ("’", "'"), ("ʼ", "'"))
#: The combining accents NFKD separates from their letters (the Unicode blocks of combining
#: diacritical marks).
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Text as searches compare it: no case, no accents, ligatures spelt out, one apostrophe,
    plain spaces (« Élève », « eleve » and « ÉLÈVE » are the same; « œuvre » is « oeuvre »).

    The log's ``search_text`` column is stored folded (migration 0007): a change here needs a
    migration that folds it again."""
    if text.isascii():
        return text.casefold()
    for ligature, spelt in _SPELT_OUT:
        text = text.replace(ligature, spelt)
    return _ACCENTS.sub("", unicodedata.normalize("NFKD", text)).casefold()


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
    """``12 demandes``, ``1 demande``, ``0 demande``, ``87,5 %``."""
    if value is None:
        return "—"
    return f"{number(value)}{NBSP}{unit_for(value, unit)}" if unit else number(value)


def singular(unit: str) -> str:
    """The singular of a unit written in the plural, as contract files write them:
    « demandes » -> « demande », « conseils de cycle » -> « conseil de cycle » (the first
    word only); a word that does not end in -s (« % », « travaux ») is kept."""
    first, space, rest = unit.partition(" ")
    if len(first) > 2 and first.endswith("s") and not first.endswith("ss") and first.isalpha():
        first = first[:-1]
    return first + space + rest


def unit_for(value: float, unit: str) -> str:
    """French agreement: singular below 2 (« 0 demande », « 1,5 point »), else as written."""
    return singular(unit) if abs(value) < 2 else unit


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


def some_of(names: list[str], most: int = 5) -> str:
    """The first ``most`` of ``names``, comma-separated, « … » when there are more."""
    return ", ".join(names[:most]) + ("…" if len(names) > most else "")
