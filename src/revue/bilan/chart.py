"""One indicator's chart as SVG: observed values by school year against the trajectory.

Drawn here rather than with a plotting library: a bilan holds one chart per indicator (360 for
a contract of 120 objectives), and text-built SVG takes well under a millisecond each where
matplotlib took about 60 ms (see docs/performance.md). SVG stays sharp when printed, and
LibreOffice embeds it as vector graphics in the PDF.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from revue.bilan.model import IndicatorLine
from revue.domain.french import NBSP, clip, number
from revue.domain.schoolyear import school_year_start

WIDTH, HEIGHT = 600, 280
LEGEND_ROWS = 2
LEFT, RIGHT, TOP, BOTTOM = 62, 20, 34, 30 + 17 * LEGEND_ROWS
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
OBSERVED = "#1f5f9e"
TRAJECTORY = "#7f8c8d"
TARGET = "#2e7d32"
INITIAL = "#b23b1e"


def _nice_step(span: float, count: int = 5, *, whole: bool = False) -> float:
    raw = span / count if span > 0 else 1.0
    magnitude: float = 10 ** math.floor(math.log10(raw))
    step = 10 * magnitude
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            step = factor * magnitude
            break
    if whole:
        step = max(1.0, math.ceil(step))
    return step


Point = tuple[int, float]  # (first calendar year of the school year, value)


def is_count(line: IndicatorLine) -> bool:
    """A count (whole numbers, ticks 1 by 1 at least): from the log, or whole values without
    a percent unit."""
    if line.computed:
        return True
    numbers = [*line.values.values(), line.baseline, line.target, line.initial_target]
    return "%" not in line.unit and all(v is None or float(v).is_integer() for v in numbers)


class _Frame:
    """The plot area: where a school year and a value are drawn. The value axis starts at 0
    (a rate or a count drawn from 0 does not exaggerate a change); a rate's axis stops at
    100 % unless a value goes beyond."""

    def __init__(self, xs: list[int], ys: list[float], *, whole: bool, percent: bool) -> None:
        low, high = min([0.0, *ys]), max([0.0, *ys])
        if high == low:
            high = low + (1 if whole else 10)
        self.step = _nice_step(high - low, whole=whole)
        self.low = math.floor(low / self.step) * self.step
        self.high = math.ceil(high / self.step) * self.step
        if percent and max(ys, default=0) <= 100 < self.high:
            self.high = 100.0
        elif not percent and self.high == high and high > 0:
            self.high += self.step  # room above the highest point
        wide = len(xs) > 1  # else one school year, in the middle
        self.x_low: float = xs[0] - 0.5 if wide else xs[0] - 1
        self.x_high: float = xs[-1] + 0.5 if wide else xs[0] + 1
        self.width, self.height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        values = [self.low + n * self.step for n in range(count + 1)]
        if values[-1] < self.high:
            values.append(self.high)
        return values

    def px(self, x: float) -> float:
        return round(LEFT + (x - self.x_low) / (self.x_high - self.x_low) * self.width, 1)

    def py(self, y: float) -> float:
        return round(TOP + (self.high - y) / (self.high - self.low) * self.height, 1)


def _target(line: IndicatorLine, initial: bool) -> Point | None:
    value, year = (
        (line.initial_target, line.initial_target_year)
        if initial
        else (line.target, line.target_year)
    )
    return None if value is None or not year else (school_year_start(year), value)


def _series(line: IndicatorLine) -> tuple[list[Point], list[Point], Point | None, Point | None]:
    """Observed values, the trajectory from baseline to target, the target and (when an
    avenant revised it) the initial target."""
    points = sorted(((school_year_start(y), v) for y, v in line.values.items()))
    target = _target(line, initial=False)
    trajectory: list[Point] = []
    if line.baseline is not None and line.baseline_year and target is not None:
        trajectory = [(school_year_start(line.baseline_year), line.baseline), target]
    initial = _target(line, initial=True) if line.target_avenant else None
    if initial == target:
        initial = None
    return points, trajectory, target, initial


def _years_label(start: int) -> str:
    return f"{start}-{start + 1}"


def chart_description(line: IndicatorLine, years: list[str]) -> str:
    """The chart in words (its alternative text)."""
    unit = f"{NBSP}{line.unit}" if line.unit else ""
    parts = [
        f"{y} : {number(line.values[y])}{unit}" if y in line.values else f"{y} : non mesuré"
        for y in sorted({*years, *line.values}, key=school_year_start)
    ]
    text = "Valeurs constatées — " + " ; ".join(parts) + "."
    if line.baseline is not None:
        text += f" Valeur initiale : {number(line.baseline)}{unit} ({line.baseline_year or '—'})."
    if line.target_avenant and line.initial_target is not None:
        text += (
            f" Cible initiale : {number(line.initial_target)}{unit} "
            f"({line.initial_target_year or '—'})."
        )
    if line.target is not None:
        revised = f", révisée par l'avenant n° {line.target_avenant}" if line.target_avenant else ""
        text += f" Cible{revised} : {number(line.target)}{unit} ({line.target_year or '—'})."
    return text


def indicator_svg(line: IndicatorLine, years: list[str] | None = None) -> str | None:
    """The chart, or None when there is nothing to draw (no value and no baseline).
    ``years``: the school years the axis shows at least (the contract's, up to the review);
    each one between the first and the last drawn has its tick, a year without a value is a
    gap in the line."""
    points, trajectory, target, initial = _series(line)
    if not points and line.baseline is None:
        return None
    known = (
        {x for x, _ in points}
        | {x for x, _ in trajectory}
        | ({initial[0]} if initial else set())
        | ({target[0]} if target else set())
        | {school_year_start(y) for y in years or []}
        | ({school_year_start(line.baseline_year)} if line.baseline_year else set())
    )
    xs = list(range(min(known), max(known) + 1))
    ys = [v for _, v in points] + [v for _, v in trajectory]
    ys += [p[1] for p in (target, initial) if p]
    if line.baseline is not None:
        ys.append(line.baseline)
    frame = _Frame(xs, ys, whole=is_count(line), percent="%" in line.unit)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family={quoteattr(FONT)}>',
        f"<title>{escape(line.label)}</title>",
        f"<desc>{escape(chart_description(line, years or []))}</desc>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2}" y="20" font-size="13" text-anchor="middle">'
        f"{escape(clip(line.label, 80))}</text>",
        *_axes(frame, xs, line.unit),
        *_lines(frame, points, trajectory, target, initial),
        *_legend(points, trajectory, target, initial, line),
        "</svg>",
    ]
    return "".join(out)


def _axes(frame: _Frame, xs: list[int], unit: str) -> list[str]:
    """Grid lines with their values, the unit, every school year, the plot's border."""
    out = []
    for value in frame.ticks():
        y = frame.py(value)
        out.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" '
            'stroke="#d9d9d9" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4}" font-size="11" text-anchor="end">'
            f"{escape(number(value))}</text>"
        )
    middle = TOP + frame.height / 2
    if unit:
        out.append(
            f'<text x="14" y="{middle}" font-size="11" text-anchor="middle" '
            f'transform="rotate(-90 14 {middle})">{escape(clip(unit, 30))}</text>'
        )
    size = 11 if len(xs) <= 7 else 9
    for x in xs:
        out.append(
            f'<text x="{frame.px(x)}" y="{TOP + frame.height + 16}" font-size="{size}" '
            f'text-anchor="middle">{_years_label(x)}</text>'
        )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{frame.width}" height="{frame.height}" fill="none" '
        'stroke="#808080" stroke-width="1"/>'
    )
    return out


