"""French formatting of numbers, dates and indicator facts for the screens."""

from __future__ import annotations

import datetime as dt

from revue.domain import INITIATIVES, MODALITIES, ComputedCount, Indicator

NBSP = "\u00a0"
NNBSP = "\u202f"


def number(value: float | None) -> str:
    """``4.2`` -> ``4,2``; ``100.0`` -> ``100``; thousands separated by a thin space."""
    if value is None:
        return "—"
    if float(value).is_integer():
        text = f"{int(value):,}".replace(",", NNBSP)
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", NNBSP).replace(".", ",")
    return text


def quantity(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{number(value)}{NBSP}{unit}" if unit else number(value)


def date(value: dt.date | None) -> str:
    return "—" if value is None else f"{value:%d/%m/%Y}"


def computed_filter(computed: ComputedCount) -> str:
    """A French sentence saying which accompaniments the indicator counts."""
    parts = ["accompagnements"]
    if computed.modality:
        parts.append(MODALITIES[computed.modality] + "s")
    if computed.initiative:
        parts.append(f"à l'initiative de l'{INITIATIVES[computed.initiative]}")
    if computed.theme:
        parts.append(f"sur le thème « {computed.theme} »")
    if computed.linked_to_objective:
        parts.append("liés à cet objectif")
    return "compté dans le journal : " + " ".join(parts)


def baseline(indicator: Indicator) -> str:
    if indicator.baseline_value is None:
        return "non renseignée"
    return f"{quantity(indicator.baseline_value, indicator.unit)} ({indicator.baseline_year})"


def target(indicator: Indicator) -> str:
    if indicator.target_value is None:
        return f"{'en hausse' if indicator.direction.value == 'higher' else 'en baisse'}, sans valeur chiffrée"
    return f"{quantity(indicator.target_value, indicator.unit)} ({indicator.target_year})"

