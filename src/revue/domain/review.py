"""Plain data for reviews (examen annuel, évaluation à mi-parcours, bilan final)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from revue.domain.avenant import Avenant, RevisedTarget
from revue.domain.contract import Contract, Objective, Section
from revue.domain.french import number


class ReviewKind(StrEnum):
    ANNUAL = "annuel"
    MIDTERM = "mi-parcours"
    FINAL = "final"

    @property
    def label(self) -> str:
        return {
            ReviewKind.ANNUAL: "examen annuel",
            ReviewKind.MIDTERM: "évaluation à mi-parcours",
            ReviewKind.FINAL: "bilan final",
        }[self]


class Status(StrEnum):
    TO_START = "a-engager"
    IN_PROGRESS = "en-cours"
    REACHED = "atteint"
    PARTLY = "partiellement-atteint"
    NOT_REACHED = "non-atteint"
    DROPPED = "abandonne"

    @property
    def label(self) -> str:
        return {
            Status.TO_START: "à engager",
            Status.IN_PROGRESS: "en cours",
            Status.REACHED: "atteint",
            Status.PARTLY: "partiellement atteint",
            Status.NOT_REACHED: "non atteint",
            Status.DROPPED: "abandonné",
        }[self]


class EvidenceSource(StrEnum):
    NATIONAL = "evaluations-nationales"
    VISIT = "visite"
    CYCLE_COUNCIL = "conseil-de-cycle"
    CPC_NOTE = "note-cpc"
    SURVEY = "enquete"
    OTHER = "autre"

    @property
    def label(self) -> str:
        return {
            EvidenceSource.NATIONAL: "évaluations nationales",
            EvidenceSource.VISIT: "visite",
            EvidenceSource.CYCLE_COUNCIL: "conseil de cycle",
            EvidenceSource.CPC_NOTE: "note CPC",
            EvidenceSource.SURVEY: "enquête",
            EvidenceSource.OTHER: "autre",
        }[self]


@dataclass
class ReviewSummary:
    id: uuid.UUID
    contract_id: str
    school_year: str
    kind: ReviewKind
    closed: bool
    examined: int
    total: int

    @property
    def title(self) -> str:
        return f"{self.kind.label.capitalize()} {self.school_year}"


@dataclass
class Synthesis:
    """What the circonscription writes for the bilan: points forts, points de vigilance,
    perspectives."""

    strengths: str = ""
    vigilance: str = ""
    perspectives: str = ""


@dataclass
class Evidence:
    id: uuid.UUID
    objective_id: str
    date: dt.date
    text: str
    source: EvidenceSource
    file_path: str = ""


@dataclass
class ObjectiveReview:
    """What the review records for one objective."""

    objective_id: str
    status: Status | None = None
    analysis: str = ""
    adjustments: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    actions_done: list[str] = field(default_factory=list)  # ids of actions carried out

    @property
    def examined(self) -> bool:
        return self.status is not None


@dataclass
class Walk:
    """Everything the review walk shows, loaded at once."""

    review: ReviewSummary
    contract: Contract  # as revised by avenants
    initial: Contract  # as signed
    objectives: list[Objective]
    sections: dict[str, Section]
    records: dict[str, ObjectiveReview]  # by objective id
    values: dict[str, float | None]  # this review's value by indicator id
    history: dict[str, dict[str, float]]  # indicator id -> school year -> value (other reviews)
    previous: dict[str, ObjectiveReview]  # the previous review's records, for copy forward
    previous_title: str | None
    targets: dict[str, RevisedTarget]  # by indicator id
    avenants: list[Avenant]
    previous_id: uuid.UUID | None = None

    def path_of(self, objective: Objective) -> list[Section]:
        path: list[Section] = []
        section_id = objective.section
        while section_id is not None:
            section = self.sections[section_id]
            path.insert(0, section)
            section_id = section.parent
        return path

    @property
    def examined(self) -> int:
        return sum(
            1 for o in self.objectives if self.records.get(o.id, ObjectiveReview(o.id)).examined
        )


@dataclass
class ChangeLine:
    """One line of "depuis la dernière revue"."""

    objective_id: str
    objective: str
    what: str  # "statut", "valeur : <indicateur>", "preuve ajoutée", "analyse"
    before: str
    after: str


def compare_walks(before: Walk, after: Walk) -> list[ChangeLine]:
    """Statuses, indicator values, analyses and evidence that differ from one review to the
    next, objective by objective in document order."""
    lines: list[ChangeLine] = []
    for objective in after.objectives:
        title = " ".join(objective.display_title.split())
        old = before.records.get(objective.id, ObjectiveReview(objective.id))
        new = after.records.get(objective.id, ObjectiveReview(objective.id))
        if old.status != new.status:
            lines.append(
                ChangeLine(
                    objective.id,
                    title,
                    "statut",
                    old.status.label if old.status else "non examiné",
                    new.status.label if new.status else "non examiné",
                )
            )
        for indicator in objective.indicators:
            was, now = before.values.get(indicator.id), after.values.get(indicator.id)
            if was != now:
                unit = f" {indicator.unit}" if indicator.unit else ""
                lines.append(
                    ChangeLine(
                        objective.id,
                        title,
                        f"valeur : {indicator.label}",
                        number(was) + (unit if was is not None else ""),
                        number(now) + (unit if now is not None else ""),
                    )
                )
        if old.analysis.strip() != new.analysis.strip() and new.analysis.strip():
            lines.append(
                ChangeLine(
                    objective.id,
                    title,
                    "analyse",
                    "(vide)" if not old.analysis.strip() else "modifiée",
                    new.analysis.strip(),
                )
            )
        old_keys = {(e.date, e.text) for e in old.evidence}
        for item in new.evidence:
            if (item.date, item.text) not in old_keys:
                lines.append(
                    ChangeLine(
                        objective.id,
                        title,
                        "preuve ajoutée",
                        "",
                        f"{item.date:%d/%m/%Y} — {item.source.label} — {item.text}",
                    )
                )
    return lines
