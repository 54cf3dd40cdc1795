"""Everything a bilan says, in plain data (defined in :mod:`revue.domain.bilan`, where the
store freezes it when a review is closed); the writers of this package read it."""

from __future__ import annotations

from revue.domain.bilan import (
    AvenantLine,
    Bilan,
    ChangeLine,
    ContractFacts,
    IndicatorLine,
    MidtermLine,
    ObjectiveBilan,
    OffTrack,
    PartyLine,
    StrategyBilan,
    assemble_bilan,
    pick_review,
)

__all__ = [
    "AvenantLine",
    "Bilan",
    "ChangeLine",
    "ContractFacts",
    "IndicatorLine",
    "MidtermLine",
    "ObjectiveBilan",
    "OffTrack",
    "PartyLine",
    "StrategyBilan",
    "assemble_bilan",
    "pick_review",
]
