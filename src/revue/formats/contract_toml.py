"""The contract TOML format (version 1), documented in ``docs/format-contrat.md``; the projet
académique format is :mod:`revue.formats.academic_toml`.

Reading validates everything before anything is written; writing produces one canonical text,
so import → export → import → export gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import tomli_w

from revue.domain.academic import AcademicProject
from revue.domain.contract import (
    AcademicProjectRef,
    Action,
    Article,
    ComputedCount,
    Contract,
    Direction,
    DocumentKind,
    Indicator,
    LabelledList,
    Objective,
    Party,
    Section,
)
from revue.domain.log import INITIATIVE_LABELS, MODALITY_LABELS
from revue.domain.schoolyear import school_year_bounds, school_year_of
from revue.formats.academic_toml import ACADEMIC_FORMAT, parse_academic_project, source_text
from revue.formats.fields import Context, Table
from revue.formats.tomlfile import Locator, read_toml

CONTRACT_FORMAT = "revue-contrat"
FORMAT_VERSION = 1
MAX_DEPTH = 12

_KINDS = {k.value: k.label for k in DocumentKind}
_DIRECTIONS = {d.value: d.label for d in Direction}


def load_document(path: str | os.PathLike[str]) -> tuple[Contract | AcademicProject, Locator]:
    """Read a contract or projet académique file; raise :class:`InputError` on any problem."""
    filename = str(path)
    data, locator = read_toml(path)
    ctx = Context(filename, locator)
    top = ctx.table(data, ())
    fmt = top.data.get("format")
    if fmt == ACADEMIC_FORMAT:
        return parse_academic_project(top, source_text(path, data)), locator
    if fmt != CONTRACT_FORMAT:
        if fmt is None:
            top.fail(
                "format",
                f"clé « format » manquante : la première ligne d'un contrat est "
                f'format = "{CONTRACT_FORMAT}" (ou "{ACADEMIC_FORMAT}" pour un projet académique)',
            )
        top.fail(
            "format",
            f"format « {str(fmt)[:40]} » inconnu : attendu « {CONTRACT_FORMAT} » "
            f"ou « {ACADEMIC_FORMAT} »",
        )
    return parse_contract(top), locator


def _check_version(top: Table) -> None:
    version = top.data.get("format_version")
    top.seen.update({"format", "format_version"})
    if version is None:
        top.fail("format_version", "valeur obligatoire manquante (format_version = 1)")
    if isinstance(version, bool) or not isinstance(version, int):
        top.fail("format_version", "un nombre entier est attendu (format_version = 1)")
    if version > FORMAT_VERSION:
        top.fail(
            "format_version",
            f"ce fichier est au format version {version}, plus récent que ce que cette version "
            f"de revue sait lire (version {FORMAT_VERSION}) : mettez revue à jour",
        )
    if version < 1:
        top.fail("format_version", f"version {version} inconnue (attendu {FORMAT_VERSION})")


def _lists(table: Table) -> list[LabelledList]:
    out = []
    for sub in table.tables("lists"):
        out.append(LabelledList(label=sub.text("label", required=True), items=sub.strings("items")))
        sub.done()
    return out


def parse_contract(top: Table) -> Contract:
    """Validate a parsed contract file and build the :class:`Contract`.

    The file is read top to bottom, so that the first error reported is the first in the file.
    A refused table does not stop the reading: every problem of the file is reported in one
    run (:meth:`Context.attempt`), up to twenty.
    """
    ctx = top.ctx
    _check_version(top)
    header = ctx.attempt(_contract_header, top)
    contract = header or Contract(
        id="",
        kind=DocumentKind.CONTRAT,
        title="",
        circonscription="",
        start_date=dt.date.min,
        end_date=dt.date.max,
    )
    for sub in top.tables("parties"):
        party = ctx.attempt(_party, sub)
        if party is not None:
            contract.parties.append(party)
    for sub in top.tables("articles"):
        article = ctx.attempt(_article, sub)
        if article is not None:
            contract.articles.append(article)
    contract.lists = ctx.attempt(_lists, top) or []
    ids = _Ids()
    sections = _sections(top, ids, contract)
    for sub in top.tables("objectives"):
        objective = _objective(sub, contract if header else None, sections, ids)
        if objective is not None:
            contract.objectives.append(objective)
    ctx.attempt(top.done)
    ctx.raise_errors()
    return contract


class _Ids:
    """Every slug of a contract file and what it names, to refuse duplicates."""

    def __init__(self) -> None:
        self.named: dict[str, str] = {}

    def claim(self, table: Table, key: str, slug: str, what: str) -> None:
        if slug in self.named:
            table.fail(key, f"identifiant « {slug} » déjà utilisé plus haut ({self.named[slug]})")
        self.named[slug] = what


def _contract_header(top: Table) -> Contract:
    """The contract's own fields, its projet académique, parties and articles."""
    contract = Contract(
        id=top.slug("id") or "",
        kind=DocumentKind(top.choice("kind", _KINDS, DocumentKind.CONTRAT.value)),
        title=top.text("title", required=True),
        circonscription=top.text("circonscription", required=True),
        academie=top.text("academie"),
        departement=top.text("departement"),
        ien=top.text("ien"),
        start_date=top.date("start_date", required=True),
        end_date=top.date("end_date", required=True),
        signature_date=top.date("signature_date"),
        signature_place=top.text("signature_place"),
        preamble=top.text("preamble"),
    )
    if contract.end_date <= contract.start_date:
        top.fail(
            "end_date",
            f"la date de fin ({contract.end_date:%d/%m/%Y}) doit être postérieure à la date de "
            f"début ({contract.start_date:%d/%m/%Y})",
        )
    ref = top.subtable("academic_project")
    if ref is not None:
        contract.academic_project = AcademicProjectRef(
            title=ref.text("title", required=True), id=ref.slug("id", required=False)
        )
        ref.done()
    top.seen.update({"parties", "articles"})
    return contract


