"""The accompaniment log: the table, the entry form, conflicts, exchange files."""

from revue.app.screens.log.conflicts import ConflictsScreen
from revue.app.screens.log.entry import EntryScreen
from revue.app.screens.log.exchange import ExchangeScreen
from revue.app.screens.log.fields import CompletingInput, best_choice
from revue.app.screens.log.table import PAGE, LogScreen

__all__ = [
    "PAGE",
    "CompletingInput",
    "ConflictsScreen",
    "EntryScreen",
    "ExchangeScreen",
    "LogScreen",
    "best_choice",
]
