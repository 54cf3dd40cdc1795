"""One indicator's chart as SVG: observed values by school year against the trajectory.

Drawn here rather than with a plotting library: a bilan holds one chart per indicator (360 for
a contract of 120 objectives), and text-built SVG takes well under a millisecond each where
matplotlib took about 60 ms (see docs/performance.md). SVG stays sharp when printed, and
LibreOffice embeds it as vector graphics in the PDF.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from revue.bilan.model import IndicatorLine
from revue.domain.french import clip, number
from revue.domain.schoolyear import school_year_start

WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 62, 20, 34, 52
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
OBSERVED = "#1f5f9e"
TRAJECTORY = "#7f8c8d"


def _nice_step(span: float, count: int = 5) -> float:
    raw = span / count if span > 0 else 1.0
    magnitude: float = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


Point = tuple[int, float]  # (first calendar year of the school year, value)


class _Frame:
    """The plot area: where a school year and a value are drawn."""

    def __init__(self, xs: list[int], ys: list[float]) -> None:
        low, high = min(ys), max(ys)
        if high == low:
            low, high = low - 1, high + 1
        self.step = _nice_step(high - low)
        self.low = math.floor(low / self.step) * self.step
        self.high = math.ceil(high / self.step) * self.step
        wide = len(xs) > 1  # else one school year, in the middle
        self.x_low: float = xs[0] - 0.5 if wide else xs[0] - 1
        self.x_high: float = xs[-1] + 0.5 if wide else xs[0] + 1
        self.width, self.height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(self, x: float) -> float:
        return round(LEFT + (x - self.x_low) / (self.x_high - self.x_low) * self.width, 1)

    def py(self, y: float) -> float:
        return round(TOP + (self.high - y) / (self.high - self.low) * self.height, 1)


def _series(line: IndicatorLine) -> tuple[list[Point], list[Point], Point | None]:
    """Observed values, the trajectory from baseline to target, the target before an avenant."""
    points = sorted(((school_year_start(y), v) for y, v in line.values.items()))
    trajectory: list[Point] = []
    if (
        line.baseline is not None
        and line.baseline_year
        and line.target is not None
        and line.target_year
    ):
        trajectory = [
            (school_year_start(line.baseline_year), line.baseline),
            (school_year_start(line.target_year), line.target),
        ]
    initial: Point | None = None
    if line.initial_target is not None and line.target_avenant and line.initial_target_year:
        initial = (school_year_start(line.initial_target_year), line.initial_target)
    return points, trajectory, initial


def indicator_svg(line: IndicatorLine) -> str | None:
    """The chart, or None when there is nothing to draw (no value and no baseline)."""
    points, trajectory, initial = _series(line)
    if not points and line.baseline is None:
        return None
    xs = sorted(
        {x for x, _ in points}
        | {x for x, _ in trajectory}
        | ({initial[0]} if initial else set())
        | ({school_year_start(line.baseline_year)} if line.baseline_year else set())
    )
    ys = [v for _, v in points] + [v for _, v in trajectory] + ([initial[1]] if initial else [])
    if line.baseline is not None:
        ys.append(line.baseline)
    frame = _Frame(xs, ys)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family={quoteattr(FONT)}>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2}" y="20" font-size="13" text-anchor="middle">'
        f"{escape(clip(line.label, 80))}</text>",
        *_axes(frame, xs, line.unit),
        *_lines(frame, points, trajectory, initial),
        *_legend(points, trajectory, initial),
        "</svg>",
    ]
    return "".join(out)


def _axes(frame: _Frame, xs: list[int], unit: str) -> list[str]:
    """Grid lines with their values, the unit, the school years, the plot's border."""
    out = []
    ticks = round((frame.high - frame.low) / frame.step)
    for n in range(ticks + 1):
        value = frame.low + n * frame.step
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
            f'transform="rotate(-90 14 {middle})">{escape(unit)}</text>'
        )
    for x in xs:
        out.append(
            f'<text x="{frame.px(x)}" y="{TOP + frame.height + 16}" font-size="11" '
            f'text-anchor="middle">{x}-{x + 1}</text>'
        )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{frame.width}" height="{frame.height}" fill="none" '
        'stroke="#808080" stroke-width="1"/>'
    )
    return out


def _lines(
    frame: _Frame, points: list[Point], trajectory: list[Point], initial: Point | None
) -> list[str]:
    """The trajectory (dashed), the initial target (a cross), the observed values."""
    out = []
    if trajectory:
        (x1, y1), (x2, y2) = trajectory
        out.append(
            f'<line x1="{frame.px(x1)}" y1="{frame.py(y1)}" x2="{frame.px(x2)}" '
            f'y2="{frame.py(y2)}" '
            f'stroke="{TRAJECTORY}" stroke-width="2" stroke-dasharray="7 5"/>'
        )
    if initial:
        x, y = frame.px(initial[0]), frame.py(initial[1])
        out.append(
            f'<path d="M{x - 5} {y - 5}L{x + 5} {y + 5}M{x - 5} {y + 5}L{x + 5} {y - 5}" '
            f'stroke="{TRAJECTORY}" stroke-width="2"/>'
        )
    if points:
        path = " ".join(f"{frame.px(x)},{frame.py(v)}" for x, v in points)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{OBSERVED}" stroke-width="2.5"/>'
        )
        out += [
            f'<circle cx="{frame.px(x)}" cy="{frame.py(v)}" r="4.5" fill="{OBSERVED}"/>'
            for x, v in points
        ]
    return out


def _legend(points: list[Point], trajectory: list[Point], initial: Point | None) -> list[str]:
    """What each line is, below the plot."""
    out = []
    x = LEFT
    y = HEIGHT - 12
    if points:
        out.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" '
            f'stroke="{OBSERVED}" stroke-width="2.5"/>'
            f'<circle cx="{x + 12}" cy="{y - 4}" r="4" fill="{OBSERVED}"/>'
        )
        x = _label(out, x, y, "constaté")
    if trajectory:
        out.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" '
            f'stroke="{TRAJECTORY}" stroke-width="2" stroke-dasharray="7 5"/>'
        )
        x = _label(out, x, y, "trajectoire")
    if initial:
        out.append(
            f'<path d="M{x + 7} {y - 9}L{x + 17} {y + 1}M{x + 7} {y + 1}'
            f'L{x + 17} {y - 9}" stroke="{TRAJECTORY}" stroke-width="2"/>'
        )
        _label(out, x, y, "cible initiale")
    return out


def _label(out: list[str], x: int, y: int, label: str) -> int:
    """A legend's text after its mark at ``x``; where the next mark goes."""
    out.append(f'<text x="{x + 30}" y="{y}" font-size="11">{label}</text>')
    return x + 30 + 8 * len(label) + 24
