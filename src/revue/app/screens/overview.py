"""Where a review stands: statuses per strategy, indicators against their trajectory, and the
objectives that are off track (read-only)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Label, Static

from revue.app import format as fr
from revue.app.screens.base import RevueScreen
from revue.domain.academic import AcademicProject, links_line
from revue.domain.avenant import RevisedTarget
from revue.domain.contract import Indicator, Objective, Section
from revue.domain.errors import RevueError
from revue.domain.french import clip, signed
from revue.domain.progress import OFF_TRACK_MARGIN, behind_by, expected_value, is_off_track
from revue.domain.review import Status, Walk
from revue.domain.schoolyear import school_year_start

NBSP = fr.NBSP

#: The order of the statuses in the bars and legends, and how each is drawn.
STATUS_ORDER: list[Status | None] = [
    Status.REACHED,
    Status.PARTLY,
    Status.IN_PROGRESS,
    Status.TO_START,
    Status.NOT_REACHED,
    Status.DROPPED,
    None,
]
STATUS_STYLE: dict[Status | None, str] = {
    Status.REACHED: "#4ebf71",
    Status.PARTLY: "#e0c341",
    Status.IN_PROGRESS: "#3b8eea",
    Status.TO_START: "#9a9a9a",
    Status.NOT_REACHED: "#e5484d",
    Status.DROPPED: "#5a5a5a",
    None: "#4a4a4a",
}
STATUS_CHAR: dict[Status | None, str] = dict.fromkeys(STATUS_ORDER, "█") | {None: "░"}

OUTSIDE = "Hors stratégie"

SPARK_CHARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, from ``▁`` (the smallest) to ``█`` (the largest).

    A missing value is a space; a series whose values are all equal sits at mid-height.
    """
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    top = len(SPARK_CHARS) - 1
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif high == low:
            out.append(SPARK_CHARS[top // 2])
        else:
            out.append(SPARK_CHARS[round((value - low) / (high - low) * top)])
    return "".join(out)


def bar_widths(counts: Sequence[int], width: int) -> list[int]:
    """Split ``width`` cells between ``counts`` in proportion (largest remainders), then give
    every non-zero count at least one cell, taken from the widest, when there is room."""
    total = sum(counts)
    if total <= 0 or width <= 0:
        return [0 for _ in counts]
    shares = [c * width / total for c in counts]
    cells = [int(share) for share in shares]
    order = sorted(range(len(counts)), key=lambda i: (-(shares[i] - cells[i]), i))
    for i in order[: width - sum(cells)]:
        cells[i] += 1
    for i, count in enumerate(counts):
        if count and not cells[i]:
            widest = max(range(len(cells)), key=lambda k: cells[k])
            if cells[widest] > 1:
                cells[widest] -= 1
                cells[i] = 1
    return cells


def _section_label(section: Section) -> str:
    title = " ".join(section.title.split())
    if section.code:
        return f"{section.level} {section.code} · {title}"
    return f"{section.level} · {title}" if section.level else title


def _gap(value: float, unit: str) -> str:
    """A difference in the indicator's unit: percentages differ by points."""
    if unit == "%":
        return f"{fr.number(value)}{NBSP}point{'s' if abs(value) >= 2 else ''}"
    return fr.quantity(value, unit)


# --- what the screen computes from the walk (plain data, tested through the screen) ------------


@dataclass
class StrategyStatus:
    label: str
    total: int
    counts: dict[Status | None, int] = field(default_factory=dict)

    @property
    def examined(self) -> int:
        return self.total - self.counts.get(None, 0)

    @property
    def progress(self) -> str:
        noun = "objectifs examinés" if self.total > 1 else "objectif examiné"
        return f"{self.examined}/{self.total} {noun}"


def strategy_statuses(walk: Walk) -> list[StrategyStatus]:
    """One entry per top-level section in document order (then the objectives outside any)."""
    groups: dict[str | None, StrategyStatus] = {
        s.id: StrategyStatus(_section_label(s), 0)
        for s in walk.contract.sections
        if s.parent is None
    }
    outside = StrategyStatus(OUTSIDE, 0)
    for objective in walk.objectives:
        path = walk.path_of(objective)
        group = groups.get(path[0].id) if path else outside
        if group is None:
            group = outside
        record = walk.records.get(objective.id)
        status = record.status if record else None
        group.total += 1
        group.counts[status] = group.counts.get(status, 0) + 1
    out = [g for g in groups.values() if g.total]
    if outside.total:
        out.append(outside)
    return out


@dataclass
class Watch:
    """An objective to watch and why."""

    number: int
    objective: Objective
    reasons: list[str]


def margin_of(indicator: Indicator, target: RevisedTarget) -> float:
    """The tolerance of :func:`is_off_track`, in the indicator's unit."""
    assert target.value is not None and indicator.baseline_value is not None
    span = abs(target.value - indicator.baseline_value) or abs(target.value) or 1.0
    return OFF_TRACK_MARGIN * span


def to_watch(walk: Walk) -> list[Watch]:
    year = walk.review.school_year
    out: list[Watch] = []
    for number, objective in enumerate(walk.objectives, start=1):
        reasons: list[str] = []
        for indicator in objective.indicators:
            target = walk.targets.get(indicator.id)
            observed = walk.values.get(indicator.id)
            if target is None or not is_off_track(indicator, target, year, observed):
                continue
            expected = expected_value(indicator, target, year)
            assert expected is not None and observed is not None
            unit = indicator.unit
            reasons.append(
                f"{indicator.label} : constaté {fr.quantity(observed, unit)}, attendu "
                f"{fr.quantity(expected, unit)} en {year} — "
                f"{_gap(behind_by(indicator, expected, observed), unit)} de retard sur la "
                f"trajectoire (marge tolérée : {_gap(margin_of(indicator, target), unit)})."
            )
        record = walk.records.get(objective.id)
        if record is not None and record.status is Status.NOT_REACHED:
            reasons.append("Statut de la revue : non atteint.")
        if reasons:
            out.append(Watch(number, objective, reasons))
    return out


# --- renderables that fit the width they are given --------------------------------------------


class StrategyBlock:
    """A strategy's label; its bar of statuses followed by its progress; the legend.

    ``progress_width`` is the room the progress takes after the bar, the same for every
    strategy so that the bars line up.
    """

    def __init__(self, strategy: StrategyStatus, progress_width: int = 0) -> None:
        self.strategy = strategy
        self.progress_width = max(progress_width, len(strategy.progress))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        strategy = self.strategy
        yield Text(clip(strategy.label, width), style="bold", no_wrap=True, overflow="ellipsis")
        counts = [strategy.counts.get(s, 0) for s in STATUS_ORDER]
        room = max(width - self.progress_width - 2, 10)
        bar = Text(no_wrap=True, overflow="ellipsis")
        for status, cells in zip(STATUS_ORDER, bar_widths(counts, room), strict=True):
            bar.append(STATUS_CHAR[status] * cells, style=STATUS_STYLE[status])
        bar.append("  ")
        bar.append(strategy.progress, style="dim")
        yield bar
        # The legend wraps between entries, never inside one.
        line = Text(no_wrap=True)
        for status, count in zip(STATUS_ORDER, counts, strict=True):
            if not count:
                continue
            entry = Text(no_wrap=True)
            entry.append(STATUS_CHAR[status], style=STATUS_STYLE[status])
            entry.append(f" {status.label if status else 'non examiné'} {count}")
            if line and len(line) + 3 + len(entry) > width:
                yield line
                line = Text(no_wrap=True)
            if line:
                line.append("   ")
            line.append_text(entry)
        if line:
            yield line


@dataclass
class IndicatorRow:
    number: int  # the objective's place in the walk
    objective: Objective
    indicator: Indicator
    initial: Text
    target: Text
    expected: str
    observed: Text
    gap: Text
    direction: str
    trend: str


def indicator_rows(walk: Walk) -> tuple[list[IndicatorRow], int]:
    """The rows of the indicators table, and how many indicators had nothing to show."""
    year = walk.review.school_year
    rows: list[IndicatorRow] = []
    hidden = 0
    for number, objective in enumerate(walk.objectives, start=1):
        for indicator in objective.indicators:
            unit = indicator.unit
            target = walk.targets.get(indicator.id) or RevisedTarget(
                indicator.target_value,
                indicator.target_year,
                indicator.target_value,
                indicator.target_year,
            )
            observed = walk.values.get(indicator.id)
            earlier = walk.history.get(indicator.id, {})
            if (
                indicator.baseline_value is None
                and target.value is None
                and observed is None
                and not earlier
                and indicator.computed is None
            ):
                hidden += 1
                continue
            initial = Text("—", style="dim")
            if indicator.baseline_value is not None:
                initial = Text(fr.quantity(indicator.baseline_value, unit))
                if indicator.baseline_year:
                    initial.append(f"\n({indicator.baseline_year})", style="dim")
            cible = Text("—", style="dim")
            if target.value is not None:
                cible = Text()
                if target.avenant is not None and target.initial_value is not None:
                    cible.append(fr.quantity(target.initial_value, unit), style="dim strike")
                    cible.append(" → ")
                cible.append(fr.quantity(target.value, unit))
                if target.year:
                    cible.append(f"\n({target.year})", style="dim")
                if target.avenant is not None:
                    cible.append(f"\nrévisée (avenant n°{NBSP}{target.avenant})", style="italic")
            expected = expected_value(indicator, target, year)
            if indicator.computed is not None:
                # a count: the label says what is counted, the unit would only take room
                shown = Text(fr.number(observed) if observed is not None else "")
                shown.append(" (journal)" if observed is not None else "journal", style="dim")
            else:
                shown = (
                    Text(fr.quantity(observed, unit))
                    if observed is not None
                    else Text("—", style="dim")
                )
            gap = Text("—", style="dim")
            if expected is not None and observed is not None:
                late = is_off_track(indicator, target, year, observed)
                ahead = behind_by(indicator, expected, observed) <= 0
                gap = Text(
                    signed(observed - expected),
                    style="bold #e5484d" if late else ("#4ebf71" if ahead else ""),
                )
            series = [
                v
                for _y, v in sorted(earlier.items(), key=lambda i: school_year_start(i[0]))
                if school_year_start(_y) < school_year_start(year)
            ]
            if observed is not None:
                series.append(observed)
            rows.append(
                IndicatorRow(
                    number,
                    objective,
                    indicator,
                    initial,
                    cible,
                    fr.quantity(expected, unit) if expected is not None else "—",
                    shown,
                    gap,
                    "↑ mieux" if indicator.direction.value == "higher" else "↓ mieux",
                    sparkline(series),
                )
            )
    return rows, hidden


#: Below this width the table puts the direction and the trend under the indicator's label.
WIDE = 110


def _lines_width(cell: RenderableType) -> int:
    text = cell if isinstance(cell, Text) else Text(str(cell))
    return max((cell_len(line) for line in text.plain.split("\n")), default=0)


class IndicatorTable:
    """The indicators against their trajectory, objective by objective: one header, then per
    objective its title on a line of its own and a table of its indicators, every table with
    the same column widths so that they line up."""

    def __init__(
        self, rows: list[IndicatorRow], year: str, links: dict[str, str] | None = None
    ) -> None:
        self.rows, self.year = rows, year
        self.links = links or {}  # objective id -> what of the projet académique it serves

    def _cells(self, row: IndicatorRow, wide: bool) -> list[RenderableType]:
        label = Text(row.indicator.label)
        if not wide:
            label.append(f"\n{row.direction}", style="dim")
            if row.trend.strip():
                label.append(f"  {row.trend}")
        cells: list[RenderableType] = [
            label,
            row.initial,
            row.target,
            row.expected,
            row.observed,
            row.gap,
        ]
        if wide:
            cells += [Text(row.direction, style="dim"), row.trend]
        return cells

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.max_width >= WIDE
        # (header, widest when wide, widest when narrow, justify)
        columns = [
            ("Valeur initiale", 12, 11, "left"),
            ("Cible", 22, 14, "left"),
            (f"Attendu {self.year}", 9, 9, "right"),
            ("Constaté", 14, 10, "right"),
            ("Écart", 8, 8, "right"),
        ]
        if wide:
            columns += [("Sens", 8, 8, "left"), ("Évolution", 10, 10, "left")]
        all_cells = [self._cells(row, wide) for row in self.rows]
        widths = []
        for k, (header, cap_wide, cap_narrow, _justify) in enumerate(columns, start=1):
            cap = cap_wide if wide else cap_narrow
            words = max(cell_len(word) for word in header.split())
            natural = max([words] + [_lines_width(cells[k]) for cells in all_cells])
            widths.append(max(min(natural, cap), words))

        def table(show_header: bool) -> Table:
            grid = Table(
                box=None,
                expand=True,
                pad_edge=False,
                padding=(0, 1),
                header_style="bold",
                show_header=show_header,
            )
            grid.add_column("Indicateur", ratio=1, min_width=12, overflow="fold")
            for (header, _w, _n, justify), width in zip(columns, widths, strict=True):
                grid.add_column(
                    header,
                    width=width,
                    justify=justify,  # type: ignore[arg-type]
                    vertical="bottom" if show_header else "top",
                    overflow="fold",
                )
            return grid

        yield table(show_header=True)
        yield Text("─" * options.max_width, style="dim")
        current = None
        body: Table | None = None
        for row, cells in zip(self.rows, all_cells, strict=True):
            if row.objective is not current:
                if body is not None:
                    yield body
                    yield Text("")
                current = row.objective
                yield Text(
                    f"Objectif {row.number} · {' '.join(current.display_title.split())}",
                    style="bold",
                    no_wrap=True,
                    overflow="ellipsis",
                )
                if self.links.get(current.id):
                    yield Text(self.links[current.id], style="dim italic")
                body = table(show_header=False)
            assert body is not None
            body.add_row(*cells)
        if body is not None:
            yield body


class OverviewScreen(RevueScreen[None]):
    """A review at a glance (read-only)."""

    FIRST_LOAD = frozenset({"load"})

    CSS_PATH = "review_screens.tcss"
    HELP = (
        "La vue d'ensemble de la revue : pour chaque stratégie, les statuts des objectifs ; "
        "pour chaque indicateur, la valeur attendue cette année sur la trajectoire qui va de la "
        "valeur initiale à la cible (révisée le cas échéant par avenant), la valeur constatée "
        "et l'écart ; enfin les objectifs en retard ou non atteints, pour lesquels un avenant "
        "peut se discuter. Rien ne se modifie ici : Échap revient à l'écran précédent."
    )
    BINDINGS = [Binding("escape", "app.pop_screen", "Retour", id="back")]

    @dataclass
    class Loaded(Message):
        walk: Walk
        academic: AcademicProject | None = None  # the contract's, for its objectives' links

    @dataclass
    class Failed(Message):
        error: str

    def __init__(self, review_id: uuid.UUID) -> None:
        super().__init__()
        self.review_id = review_id
        self.walk: Walk | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            "Chargement de la vue d'ensemble…", id="overview-title", classes="screen-title"
        )
        with VerticalScroll(id="overview-scroll"):
            yield Label("Avancement par stratégie", classes="part first")
            yield Static("", id="overview-total", classes="dim")
            yield Static("", id="overview-strategies")
            yield Label(
                "Indicateurs et trajectoires", id="overview-indicators-title", classes="part"
            )
            yield Static("", id="overview-indicators")
            yield Static("", id="overview-notes", classes="dim")
            yield Label(
                "Objectifs à surveiller (avenant possible)",
                id="overview-watch-title",
                classes="part",
            )
            yield Static("", id="overview-watch")
            yield Static("", id="overview-margin", classes="dim")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="overview")
    def load(self) -> None:
        try:
            walk = self.store.load_walk(self.review_id)
            ref = walk.contract.academic_project
            academic = self.store.get_academic_project(ref.id) if ref and ref.id else None
        except RevueError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Loaded(walk, academic))

    @on(Failed)
    def failed(self, message: Failed) -> None:
        self.query_one("#overview-title", Static).update("Vue d'ensemble")
        self.query_one("#overview-total", Static).update(
            Text(message.error[:1].upper() + message.error[1:] + ".", style="bold")
        )

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        walk = self.walk = message.walk
        review = walk.review
        self.query_one("#overview-title", Static).update(
            f"Vue d'ensemble — {review.title} — {walk.contract.circonscription}"
        )
        total = len(walk.objectives)
        self.query_one("#overview-total", Static).update(
            f"Au total : {walk.examined}/{total} "
            f"{'objectifs examinés' if total > 1 else 'objectif examiné'}."
        )
        blocks: list[RenderableType] = []
        strategies = strategy_statuses(walk)
        progress_width = max((len(s.progress) for s in strategies), default=0)
        for strategy in strategies:
            if blocks:
                blocks.append(Text(""))
            blocks.append(StrategyBlock(strategy, progress_width))
        self.query_one("#overview-strategies", Static).update(Group(*blocks))

        rows, hidden = indicator_rows(walk)
        indicators = self.query_one("#overview-indicators", Static)
        if rows:
            links = {o.id: links_line(message.academic, o.academic_links) for o in walk.objectives}
            indicators.update(IndicatorTable(rows, review.school_year, links))
        else:
            indicators.update(Text("Aucun indicateur chiffré dans ce contrat.", style="dim"))
        notes = [
            "Attendu : la valeur de l'année sur la ligne droite qui va de la valeur "
            "initiale à la cible ; « — » quand l'une des deux manque."
        ]
        if hidden:
            notes.append(_hidden_note(hidden))
        self.query_one("#overview-notes", Static).update("\n".join(notes))

        self.query_one("#overview-watch", Static).update(_watch_text(to_watch(walk)))
        margin = fr.number(OFF_TRACK_MARGIN * 100)
        self.query_one("#overview-margin", Static).update(
            "Un indicateur est « en retard » quand la valeur constatée s'écarte de la valeur "
            f"attendue, dans le mauvais sens, de plus de {margin}{NBSP}% de l'écart total entre "
            "valeur initiale et cible."
        )


def _hidden_note(hidden: int) -> str:
    if hidden == 1:
        return (
            "1 indicateur sans valeur initiale, sans cible et sans valeur constatée "
            "n'apparaît pas dans le tableau."
        )
    return (
        f"{hidden} indicateurs sans valeur initiale, sans cible et sans valeur constatée "
        "n'apparaissent pas dans le tableau."
    )


def _watch_text(watches: Iterable[Watch]) -> RenderableType:
    parts: list[RenderableType] = []
    for watch in watches:
        title = " ".join(watch.objective.display_title.split())
        parts.append(
            Text.assemble(
                ("• ", ""),
                (f"Objectif {watch.number}", "bold"),
                (f" · {title}", "bold"),
                no_wrap=True,
                overflow="ellipsis",
            )
        )
        for reason in watch.reasons:
            parts.append(Padding(Text(reason), (0, 0, 0, 4)))
    if not parts:
        return Text("Aucun objectif en retard sur sa trajectoire.")
    return Group(*parts)
