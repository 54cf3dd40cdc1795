"""The overview's arithmetic: where an indicator should be this year, and whether it lags."""

from __future__ import annotations

from revue.domain.avenant import RevisedTarget
from revue.domain.contract import Direction, Indicator
from revue.domain.schoolyear import school_year_start


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
    return gap if indicator.direction is Direction.HIGHER else -gap


def is_off_track(
    indicator: Indicator,
    target: RevisedTarget,
    year: str,
    observed: float | None,
    margin: float = OFF_TRACK_MARGIN,
) -> bool:
    if observed is None or indicator.baseline_value is None or target.value is None:
        return False
    expected = expected_value(indicator, target, year)
    if expected is None:
        return False
    span = abs(target.value - indicator.baseline_value) or abs(target.value) or 1.0
    return behind_by(indicator, expected, observed) > margin * span
