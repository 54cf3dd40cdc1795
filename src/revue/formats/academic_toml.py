"""The projet académique TOML format (versions 1 and 2), documented in
``docs/format-contrat.md``.

Version 2 holds a whole document: free text at every level (préambule, orientations,
introductions), the document's own level names, optional codes, parts nested at any depth,
nested lists of leviers, a criteria lead-in, example actions and resources. Version 1 files
(two levels, codes required) still import.

Reading validates everything before anything is written. The file's text is kept with the
projet (:attr:`AcademicProject.source`), so ``revue academic export`` gives back the imported
file byte for byte, comments included; :func:`dump_academic_project` writes the one canonical
version-2 text of a projet, so export → import → export is byte-identical either way.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from revue.domain.academic import AcademicAxis, AcademicObjective, AcademicProject, ListItem
from revue.domain.errors import InputError
from revue.domain.text import control_character
from revue.formats.fields import MAX_ITEMS, MAX_TEXT, Context, Table, describe
from revue.formats.tomlfile import Locator, read_toml

ACADEMIC_FORMAT = "revue-projet-academique"
ACADEMIC_FORMAT_VERSION = 2
MAX_DEPTH = 12


def load_academic_project(path: str | os.PathLike[str]) -> tuple[AcademicProject, Locator]:
    """Read a projet académique file; raise :class:`InputError` on any problem."""
    data, locator = read_toml(path)
    top = Context(str(path), locator).table(data, ())
    if top.data.get("format") != ACADEMIC_FORMAT:
        top.fail("format", f'un projet académique commence par format = "{ACADEMIC_FORMAT}"')
    return parse_academic_project(top, source_text(path, data)), locator


def source_text(path: str | os.PathLike[str], data: dict[str, Any]) -> str:
    """The file's text as it was parsed into ``data`` ("" if it changed meanwhile), newlines
    untouched, so that it can be written back byte for byte."""
    try:
        raw = Path(path).read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        text = raw.decode("utf-8")
        return text if tomllib.loads(text) == data else ""
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""


def _version(top: Table) -> int:
    version = top.data.get("format_version")
    top.seen.update({"format", "format_version"})
    expected = f"format_version = {ACADEMIC_FORMAT_VERSION}"
    if version is None:
        top.fail("format_version", f"valeur obligatoire manquante ({expected})")
    if isinstance(version, bool) or not isinstance(version, int):
        top.fail("format_version", f"un nombre entier est attendu ({expected})")
    if version > ACADEMIC_FORMAT_VERSION:
        top.fail(
            "format_version",
            f"ce fichier est au format version {version}, plus récent que ce que cette version "
            f"de revue sait lire (version {ACADEMIC_FORMAT_VERSION}) : mettez revue à jour",
        )
    if version < 1:
        top.fail("format_version", f"version {version} inconnue (attendu 1 ou 2)")
    return version


class _Keys:
    """Every key (id, else code) and every code of the file, to refuse duplicates."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.keys: dict[str, str] = {}
        self.codes: set[str] = set()

    def item(self, table: Table, what: str) -> tuple[str, str]:
        """Read ``id`` and ``code`` of a part or an objective: the code is required in version
        1; in version 2 one of them is (the id when the document numbers nothing)."""
        code = table.text("code", required=self.version == 1, multiline=False)
        slug = (table.slug("id", required=False) or "") if self.version > 1 else ""
        if not slug and not code:
            table.fail(
                "id",
                f"{what} sans code demande un identifiant « id » (minuscules, chiffres, « - ») : "
                "c'est par lui que les contrats s'y rattachent",
            )
        if code:
            if code in self.codes:
                table.fail("code", f"code « {code} » déjà utilisé plus haut")
            self.codes.add(code)
        key, field_name = (slug, "id") if slug else (code, "code")
        if key in self.keys:
            table.fail(field_name, f"« {key} » désigne déjà {self.keys[key]} plus haut")
        self.keys[key] = what
        return slug, code


def _items(table: Table, key: str, depth: int = 0) -> list[ListItem]:
    """A list whose elements are lines (text) or tables ``{ text, items, examples,
    resources }`` holding the lines under them."""
    value = table.data.get(key)
    table.seen.add(key)
    if value is None:
        return []
    if not isinstance(value, list):
        table.fail(key, f"une liste est attendue, trouvé {describe(value)}")
    if len(value) > MAX_ITEMS:
        table.fail(key, f"liste trop longue ({len(value)} éléments ; au plus {MAX_ITEMS})")
    if depth > MAX_DEPTH:
        table.fail(key, f"listes trop imbriquées (plus de {MAX_DEPTH} niveaux)")
    out: list[ListItem] = []
    for index, element in enumerate(value):
        path = (*table.path, key, index)
        if isinstance(element, str):
            problem = control_character(element)
            if problem is not None:
                table.ctx.fail(path, f"élément n° {index + 1} : {problem} : retirez-le du texte")
            if len(element) > MAX_TEXT:
                table.ctx.fail(path, f"élément n° {index + 1} trop long")
            if element.strip():
                out.append(ListItem(text=element.strip()))
            continue
        if not isinstance(element, dict):
            table.ctx.fail(
                path,
                f"élément n° {index + 1} : du texte ou une table {{ text = … }} est attendu, "
                f"trouvé {describe(element)}",
            )
        sub = table.ctx.table(element, path)
        item = ListItem(
            text=sub.text("text", required=True),
            items=_items(sub, "items", depth + 1),
            examples=_items(sub, "examples", depth + 1),
            resources=sub.strings("resources"),
        )
        sub.done()
        out.append(item)
    return out