def _runs(points: list[Point]) -> list[list[Point]]:
    """The observed values in runs of consecutive school years (a year not measured is a
    gap, never a line across it)."""
    runs: list[list[Point]] = []
    for x, v in points:
        if runs and runs[-1][-1][0] == x - 1:
            runs[-1].append((x, v))
        else:
            runs.append([(x, v)])
    return runs


def _cross(x: float, y: float, colour: str) -> str:
    return (
        f'<path d="M{x - 5} {y - 5}L{x + 5} {y + 5}M{x - 5} {y + 5}L{x + 5} {y - 5}" '
        f'stroke="{colour}" stroke-width="2"/>'
    )


def _diamond(x: float, y: float, colour: str) -> str:
    return f'<path d="M{x} {y - 7}L{x + 7} {y}L{x} {y + 7}L{x - 7} {y}Z" fill="{colour}"/>'


def _lines(
    frame: _Frame,
    points: list[Point],
    trajectory: list[Point],
    target: Point | None,
    initial: Point | None,
) -> list[str]:
    """The trajectory (dashed), the target (a diamond), the initial target (a cross), the
    observed values."""
    out = []
    if trajectory:
        (x1, y1), (x2, y2) = trajectory
        out.append(
            f'<line x1="{frame.px(x1)}" y1="{frame.py(y1)}" x2="{frame.px(x2)}" '
            f'y2="{frame.py(y2)}" '
            f'stroke="{TRAJECTORY}" stroke-width="2" stroke-dasharray="7 5"/>'
        )
    if initial:
        out.append(_cross(frame.px(initial[0]), frame.py(initial[1]), INITIAL))
    if target:
        out.append(_diamond(frame.px(target[0]), frame.py(target[1]), TARGET))
    for run in _runs(points):
        if len(run) > 1:
            path = " ".join(f"{frame.px(x)},{frame.py(v)}" for x, v in run)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{OBSERVED}" stroke-width="2.5"/>'
            )
    out += [
        f'<circle cx="{frame.px(x)}" cy="{frame.py(v)}" r="4.5" fill="{OBSERVED}"/>'
        for x, v in points
    ]
    return out


