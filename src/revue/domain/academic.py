"""Plain data for a projet académique (format version 2, docs/format-contrat.md).

A projet académique is a tree of parts (axes, chapters, ambitions, sections… under the
document's own level names) holding objectives; an objective has an introduction, an unheaded
list opening it, leviers (nested), a criteria lead-in and criteria, example actions and
resources. Codes are optional: the app shows a code only when the document has one. Every item
a contract can cite has a key, its ``id`` when the file gives one, else its code.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Level names used when the file gives none.
DEFAULT_AXIS_LEVEL = "Axe"
DEFAULT_OBJECTIVE_LEVEL = "Objectif"


@dataclass
class ListItem:
    """One line of a list (a levier, an example action…) with the lines under it.

    ``examples`` and ``resources`` are a levier's own example actions and resources."""

    text: str
    items: list[ListItem] = field(default_factory=list)
    examples: list[ListItem] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not (self.items or self.examples or self.resources)

    def count(self) -> int:
        """This line and every line under it (not its examples)."""
        return 1 + sum(child.count() for child in self.items)


@dataclass
class AcademicObjective:
    title: str
    code: str = ""
    id: str = ""
    level: str = ""  # the document's name for this level, "" for "Objectif"
    text: str = ""  # introduction
    items: list[ListItem] = field(default_factory=list)  # unheaded list opening the objective
    levers: list[ListItem] = field(default_factory=list)
    criteria_lead: str = ""  # the sentence before the criteria
    criteria: list[str] = field(default_factory=list)
    examples: list[ListItem] = field(default_factory=list)  # example actions
    resources: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """What a contract's ``academic_links`` names: the id, else the code."""
        return self.id or self.code

    @property
    def level_name(self) -> str:
        return self.level or DEFAULT_OBJECTIVE_LEVEL

    @property
    def label(self) -> str:
        """The code (when the document has one) and the title: "1.1 Faire réussir…"."""
        return f"{self.code} {self.title}" if self.code else self.title

    def lever_count(self) -> int:
        return sum(lever.count() for lever in self.levers)


@dataclass
class AcademicAxis:
    """A part of the projet académique at any level (axe, chapitre, section…)."""

    title: str
    code: str = ""
    id: str = ""
    level: str = ""  # the document's name for this level, "" for "Axe"
    text: str = ""  # orientations, introduction
    objectives: list[AcademicObjective] = field(default_factory=list)
    sections: list[AcademicAxis] = field(default_factory=list)  # parts under this one
    resources: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.id or self.code

    @property
    def level_name(self) -> str:
        return self.level or DEFAULT_AXIS_LEVEL

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}" if self.code else self.title


@dataclass
class AcademicProject:
    id: str
    title: str
    academie: str = ""
    period: str = ""  # e.g. "2018-2022"
    preamble: str = ""
    preamble_signature: str = ""  # who signs the préambule ("Le recteur …")
    axes: list[AcademicAxis] = field(default_factory=list)
    format_version: int = field(default=2, compare=False)  # the file's, not the content
    #: The file's text as imported: ``revue academic export`` writes it back, comments and
    #: all. Empty for a projet made otherwise (then the canonical text is written).
    source: str = field(default="", compare=False)

    def walk(self) -> Iterator[tuple[int, AcademicAxis | AcademicObjective]]:
        """Every part and objective in document order, with its depth (0 for an axis)."""

        def visit(axis: AcademicAxis, depth: int) -> Iterator[tuple[int, Any]]:
            yield depth, axis
            for objective in axis.objectives:
                yield depth + 1, objective
            for section in axis.sections:
                yield from visit(section, depth + 1)

        for axis in self.axes:
            yield from visit(axis, 0)

    def objectives(self) -> list[AcademicObjective]:
        return [item for _, item in self.walk() if isinstance(item, AcademicObjective)]

    def parts(self) -> list[AcademicAxis]:
        return [item for _, item in self.walk() if isinstance(item, AcademicAxis)]

    def find(self, key: str) -> AcademicAxis | AcademicObjective | None:
        """The part or objective a link names."""
        return next((item for _, item in self.walk() if item.key == key), None)

    def codes(self) -> set[str]:
        """Every key a contract may cite (kept under its old name: keys are codes in v1)."""
        return {item.key for _, item in self.walk()}

    def path_of(self, key: str) -> list[AcademicAxis]:
        """The parts enclosing the item with this key, outermost first."""

        def search(axis: AcademicAxis, trail: list[AcademicAxis]) -> list[AcademicAxis] | None:
            here = [*trail, axis]
            if axis.key == key:
                return trail
            if any(o.key == key for o in axis.objectives):
                return here
            for section in axis.sections:
                found = search(section, here)
                if found is not None:
                    return found
            return None

        for axis in self.axes:
            found = search(axis, [])
            if found is not None:
                return found
        return []

    def counts(self) -> dict[str, int]:
        """What the import message reports: parts, objectives, leviers, critères."""
        objectives = self.objectives()
        return {
            "axes": len(self.parts()),
            "objectives": len(objectives),
            "levers": sum(o.lever_count() for o in objectives),
            "criteria": sum(len(o.criteria) for o in objectives),
        }


