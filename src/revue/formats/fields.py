"""Typed reading of one TOML table, with errors that name the file, the line and the field."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from typing import Any, Literal, NoReturn, TypeVar, overload

from revue.domain.errors import InputError, InputErrors
from revue.domain.text import control_character
from revue.formats.tomlfile import FieldPath, Locator

_T = TypeVar("_T")

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
MAX_TEXT = 20_000
MAX_ITEMS = 2_000

_TYPE_NAMES = {
    str: "du texte",
    int: "un nombre entier",
    float: "un nombre",
    bool: "vrai ou faux (true / false)",
    list: "une liste",
    dict: "une table",
    dt.date: "une date",
    dt.datetime: "une date et heure",
    dt.time: "une heure",
}


def describe(value: Any) -> str:
    """Name a TOML value's type in French, for 'expected X, found Y' messages."""
    if isinstance(value, bool):
        return "vrai/faux"
    for kind in (dt.datetime, dt.date, dt.time, str, int, float, list, dict):
        if isinstance(value, kind):
            return _TYPE_NAMES[kind]
    return type(value).__name__


def field_label(path: FieldPath) -> str:
    """``("objectives", 2, "target")`` -> ``objectives[3].target`` (positions counted from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else part
    return out


_WRITTEN_NUMBER = re.compile(
    r"^\s*(?P<int>[-+]?\d[\d\s\u00a0\u202f]*)(?:[,.](?P<dec>\d+))?\s*(?P<unit>.*)$"
)


def _number_hint(value: Any) -> str:
    """What to write instead, when a number was written as text (« "24,0" », « "12 %" »)."""
    if not isinstance(value, str):
        return ""
    match = _WRITTEN_NUMBER.match(value)
    if not match:
        return ""
    number = re.sub(r"\s", "", match["int"]) + (f".{match['dec']}" if match["dec"] else "")
    unit = " ; l'unité va dans « unit »" if match["unit"].strip() else ""
    return (
        f" : écrivez {number} sans guillemets (en TOML, le séparateur décimal est le point){unit}"
    )


class Context:
    """What every error needs: the file name and the line locator."""

    def __init__(self, filename: str, locator: Locator) -> None:
        self.filename = filename
        self.locator = locator
        self.errors: list[InputError] = []

    def attempt(self, read: Callable[..., _T], *args: Any) -> _T | None:
        """Run ``read(*args)``; on a refusal, note it and give None, so the reading goes on and one
        run reports every problem of the file (up to :attr:`InputErrors.MAX_REPORTED`)."""
        try:
            return read(*args)
        except InputErrors:
            raise
        except InputError as exc:
            self.errors.append(exc)
            if len(self.errors) >= InputErrors.MAX_REPORTED:
                raise InputErrors(self.errors, more=True) from None
            return None

    def raise_errors(self) -> None:
        """Raise what :meth:`attempt` noted, if anything, in file order."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            self.errors.sort(key=lambda e: e.line or 0)
            raise InputErrors(self.errors)

    def fail(self, path: FieldPath, message: str) -> NoReturn:
        raise InputError(
            message,
            file=self.filename,
            line=self.locator.line_of(path),
            field=field_label(path) or None,
        )

    def table(self, data: Any, path: FieldPath) -> Table:
        if not isinstance(data, dict):
            self.fail(path, f"une table est attendue, trouvé {describe(data)}")
        return Table(self, data, path)


