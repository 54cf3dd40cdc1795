"""Everything a bilan says, in plain data: how it is assembled from a review's walk, and how it
is frozen as JSON when the review is closed (and read back).

The model lives in the domain because the store freezes it when a review is closed (a closed
review's bilan is built from that frozen content only, never from the live store), and the
bilan writers (:mod:`revue.bilan`) read it. :data:`CONTENT_VERSION` is the version of the
frozen content: fields may be added with a default (an older content reads with that
default); a content newer than this code is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
import uuid
from dataclasses import dataclass, field
from typing import Any

from revue.domain import french
from revue.domain.academic import AcademicObjective, AcademicProject
from revue.domain.avenant import CHANGE_LABELS, Avenant, ChangeKind
from revue.domain.contract import Contract, DocumentKind, Objective, Section
from revue.domain.errors import NotFoundError, RevueError
from revue.domain.progress import expected_value, is_off_track
from revue.domain.review import ReviewKind, ReviewSummary, Status, Synthesis, Walk
from revue.domain.schoolyear import school_year_start, school_years_of_contract

if typing.TYPE_CHECKING:
    from revue.domain.history import Snapshot

#: Version of the bilan content frozen in a snapshot (``"bilan"`` key of snapshot version 2).
CONTENT_VERSION = 1


@dataclass
class PartyLine:
    name: str
    representative: str = ""
    representative_title: str = ""


@dataclass
class ContractFacts:
    """What the bilan says of the contract itself (the cover page)."""

    id: str
    kind: DocumentKind
    title: str
    circonscription: str
    start_date: dt.date
    end_date: dt.date
    academie: str = ""
    departement: str = ""
    ien: str = ""
    signature_date: dt.date | None = None
    signature_place: str = ""
    academic_project: str = ""
    parties: list[PartyLine] = field(default_factory=list)
    #: The projet académique's stable id ("" when the contract names none).
    academic_project_id: str = ""


@dataclass
class AcademicLink:
    """A part or objective of the projet académique an objective serves: ``key`` is what the
    contract cites (the item's id, else its code), ``code`` the document's own numbering ("" when
    it has none), ``title`` its title — the key alone when the projet is not in the store."""

    key: str
    title: str
    code: str = ""
    level: str = ""

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}" if self.code else self.title

    @property
    def named(self) -> str:
        """With the document's level name: « Section FACILITER LE PILOTAGE… »."""
        return f"{self.level} {self.label}" if self.level else self.label


@dataclass
class CoverageLine:
    """A part or objective of the projet académique and the contract objectives (their
    numbers in the bilan) that serve it; ``depth`` 0 is an axis."""

    link: AcademicLink
    depth: int
    is_objective: bool
    objectives: list[int] = field(default_factory=list)


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
    values: dict[str, float]  # school year -> observed value, earliest first; measured only
    expected: float | None  # this year's value on the trajectory
    gap: float | None  # observed - expected
    off_track: bool
    computed: bool
    id: str = ""


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
    #: (modality, initiative, count) in the review year; empty when nothing was logged
    accompaniments: list[tuple[str, str, int]]
    evidence: list[tuple[dt.date, str]]  # (date, source label): cited, never quoted
    analysis: str
    adjustments: str
    #: What of the projet académique the objective serves (as revised by avenant).
    academic_links: list[AcademicLink] = field(default_factory=list)

    @property
    def off_track(self) -> bool:
        return any(line.off_track for line in self.indicators)


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
class ChangeLine:
    """One change of an avenant: typed before/after (as the avenant stores them) and their
    French wording."""

    kind: str  # ChangeKind value
    what: str  # French label of the kind
    objective_id: str
    objective: str  # the objective's title
    target_id: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    before_text: str
    after_text: str


@dataclass
class AvenantLine:
    number: int
    date: dt.date
    reason: str
    changes: list[ChangeLine]


@dataclass
class OffTrack:
    number: int
    id: str
    text: str
    #: labels of the indicators behind their trajectory (and « statut : non atteint »)
    indicators: list[str]


@dataclass
class MidtermLine:
    school_year: str
    title: str
    closed: bool
    examined: int
    total: int
    off_track: list[OffTrack]
    #: The statuses were looked at too (the bilan's own review: « non atteint » is listed).
    with_statuses: bool = False


@dataclass
class Bilan:
    contract: ContractFacts
    review: ReviewSummary
    reviews: list[ReviewSummary]
    strategies: list[StrategyBilan]
    avenants: list[AvenantLine]
    synthesis: Synthesis
    written_on: dt.date
    #: The school years of the contract up to the review's (the charts' axis).
    years: list[str] = field(default_factory=list)
    #: The school years whose accompaniment counts the log covers (see docs/format-bilan.md).
    covered_years: list[str] = field(default_factory=list)
    midterms: list[MidtermLine] = field(default_factory=list)
    #: The review as frozen when it was closed (None while it is open).
    snapshot: Snapshot | None = None
    #: How the bilan was read: "live" (open review), "frozen" (snapshot version 2, exactly
    #: as closed), "rebuilt" (an older snapshot: rebuilt as of the closing, see the docs).
    source: str = "live"
    #: The projet académique in document order with the objectives serving each part and
    #: objective (empty when the contract names no projet or the store does not hold it).
    coverage: list[CoverageLine] = field(default_factory=list)

    @property
    def objectives(self) -> list[ObjectiveBilan]:
        return [o for s in self.strategies for o in s.objectives]

    @property
    def provisional(self) -> bool:
        return not self.review.closed


def _fmt(value: object) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return french.number(float(value))
    return "—" if value in (None, "") else str(value)


def change_text(
    fields: dict[str, Any], unit: str = "", academic: AcademicProject | None = None
) -> str:
    """An avenant change's before or after, in words (a projet académique link by its code and
    title when ``academic`` holds it)."""
    if not fields:
        return "—"
    if "link" in fields:
        return _link(academic, str(fields["link"])).named
    if "text" in fields:
        return str(fields["text"])
    if "value" in fields:
        value = _fmt(fields.get("value"))
        if unit and value != "—":
            value = f"{value}{french.NBSP}{unit}"
        return f"{value} ({fields.get('year') or '—'})"
    extra = " — ".join(str(fields[k]) for k in ("who", "when") if fields.get(k))
    return str(fields.get("what", "")) + (f" ({extra})" if extra else "")


def _avenant_lines(
    avenants: list[Avenant], initial: Contract, academic: AcademicProject | None = None
) -> list[AvenantLine]:
    titles = {o.id: o.display_title for o in initial.objectives}
    units = {i.id: i.unit for o in initial.objectives for i in o.indicators}
    return [
        AvenantLine(
            a.number,
            a.date,
            a.reason,
            [
                ChangeLine(
                    kind=ChangeKind(c.kind).value,
                    what=CHANGE_LABELS.get(ChangeKind(c.kind), str(c.kind)),
                    objective_id=c.objective_id,
                    objective=titles.get(c.objective_id, c.objective_id),
                    target_id=c.target_id,
                    before=dict(c.before),
                    after=dict(c.after),
                    before_text=change_text(c.before, units.get(c.target_id or "", ""), academic),
                    after_text=change_text(c.after, units.get(c.target_id or "", ""), academic),
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


def contract_facts(contract: Contract) -> ContractFacts:
    return ContractFacts(
        id=contract.id,
        kind=contract.kind,
        title=contract.title,
        circonscription=contract.circonscription,
        start_date=contract.start_date,
        end_date=contract.end_date,
        academie=contract.academie,
        departement=contract.departement,
        ien=contract.ien,
        signature_date=contract.signature_date,
        signature_place=contract.signature_place,
        academic_project=contract.academic_project.title if contract.academic_project else "",
        academic_project_id=(contract.academic_project.id or "")
        if contract.academic_project
        else "",
        parties=[
            PartyLine(p.name, p.representative, p.representative_title) for p in contract.parties
        ],
    )


def assemble_bilan(
    walk: Walk,
    reviews: list[ReviewSummary],
    summary: ReviewSummary,
    *,
    synthesis: Synthesis,
    accompaniments: dict[str, dict[tuple[str, str], int]],
    covered_years: set[str],
    written_on: dt.date,
    snapshot: Snapshot | None = None,
    academic: AcademicProject | None = None,
) -> Bilan:
    """The bilan of the review ``summary``, from what the store holds about it: ``walk`` is
    that review's walk, ``accompaniments`` the counts by (modality, initiative) of each
    objective in the review year, by its id, ``covered_years`` the school years whose counts
    the log covers. A count indicator's value of a year the log does not cover is dropped (not
    measured, never 0). ``academic`` is the projet académique the contract names, when the
    store holds it: links then carry their codes and titles, and the coverage is drawn."""
    year = summary.school_year
    computed = {i.id for o in walk.contract.objectives for i in o.indicators if i.computed}
    # Values of every review up to this one, by year (a later review of a year wins).
    values: dict[str, dict[str, float]] = {}
    for indicator_id, by_year in walk.history.items():
        values[indicator_id] = dict(by_year)
    for indicator_id, value in walk.values.items():
        if value is not None:
            values.setdefault(indicator_id, {})[year] = value
    for indicator_id in computed & set(values):
        values[indicator_id] = {y: v for y, v in values[indicator_id].items() if y in covered_years}
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
        line = _objective(
            walk, number, objective, path, values, year, accompaniments.get(objective.id, {})
        )
        line.academic_links = [_link(academic, key) for key in objective.academic_links]
        strategies[key].objectives.append(line)
    start = school_year_start(year)
    years = [y for y in school_years_of_contract(walk.contract) if school_year_start(y) <= start]
    wanted = {r.id for r in reviews if school_year_start(r.school_year) <= start}
    return Bilan(
        contract=contract_facts(walk.contract),
        review=summary,
        reviews=reviews,
        strategies=list(strategies.values()),
        avenants=_avenant_lines(walk.avenants, walk.initial, academic),
        synthesis=synthesis,
        written_on=written_on,
        years=years or [year],
        covered_years=sorted(covered_years & set(years), key=school_year_start),
        midterms=[
            _midterm(walk, r, values)
            for r in reviews
            if r.kind is ReviewKind.MIDTERM and r.id in wanted
        ],
        snapshot=snapshot,
        coverage=_coverage(academic, list(strategies.values())),
    )


def _link(academic: AcademicProject | None, key: str) -> AcademicLink:
    found = academic.find(key) if academic is not None else None
    if found is None:
        return AcademicLink(key=key, title=key)
    return AcademicLink(key=key, title=found.title, code=found.code, level=found.level_name)


def _coverage(
    academic: AcademicProject | None, strategies: list[StrategyBilan]
) -> list[CoverageLine]:
    """Every part and objective of the projet with the contract objectives serving it (by
    their numbers in the bilan), in the projet's order; nothing when no objective of the
    contract is linked to the projet (there is then nothing to show but a blank)."""
    if academic is None or not any(o.academic_links for s in strategies for o in s.objectives):
        return []
    serving: dict[str, list[int]] = {}
    for strategy in strategies:
        for objective in strategy.objectives:
            for link in objective.academic_links:
                serving.setdefault(link.key, []).append(objective.number)
    return [
        CoverageLine(
            link=_link(academic, item.key) if item.key else AcademicLink("", item.title),
            depth=depth,
            is_objective=isinstance(item, AcademicObjective),
            objectives=serving.get(item.key, []) if item.key else [],
        )
        for depth, item in academic.walk()
    ]


def _midterm(walk: Walk, review: ReviewSummary, values: dict[str, dict[str, float]]) -> MidtermLine:
    """A mid-term review and the objectives behind their trajectory that year (the overview's
    rule, :func:`revue.domain.progress.is_off_track`), or, for the bilan's own review, whose
    status is « non atteint » (as the overview lists them)."""
    off: list[OffTrack] = []
    for number, objective in enumerate(walk.objectives, start=1):
        late = [
            i.label
            for i in objective.indicators
            if is_off_track(
                i,
                walk.targets[i.id],
                review.school_year,
                values.get(i.id, {}).get(review.school_year),
            )
        ]
        record = walk.records.get(objective.id) if review.id == walk.review.id else None
        if record is not None and record.status is Status.NOT_REACHED:
            late.append("statut : non atteint")  # as the overview lists it
        if late:
            off.append(OffTrack(number, objective.id, objective.text, late))
    return MidtermLine(
        review.school_year,
        review.title,
        review.closed,
        review.examined,
        review.total,
        off,
        with_statuses=review.id == walk.review.id,
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
        by_year = dict(
            sorted(
                values.get(indicator.id, {}).items(), key=lambda item: school_year_start(item[0])
            )
        )
        observed = by_year.get(year)
        expected = expected_value(indicator, target, year)
        lines.append(
            IndicatorLine(
                id=indicator.id,
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
        accompaniments=[(m, i, n) for (m, i), n in sorted(accompaniments.items()) if n],
        evidence=[(e.date, e.source.label) for e in (record.evidence if record else [])],
        analysis=record.analysis if record else "",
        adjustments=record.adjustments if record else "",
    )


# --- frozen content -----------------------------------------------------------------------


def frozen_content(bilan: Bilan) -> dict[str, Any]:
    """The bilan as JSON-ready data, to be frozen with the review (its snapshot is not part of
    it: the snapshot's hash covers this content)."""
    data = _dump(dataclasses.replace(bilan, snapshot=None, source="frozen"))
    assert isinstance(data, dict)
    data.pop("snapshot", None)
    data.pop("source", None)
    return {"version": CONTENT_VERSION, **data}


def thaw(content: dict[str, Any]) -> Bilan:
    """The bilan frozen by :func:`frozen_content` (raises :class:`RevueError` in French when
    the content cannot be read)."""
    version = content.get("version")
    if not isinstance(version, int) or version < 1:
        raise RevueError("le bilan figé n'a pas de version lisible")
    if version > CONTENT_VERSION:
        raise RevueError(
            f"le bilan figé est d'une version plus récente de revue (version {version}) : "
            "mettez revue à jour pour le lire"
        )
    try:
        bilan = _load(Bilan, {k: v for k, v in content.items() if k != "version"})
    except (KeyError, TypeError, ValueError) as exc:
        raise RevueError(f"le bilan figé est illisible ({exc})") from None
    assert isinstance(bilan, Bilan)
    bilan.source = "frozen"
    return bilan


def _dump(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_dump(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        import revue.domain.bilan as here

        namespace = {**vars(here), "Snapshot": object}
        _HINTS[cls] = typing.get_type_hints(cls, globalns=namespace)
    return _HINTS[cls]


def _load(kind: Any, value: Any) -> Any:  # noqa: C901 - one branch per kind of type
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if value is None else _load(options[0], value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_load(item, v) for v in value]
    if origin is tuple:
        return tuple(_load(t, v) for t, v in zip(typing.get_args(kind), value, strict=True))
    if origin is dict:
        key, item = typing.get_args(kind)
        return {_load(key, k): _load(item, v) for k, v in value.items()}
    if kind is Any or kind is object:
        return value
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        if not isinstance(value, dict):
            raise TypeError(f"{kind.__name__} : objet attendu")
        hints = _hints(kind)
        known = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{k: _load(hints[k], v) for k, v in value.items() if k in known})
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"nombre attendu : {value!r}")
        return float(value)
    if kind in (int, str, bool):
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"{kind.__name__} attendu : {value!r}")
        return value
    raise TypeError(f"type inattendu {kind!r}")
