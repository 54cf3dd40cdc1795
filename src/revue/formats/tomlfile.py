"""Reading a TOML file a user gave us, with French errors that say where the problem is.

``tomllib`` gives values but no positions, so :class:`Locator` scans the text once to remember
on which line each table header and each key stands. Validation code then reports a field by
its path (``("objectives", 3, "indicators", 0, "target")``) and the locator turns it into a line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from revue.domain.errors import InputError

#: The largest file we read. A contract of a few hundred objectives is well under 1 MB.
MAX_FILE_BYTES = 5 * 1024 * 1024

PathPart = str | int
FieldPath = tuple[PathPart, ...]

_SYNTAX_MESSAGES = {
    "Invalid date or datetime": "date ou heure impossible (le jour existe-t-il dans ce mois ?)",
    "Invalid value": "valeur invalide ou manquante",
    "Unterminated string": "chaîne de caractères non terminée (guillemet fermant manquant)",
    "Cannot overwrite a value": "la même clé est définie deux fois",
    "Cannot declare": "la même table est déclarée deux fois",
    "Expected '=' after a key in a key/value pair": "« = » attendu après le nom de la clé",
    "Expected newline or end of document after a statement": (
        "fin de ligne attendue après la valeur (deux valeurs sur une même ligne ?)"
    ),
    "Invalid statement": "ligne incompréhensible en TOML",
    "Unclosed array": "liste non fermée (« ] » manquant)",
    "Unclosed inline table": "table en ligne non fermée (« } » manquant)",
    "Illegal character": "caractère interdit",
    "Invalid initial character for a key part": "nom de clé invalide",
    "Expected ']' at the end of a table declaration": "« ] » attendu à la fin de l'en-tête de table",
    "Expected ']]' at the end of an array declaration": (
        "« ]] » attendu à la fin de l'en-tête de liste de tables"
    ),
}

_POSITION = re.compile(
    r"^(?P<msg>.*?)\s*\((?:at line (?P<line>\d+), column \d+|at end of document)\)$"
)
_KEY_LINE = re.compile(
    r"""^\s*(?P<key>(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_HEADER = re.compile(r"^\s*(?P<open>\[\[?)\s*(?P<name>[^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _split_key(raw: str) -> list[str]:
    parts = []
    for part in re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", raw):
        parts.append(part[1:-1] if part[0] in "\"'" else part)
    return parts


@dataclass
class Locator:
    """Where each table and key of a TOML text stands (1-based line numbers)."""

    lines: dict[FieldPath, int] = field(default_factory=dict)
    last_line: int = 1

    @classmethod
    def scan(cls, text: str) -> Locator:
        loc = cls()
        counters: dict[FieldPath, int] = {}
        current: FieldPath = ()
        in_multiline: str | None = None
        all_lines = text.splitlines()
        loc.last_line = max(1, len(all_lines))
        for number, line in enumerate(all_lines, start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header and not _KEY_LINE.match(line):
                names = _split_key(header["name"])
                resolved: list[PathPart] = []
                for name in names[:-1]:
                    resolved.append(name)
                    last = counters.get(tuple(resolved))
                    if last is not None:
                        resolved.append(last)
                resolved.append(names[-1])
                if header["open"] == "[[":
                    index = counters.get(tuple(resolved), -1) + 1
                    counters[tuple(resolved)] = index
                    resolved.append(index)
                current = tuple(resolved)
                loc.lines.setdefault(current, number)
                continue
            key = _KEY_LINE.match(line)
            if key:
                path = current + tuple(_split_key(key["key"]))
                loc.lines.setdefault(path, number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote
                        break
        return loc

    def line_of(self, path: Sequence[PathPart]) -> int | None:
        """The line of ``path``, or of its nearest enclosing table or key that we know."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return None


def _syntax_error(exc: tomllib.TOMLDecodeError, text: str, filename: str) -> InputError:
    raw = str(exc)
    match = _POSITION.match(raw)
    message, line = raw, None
    if match:
        message = match["msg"]
        line = int(match["line"]) if match["line"] else max(1, len(text.splitlines()))
    french = next((fr for en, fr in _SYNTAX_MESSAGES.items() if message.startswith(en)), None)
    lines = text.splitlines()
    current = lines[line - 1] if line and 0 < line <= len(lines) else ""
    if _DECIMAL_COMMA.search(current):  # the reader's words would mislead: say the slip
        value = current.split("=", 1)[1].split("#")[0].strip()
        french = (
            "nombre décimal écrit avec une virgule : en TOML le séparateur décimal est le "
            f"point (écrivez {value.replace(',', '.')})"
        )
        hint, slip_line = "", None
    else:
        hint, slip_line = _syntax_hint(message, lines, current, line)
    if french is None:
        french = f"syntaxe TOML invalide ({message})"
    else:
        french = f"syntaxe TOML invalide : {french}"
    line = slip_line or line
    return InputError(french + hint, file=filename, line=line, field=_field_at(lines, line))


def _field_at(lines: list[str], line: int | None) -> str | None:
    """The key written on ``line`` (1-based), if any."""
    if not line or not 0 < line <= len(lines):
        return None
    key = _KEY_LINE.match(lines[line - 1])
    return ".".join(_split_key(key["key"])) if key else None


_DECIMAL_COMMA = re.compile(r"=\s*[-+]?\d+,\d+\s*(?:#.*)?$")
_BARE_WORD = re.compile(r"=\s*[^\s\"'\[{0-9+\-tfin]")


def _syntax_hint(
    message: str, lines: list[str], current: str, line: int | None
) -> tuple[str, int | None]:
    """The usual slip behind a syntax error, said plainly, and the line where it was made
    when that is not where the reader stopped (an unclosed list is noticed lines later)."""
    if message.startswith(("Illegal character", "Unterminated string")) and (
        current.count('"') % 2 == 1 or current.count("'") % 2 == 1
    ):
        return (
            " ; un guillemet ouvre un texte qui n'est pas refermé sur la même ligne : ajoutez "
            'le guillemet fermant, ou écrivez un texte de plusieurs lignes entre """ et """',
            None,
        )
    if message.startswith("Invalid value") and _BARE_WORD.search(current):
        key, _, value = current.partition("=")
        return f' ; un texte s\'écrit entre guillemets : {key.strip()} = "{value.strip()}"', None
    if message.startswith("Unclosed array") and line:
        for number in range(min(line, len(lines)), 0, -1):
            candidate = lines[number - 1].split("#")[0]
            if candidate.count("[") > candidate.count("]") and _KEY_LINE.match(candidate):
                return f" ; la liste ouverte ligne {number} n'est pas fermée", number
    return "", None


def read_toml(path: str | os.PathLike[str]) -> tuple[dict[str, Any], Locator]:
    """Read and parse a TOML file, or raise :class:`InputError` with a French message."""
    filename = str(path)
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"fichier trop volumineux ({size / 1024 / 1024:.1f} Mo ; la limite est "
                f"{MAX_FILE_BYTES // 1024 // 1024} Mo)".replace(".", ","),
                file=filename,
            )
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("fichier introuvable", file=filename) from None
    except IsADirectoryError:
        raise InputError("c'est un dossier, pas un fichier", file=filename) from None
    except PermissionError:
        raise InputError("lecture interdite (droits du fichier)", file=filename) from None
    except OSError as exc:
        raise InputError(f"lecture impossible ({exc.strerror})", file=filename) from None
    return parse_toml_bytes(raw, filename)


def parse_toml_bytes(raw: bytes, filename: str) -> tuple[dict[str, Any], Locator]:
    """Parse TOML bytes already read from ``filename``."""
    if len(raw) > MAX_FILE_BYTES:
        raise InputError("fichier trop volumineux", file=filename)
    if not raw.strip():
        raise InputError("le fichier est vide", file=filename)
    if b"\x00" in raw:
        raise InputError(
            "ce n'est pas un fichier texte (contenu binaire) : attendu un fichier TOML",
            file=filename,
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"le fichier n'est pas encodé en UTF-8 (octet 0x{raw[exc.start]:02x} invalide) ; "
            "enregistrez-le en UTF-8",
            file=filename,
            line=line,
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, text, filename) from None
    except RecursionError:
        raise InputError(
            "imbrication trop profonde (listes ou tables imbriquées à l'excès)", file=filename
        ) from None
    return data, Locator.scan(text)