@dataclass
class AcademicProjectSummary:
    uuid: uuid.UUID
    id: str
    title: str
    academie: str
    period: str
    objective_count: int


# --- plain data (the store keeps a projet as JSON) ------------------------------------------


def _item_data(item: ListItem) -> dict[str, Any]:
    out: dict[str, Any] = {"text": item.text}
    if item.items:
        out["items"] = [_item_data(i) for i in item.items]
    if item.examples:
        out["examples"] = [_item_data(i) for i in item.examples]
    if item.resources:
        out["resources"] = list(item.resources)
    return out


def _item_from(data: Any) -> ListItem:
    if isinstance(data, str):
        return ListItem(text=data)
    return ListItem(
        text=str(data["text"]),
        items=[_item_from(i) for i in data.get("items", [])],
        examples=[_item_from(i) for i in data.get("examples", [])],
        resources=[str(r) for r in data.get("resources", [])],
    )


def _objective_data(o: AcademicObjective) -> dict[str, Any]:
    return {
        "title": o.title,
        "code": o.code,
        "id": o.id,
        "level": o.level,
        "text": o.text,
        "items": [_item_data(i) for i in o.items],
        "levers": [_item_data(i) for i in o.levers],
        "criteria_lead": o.criteria_lead,
        "criteria": list(o.criteria),
        "examples": [_item_data(i) for i in o.examples],
        "resources": list(o.resources),
    }


def _axis_data(a: AcademicAxis) -> dict[str, Any]:
    return {
        "title": a.title,
        "code": a.code,
        "id": a.id,
        "level": a.level,
        "text": a.text,
        "objectives": [_objective_data(o) for o in a.objectives],
        "sections": [_axis_data(s) for s in a.sections],
        "resources": list(a.resources),
    }


def project_data(project: AcademicProject) -> dict[str, Any]:
    """The projet as JSON-ready data (without its id, title and source, kept apart)."""
    return {
        "format_version": project.format_version,
        "preamble": project.preamble,
        "preamble_signature": project.preamble_signature,
        "axes": [_axis_data(a) for a in project.axes],
    }


def _objective_from(d: dict[str, Any]) -> AcademicObjective:
    return AcademicObjective(
        title=d["title"],
        code=d.get("code", ""),
        id=d.get("id", ""),
        level=d.get("level", ""),
        text=d.get("text", ""),
        items=[_item_from(i) for i in d.get("items", [])],
        levers=[_item_from(i) for i in d.get("levers", [])],
        criteria_lead=d.get("criteria_lead", ""),
        criteria=list(d.get("criteria", [])),
        examples=[_item_from(i) for i in d.get("examples", [])],
        resources=list(d.get("resources", [])),
    )


def _axis_from(d: dict[str, Any]) -> AcademicAxis:
    return AcademicAxis(
        title=d["title"],
        code=d.get("code", ""),
        id=d.get("id", ""),
        level=d.get("level", ""),
        text=d.get("text", ""),
        objectives=[_objective_from(o) for o in d.get("objectives", [])],
        sections=[_axis_from(s) for s in d.get("sections", [])],
        resources=list(d.get("resources", [])),
    )


def project_from_data(
    data: dict[str, Any], *, id: str, title: str, academie: str, period: str, source: str
) -> AcademicProject:
    return AcademicProject(
        id=id,
        title=title,
        academie=academie,
        period=period,
        preamble=data.get("preamble", ""),
        preamble_signature=data.get("preamble_signature", ""),
        axes=[_axis_from(a) for a in data.get("axes", [])],
        format_version=int(data.get("format_version", 2)),
        source=source,
    )


# --- alignment --------------------------------------------------------------------------------


@dataclass
class AlignmentRow:
    """One PA part or objective and the contract objectives (ids) linked to it."""

    depth: int
    item: AcademicAxis | AcademicObjective
    served_by: list[str]

    @property
    def is_objective(self) -> bool:
        return isinstance(self.item, AcademicObjective)

    @property
    def unserved(self) -> bool:
        """A PA objective that no contract objective serves."""
        return self.is_objective and not self.served_by


def alignment(project: AcademicProject, links: dict[str, list[str]]) -> list[AlignmentRow]:
    """Every part and objective of ``project`` in document order with the contract objectives
    that cite it; ``links`` maps each contract objective id to its PA keys (in walk order)."""
    by_key: dict[str, list[str]] = {}
    for objective_id, keys in links.items():
        for key in keys:
            by_key.setdefault(key, []).append(objective_id)
    return [AlignmentRow(depth, item, by_key.get(item.key, [])) for depth, item in project.walk()]


def link_label(project: AcademicProject | None, key: str) -> str:
    """How a link is shown: the item's level, code (if any) and title; the bare key when the
    projet is not in the store."""
    found = project.find(key) if project is not None else None
    if found is None:
        return key
    return f"{found.level_name} {found.label}"


def links_line(project: AcademicProject | None, keys: list[str]) -> str:
    """One line saying what of the projet académique an objective serves ("" for none): what
    the walk and the overview show under an objective."""
    if not keys:
        return ""
    return "Rattaché à\u00a0: " + "\u202f; ".join(link_label(project, key) for key in keys)
