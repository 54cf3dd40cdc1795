"""Plain data for reviews (examen annuel, évaluation à mi-parcours, bilan final) and avenants."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from revue.domain import Contract, Indicator, Objective, Section
from revue.french import number


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


_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def school_year_start(year: str) -> int:
    """``"2018-2019"`` -> 2018; raises ValueError for anything else."""
    match = _YEAR.match(year)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValueError(year)
    return int(match[1])


def school_year_bounds(year: str) -> tuple[dt.date, dt.date]:
    """1 September – 31 August."""
    start = school_year_start(year)
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


def school_year_of(day: dt.date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


#: A school year belongs to a contract when the contract covers at least this many days of it
#: (a contract signed on 15 June does not make its first weeks a year to review).
MIN_DAYS_IN_YEAR = 90


def school_years_of_contract(contract: Contract) -> list[str]:
    """The school years the contract covers (at least :data:`MIN_DAYS_IN_YEAR` days of each)."""
    first = school_year_start(school_year_of(contract.start_date))
    last = school_year_start(school_year_of(contract.end_date))
    years = []
    for start in range(first, last + 1):
        year = f"{start}-{start + 1}"
        begin, end = school_year_bounds(year)
        overlap = (min(end, contract.end_date) - max(begin, contract.start_date)).days + 1
        if overlap >= MIN_DAYS_IN_YEAR:
            years.append(year)
    return years or [school_year_of(contract.start_date)]


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
class AvenantChange:
    """One change inside an avenant, kept as before -> after.

    kind: "objective-text" (text), "indicator-target" (value, year), "action-add",
    "action-change", "action-drop" (what, who, when).
    """

    kind: str
    objective_id: str
    target_id: str | None = None  # indicator or action id
    before: dict[str, object] = field(default_factory=dict)
    after: dict[str, object] = field(default_factory=dict)


CHANGE_LABELS = {
    "objective-text": "texte de l'objectif",
    "indicator-target": "cible d'un indicateur",
    "action-add": "action ajoutée",
    "action-change": "action modifiée",
    "action-drop": "action supprimée",
}


@dataclass
class Avenant:
    number: int
    date: dt.date
    reason: str
    changes: list[AvenantChange] = field(default_factory=list)
    review_id: uuid.UUID | None = None


@dataclass
class RevisedTarget:
    """An indicator's target as first signed and as last revised by avenant."""

    initial_value: float | None
    initial_year: str | None
    value: float | None
    year: str | None
    avenant: int | None = None  # number of the avenant that set the current target


@dataclass
class Revision:
    """A contract as signed and as revised by its avenants."""

    initial: Contract
    revised: Contract
    targets: dict[str, RevisedTarget]
    avenants: list[Avenant]


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
        return sum(1 for o in self.objectives if self.records.get(o.id, ObjectiveReview(o.id)).examined)


def expected_value(indicator: Indicator, target: RevisedTarget, year: str) -> float | None:
    """The value on the straight line from the baseline (year) to the target (year).

    None when the indicator has no baseline or no target: no trajectory can be drawn.
    """
    if indicator.baseline_value is None or indicator.baseline_year is None:
        return None
    if target.value is None or target.year is None:
        return None
    start = school_year_start(indicator.baseline_year)
    end = school_year_start(target.year)
    at = school_year_start(year)
    if end <= start:
        return target.value
    fraction = min(max((at - start) / (end - start), 0.0), 1.0)
    return indicator.baseline_value + (target.value - indicator.baseline_value) * fraction


#: How far behind its trajectory an indicator may be before it is "off track", as a share of the
#: whole planned change (|target - baseline|). Documented for users in docs/revue.md.
OFF_TRACK_MARGIN = 0.10


def behind_by(indicator: Indicator, expected: float, observed: float) -> float:
    """How much the observed value lags the expected one, in the indicator's better direction
    (positive = behind, negative = ahead)."""
    gap = expected - observed
    return gap if indicator.direction.value == "higher" else -gap


def is_off_track(indicator: Indicator, target: RevisedTarget, year: str, observed: float | None,
                 margin: float = OFF_TRACK_MARGIN) -> bool:
    if observed is None or indicator.baseline_value is None or target.value is None:
        return False
    expected = expected_value(indicator, target, year)
    if expected is None:
        return False
    span = abs(target.value - indicator.baseline_value) or abs(target.value) or 1.0
    return behind_by(indicator, expected, observed) > margin * span


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
            lines.append(ChangeLine(
                objective.id, title, "statut",
                old.status.label if old.status else "non examiné",
                new.status.label if new.status else "non examiné"))
        for indicator in objective.indicators:
            was, now = before.values.get(indicator.id), after.values.get(indicator.id)
            if was != now:
                unit = f" {indicator.unit}" if indicator.unit else ""
                lines.append(ChangeLine(objective.id, title, f"valeur : {indicator.label}",
                                        number(was) + (unit if was is not None else ""),
                                        number(now) + (unit if now is not None else "")))
        if old.analysis.strip() != new.analysis.strip() and new.analysis.strip():
            lines.append(ChangeLine(objective.id, title, "analyse",
                                    "(vide)" if not old.analysis.strip() else "modifiée",
                                    new.analysis.strip()))
        old_keys = {(e.date, e.text) for e in old.evidence}
        for item in new.evidence:
            if (item.date, item.text) not in old_keys:
                lines.append(ChangeLine(objective.id, title, "preuve ajoutée", "",
                                        f"{item.date:%d/%m/%Y} — {item.source.label} — {item.text}"))
    return lines
