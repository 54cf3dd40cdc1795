"""Plain data for a contract and a projet académique.

These dataclasses are what the formats read and write and what the store hands to its callers.
They carry no database state, so they can cross threads (store worker -> UI) freely and compare
by value (round-trip tests).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from revue.domain.academic import AcademicAxis as AcademicAxis
from revue.domain.academic import AcademicObjective as AcademicObjective
from revue.domain.academic import AcademicProject as AcademicProject
from revue.domain.academic import AcademicProjectSummary as AcademicProjectSummary

#: Namespace for the deterministic UUIDs of everything a contract file defines. Two laptops that
#: import the same contract file give its objectives the same keys, so accompaniments and
#: evidence that name an objective can later be exchanged between them.
REVUE_NAMESPACE = uuid.UUID("6f1d2c1e-5b7a-4f4e-9a43-2c0a7d3e9b10")


def stable_uuid(*parts: str) -> uuid.UUID:
    """Return the UUID of a contract element from its slugs (contract, then inner ids)."""
    return uuid.uuid5(REVUE_NAMESPACE, "/".join(parts))


class Direction(StrEnum):
    """Which way an indicator should move."""

    HIGHER = "higher"
    LOWER = "lower"

    @property
    def label(self) -> str:
        return "plus haut = mieux" if self is Direction.HIGHER else "plus bas = mieux"


class DocumentKind(StrEnum):
    """The kind of document a contract file transcribes."""

    CONTRAT = "contrat"
    PROJET = "projet"

    @property
    def label(self) -> str:
        return "Contrat" if self is DocumentKind.CONTRAT else "Projet de circonscription"


@dataclass
class Party:
    """One party to the contract and who signs for it."""

    name: str
    representative: str = ""
    representative_title: str = ""


@dataclass
class Article:
    title: str
    text: str


@dataclass
class LabelledList:
    """A titled list of lines kept with a section or a contract.

    Example: "Axes liés du projet de circonscription" under a strategy, or the three ambitions
    of a projet de circonscription.
    """

    label: str
    items: list[str] = field(default_factory=list)


@dataclass
class ComputedCount:
    """An indicator whose value is counted in the accompaniment log.

    Every field is a filter; ``None`` means "any". ``linked_to_objective`` restricts the count to
    accompaniments linked to the indicator's own objective.
    """

    modality: str | None = None  # "collective" | "individual"
    initiative: str | None = None  # "team" | "ien" | "teacher"
    theme: str | None = None  # substring of the theme, case-insensitive
    linked_to_objective: bool = False


@dataclass
class Indicator:
    id: str
    label: str
    unit: str = ""
    source: str = ""
    baseline_value: float | None = None
    baseline_year: str | None = None
    target_value: float | None = None
    target_year: str | None = None
    direction: Direction = Direction.HIGHER
    computed: ComputedCount | None = None
    note: str = ""


@dataclass
class Action:
    id: str
    what: str
    who: str = ""
    when: str = ""


@dataclass
class Objective:
    id: str
    text: str
    section: str | None = None  # id of the enclosing section, None at the contract's top level
    title: str = ""  # short title when the document gives one (else the text is the title)
    indicators: list[Indicator] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    academic_links: list[str] = field(default_factory=list)  # keys in the projet académique

    @property
    def display_title(self) -> str:
        return self.title or self.text


@dataclass
class Section:
    id: str
    level: str  # level name taken from the document: "Stratégie", "Champ d'intervention"...
    title: str
    parent: str | None = None
    code: str = ""
    text: str = ""
    lists: list[LabelledList] = field(default_factory=list)


@dataclass
class AcademicProjectRef:
    title: str
    id: str | None = None  # slug of a projet académique in the store, when it is there


@dataclass
class Contract:
    """A whole contract (or projet de circonscription) as its file describes it.

    ``sections`` and ``objectives`` are in document order; ``parent`` and ``section`` fields give
    the tree.
    """

    id: str
    title: str
    circonscription: str
    start_date: dt.date
    end_date: dt.date
    kind: DocumentKind = DocumentKind.CONTRAT
    academie: str = ""
    departement: str = ""
    ien: str = ""
    signature_date: dt.date | None = None
    signature_place: str = ""
    preamble: str = ""
    academic_project: AcademicProjectRef | None = None
    parties: list[Party] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    lists: list[LabelledList] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)

    @property
    def period(self) -> str:
        return f"{self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y}"

    def objectives_in_order(self) -> list[Objective]:
        """The objectives in document order: the order of the review walk."""
        return [item for item in self.in_tree_order() if isinstance(item, Objective)]

    def in_tree_order(self) -> list[Section | Objective]:
        """Sections and objectives depth first, each section followed by its own objectives
        and then by its subsections: the order of the document, and of the review walk."""
        by_section: dict[str | None, list[Objective]] = {}
        for objective in self.objectives:
            by_section.setdefault(objective.section, []).append(objective)
        children: dict[str | None, list[Section]] = {}
        for section in self.sections:
            children.setdefault(section.parent, []).append(section)
        out: list[Section | Objective] = list(by_section.get(None, []))

        def walk(parent: str | None) -> None:
            for section in children.get(parent, []):
                out.append(section)
                out.extend(by_section.get(section.id, []))
                walk(section.id)

        walk(None)
        return out


@dataclass
class ContractSummary:
    """One line of the contract list."""

    uuid: uuid.UUID
    id: str
    title: str
    kind: DocumentKind
    circonscription: str
    start_date: dt.date
    end_date: dt.date
    objective_count: int

    @property
    def period(self) -> str:
        return f"{self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y}"
