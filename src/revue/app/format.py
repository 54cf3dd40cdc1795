"""Indicator facts in French for the screens; numbers and dates come from revue.domain.french."""

from __future__ import annotations

from revue.domain.contract import ComputedCount, Indicator

# Screens use the French formatting as fr.date, fr.number… next to the indicator facts below.
from revue.domain.french import NBSP as NBSP
from revue.domain.french import NNBSP as NNBSP
from revue.domain.french import date as date
from revue.domain.french import number as number
from revue.domain.french import quantity as quantity
from revue.domain.log import INITIATIVE_LABELS, MODALITY_LABELS


def computed_filter(computed: ComputedCount) -> str:
    """A French sentence saying which accompaniments the indicator counts."""
    parts = ["accompagnements"]
    if computed.modality:
        parts.append(MODALITY_LABELS[computed.modality] + "s")
    if computed.initiative:
        parts.append(f"à l'initiative de l'{INITIATIVE_LABELS[computed.initiative]}")
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
