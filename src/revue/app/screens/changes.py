"""« Depuis la dernière revue »: what changed since the previous review of the contract."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from revue.review_domain import ChangeLine, ReviewSummary


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class ChangesScreen(Screen[None]):
    """Statuses, values, analyses and evidence that changed, objective by objective."""

    HELP = (
        "Ce qui a changé depuis la revue précédente du contrat : statuts, valeurs constatées, "
        "analyses et nouveaux éléments de preuve, objectif par objectif. Le texte complet de "
        "la ligne choisie s'affiche sous le tableau."
    )
    BINDINGS = [Binding("escape", "back", "Retour", id="back")]

    @dataclass
    class Loaded(Message):
        review: ReviewSummary
        previous: str | None
        lines: list[ChangeLine]

    def __init__(self, review_id: uuid.UUID) -> None:
        super().__init__()
        self.review_id = review_id
        self.lines: list[ChangeLine] = []

    def compose(self) -> ComposeResult:
        yield Static("Depuis la dernière revue", id="changes-title", classes="screen-title")
        yield DataTable(id="changes", cursor_type="row", zebra_stripes=True)
        yield Static("", id="changes-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in (("Objectif", "objective"), ("Changement", "what"),
                           ("Avant", "before"), ("Après", "after")):
            table.add_column(label, key=key)
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        walk = store.load_walk(self.review_id)
        lines = store.changes_since_last(self.review_id)
        self.post_message(self.Loaded(walk.review, walk.previous_title, lines))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.lines = message.lines
        title = f"Depuis la dernière revue — {message.review.title}"
        if message.previous:
            title += f" (comparée à : {message.previous})"
        self.query_one("#changes-title", Static).update(title)
        table = self.query_one(DataTable)
        table.clear()
        detail = self.query_one("#changes-detail", Static)
        if message.previous is None:
            table.display = False
            detail.update("C'est la première revue de ce contrat : rien à comparer.")
            return
        if not message.lines:
            table.display = False
            detail.update("Aucun changement depuis la revue précédente.")
            return
        for line in message.lines:
            table.add_row(_clip(line.objective, 38), _clip(line.what, 26),
                          _clip(line.before, 18), _clip(line.after, 30))
        table.focus()
        self._detail(0)

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        if not self.lines:
            return
        line = self.lines[min(row, len(self.lines) - 1)]
        text = Text()
        text.append(f"{line.objective}\n", style="bold")
        text.append(f"{line.what} : ")
        if line.before:
            text.append(line.before, style="dim")
            text.append(" → ")
        text.append(line.after)
        self.query_one("#changes-detail", Static).update(text)

    def action_back(self) -> None:
        self.app.pop_screen()