def _party(sub: Table) -> Party:
    party = Party(
        name=sub.text("name", required=True),
        representative=sub.text("representative"),
        representative_title=sub.text("representative_title"),
    )
    sub.done()
    return party


def _article(sub: Table) -> Article:
    article = Article(title=sub.text("title", required=True), text=sub.text("text", required=True))
    sub.done()
    return article


def _sections(top: Table, ids: _Ids, contract: Contract) -> set[str]:
    """Read the sections into ``contract`` in file order (a parent must come before its
    children); returns every section id named, refused sections' included, so that their
    objectives are not refused a second time for naming them."""
    depth: dict[str, int] = {}
    named: set[str] = set()
    for sub in top.tables("sections"):
        raw = sub.data.get("id")
        if isinstance(raw, str):
            named.add(raw)
        section = top.ctx.attempt(_section, sub, ids, depth)
        if section is not None:
            contract.sections.append(section)
    return named


def _section(sub: Table, ids: _Ids, depth: dict[str, int]) -> Section:
    section = Section(
        id=sub.slug("id") or "",
        level=sub.text("level", required=True, multiline=False),
        title=sub.text("title", required=True),
        code=sub.text("code", multiline=False),
        text=sub.text("text"),
    )
    ids.claim(sub, "id", section.id, "une section")
    parent = sub.slug("parent", required=False)
    if parent is not None:
        if parent not in depth:
            sub.fail(
                "parent",
                f"section parente « {parent} » inconnue : elle doit être définie plus haut "
                "dans le fichier",
            )
        section.parent = parent
    depth[section.id] = depth.get(parent, 0) + 1 if parent else 1
    if depth[section.id] > MAX_DEPTH:
        sub.fail("parent", f"arborescence trop profonde (plus de {MAX_DEPTH} niveaux)")
    section.lists = _lists(sub)
    sub.done()
    return section


