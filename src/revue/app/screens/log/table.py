"""The accompaniment log: a filtered table of every accompaniment."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Label, Select, Static
from textual.worker import get_current_worker

from revue.app import format as fr
from revue.app.messages import StoreChanged
from revue.app.screens.base import RevueScreen
from revue.app.screens.log.conflicts import ConflictsScreen, describe_content
from revue.app.screens.log.entry import EntryScreen
from revue.app.screens.log.exchange import ExchangeScreen
from revue.domain.errors import RevueError
from revue.domain.french import clip
from revue.domain.log import (
    INITIATIVE_LABELS,
    MODALITY_LABELS,
    LogFilter,
    School,
    Version,
    duration_text,
)

PAGE = 60  # rows loaded at once; the next ones come as the cursor moves down


def column_spec(width: int) -> list[tuple[str, str, int]]:
    """(key, header, width) of the log's columns for a terminal ``width`` columns wide: the
    date, the school, the modality, the initiative and the theme always, the author and the
    duration from 110 columns; the school and the theme share what is left."""
    wide = width >= 110
    fixed = [("date", "Date", 10), ("modality", "Modalité", 10), ("initiative", "Initiative", 10)]
    if wide:
        fixed += [("author", "Auteur", 18), ("duration", "Durée", 8)]
    flag = ("flag", "", 9 if wide else 1)
    # Each column takes two cells of padding; the vertical scrollbar two more.
    left = width - 2 - 2 * (len(fixed) + 3) - sum(w for *_, w in fixed) - flag[2]
    where = max(12, left * 9 // 20)
    theme = max(12, left - where)
    by_key = {key: (key, label, w) for key, label, w in fixed}
    spec = [by_key["date"]]
    if wide:
        spec.append(by_key["author"])
    spec += [("where", "École / réseau", where), by_key["modality"], by_key["initiative"]]
    spec.append(("theme", "Thème", theme))
    if wide:
        spec.append(by_key["duration"])
    return [*spec, flag]


_SCHOOL_KIND = re.compile(
    r"^(?:[ée]cole|groupe scolaire)\s+(?:(?:[ée]l[ée]mentaire|maternelle|primaire)\s+)?"
    r"(?:(?:publique|priv[ée]e|d'application)\s+)?",
    re.IGNORECASE,
)


def short_school_name(name: str) -> str:
    """The school's name without the kind every name starts with, for a narrow column:
    « École élémentaire des Tilleuls » -> « des Tilleuls »; « Pasteur » stays « Pasteur »."""
    short = _SCHOOL_KIND.sub("", name).strip()
    return short or name


class LogFooter(Footer):
    """The footer, leaving out the keys a narrow terminal has no room for (they stay in the
    palette and the help; Suppr and Échap do what they say): at 80 columns, « x Exporter »
    and « f1 Aide » are shown whole."""

    NARROW_HIDES = frozenset({"history", "delete", "back"})

    def compose(self) -> ComposeResult:
        narrow = self.app.size.width < 110  # the footer needs 102 columns whole
        for widget in super().compose():
            action = getattr(widget, "action", None)
            if narrow and action in self.NARROW_HIDES:
                continue
            yield widget

    def on_resize(self) -> None:
        self.call_after_refresh(self.recompose)


class LogScreen(RevueScreen[None]):
    """Every accompaniment, newest first, with filters and a search on theme and notes."""

    #: The entry form takes the schools and objectives from the facets.
    FIRST_LOAD = frozenset({"load_facets", "_load"})

    HELP = (
        "Le journal des accompagnements. « n » en ajoute un : le formulaire s'ouvre sur la "
        "date du jour ; l'auteur, l'école, la modalité, l'initiative et le thème reprennent "
        "ceux du précédent. Tab passe d'un champ à l'autre, Ctrl+S enregistre. Entrée "
        "modifie la ligne choisie, Suppr la supprime (« u » annule la dernière suppression). "
        "Les filtres et la recherche (thème et notes) se combinent. « c » montre les conflits "
        "d'échange, « i » importe un fichier d'échange, « x » en écrit un. « h » montre "
        "l'historique de la ligne choisie (chaque version, qui, quand) et permet de rétablir "
        "une version antérieure. Échap revient à l'écran précédent."
    )
    # In the footer's order: what a conseiller does most first (at 80 columns « Suppr »,
    # « h » and « esc » leave the footer, see LogFooter; the palette and the help list them).
    BINDINGS = [
        Binding("n", "new", "Nouveau", id="new", tooltip="Nouvel accompagnement"),
        Binding(
            "slash",
            "search",
            "Chercher",
            id="search",
            tooltip="Chercher dans les thèmes et les notes",
        ),
        Binding(
            "x", "export_exchange", "Exporter", id="export", tooltip="Écrire un fichier d'échange"
        ),
        Binding(
            "i", "import_exchange", "Importer", id="import", tooltip="Importer un fichier d'échange"
        ),
        Binding("c", "conflicts", "Conflits", id="conflicts"),
        Binding("delete", "delete", "Suppr.", id="delete", tooltip="Supprimer la ligne choisie"),
        Binding(
            "h",
            "history",
            "Hist.",
            id="history",
            tooltip="Historique de la ligne choisie : versions et retour en arrière",
        ),
        Binding("escape", "back", "Retour", id="back"),
        Binding("enter", "edit", "Modifier", id="edit", show=False),
        # Not in the footer (no room): the deletion message says « u ».
        Binding(
            "u", "undo", "Annuler", id="undo", show=False, tooltip="Annuler la dernière suppression"
        ),
    ]
    CSS_PATH = "log.tcss"
    AUTO_FOCUS = "#log"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

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
        networks: list[str]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Version] = []
        self.total: int | None = 0  # None: being counted
        self.conflicts: set[uuid.UUID] = set()
        self._filter: LogFilter | None = None
        self.schools: dict[str, School] = {}
        self.objectives: list[tuple[str, str, str]] = []
        self.networks: list[str] = []
        #: The entry the form just saved: the cursor goes to it once the rows arrive.
        self._show_saved: uuid.UUID | None = None
        self.deleted: list[uuid.UUID] = []
        self.sort = ("date", True)  # column, descending
        self._spec: list[tuple[str, str, int]] = []

    def compose(self) -> ComposeResult:
        yield Static("Journal des accompagnements", classes="screen-title")
        this_year = self.today().year
        years = [(f"{y}-{y + 1}", f"{y}-{y + 1}") for y in range(this_year, 2014, -1)]

        def labelled(label: str, field: Select[str] | Input, cell: str = "") -> Horizontal:
            return Horizontal(
                Label(label, classes="log-filter-label"),
                field,
                id=cell or None,
                classes="log-filter",
            )

        with Grid(id="log-filters"):
            yield labelled("Année", Select(years, prompt="toutes", id="f-year", compact=True))
            yield labelled(
                "Modalité",
                Select(
                    [(v, k) for k, v in MODALITY_LABELS.items()],
                    prompt="toutes",
                    id="f-modality",
                    compact=True,
                ),
            )
            yield labelled(
                "Initiative",
                Select(
                    [(v, k) for k, v in INITIATIVE_LABELS.items()],
                    prompt="toutes",
                    id="f-initiative",
                    compact=True,
                ),
            )
            yield labelled("Auteur", Select([], prompt="tous", id="f-author", compact=True))
            yield labelled("École", Select([], prompt="toutes", id="f-school", compact=True))
            yield labelled("Objectif", Select([], prompt="tous", id="f-objective", compact=True))
            yield labelled(
                "Chercher",
                Input(placeholder="dans les thèmes et les notes (/)", id="f-text", compact=True),
                "log-search",
            )
        yield DataTable(id="log", cursor_type="row", zebra_stripes=True)
        yield Static("", id="log-count")
        yield LogFooter(compact=True)

    def on_mount(self) -> None:
        self._columns(self.size.width or self.app.size.width)
        self.load_facets()
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        if self._columns(event.size.width):
            self._fill_table(self.rows)

    def _columns(self, width: int) -> bool:
        """The table's columns for a terminal ``width`` columns wide (date, school, modality,
        initiative and theme always; the author and the duration when there is room), their
        widths fixed so that the table does not reflow while rows arrive. True when changed."""
        spec = column_spec(width)
        if spec == self._spec:
            return False
        self._spec = spec
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, label, size in spec:
            table.add_column(label, key=key, width=size)
        return True

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
            self.Facets(
                store.log_authors(),
                store.list_schools(),
                store.objective_catalog(),
                store.network_names(),
            )
        )

    @on(Facets)
    def facets(self, message: Facets) -> None:
        self.schools = {s.uai: s for s in message.schools}
        self.objectives = message.objectives
        self.networks = message.networks
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
        # The names of the page's schools (the facets bring them all, for the school filter:
        # an académie's store has thousands).
        schools = store.schools_named({u for v in rows for u in v.content.schools})
        self.post_message(self.Loaded(rows, total, conflicts, schools, flt))
        if total is None:
            # Stopped when a newer filter replaces this one (this worker is then cancelled):
            # on a large log, the counts of every letter typed would otherwise pile up.
            worker = get_current_worker()
            count = store.count_accompaniments(flt, cancelled=lambda: worker.is_cancelled)
            if count is not None:
                self.post_message(self.Counted(count, flt))

    @work(thread=True, exclusive=True, group="log-more")
    def _load_more(self, flt: LogFilter, offset: int) -> None:
        rows, total = self.store.list_accompaniments(flt, limit=PAGE, offset=offset)
        self.post_message(self.More(rows, total, offset))

    def _table_rows(self, versions: list[Version]) -> list[tuple[object, ...]]:
        widths = {key: size for key, _label, size in self._spec}
        out: list[tuple[object, ...]] = []
        for version in versions:
            c = version.content
            where = (
                ", ".join(
                    short_school_name(self.schools[u].name) if u in self.schools else u
                    for u in c.schools
                )
                or c.network
            )
            conflict = version.id in self.conflicts
            cells: dict[str, object] = {
                "date": fr.date(c.date),
                "author": c.author,
                "where": where,
                "modality": MODALITY_LABELS.get(c.modality, c.modality),
                "initiative": INITIATIVE_LABELS.get(c.initiative, c.initiative),
                "theme": c.theme,
                "duration": duration_text(c.duration_minutes) if c.duration_minutes else "",
                "flag": Text("⚠ conflit" if widths["flag"] > 1 else "⚠", style="bold")
                if conflict
                else "",
            }
            out.append(
                tuple(
                    clip(v, widths[k]) if isinstance(v, str) else v
                    for k, v in ((k, cells[k]) for k, _l, _w in self._spec)
                )
            )
        return out

    def _fill_table(self, versions: list[Version]) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        table.add_rows(self._table_rows(versions))  # one layout for the page
        if versions:
            table.move_cursor(row=min(max(row, 0), len(versions) - 1))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        if message.filter != self.current_filter():  # typed on meanwhile: a newer load comes
            return
        self.rows = message.rows
        self.total = message.total
        self.conflicts = message.conflicts
        self.schools.update((s.uai, s) for s in message.schools)
        self._filter = message.filter
        self._fill_table(message.rows)
        saved, self._show_saved = self._show_saved, None
        ids = [v.id for v in message.rows]
        if saved is not None and saved in ids:  # the entry just saved, under the cursor
            self.query_one(DataTable).move_cursor(row=ids.index(saved))
        elif saved is not None and message.filter.hides_some():
            self.notify(
                "L'accompagnement enregistré n'est pas dans la liste : les filtres le cachent.",
                severity="warning",
            )
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

    def _entry(self, version: Version | None) -> EntryScreen:
        return EntryScreen(
            version, list(self.schools.values()), self.objectives, networks=self.networks
        )

    def action_new(self) -> None:
        self.app.push_screen(self._entry(None), self._entry_closed)

    @on(DataTable.RowSelected)
    def action_edit(self) -> None:
        version = self.selected()
        if version is not None and not self._in_conflict(version):
            self.app.push_screen(self._entry(version), self._entry_closed)

    def _entry_closed(self, saved: uuid.UUID | None) -> None:
        """Back from the form: the log shows the saved entry at once, the cursor on it."""
        if saved is not None:
            self._show_saved = saved
        self.query_one(DataTable).focus()
        self._reload_all()

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
