"""The DSDEN's « Département » screen: the bilan TOML files of a folder, consolidated
(revue.department), with filters by school year, kind of review and axe of the projet
académique, and the consolidated document written beside them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Static, TabbedContent, TabPane

from revue.app.screens.base import RevueScreen
from revue.department.consolidate import (
    STATUS_KEYS,
    Consolidation,
    Notice,
    SharedIndicator,
    consolidate,
    consolidate_read,
)
from revue.department.writers import file_name, notice_groups, read_line
from revue.domain.errors import RevueError
from revue.domain.french import clip, number, quantity, signed
from revue.formats.bilan_reader import KIND_VALUES, STATUS_VALUES, BilanRead, parse_bilan

#: Short status headings, so that the table fits 80 columns.
SHORT_STATUS = {
    "a-engager": "À eng.",
    "en-cours": "En c.",
    "atteint": "Att.",
    "partiellement-atteint": "Part.",
    "non-atteint": "Non att.",
    "abandonne": "Aband.",
    "non-examine": "Non ex.",
}
TABS = ["dep-circos", "dep-academic", "dep-indicators", "dep-notices"]


class DepartmentScreen(RevueScreen[None]):
    """The consolidation of the bilans of a folder, in four tabs."""

    CSS_PATH = "department.tcss"
    HELP = (
        "La consolidation des bilans des circonscriptions (DSDEN) : revue lit les fichiers "
        "TOML de bilan du dossier (revue bilan … --format toml) et les montre côte à côte : "
        "chaque circonscription, la couverture du projet académique, les indicateurs "
        "communs, et ce qui a été refusé ou manque. « a », « n » et « x » choisissent "
        "l'année, la nature de revue et l'axe du projet ; « e » écrit le document consolidé "
        "(ODT) dans le dossier ; « d » change de dossier ; « b » consolide plutôt les bilans "
        "de toutes les revues de la base ouverte (une base partagée, par --db)."
    )
    BINDINGS = [
        Binding("escape", "back", "Retour", id="back"),
        Binding("a", "year", "Année", id="dep-year", tooltip="Année scolaire suivante"),
        Binding("n", "kind", "Nature", id="dep-kind", tooltip="Nature de revue suivante"),
        Binding("x", "axe", "Axe", id="dep-axe", tooltip="Axe du projet académique suivant"),
        Binding("e", "write", "Écrire", id="dep-write", tooltip="Écrire le document (ODT)"),
        Binding("d", "folder", "Dossier", id="dep-folder", tooltip="Changer de dossier"),
        Binding(
            "b", "from_store", "Base", id="dep-store", tooltip="Les bilans des revues de cette base"
        ),
        Binding("r", "reload", "Relire", id="dep-reload", tooltip="Relire le dossier"),
        *(
            Binding(str(n), f"tab('{tab}')", show=False, id=f"dep-tab{n}")
            for n, tab in enumerate(TABS, start=1)
        ),
    ]
    FIRST_LOAD = frozenset({"load"})
    #: The tabs and « a », « n », « x » act on the consolidation: keys typed while a folder or
    #: the store is being read wait for it.
    KEYS_WAIT_FOR = frozenset({"load", "load_store"})

    @dataclass
    class Loaded(Message):
        consolidation: Consolidation | None
        error: str = ""

    def __init__(self, folder: Path | None = None, *, from_store: bool = False) -> None:
        super().__init__()
        self.folder = folder
        self.from_store = from_store
        if from_store:
            self.first_loads = {"load_store"}
        elif folder is None:
            self.ready_for_keys()  # nothing is read until a folder is typed
        self.full: Consolidation | None = None
        self.year: str | None = None
        self.kind: str | None = None
        self.axe: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Département — consolidation des bilans", classes="screen-title")
        yield Input(
            str(self.folder or Path.home()),
            placeholder="dossier des bilans TOML reçus",
            id="dep-path",
            compact=True,
        )
        yield Static("", id="dep-summary")
        with TabbedContent(id="dep-tabs"):
            with TabPane("1 Circonscriptions", id="dep-circos"):
                yield DataTable(id="dep-circos-table", cursor_type="row", zebra_stripes=True)
            with TabPane("2 Projet académique", id="dep-academic"):
                yield DataTable(id="dep-academic-table", cursor_type="row", zebra_stripes=True)
            with TabPane("3 Indicateurs", id="dep-indicators"):
                yield DataTable(id="dep-indicators-table", cursor_type="row", zebra_stripes=True)
            with TabPane("4 Messages", id="dep-notices"):
                yield DataTable(id="dep-notices-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="dep-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.from_store:
            self._load()
            return
        if self.folder is None:
            self.query_one("#dep-summary", Static).update(
                "Indiquez le dossier des bilans, puis Entrée."
            )
            self.query_one("#dep-path", Input).focus()
            return
        self._load()

    # --- loading ----------------------------------------------------------------------------

    def _load(self) -> None:
        self.query_one("#dep-summary", Static).update("Lecture des bilans…")
        if self.from_store:
            self.load_store(self.today())
            return
        assert self.folder is not None
        self.load(self.folder)

    @work(thread=True, exclusive=True, group="department-load")
    def load(self, folder: Path) -> None:
        try:
            if not folder.is_dir():
                raise RevueError(f"{folder} : ce n'est pas un dossier")
            self.post_message(self.Loaded(consolidate([folder])))
        except RevueError as exc:
            self.post_message(self.Loaded(None, str(exc)))

    @work(thread=True, exclusive=True, group="department-load")
    def load_store(self, today: dt.date) -> None:
        """Every review of every contract of the open store, through its bilan TOML (what a
        circonscription would send), consolidated."""
        from revue.bilan.data import render_toml
        from revue.services.bilan import build_bilan

        read: list[BilanRead] = []
        notices: list[Notice] = []
        try:
            for contract in self.store.list_contracts():
                for review in self.store.list_reviews(contract.id):
                    which = f"{review.school_year}/{review.kind.value}"
                    name = f"{contract.id} {which}"
                    try:
                        bilan = build_bilan(self.store, contract.id, which, written_on=today)
                        read.append(parse_bilan(render_toml(bilan).encode("utf-8"), name))
                    except RevueError as exc:
                        notices.append(Notice("refuse", str(exc), name))
            self.post_message(self.Loaded(consolidate_read(read, notices=notices)))
        except RevueError as exc:
            self.post_message(self.Loaded(None, str(exc)))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.full = message.consolidation
        self.year = self.kind = self.axe = None
        if self.full is None:
            self.query_one("#dep-summary", Static).update(Text(message.error, style="bold"))
            for table in self.query(DataTable):
                table.clear(columns=True)
            return
        self._show()
        self.query_one("#dep-circos-table", DataTable).focus()

    @on(Input.Submitted, "#dep-path")
    def folder_chosen(self, event: Input.Submitted) -> None:
        raw = event.value.strip()
        if raw:
            self.folder = Path(raw).expanduser()
            self.from_store = False
            self._load()

    def action_from_store(self) -> None:
        self.from_store = True
        self._load()

    # --- filters ------------------------------------------------------------------------------

    @staticmethod
    def _next(current: str | None, choices: list[str]) -> str | None:
        """None (all), then each choice, then None again."""
        options: list[str | None] = [None, *choices]
        return options[(options.index(current) + 1) % len(options)] if current in options else None

    def action_year(self) -> None:
        if self.full:
            self.year = self._next(self.year, self.full.years)
            self._show()

    def action_kind(self) -> None:
        if self.full:
            self.kind = self._next(self.kind, self.full.kinds)
            self._show()

    def action_axe(self) -> None:
        if self.full:
            self.axe = self._next(self.axe, self.full.axes)
            self._show()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#{tab}-table", DataTable).focus()

    def action_folder(self) -> None:
        self.query_one("#dep-path", Input).focus()

    def action_reload(self) -> None:
        if self.folder is not None or self.from_store:
            self._load()

    def selected(self) -> Consolidation | None:
        if self.full is None:
            return None
        return self.full.select(year=self.year, kind=self.kind, axe=self.axe)

    # --- showing ------------------------------------------------------------------------------

    def _show(self) -> None:
        c = self.selected()
        if c is None:
            return
        filters = (
            f"Année : {self.year or 'toutes'} · Revue : "
            f"{KIND_VALUES[self.kind] if self.kind else 'toutes'} · Axe : {self.axe or 'tous'}"
        )
        academie = f"Académie de {c.academie}. " if c.academie else ""
        if self.from_store:
            academie = f"Bilans de la base. {academie}"
        self.query_one("#dep-summary", Static).update(f"{academie}{read_line(c)}\n{filters}")
        self._circonscriptions(c)
        self._academic(c)
        self._indicators(c)
        self._notices(c)

    def _table(self, key: str, columns: list[tuple[str, int | None]]) -> DataTable[Any]:
        table = self.query_one(f"#{key}-table", DataTable)
        table.clear(columns=True)
        for label, width in columns:
            table.add_column(label, width=width)
        return table

    def _circonscriptions(self, c: Consolidation) -> None:
        table = self._table(
            "dep-circos",
            [
                ("Circonscription", 22),
                ("Année", 9),
                ("Revue", 8),
                ("État", 5),
                *((SHORT_STATUS[k], None) for k in STATUS_KEYS),
                ("Hors traj.", None),
                ("Av.", None),
            ],
        )
        for b in c.kept:
            table.add_row(
                clip(b.circonscription.removeprefix("Circonscription "), 22),
                b.school_year,
                {"annuel": "annuel", "mi-parcours": "mi-parc.", "final": "final"}[b.kind],
                "prov." if b.provisional else "clôt.",
                *(str(b.summary.get(k, 0)) for k in STATUS_KEYS),
                str(len(b.off_track)),
                str(len(b.avenants)),
            )

    def _academic(self, c: Consolidation) -> None:
        table = self._table(
            "dep-academic",
            [("Projet académique", 20), ("Circonscription", 26), ("Année", 9), ("Statut", None)],
        )
        for line in c.academic:
            name = f"{line.link.code} {line.link.title}".strip()
            counts = line.status_counts()
            table.add_row(
                Text(clip(name, 20), style="bold"),
                Text(f"{len(line.serving)} objectifs", style="bold"),
                "",
                Text(
                    " · ".join(
                        f"{SHORT_STATUS[k]} {counts[k]}" for k in STATUS_KEYS if k in counts
                    ),
                    style="bold",
                ),
            )
            for s in line.serving:
                table.add_row(
                    "",
                    clip(
                        f"{s.circonscription.removeprefix('Circonscription ')}, n° {s.number}", 26
                    ),
                    s.school_year,
                    STATUS_VALUES[s.status],
                )
        if not c.academic:
            table.add_row("Aucun lien au projet académique dans ces bilans.", "", "", "")

    def _indicators(self, c: Consolidation) -> None:
        table = self._table(
            "dep-indicators",
            [("Indicateur", 24), ("Circonscription", 20), ("Valeur", 14), ("Écart cible", 14)],
        )
        for shared in c.shared:
            table.add_row(*(Text(v, style="bold") for v in self._overall(shared)))
            for v in shared.values:
                table.add_row(
                    "",
                    clip(v.circonscription.removeprefix("Circonscription "), 20),
                    quantity(v.value, shared.unit) if v.value is not None else "non mesuré",
                    signed(v.gap) if v.gap is not None else "—",
                )
        if not c.shared:
            table.add_row("Aucun indicateur commun.", "", "", "")

    @staticmethod
    def _overall(shared: SharedIndicator) -> list[str]:
        """An indicator's first row: its label and year, how many measured, then the sum of
        the values and of the targets (counts) or the median and the range (rates)."""
        head = [
            clip(f"{shared.label} ({shared.school_year})", 24),
            f"{len(shared.measured)} mesurés sur {len(shared.values)}",
        ]
        low_mid_high = shared.distribution
        if low_mid_high is not None:
            low, mid, high = low_mid_high
            return [*head, f"méd. {quantity(mid, shared.unit)}", f"{number(low)} à {number(high)}"]
        total, targets = shared.total, shared.target_total
        return [
            *head,
            f"Σ {quantity(total, shared.unit)}" if total is not None else "—",
            f"Σ cibles {number(targets)}" if targets is not None else "—",
        ]

    def _notices(self, c: Consolidation) -> None:
        table = self._table("dep-notices", [("Nature", 18), ("Message", None)])
        for title, lines in notice_groups(c):
            for line in lines:
                table.add_row(title, line)
        if not c.notices:
            table.add_row("—", "Rien à signaler : tout a été consolidé.")
        first = table.get_row_at(0)
        self.query_one("#dep-notice", Static).update(Text(f"{first[0]} — {first[1]}"))

    @on(DataTable.RowHighlighted, "#dep-notices-table")
    def notice_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole message of the chosen line (the table cuts long ones)."""
        row = event.data_table.get_row_at(event.cursor_row)
        self.query_one("#dep-notice", Static).update(Text(f"{row[0]} — {row[1]}"))

    # --- writing ------------------------------------------------------------------------------

    def action_write(self) -> None:
        c = self.selected()
        if c is None:
            self.notify("Aucune consolidation à écrire.", severity="warning")
            return
        folder = Path.home() if self.from_store or self.folder is None else self.folder
        self.write(c, folder / "consolidation-bilans.odt")

    @work(thread=True, exclusive=True, group="department-write")
    def write(self, c: Consolidation, target: Path) -> None:
        from revue.department.formats import WRITERS

        try:
            WRITERS["odt"].write(c, target)
        except (OSError, RevueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            self.reply(
                partial(self.notify, severity="error"), f"{target} : écriture impossible ({reason})"
            )
            return
        self.reply(self.notify, f"Document écrit : {file_name(str(target))} dans {target.parent}")