def _objective(
    sub: Table, contract: Contract | None, sections: set[str], ids: _Ids
) -> Objective | None:
    """One objective with its indicators and actions (``sections``: the section ids;
    ``contract``: its header, None when the header was refused). Its indicators and actions
    are read even when its own fields are refused, to report their problems too."""
    ctx = sub.ctx
    objective = ctx.attempt(_objective_fields, sub, contract, sections, ids)
    objective_id = objective.id if objective else str(sub.data.get("id", ""))
    indicators = [
        ctx.attempt(_indicator, ind, objective_id, n, ids, contract)
        for n, ind in enumerate(sub.tables("indicators"), start=1)
    ]
    actions = [
        ctx.attempt(_action, act, objective_id, n, ids)
        for n, act in enumerate(sub.tables("actions"), start=1)
    ]
    if objective is None:
        return None
    objective.indicators = [i for i in indicators if i is not None]
    objective.actions = [a for a in actions if a is not None]
    ctx.attempt(sub.done)
    return objective


def _objective_fields(
    sub: Table, contract: Contract | None, sections: set[str], ids: _Ids
) -> Objective:
    objective = Objective(
        id=sub.slug("id") or "",
        text=sub.text("text", required=True),
        title=sub.text("title"),
        criteria=sub.strings("criteria"),
        academic_links=sub.strings("academic_links"),
    )
    ids.claim(sub, "id", objective.id, "un objectif")
    section_id = sub.slug("section", required=False)
    if section_id is not None and section_id not in sections:
        sub.fail("section", f"section « {section_id} » inconnue dans ce fichier")
    objective.section = section_id
    if (
        objective.academic_links
        and contract is not None
        and (contract.academic_project is None or not contract.academic_project.id)
    ):
        sub.fail(
            "academic_links",
            "des liens au projet académique demandent academic_project.id en tête de fichier",
        )
    sub.seen.update({"indicators", "actions"})
    return objective


def _check_target_year(ind: Table, year: str, contract: Contract) -> None:
    """A target is for a school year of the contract: not one that begins after its end."""
    first_day, _last = school_year_bounds(year)
    if first_day > contract.end_date:
        last_year = school_year_of(contract.end_date)
        ind.fail(
            "target_year",
            f"l'année de la cible ({year}) commence après la fin du contrat "
            f"({contract.end_date:%d/%m/%Y}) : la dernière année possible est {last_year}",
        )


def _action(act: Table, objective_id: str, position: int, ids: _Ids) -> Action:
    action = Action(
        id=act.slug("id", required=False) or f"{objective_id}-a{position}",
        what=act.text("what", required=True),
        who=act.text("who"),
        when=act.text("when"),
    )
    ids.claim(act, "id", action.id, "une action")
    act.done()
    return action


def _indicator(
    ind: Table, objective_id: str, position: int, ids: _Ids, contract: Contract | None
) -> Indicator:
    indicator = Indicator(
        id=ind.slug("id", required=False) or f"{objective_id}-i{position}",
        label=ind.text("label", required=True),
        unit=ind.text("unit", multiline=False),
        source=ind.text("source"),
        baseline_value=ind.number("baseline"),
        baseline_year=ind.school_year("baseline_year"),
        target_value=ind.number("target"),
        target_year=ind.school_year("target_year"),
        direction=Direction(ind.choice("direction", _DIRECTIONS, Direction.HIGHER.value)),
        note=ind.text("note"),
    )
    ids.claim(ind, "id", indicator.id, "un indicateur")
    if indicator.baseline_value is not None and indicator.baseline_year is None:
        ind.fail("baseline_year", "l'année de la valeur initiale manque (ex. « 2017-2018 »)")
    if indicator.target_value is not None and indicator.target_year is None:
        ind.fail("target_year", "l'année de la cible manque (ex. « 2019-2020 »)")
    if contract is not None and indicator.target_year is not None:
        _check_target_year(ind, indicator.target_year, contract)
    computed = ind.subtable("computed")
    if computed is not None:
        indicator.computed = ComputedCount(
            modality=computed.choice("modality", MODALITY_LABELS),
            initiative=computed.choice("initiative", INITIATIVE_LABELS),
            theme=computed.optional_text("theme"),
            linked_to_objective=computed.boolean("linked_to_objective"),
        )
        computed.done()
        if indicator.baseline_value is not None:
            ind.fail(
                "baseline",
                "un indicateur calculé à partir du journal n'a pas de valeur "
                "initiale saisie : elle se compte dans le journal",
            )
    ind.done()
    return indicator


