"""« Depuis la dernière revue »: what changed since the previous review of the contract
(read-only)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from revue.app.screens.base import RevueScreen
from revue.domain.errors import RevueError
from revue.domain.french import clip
from revue.domain.review import ChangeLine, Walk

VALUE = "valeur : "  # how compare_walks names a change of an indicator's value

COLUMNS = (
    ("Objectif", "objective"),
    ("Changement", "what"),
    ("Avant", "before"),
    ("Après", "after"),
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def fit_widths(naturals: Sequence[int], budget: int, minimum: int = 6) -> list[int]:
    """Column widths within ``budget``: a column that needs less than its fair share keeps
    what it needs, the others share the rest equally (never under ``minimum``)."""
    widths = [0] * len(naturals)
    left = budget
    pending = sorted(range(len(naturals)), key=lambda i: naturals[i])
    while pending:
        share = left // len(pending)
        i = pending.pop(0)
        widths[i] = max(min(naturals[i], share), min(minimum, naturals[i]))
        left -= widths[i]
    return widths


class ChangesScreen(RevueScreen[None]):
    """Statuses, values, analyses and evidence that changed since the previous review."""

    FIRST_LOAD = frozenset({"load"})

    CSS_PATH = "review_screens.tcss"
    HELP = (
        "Ce qui a changé depuis la revue précédente du même contrat, objectif par objectif : "
        "statuts, valeurs constatées des indicateurs, analyses, éléments de preuve ajoutés. "
        "Les flèches parcourent les lignes ; le texte complet de la ligne choisie s'affiche "
        "sous le tableau. Rien ne se modifie ici : Échap revient à l'écran précédent."
    )
    BINDINGS = [Binding("escape", "app.pop_screen", "Retour", id="back")]

    @dataclass
    class Loaded(Message):
        walk: Walk
        lines: list[ChangeLine]

    @dataclass
    class Failed(Message):
        error: str

    def __init__(self, review_id: uuid.UUID) -> None:
        super().__init__()
        self.review_id = review_id
        self.walk: Walk | None = None
        self.lines: list[ChangeLine] = []
        self._numbers: dict[str, int] = {}
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static("Chargement des changements…", id="changes-title", classes="screen-title")
        yield DataTable(id="changes-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="changes-full"):
            yield Static("", id="changes-full-text")
        yield Static("", id="changes-message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for name in ("#changes-table", "#changes-full", "#changes-message"):
            self.query_one(name).display = False
        self.load()

    @work(thread=True, exclusive=True, group="changes")
    def load(self) -> None:
        store = self.store
        try:
            walk = store.load_walk(self.review_id)
            lines = store.changes_since_last(self.review_id)
        except RevueError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Loaded(walk, lines))

    @on(Failed)
    def failed(self, message: Failed) -> None:
        self.query_one("#changes-title", Static).update("Depuis la dernière revue")
        self._message(message.error[:1].upper() + message.error[1:] + ".")

    def _message(self, text: str) -> None:
        shown = self.query_one("#changes-message", Static)
        shown.update(text)
        shown.display = True
        self.query_one("#changes-table").display = False
        self.query_one("#changes-full").display = False

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        walk = self.walk = message.walk
        self.lines = message.lines
        self._numbers = {o.id: n for n, o in enumerate(walk.objectives, start=1)}
        title = f"Depuis la dernière revue — {walk.review.title}"
        if walk.previous_title:
            title += f" (comparée à {walk.previous_title})"
        self.query_one("#changes-title", Static).update(title)
        if walk.previous_id is None:
            self._message("C'est la première revue de ce contrat : rien à comparer.")
            return
        if not message.lines:
            self._message("Aucun changement depuis la revue précédente.")
            return
        self.query_one("#changes-message").display = False
        table = self.query_one(DataTable)
        table.display = True
        self.query_one("#changes-full").display = True
        self._fill()
        table.focus()
        self._show_full(0)

    def on_resize(self, event: events.Resize) -> None:
        if self.lines and event.size.width != self._width:
            self._fill()

    def _objective(self, line: ChangeLine) -> str:
        number = self._numbers.get(line.objective_id)
        return f"{number}. {_one_line(line.objective)}" if number else _one_line(line.objective)

    def _fill(self) -> None:
        """(Re)build the table with every cell clipped to one line that fits the width."""
        table = self.query_one(DataTable)
        self._width = self.size.width
        cells = [[self._objective(line), line.what, line.before, line.after] for line in self.lines]
        naturals = [
            max([len(label)] + [len(_one_line(row[k])) for row in cells])
            for k, (label, _key) in enumerate(COLUMNS)
        ]
        padding = 2 * table.cell_padding * len(COLUMNS)
        widths = fit_widths(naturals, max(self._width - padding - 2, 4 * 6))
        row = table.cursor_row
        table.clear(columns=True)
        for (label, key), width in zip(COLUMNS, widths, strict=True):
            table.add_column(label, key=key, width=width)
        previous = None
        for number, (line, line_cells) in enumerate(zip(self.lines, cells, strict=True)):
            if line.objective_id == previous:
                line_cells[0] = ""  # the objective is said once for its lines
            previous = line.objective_id
            table.add_row(
                *(clip(text, width) for text, width in zip(line_cells, widths, strict=True)),
                key=str(number),
            )
        table.move_cursor(row=min(max(row, 0), len(cells) - 1))

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_full(event.cursor_row)

    def _show_full(self, row: int) -> None:
        if not self.lines:
            return
        line = self.lines[max(0, min(row, len(self.lines) - 1))]
        number = self._numbers.get(line.objective_id)
        text = Text()
        text.append(f"Objectif {number} · " if number else "", style="bold")
        text.append(_one_line(line.objective), style="bold")
        if line.what == "analyse":
            said = "Analyse ajoutée" if line.before == "(vide)" else "Analyse modifiée"
            text.append(f"\n{said} :\n")
        elif line.what.startswith(VALUE):
            text.append(f"\nValeur constatée « {line.what[len(VALUE) :]} » : ")
        else:
            text.append(f"\n{line.what[:1].upper()}{line.what[1:]} : ")
        if line.before and line.what != "analyse":
            text.append(line.before, style="dim")
            text.append(" → ")
        text.append(line.after)
        self.query_one("#changes-full-text", Static).update(text)
