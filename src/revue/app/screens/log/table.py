"""The accompaniment log: a filtered table of every accompaniment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Select, Static

from revue.app import format as fr
from revue.app.messages import StoreChanged
from revue.app.screens.base import RevueScreen
from revue.app.screens.log.conflicts import ConflictsScreen, describe_content
from revue.app.screens.log.entry import EntryScreen
from revue.app.screens.log.exchange import ExchangeScreen
from revue.domain.errors import RevueError
from revue.domain.french import clip
from revue.domain.log import INITIATIVE_LABELS, MODALITY_LABELS, LogFilter, School, Version

PAGE = 60  # rows loaded at once; the next ones come as the cursor moves down


class LogScreen(RevueScreen[None]):
    """Every accompaniment, newest first, with filters and a search on theme and notes."""

    HELP = (
        "Le journal des accompagnements. « n » en ajoute un (date du jour, même auteur, même "
        "école et même thème que le précédent : il reste surtout à écrire les notes). Entrée "
        "modifie la ligne choisie, Suppr la supprime (« u » annule la dernière suppression). "
        "Les filtres et la recherche (thème et notes) se combinent. « c » montre les conflits "
        "d'échange, « i » importe un fichier d'échange, « x » en écrit un. « h » montre "
        "l'historique de la ligne choisie (chaque version, qui, quand) et permet de rétablir "
        "une version antérieure."
    )
    BINDINGS = [
        Binding("escape", "back", "Retour", id="back"),
        Binding("n", "new", "Nouveau", id="new", tooltip="Nouvel accompagnement"),
        Binding("enter", "edit", "Modifier", id="edit", show=False),
        Binding("delete", "delete", "Suppr.", id="delete", tooltip="Supprimer la ligne choisie"),
        # Not in the footer (no room at 80 columns): the deletion message says « u ».
        Binding(
            "u", "undo", "Annuler", id="undo", show=False, tooltip="Annuler la dernière suppression"
        ),
        Binding(
            "slash",
            "search",
            "Chercher",
            id="search",
            tooltip="Chercher dans les thèmes et les notes",
        ),
        Binding("c", "conflicts", "Conflits", id="conflicts"),
        Binding(
            "h",
            "history",
            "Hist.",
            id="history",
            tooltip="Historique de la ligne choisie : versions et retour en arrière",
        ),
        Binding(
            "i", "import_exchange", "Importer", id="import", tooltip="Importer un fichier d'échange"
        ),
        Binding(
            "x", "export_exchange", "Exporter", id="export", tooltip="Écrire un fichier d'échange"
        ),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[Version]
        total: int | None  # None: still being counted (a Counted message follows)
        conflicts: set[uuid.UUID]
        schools: list[School]
        filter: LogFilter

    @dataclass
    class Counted(Message):
        total: int
        filter: LogFilter

    @dataclass
    class More(Message):
        rows: list[Version]
        total: int
        offset: int

    @dataclass
    class Facets(Message):
        authors: list[str]
        schools: list[School]
        objectives: list[tuple[str, str, str]]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Version] = []
        self.total: int | None = 0  # None: being counted
        self.conflicts: set[uuid.UUID] = set()
        self._filter: LogFilter | None = None
        self.schools: dict[str, School] = {}
        self.objectives: list[tuple[str, str, str]] = []
        self.deleted: list[uuid.UUID] = []
        self.sort = ("date", True)  # column, descending

    def compose(self) -> ComposeResult:
        yield Static("Journal des accompagnements", classes="screen-title")
        this_year = self.today().year
        years = [(f"{y}-{y + 1}", f"{y}-{y + 1}") for y in range(this_year, 2014, -1)]
        with Horizontal(id="log-filters"):
            yield Select(years, prompt="toutes les années", id="f-year", compact=True)
            yield Select([], prompt="tous les auteurs", id="f-author", compact=True)
            yield Select(
                [(v, k) for k, v in MODALITY_LABELS.items()],
                prompt="toutes modalités",
                id="f-modality",
                compact=True,
            )
            yield Select(
                [(v, k) for k, v in INITIATIVE_LABELS.items()],
                prompt="toutes initiatives",
                id="f-initiative",
                compact=True,
            )
        with Horizontal(id="log-filters-2"):
            yield Select([], prompt="toutes les écoles", id="f-school", compact=True)
            yield Select([], prompt="tous les objectifs", id="f-objective", compact=True)
            yield Input(placeholder="chercher (thème, notes)", id="f-text", compact=True)
        yield DataTable(id="log", cursor_type="row", zebra_stripes=True)
        yield Static("", id="log-count")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Fixed widths: the table does not reflow while rows arrive, and stays fast.
        for label, key, width in (
            ("Date", "date", 10),
            ("Auteur", "author", 18),
            ("Écoles / réseau", "where", 26),
            ("Modalité", "modality", 10),
            ("Initiative", "initiative", 10),
            ("Thème", "theme", 26),
            ("Durée", "duration", 7),
            ("", "flag", 9),
        ):
            table.add_column(label, key=key, width=width)
        self.load_facets()
        self.load()

    @on(StoreChanged)
    def store_changed(self) -> None:
        """Another process (a CLI merge, another window) or this app changed the store."""
        self._reload_all()

    # --- loading ---------------------------------------------------------------------------

    def current_filter(self) -> LogFilter:
        def value(selector: str) -> str | None:
            v = self.query_one(selector, Select).value
            return None if v is Select.NULL else str(v)

        text = self.query_one("#f-text", Input).value.strip()
        return LogFilter(
            school_year=value("#f-year"),
            author=value("#f-author"),
            modality=value("#f-modality"),
            initiative=value("#f-initiative"),
            school=value("#f-school"),
            objective=value("#f-objective"),
            text=text or None,
            sort=self.sort[0],
            descending=self.sort[1],
        )

    @on(DataTable.HeaderSelected)
    def sort_by(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by that column; a second click reverses the order."""
        key = str(event.column_key.value)
        if key not in ("date", "author", "modality", "initiative", "theme"):
            return
        column, descending = self.sort
        self.sort = (key, not descending if key == column else key == "date")
        self.load()

    @work(thread=True, exclusive=True, group="log-facets")
    def load_facets(self) -> None:
        store = self.store
        self.post_message(
            self.Facets(store.log_authors(), store.list_schools(), store.objective_catalog())
        )

    @on(Facets)
    def facets(self, message: Facets) -> None:
        self.schools = {s.uai: s for s in message.schools}
        self.objectives = message.objectives
        self.query_one("#f-author", Select).set_options([(a, a) for a in message.authors])
        self.query_one("#f-school", Select).set_options(
            [(f"{s.uai} {s.name}", s.uai) for s in message.schools]
        )
        self.query_one("#f-objective", Select).set_options(
            [(clip(f"{c} · {t}", 70), oid) for oid, c, t in message.objectives]
        )

    def load(self) -> None:
        self._load(self.current_filter())

    @work(thread=True, exclusive=True, group="log")
    def _load(self, flt: LogFilter) -> None:
        store = self.store
        rows = store.page_of_accompaniments(flt, limit=PAGE)
        conflicts = store.conflict_ids()
        # The rows are shown first; counting every match (a whole scan for a text search)
        # comes after, unless the page already holds them all.
        total = len(rows) if len(rows) < PAGE else None
        self.post_message(self.Loaded(rows, total, conflicts, store.list_schools(), flt))
        if total is None:
            self.post_message(self.Counted(store.count_accompaniments(flt), flt))

    @work(thread=True, exclusive=True, group="log-more")
    def _load_more(self, flt: LogFilter, offset: int) -> None:
        rows, total = self.store.list_accompaniments(flt, limit=PAGE, offset=offset)
        self.post_message(self.More(rows, total, offset))

    def _table_rows(self, versions: list[Version]) -> list[tuple[object, ...]]:
        out: list[tuple[object, ...]] = []
        for version in versions:
            c = version.content
            where = (
                ", ".join(self.schools[u].name if u in self.schools else u for u in c.schools)
                or c.network
            )
            out.append(
                (
                    fr.date(c.date),
                    clip(c.author, 18),
                    clip(where, 26),
                    MODALITY_LABELS.get(c.modality, c.modality),
                    INITIATIVE_LABELS.get(c.initiative, c.initiative),
                    clip(c.theme, 26),
                    f"{c.duration_minutes} min" if c.duration_minutes else "",
                    Text("⚠ conflit", style="bold") if version.id in self.conflicts else "",
                )
            )
        return out

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        if message.filter != self.current_filter():  # typed on meanwhile: a newer load comes
            return
        self.rows = message.rows
        self.total = message.total
        self.conflicts = message.conflicts
        self.schools = {s.uai: s for s in message.schools}
        self._filter = message.filter
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        table.add_rows(self._table_rows(message.rows))  # one layout for the page
        if message.rows:
            table.move_cursor(row=min(row, len(message.rows) - 1))
        self._count()

    @on(Counted)
    def counted(self, message: Counted) -> None:
        if message.filter != self._filter:  # the filter changed meanwhile
            return
        self.total = message.total
        self._count()

    @on(DataTable.RowHighlighted, "#log")
    def near_the_end(self, event: DataTable.RowHighlighted) -> None:
        """The next page comes as the cursor nears the last row shown."""
        if (
            event.cursor_row >= len(self.rows) - PAGE // 4
            and (self.total is None or len(self.rows) < self.total)
            and self._filter is not None
        ):
            self._load_more(self._filter, len(self.rows))

    @on(More)
    def more(self, message: More) -> None:
        if message.offset != len(self.rows):  # the filter changed meanwhile
            return
        self.rows = self.rows + message.rows
        self.total = message.total
        self.query_one(DataTable).add_rows(self._table_rows(message.rows))
        self._count()

    def _count(self) -> None:
        shown, total = len(self.rows), self.total
        if total is None:
            count = f"{fr.number(shown)} accompagnements ou plus (décompte en cours…)"
        else:
            count = f"{fr.number(total)} accompagnement{'s' if total > 1 else ''}"
            if shown < total:
                count += f" ({shown} affichés, les plus récents ; la suite vient en descendant)"
        if self.conflicts:
            count += f" · {len(self.conflicts)} conflit(s) à départager (touche c)"
        self.query_one("#log-count", Static).update(count)

    @on(Select.Changed)
    def filter_changed(self) -> None:
        self.load()

    @on(Input.Changed, "#f-text")
    def search_changed(self) -> None:
        self.load()

    @on(Input.Submitted, "#f-text")
    def search_done(self) -> None:
        self.query_one(DataTable).focus()

    # --- actions ---------------------------------------------------------------------------

    def selected(self) -> Version | None:
        table = self.query_one(DataTable)
        if not self.rows:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _reload_all(self, _result: object = None) -> None:
        self.load_facets()
        self.load()

    def action_search(self) -> None:
        self.query_one("#f-text", Input).focus()

    def action_new(self) -> None:
        self.app.push_screen(
            EntryScreen(None, list(self.schools.values()), self.objectives), self._reload_all
        )

    @on(DataTable.RowSelected)
    def action_edit(self) -> None:
        version = self.selected()
        if version is not None and not self._in_conflict(version):
            self.app.push_screen(
                EntryScreen(version, list(self.schools.values()), self.objectives), self._reload_all
            )

    def action_delete(self) -> None:
        version = self.selected()
        if version is not None and not self._in_conflict(version):
            self._set_deleted(version.id, True)

    def _in_conflict(self, version: Version) -> bool:
        """An entry in conflict is settled before it is changed (every laptop must show the
        same version): say so and open the conflicts."""
        if version.id not in self.conflicts:
            return False
        self.notify(
            "Cet accompagnement est en conflit entre deux versions : choisissez "
            "d'abord celle à garder.",
            severity="warning",
        )
        self.action_conflicts()
        return True

    def action_undo(self) -> None:
        if not self.deleted:
            self.notify("Aucune suppression à annuler.")
            return
        self._set_deleted(self.deleted[-1], False)

    @dataclass
    class DeletedSet(Message):
        accompaniment_id: uuid.UUID
        deleted: bool
        error: str | None

    @work(thread=True, group="log-write")
    def _set_deleted(self, accompaniment_id: uuid.UUID, deleted: bool) -> None:
        try:
            self.store.set_deleted(accompaniment_id, deleted)
        except RevueError as exc:
            self.post_message(self.DeletedSet(accompaniment_id, deleted, str(exc)))
            return
        self.post_message(self.DeletedSet(accompaniment_id, deleted, None))

    @on(DeletedSet)
    def deleted_set(self, message: DeletedSet) -> None:
        if message.error is not None:
            self.notify(message.error, severity="error")
            return
        if message.deleted:
            self.deleted.append(message.accompaniment_id)
            self.notify("Accompagnement supprimé (u pour annuler).")
        else:
            self.deleted.remove(message.accompaniment_id)
            self.notify("Suppression annulée.")
        self.load()

    def action_conflicts(self) -> None:
        self.app.push_screen(ConflictsScreen(), self._reload_all)

    def action_history(self) -> None:
        version = self.selected()
        if version is None:
            return
        from revue.app.screens.history import HistoryScreen
        from revue.domain.history import ACCOMPANIMENT_FIELDS, HistoryEntry
        from revue.domain.log import content_from_dict

        store = self.store
        c = version.content

        def restore(entry: HistoryEntry) -> None:
            # With the version the history was opened on: if the entry moved on meanwhile,
            # both are kept, in conflict (HistoryScreen shows this error and stays open).
            if store.restore_accompaniment(version.id, entry.id, base=version).conflict:
                raise RevueError(RESTORED_IN_CONFLICT)

        self.app.push_screen(
            HistoryScreen(
                f"Historique — accompagnement du {fr.date(c.date)}, {c.author} : "
                f"{clip(c.theme, 50)}",
                load=lambda: store.accompaniment_history(version.id),
                render=lambda content: Text(describe_content(content_from_dict(content))),
                labels=ACCOMPANIMENT_FIELDS,
                restore=restore,
            ),
            self._reload_all,
        )

    def action_import_exchange(self) -> None:
        self.app.push_screen(ExchangeScreen(export=False), self._reload_all)

    def action_export_exchange(self) -> None:
        self.app.push_screen(ExchangeScreen(export=True))


RESTORED_IN_CONFLICT = (
    "Version rétablie, mais un collègue a modifié cet accompagnement depuis l'ouverture de "
    "l'historique : sa version est gardée, la vôtre aussi, en conflit. Dans le journal, « c » "
    "montre les deux pour choisir celle à garder."
)
