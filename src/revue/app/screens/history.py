"""An item's history: every version with who and when, what it changed, and a restore."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from revue.app.screens.base import RevueScreen
from revue.domain import french
from revue.domain.errors import RevueError
from revue.domain.french import clip
from revue.domain.history import HistoryEntry, describe


def local_time(at: dt.datetime) -> str:
    """A stored UTC time as the reader's local date and time."""
    return f"{french.local_time(at):%d/%m/%Y %H:%M}"


class HistoryScreen(RevueScreen[bool]):
    """Shows the versions of one item, newest first; « r » puts the chosen one back.

    Dismissed with True when a version was restored (the caller reloads)."""

    FIRST_LOAD = frozenset({"load"})

    HELP = (
        "L'historique d'un élément : chaque version, avec sa date, son auteur et ce qu'elle a "
        "changé. Choisissez une version pour la voir en entier ; « r » la rétablit. Rétablir "
        "crée une nouvelle version : rien n'est perdu, on peut revenir en arrière de la même "
        "façon."
    )
    BINDINGS = [
        Binding("escape", "back", "Retour", id="back"),
        Binding("r", "restore", "Rétablir", id="restore", tooltip="Rétablir la version choisie"),
    ]

    @dataclass
    class Loaded(Message):
        entries: list[HistoryEntry]

    def __init__(
        self,
        title: str,
        *,
        load: Callable[[], list[HistoryEntry]],
        render: Callable[[dict[str, Any]], Text],
        labels: dict[str, str],
        restore: Callable[[HistoryEntry], None] | None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self._load_entries = load
        self._content_text = render
        self._field_labels = labels
        self._restore_entry = restore
        self.entries: list[HistoryEntry] = []  # newest first, as shown

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title_text), classes="screen-title", id="history-title")
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="history-preview"):
            yield Static("Chargement…", id="history-version")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Date", key="at", width=16)
        table.add_column("Par", key="author", width=20)
        table.add_column("Changement", key="what")
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        self.post_message(self.Loaded(self._load_entries()))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        what = describe(message.entries, self._field_labels)
        self.entries = list(reversed(message.entries))
        table = self.query_one(DataTable)
        table.clear()
        for entry, change in zip(self.entries, reversed(what), strict=True):
            table.add_row(
                local_time(entry.at), clip(entry.author or "—", 20), change, key=str(entry.id)
            )
        if not self.entries:
            self.query_one("#history-version", Static).update(
                "Aucune version enregistrée pour l'instant : rien n'a encore été saisi."
            )
            return
        table.move_cursor(row=0)
        self._preview(0)
        table.focus()

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._preview(event.cursor_row)

    def _preview(self, row: int) -> None:
        if not self.entries:
            return
        entry = self.entries[min(row, len(self.entries) - 1)]
        head = "Version actuelle" if row == 0 else f"Version du {local_time(entry.at)}"
        by = f" — {entry.author}" if entry.author else ""
        text = Text()
        text.append(f"{head}{by}\n", style="bold underline")
        text.append_text(self._content_text(entry.content))
        self.query_one("#history-version", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a closed review: its history is read-only
        return not (action == "restore" and self._restore_entry is None)

    def action_restore(self) -> None:
        if self._restore_entry is None or not self.entries:
            return
        row = min(self.query_one(DataTable).cursor_row, len(self.entries) - 1)
        if row == 0:
            self.notify("C'est déjà la version actuelle.")
            return
        self._do_restore(self.entries[row])

    @work(thread=True, exclusive=True, group="history-restore")
    def _do_restore(self, entry: HistoryEntry) -> None:
        assert self._restore_entry is not None
        try:
            self._restore_entry(entry)
        except RevueError as exc:
            self.reply(partial(self.notify, str(exc), severity="error"))
            return
        self.reply(self.notify, f"Version du {local_time(entry.at)} rétablie.")
        self.reply(self.dismiss, True)

    def action_back(self) -> None:
        self.dismiss(False)