class Table:
    """One TOML table being read: every key must be read once, unknown keys are refused."""

    def __init__(self, ctx: Context, data: dict[str, Any], path: FieldPath) -> None:
        self.ctx = ctx
        self.data = data
        self.path = path
        self.seen: set[str] = set()

    def fail(self, key: str | None, message: str) -> NoReturn:
        self.ctx.fail((*self.path, key) if key else self.path, message)

    def _get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if required:
                self.fail(key, "valeur obligatoire manquante")
            return None
        return self.data[key]

    def text(self, key: str, *, required: bool = False, multiline: bool = True) -> str:
        value = self._get(key, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(key, f"du texte est attendu, trouvé {describe(value)}")
        if len(value) > MAX_TEXT:
            self.fail(key, f"texte trop long ({len(value)} caractères ; au plus {MAX_TEXT})")
        control = control_character(value)
        if control is not None:
            self.fail(key, f"{control} : retirez-le du texte")
        value = value.strip()
        if required and not value:
            self.fail(key, "le texte ne peut pas être vide")
        if not multiline and "\n" in value:
            self.fail(key, "le texte doit tenir sur une ligne")
        return value

    def optional_text(self, key: str) -> str | None:
        if key not in self.data:
            self.seen.add(key)
            return None
        return self.text(key) or None

    def slug(self, key: str, *, required: bool = True) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(key, f"un identifiant (texte) est attendu, trouvé {describe(value)}")
        if not SLUG.match(value):
            self.fail(
                key,
                f"identifiant « {value[:80]} » invalide : minuscules sans accents, chiffres, "
                "« - », « . » ou « _ », 64 caractères au plus, commençant par une lettre ou "
                "un chiffre",
            )
        return value

    @overload
    def date(self, key: str, *, required: Literal[True]) -> dt.date: ...
    @overload
    def date(self, key: str, *, required: bool = False) -> dt.date | None: ...
    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        """A date (``AAAA-MM-JJ``); None when absent, which ``required`` refuses."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            self.fail(key, "une date sans heure est attendue (AAAA-MM-JJ)")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.fail(key, f"date impossible « {value[:40]} » (format attendu AAAA-MM-JJ)")
        self.fail(key, f"une date est attendue (AAAA-MM-JJ), trouvé {describe(value)}")

    def number(self, key: str) -> float | None:
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"un nombre est attendu, trouvé {describe(value)}{_number_hint(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(key, "un nombre fini est attendu")
        if abs(value) > 1e12:
            self.fail(key, "nombre démesuré")
        return float(value)

    def boolean(self, key: str) -> bool:
        value = self._get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(key, f"true ou false est attendu, trouvé {describe(value)}")
        return value

    def school_year(self, key: str) -> str | None:
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(
                key, f"une année scolaire (« 2018-2019 ») est attendue, trouvé {describe(value)}"
            )
        match = SCHOOL_YEAR.match(value.strip())
        if not match or int(match[2]) != int(match[1]) + 1:
            self.fail(
                key, f"année scolaire « {value[:20]} » invalide : écrivez par exemple « 2018-2019 »"
            )
        return value.strip()

    @overload
    def choice(self, key: str, choices: dict[str, str], default: str) -> str: ...
    @overload
    def choice(self, key: str, choices: dict[str, str], default: None = None) -> str | None: ...
    def choice(self, key: str, choices: dict[str, str], default: str | None = None) -> str | None:
        """One of ``choices``' keys; ``default`` when absent."""
        value = self._get(key, False)
        if value is None:
            return default
        if value not in choices:
            allowed = ", ".join(f"« {c} » ({label})" for c, label in choices.items())
            shown = value[:40] if isinstance(value, str) else describe(value)
            self.fail(key, f"valeur « {shown} » inconnue ; valeurs possibles : {allowed}")
        return str(value)

    def strings(self, key: str) -> list[str]:
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, f"une liste de textes est attendue, trouvé {describe(value)}")
        if len(value) > MAX_ITEMS:
            self.fail(key, f"liste trop longue ({len(value)} éléments ; au plus {MAX_ITEMS})")
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.ctx.fail(
                    (*self.path, key),
                    f"élément n° {index + 1} : du texte est attendu, trouvé {describe(item)}",
                )
            if len(item) > MAX_TEXT:
                self.ctx.fail((*self.path, key), f"élément n° {index + 1} trop long")
            control = control_character(item)
            if control is not None:
                self.ctx.fail(
                    (*self.path, key), f"élément n° {index + 1} : {control} : retirez-le du texte"
                )
            if item.strip():
                out.append(item.strip())
        return out

    def tables(self, key: str) -> Iterator[Table]:
        value = self._get(key, False)
        if value is None:
            return
        if not isinstance(value, list):
            self.fail(
                key, f"une liste de tables ([[{key}]]) est attendue, trouvé {describe(value)}"
            )
        if len(value) > MAX_ITEMS * 5:
            self.fail(key, f"trop d'éléments ({len(value)})")
        for index, item in enumerate(value):
            yield self.ctx.table(item, (*self.path, key, index))

    def subtable(self, key: str) -> Table | None:
        value = self._get(key, False)
        if value is None:
            return None
        return self.ctx.table(value, (*self.path, key))

    def done(self) -> None:
        """Refuse keys we did not read: a typo must not be silently dropped."""
        for key in self.data:
            if key not in self.seen:
                known = ", ".join(sorted(self.seen))
                self.fail(key, f"clé inconnue « {key} » (clés possibles ici : {known})")