def parse_academic_project(top: Table, source: str = "") -> AcademicProject:
    """Validate a parsed projet académique file (version 1 or 2) and build the projet."""
    version = _version(top)
    project = AcademicProject(
        id=top.slug("id") or "",
        title=top.text("title", required=True),
        academie=top.text("academie"),
        period=top.text("period", multiline=False),
        format_version=version,
        source=source,
    )
    if version > 1:
        project.preamble = top.text("preamble")
        project.preamble_signature = top.text("preamble_signature")
    keys = _Keys(version)
    for sub in top.tables("axes"):
        project.axes.append(_axis(sub, keys, 1))
    top.done()
    return project


def _axis(sub: Table, keys: _Keys, depth: int) -> AcademicAxis:
    slug, code = keys.item(sub, "une partie")
    axis = AcademicAxis(
        id=slug,
        code=code,
        title=sub.text("title", required=True),
        text=sub.text("text"),
    )
    if keys.version > 1:
        axis.level = sub.text("level", multiline=False)
        axis.resources = sub.strings("resources")
    for obj in sub.tables("objectives"):
        axis.objectives.append(_objective(obj, keys))
    if keys.version > 1:
        for part in sub.tables("sections"):
            if depth >= MAX_DEPTH:
                part.fail(None, f"arborescence trop profonde (plus de {MAX_DEPTH} niveaux)")
            axis.sections.append(_axis(part, keys, depth + 1))
    sub.done()
    return axis


def _objective(obj: Table, keys: _Keys) -> AcademicObjective:
    slug, code = keys.item(obj, "un objectif")
    objective = AcademicObjective(id=slug, code=code, title=obj.text("title", required=True))
    if keys.version == 1:
        objective.levers = [ListItem(text) for text in obj.strings("levers")]
        objective.criteria = obj.strings("criteria")
    else:
        objective.level = obj.text("level", multiline=False)
        objective.text = obj.text("text")
        objective.items = _items(obj, "items")
        objective.levers = _items(obj, "levers")
        objective.criteria_lead = obj.text("criteria_lead")
        objective.criteria = obj.strings("criteria")
        objective.examples = _items(obj, "examples")
        objective.resources = obj.strings("resources")
    obj.done()
    return objective


# --- writing -------------------------------------------------------------------------------


def _clean(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if v not in (None, "", [], {})}


def _kv(key: str, value: Any) -> str:
    return tomli_w.dumps({key: value}, multiline_strings=True).rstrip("\n")


def _table_text(header: str, table: dict[str, Any]) -> str:
    """One table as TOML, arrays of tables always in ``[[header]]`` form, in key order."""
    lines = [f"[[{header}]]"] if header else []
    subs: list[tuple[str, list[dict[str, Any]]]] = []
    for key, value in table.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            subs.append((key, value))
        else:
            lines.append(_kv(key, value))
    text = "\n".join(lines) + "\n"
    for key, items in subs:
        for item in items:
            text += "\n" + _table_text(f"{header}.{key}" if header else key, item)
    return text


def _items_out(items: list[ListItem]) -> list[Any]:
    """Plain lines when none has lines under it, else a table per element."""
    if all(item.is_leaf for item in items):
        return [item.text for item in items]
    return [
        _clean(
            {
                "text": item.text,
                "resources": item.resources,
                "items": _items_out(item.items),
                "examples": _items_out(item.examples),
            }
        )
        for item in items
    ]


def _objective_out(o: AcademicObjective) -> dict[str, Any]:
    return _clean(
        {
            "id": o.id,
            "code": o.code,
            "level": o.level,
            "title": o.title,
            "text": o.text,
            "criteria_lead": o.criteria_lead,
            "criteria": o.criteria,
            "resources": o.resources,
            "items": _items_out(o.items),
            "levers": _items_out(o.levers),
            "examples": _items_out(o.examples),
        }
    )


def _axis_out(a: AcademicAxis) -> dict[str, Any]:
    return _clean(
        {
            "id": a.id,
            "code": a.code,
            "level": a.level,
            "title": a.title,
            "text": a.text,
            "resources": a.resources,
            "objectives": [_objective_out(o) for o in a.objectives],
            "sections": [_axis_out(s) for s in a.sections],
        }
    )


def dump_academic_project(project: AcademicProject) -> str:
    """The canonical version-2 text of a projet académique (whatever version it came in)."""
    head = _clean(
        {
            "format": ACADEMIC_FORMAT,
            "format_version": ACADEMIC_FORMAT_VERSION,
            "id": project.id,
            "title": project.title,
            "academie": project.academie,
            "period": project.period,
            "preamble": project.preamble,
            "preamble_signature": project.preamble_signature,
        }
    )
    head["axes"] = [_axis_out(a) for a in project.axes]
    return _table_text("", _clean(head))


def export_academic_project(project: AcademicProject, *, canonical: bool = False) -> str:
    """What ``revue academic export`` writes: the imported file's own text (comments kept),
    or the canonical text when asked or when there is no such text."""
    if project.source and not canonical:
        return project.source
    return dump_academic_project(project)


def locate_link_error(
    locator: Locator, filename: str, objective_index: int, message: str
) -> InputError:
    """An error about one contract objective's links to the projet académique, pointing at its
    ``academic_links`` line."""
    return InputError(
        message,
        file=filename,
        line=locator.line_of(("objectives", objective_index, "academic_links")),
        field=f"objectives[{objective_index + 1}].academic_links",
    )
