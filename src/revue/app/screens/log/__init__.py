"""The accompaniment log: the table, the entry form, conflicts, exchange files."""

from revue.app.screens.log.conflicts import ConflictsScreen
from revue.app.screens.log.entry import EntryScreen, LastItemSuggester
from revue.app.screens.log.exchange import ExchangeScreen
from revue.app.screens.log.table import PAGE, LogScreen

__all__ = [
    "PAGE",
    "ConflictsScreen",
    "EntryScreen",
    "ExchangeScreen",
    "LastItemSuggester",
    "LogScreen",
]
