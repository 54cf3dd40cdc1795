"""Everything a bilan says, in plain data, and how it is assembled from what the store holds
(the store itself is read by :mod:`revue.services.bilan`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from revue.domain import french
from revue.domain.avenant import CHANGE_LABELS, Avenant
from revue.domain.contract import Contract, Objective, Section
from revue.domain.errors import NotFoundError
from revue.domain.history import Snapshot
from revue.domain.progress import expected_value, is_off_track
from revue.domain.review import ReviewSummary, Status, Synthesis, Walk
from revue.domain.schoolyear import school_year_start


@dataclass
class IndicatorLine:
    label: str
    unit: str
    direction: str  # "higher" | "lower"
    baseline: float | None
    baseline_year: str | None
    initial_target: float | None
    initial_target_year: str | None
    target: float | None
    target_year: str | None
    target_avenant: int | None
    values: dict[str, float]  # school year -> observed value, earliest first
    expected: float | None  # this year's value on the trajectory
    gap: float | None  # observed - expected
    off_track: bool
    computed: bool


@dataclass
class ObjectiveBilan:
    number: int
    id: str
    path: list[str]  # titles from the strategy down
    text: str
    initial_text: str | None  # when an avenant changed it
    status: Status | None
    actions: list[tuple[str, bool]]  # (action, carried out)
    indicators: list[IndicatorLine]
    accompaniments: dict[tuple[str, str], int]  # (modality, initiative) -> count, review year
    evidence: list[tuple[dt.date, str]]  # (date, source label): cited, never quoted
    analysis: str
    adjustments: str


@dataclass
class StrategyBilan:
    title: str
    short: str = ""  # "Stratégie 1", for tables
    objectives: list[ObjectiveBilan] = field(default_factory=list)

    def status_counts(self) -> dict[Status | None, int]:
        counts: dict[Status | None, int] = {}
        for objective in self.objectives:
            counts[objective.status] = counts.get(objective.status, 0) + 1
        return counts


@dataclass
class AvenantLine:
    number: int
    date: dt.date
    reason: str
    changes: list[tuple[str, str, str, str]]  # (objective, what, before, after)


@dataclass
class Bilan:
    contract: Contract
    review: ReviewSummary
    reviews: list[ReviewSummary]
    strategies: list[StrategyBilan]
    avenants: list[AvenantLine]
    synthesis: Synthesis
    written_on: dt.date
    #: The review as frozen when it was closed (None while it is open).
    snapshot: Snapshot | None = None

    @property
    def objectives(self) -> list[ObjectiveBilan]:
        return [o for s in self.strategies for o in s.objectives]


def _fmt(value: object) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return french.number(float(value))
    return "—" if value in (None, "") else str(value)


def _change_text(fields: dict[str, object], unit: str = "") -> str:
    if not fields:
        return "—"
    if "text" in fields:
        return str(fields["text"])
    if "value" in fields:
        value = _fmt(fields.get("value"))
        if unit and value != "—":
            value = f"{value} {unit}"
        return f"{value} ({fields.get('year') or '—'})"
    extra = " — ".join(str(fields[k]) for k in ("who", "when") if fields.get(k))
    return str(fields.get("what", "")) + (f" ({extra})" if extra else "")


def _avenant_lines(avenants: list[Avenant], initial: Contract) -> list[AvenantLine]:
    titles = {o.id: o.display_title for o in initial.objectives}
    units = {i.id: i.unit for o in initial.objectives for i in o.indicators}
    return [
        AvenantLine(
            a.number,
            a.date,
            a.reason,
            [
                (
                    titles.get(c.objective_id, c.objective_id),
                    CHANGE_LABELS.get(c.kind, c.kind),
                    _change_text(c.before, units.get(c.target_id or "", "")),
                    _change_text(c.after, units.get(c.target_id or "", "")),
                )
                for c in a.changes
            ],
        )
        for a in avenants
    ]


def pick_review(reviews: list[ReviewSummary], wanted: str | None) -> ReviewSummary:
    """``wanted`` is ``2018-2019/annuel`` (kind: annuel, mi-parcours, final); None: the last."""
    if not reviews:
        raise NotFoundError("ce contrat n'a encore aucune revue : le bilan s'appuie sur une revue")
    if wanted is None:
        return reviews[-1]
    year, _, kind = wanted.partition("/")
    for review in reviews:
        if review.school_year == year and (not kind or review.kind.value == kind):
            return review
    known = ", ".join(f"{r.school_year}/{r.kind.value}" for r in reviews)
    raise NotFoundError(f"aucune revue « {wanted} » (revues du contrat : {known})")


def assemble_bilan(
    walk: Walk,
    reviews: list[ReviewSummary],
    summary: ReviewSummary,
    *,
    synthesis: Synthesis,
    snapshot: Snapshot | None,
    accompaniments: dict[str, dict[tuple[str, str], int]],
    written_on: dt.date,
) -> Bilan:
    """The bilan of the review ``summary``, from what the store holds about it (read by
    :func:`revue.services.bilan.build_bilan`): ``walk`` is that review's walk,
    ``accompaniments`` the counts by (modality, initiative) of each objective, by its id."""
    year = summary.school_year
    # Values of every review up to this one, by year (a later review of a year wins).
    values: dict[str, dict[str, float]] = {}
    for indicator_id, by_year in walk.history.items():
        values[indicator_id] = dict(by_year)
    for indicator_id, value in walk.values.items():
        if value is not None:
            values.setdefault(indicator_id, {})[year] = value
    strategies: dict[str, StrategyBilan] = {}
    for number, objective in enumerate(walk.objectives, start=1):
        path: list[Section] = walk.path_of(objective)
        top = path[0] if path else None
        key = top.id if top else ""
        if key not in strategies:
            title = (
                f"{top.level} {top.code} · {top.title}"
                if top and top.code
                else top.title
                if top
                else "Hors stratégie"
            )
            short = (
                f"{top.level} {top.code}"
                if top and top.code
                else title
                if len(title) <= 40
                else title[:39] + "…"
            )
            strategies[key] = StrategyBilan(title, short)
        strategies[key].objectives.append(
            _objective(
                walk, number, objective, path, values, year, accompaniments.get(objective.id, {})
            )
        )
    return Bilan(
        contract=walk.contract,
        review=summary,
        reviews=reviews,
        strategies=list(strategies.values()),
        avenants=_avenant_lines(walk.avenants, walk.initial),
        synthesis=synthesis,
        written_on=written_on,
        snapshot=snapshot,
    )


def _objective(
    walk: Walk,
    number: int,
    objective: Objective,
    path: list[Section],
    values: dict[str, dict[str, float]],
    year: str,
    accompaniments: dict[tuple[str, str], int],
) -> ObjectiveBilan:
    record = walk.records.get(objective.id)
    initial = next((o for o in walk.initial.objectives if o.id == objective.id), None)
    lines = []
    for indicator in objective.indicators:
        target = walk.targets[indicator.id]
        observed = walk.values.get(indicator.id)
        expected = expected_value(indicator, target, year)
        by_year = dict(
            sorted(
                values.get(indicator.id, {}).items(), key=lambda item: school_year_start(item[0])
            )
        )
        lines.append(
            IndicatorLine(
                label=indicator.label,
                unit=indicator.unit,
                direction=indicator.direction.value,
                baseline=indicator.baseline_value,
                baseline_year=indicator.baseline_year,
                initial_target=target.initial_value,
                initial_target_year=target.initial_year,
                target=target.value,
                target_year=target.year,
                target_avenant=target.avenant,
                values=by_year,
                expected=expected,
                gap=None if observed is None or expected is None else observed - expected,
                off_track=is_off_track(indicator, target, year, observed),
                computed=indicator.computed is not None,
            )
        )
    return ObjectiveBilan(
        number=number,
        id=objective.id,
        path=[s.title for s in path],
        text=objective.text,
        initial_text=initial.text if initial and initial.text != objective.text else None,
        status=record.status if record else None,
        actions=[
            (
                a.what
                + (f" ({' — '.join(x for x in (a.who, a.when) if x)})" if a.who or a.when else ""),
                a.id in (record.actions_done if record else []),
            )
            for a in objective.actions
        ],
        indicators=lines,
        accompaniments=accompaniments,
        evidence=[(e.date, e.source.label) for e in (record.evidence if record else [])],
        analysis=record.analysis if record else "",
        adjustments=record.adjustments if record else "",
    )
