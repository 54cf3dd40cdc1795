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
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def indicator_svg(line: IndicatorLine) -> str | None:
    """The chart, or None when there is nothing to draw (no value and no baseline)."""
    points = sorted(((school_year_start(y), v) for y, v in line.values.items()))
    if not points and line.baseline is None:
        return None
    trajectory: list[tuple[int, float]] = []
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
    initial: tuple[int, float] | None = None
    if line.initial_target is not None and line.target_avenant and line.initial_target_year:
        initial = (school_year_start(line.initial_target_year), line.initial_target)

    xs = sorted(
        {x for x, _ in points}
        | {x for x, _ in trajectory}
        | ({initial[0]} if initial else set())
        | ({school_year_start(line.baseline_year)} if line.baseline_year else set())
    )
    ys = [v for _, v in points] + [v for _, v in trajectory] + ([initial[1]] if initial else [])
    if line.baseline is not None:
        ys.append(line.baseline)
    low, high = min(ys), max(ys)
    if high == low:
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    x_low, x_high = (xs[0] - 0.5, xs[-1] + 0.5) if len(xs) > 1 else (xs[0] - 1, xs[0] + 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return round(LEFT + (x - x_low) / (x_high - x_low) * plot_w, 1)

    def py(y: float) -> float:
        return round(TOP + (high - y) / (high - low) * plot_h, 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family={quoteattr(FONT)}>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2}" y="20" font-size="13" text-anchor="middle">'
        f"{escape(clip(line.label, 80))}</text>",
    ]
    ticks = int(round((high - low) / step))
    for n in range(ticks + 1):
        value = low + n * step
        y = py(value)
        out.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" '
            'stroke="#d9d9d9" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4}" font-size="11" text-anchor="end">'
            f"{escape(number(value))}</text>"
        )
    if line.unit:
        out.append(
            f'<text x="14" y="{TOP + plot_h / 2}" font-size="11" text-anchor="middle" '
            f'transform="rotate(-90 14 {TOP + plot_h / 2})">{escape(line.unit)}</text>'
        )
    for x in xs:
        out.append(
            f'<text x="{px(x)}" y="{TOP + plot_h + 16}" font-size="11" '
            f'text-anchor="middle">{x}-{x + 1}</text>'
        )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#808080" stroke-width="1"/>'
    )
    if trajectory:
        (x1, y1), (x2, y2) = trajectory
        out.append(
            f'<line x1="{px(x1)}" y1="{py(y1)}" x2="{px(x2)}" y2="{py(y2)}" '
            f'stroke="{TRAJECTORY}" stroke-width="2" stroke-dasharray="7 5"/>'
        )
    if initial:
        x, y = px(initial[0]), py(initial[1])
        out.append(
            f'<path d="M{x - 5} {y - 5}L{x + 5} {y + 5}M{x - 5} {y + 5}L{x + 5} {y - 5}" '
            f'stroke="{TRAJECTORY}" stroke-width="2"/>'
        )
    if points:
        path = " ".join(f"{px(x)},{py(v)}" for x, v in points)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{OBSERVED}" stroke-width="2.5"/>'
        )
        for x, v in points:
            out.append(f'<circle cx="{px(x)}" cy="{py(v)}" r="4.5" fill="{OBSERVED}"/>')
    legend = [("constaté", "observed")] if points else []
    if trajectory:
        legend.append(("trajectoire", "trajectory"))
    if initial:
        legend.append(("cible initiale", "initial"))
    x = LEFT
    y = HEIGHT - 12
    for label, kind in legend:
        if kind == "observed":
            out.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" '
                f'stroke="{OBSERVED}" stroke-width="2.5"/>'
                f'<circle cx="{x + 12}" cy="{y - 4}" r="4" fill="{OBSERVED}"/>'
            )
        elif kind == "trajectory":
            out.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" '
                f'stroke="{TRAJECTORY}" stroke-width="2" stroke-dasharray="7 5"/>'
            )
        else:
            out.append(
                f'<path d="M{x + 7} {y - 9}L{x + 17} {y + 1}M{x + 7} {y + 1}'
                f'L{x + 17} {y - 9}" stroke="{TRAJECTORY}" stroke-width="2"/>'
            )
        out.append(f'<text x="{x + 30}" y="{y}" font-size="11">{label}</text>')
        x += 30 + 8 * len(label) + 24
    out.append("</svg>")
    return "".join(out)
