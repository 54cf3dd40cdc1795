"""Control characters: stored text never carries them (other than newline and tab).

An escape sequence in a theme or a title would act on the terminal (change its title, clear
the screen, draw in colour) and make the ODF bilan invalid XML. The importers refuse them with
the usual message (file, line, field); the app draws any that older data still holds as
nothing; the bilan writers drop them.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import TypeVar, cast

T = TypeVar("T")

#: C0 (but tab and newline), DEL and C1. Carriage returns are refused too: files are read with
#: universal newlines, so one left in a value was written as an escape.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_NAMES = {
    "\x1b": "ESC, échappement",
    "\x07": "BEL, sonnerie",
    "\x00": "caractère nul",
    "\r": "retour chariot",
    "\x08": "retour arrière",
    "\x7f": "DEL, suppression",
}


def control_character(text: str) -> str | None:
    """A French description of the first control character in ``text``, or None."""
    match = CONTROL.search(text)
    if match is None:
        return None
    char = match.group()
    name = _NAMES.get(char) or unicodedata.name(char, "caractère de commande")
    return f"caractère de commande U+{ord(char):04X} ({name}) en position {match.start() + 1}"


def without_controls(text: str) -> str:
    """``text`` with its control characters (other than newline and tab) removed."""
    return CONTROL.sub("", text) if CONTROL.search(text) else text


def scrubbed(value: T) -> T:
    """``value`` with control characters removed from every string it holds: dataclasses,
    lists, tuples and dicts are copied where something changed, the rest is returned as it is.
    The bilan writers get their model through this, so that any stored text can be written."""
    return cast(T, _scrub(value))


def _scrub(value: object) -> object:
    if type(value) is str:
        return without_controls(value)
    if isinstance(value, list):
        items = [_scrub(item) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        items = [_scrub(item) for item in value]
        changed = any(a is not b for a, b in zip(items, value, strict=True))
        return tuple(items) if changed else value
    if isinstance(value, dict):
        pairs = {_scrub(k): _scrub(v) for k, v in value.items()}
        changed = any(
            a is not b or pairs[a] is not value[b] for a, b in zip(pairs, value, strict=True)
        )
        return pairs if changed else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = _scrub(old)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