# --- writing -------------------------------------------------------------------------------


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _clean(table: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values so the canonical text shows only what the contract says."""
    return {k: v for k, v in table.items() if v not in (None, "", [], {})}


def _kv(key: str, value: Any) -> str:
    return tomli_w.dumps({key: value}, multiline_strings=True).rstrip("\n")


def _table_text(header: str, table: dict[str, Any]) -> str:
    """One table as TOML, always with ``[[header]]`` form for arrays of tables (tomli-w would
    inline short ones, which would break the document-order interleaving) and inline form for
    small sub-tables such as ``computed``."""
    lines = [f"[[{header}]]"] if header else []
    subs: list[tuple[str, list[dict[str, Any]]]] = []
    for key, value in table.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            subs.append((key, value))
        elif isinstance(value, dict):
            inner = ", ".join(_kv(k, v) for k, v in value.items())
            lines.append(f"{key} = {{ {inner} }}")
        else:
            lines.append(_kv(key, value))
    text = "\n".join(lines) + "\n"
    for key, items in subs:
        for item in items:
            text += "\n" + _table_text(f"{header}.{key}" if header else key, item)
    return text


def _lists_out(lists: list[LabelledList]) -> list[dict[str, Any]]:
    return [_clean({"label": li.label, "items": li.items}) for li in lists]


def _indicator_out(ind: Indicator) -> dict[str, Any]:
    computed = None
    if ind.computed is not None:
        computed = {
            k: v
            for k, v in {
                "modality": ind.computed.modality,
                "initiative": ind.computed.initiative,
                "theme": ind.computed.theme,
                "linked_to_objective": ind.computed.linked_to_objective or None,
            }.items()
            if v is not None
        }
    out = _clean(
        {
            "id": ind.id,
            "label": ind.label,
            "unit": ind.unit,
            "source": ind.source,
            "baseline": None if ind.baseline_value is None else _number(ind.baseline_value),
            "baseline_year": ind.baseline_year,
            "target": None if ind.target_value is None else _number(ind.target_value),
            "target_year": ind.target_year,
            "direction": ind.direction.value,
            "note": ind.note,
        }
    )
    if computed is not None:
        out["computed"] = computed
    return out


def dump_contract(contract: Contract) -> str:
    """The canonical TOML text of a contract: sections and objectives in document order."""
    head = _clean(
        {
            "format": CONTRACT_FORMAT,
            "format_version": FORMAT_VERSION,
            "id": contract.id,
            "kind": contract.kind.value,
            "title": contract.title,
            "circonscription": contract.circonscription,
            "academie": contract.academie,
            "departement": contract.departement,
            "ien": contract.ien,
            "start_date": contract.start_date,
            "end_date": contract.end_date,
            "signature_date": contract.signature_date,
            "signature_place": contract.signature_place,
            "preamble": contract.preamble,
        }
    )
    if contract.academic_project is not None:
        head["academic_project"] = _clean(
            {"title": contract.academic_project.title, "id": contract.academic_project.id}
        )
    head["parties"] = [
        _clean(
            {
                "name": p.name,
                "representative": p.representative,
                "representative_title": p.representative_title,
            }
        )
        for p in contract.parties
    ]
    head["articles"] = [{"title": a.title, "text": a.text} for a in contract.articles]
    head["lists"] = _lists_out(contract.lists)
    chunks = [_table_text("", _clean(head))]

    for item in contract.in_tree_order():
        if isinstance(item, Section):
            body = _clean(
                {
                    "id": item.id,
                    "level": item.level,
                    "code": item.code,
                    "title": item.title,
                    "parent": item.parent,
                    "text": item.text,
                    "lists": _lists_out(item.lists),
                }
            )
            chunks.append(_table_text("sections", body))
        else:
            body = _clean(
                {
                    "id": item.id,
                    "section": item.section,
                    "title": item.title,
                    "text": item.text,
                    "criteria": item.criteria,
                    "academic_links": item.academic_links,
                    "indicators": [_indicator_out(i) for i in item.indicators],
                    "actions": [
                        _clean({"id": a.id, "what": a.what, "who": a.who, "when": a.when})
                        for a in item.actions
                    ],
                }
            )
            chunks.append(_table_text("objectives", body))
    return "\n".join(chunks)