def _legend(
    points: list[Point],
    trajectory: list[Point],
    target: Point | None,
    initial: Point | None,
    line: IndicatorLine,
) -> list[str]:
    """What each mark is, below the plot, with the targets' values and years (on two rows
    when one is not enough)."""
    unit = f"{NBSP}{line.unit}" if line.unit and len(line.unit) <= 3 else ""
    items: list[tuple[Callable[[float, float], str], str]] = []
    if points:
        items.append(
            (
                lambda x, y: (
                    f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" '
                    f'stroke="{OBSERVED}" stroke-width="2.5"/>'
                    f'<circle cx="{x + 12}" cy="{y}" r="4" fill="{OBSERVED}"/>'
                ),
                "constaté",
            )
        )
    if trajectory:
        items.append(
            (
                lambda x, y: (
                    f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" '
                    f'stroke="{TRAJECTORY}" stroke-width="2" stroke-dasharray="7 5"/>'
                ),
                "trajectoire attendue",
            )
        )
    if target:
        what = "cible révisée" if line.target_avenant else "cible"
        items.append(
            (
                lambda x, y: _diamond(x + 12, y, TARGET),
                f"{what} {number(target[1])}{unit} ({_years_label(target[0])})",
            )
        )
    if initial:
        items.append(
            (
                lambda x, y: _cross(x + 12, y, INITIAL),
                f"cible initiale {number(initial[1])}{unit} ({_years_label(initial[0])})",
            )
        )
    out: list[str] = []
    x, y = 20.0, HEIGHT - LEGEND_ROWS * 17 + 6
    for mark, label in items:
        width = 30 + 6.0 * len(label) + 16
        if x + width > WIDTH - 10 and x > 20:
            x, y = 20.0, y + 17
        out.append(mark(x, y - 4))
        out.append(f'<text x="{x + 30}" y="{y}" font-size="10.5">{escape(label)}</text>')
        x += width
    return out
