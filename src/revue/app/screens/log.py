"""The accompaniment log: a filtered table, the entry form, conflicts, exchange files."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.fuzzy import Matcher
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.suggester import Suggester
from textual.widgets import Button, DataTable, Footer, Input, Label, Select, Static, TextArea

from revue.app import format as fr
from revue.app.screens.contracts import POLL_SECONDS
from revue.domain.errors import RevueError
from revue.domain.french import clip
from revue.domain.log import INITIATIVE_LABELS, MODALITY_LABELS, Content, LogFilter, School, Version
from revue.domain.parsing import parse_date, parse_whole
from revue.domain.schoolyear import school_year_of
from revue.formats.exchange import dump_exchange, read_exchange
from revue.formats.fileio import write_text_atomically

PAGE = 60  # rows loaded at once; the next ones come as the cursor moves down


class LastItemSuggester(Suggester):
    """Completes the last comma-separated item of an input from a list of choices, matching
    the start of a word anywhere in the choice (UAI, name, commune…)."""

    def __init__(self, choices: list[str], separator: str = ",") -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.choices = choices
        self.separator = separator

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(self.separator)
        needle = last.strip()
        if len(needle) < 2:
            return None
        prefix = f"{head}{self.separator} " if head else ""
        lowered_needle = needle.lower()
        for choice in self.choices:  # the start of a word wins…
            lowered = choice.lower()
            if lowered.startswith(lowered_needle) or f" {lowered_needle}" in lowered:
                return prefix + choice
        matcher = Matcher(needle)  # …then the best fuzzy match ("dirform" → "directeurs formés")
        score, best = max(((matcher.match(c), c) for c in self.choices), default=(0.0, ""))
        return prefix + best if score > 0 else None


class LogScreen(Screen[None]):
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
        this_year = self.app.today().year  # type: ignore[attr-defined]
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
        self._marker: tuple[object, ...] | None = None
        self.load_facets()
        self.load()
        self.set_interval(POLL_SECONDS, self.poll)

    @work(thread=True, exclusive=True, group="log-poll")
    def poll(self) -> None:
        """Reload when another process (a CLI merge, another window) changed the log."""
        marker = self.app.store.change_marker()  # type: ignore[attr-defined]
        if self._marker is not None and marker != self._marker:
            self._marker = marker
            self.app.call_from_thread(self._reload_all)

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
        store = self.app.store  # type: ignore[attr-defined]
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
        store = self.app.store  # type: ignore[attr-defined]
        self._marker = store.change_marker()  # what the table reflects
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
        rows, total = self.app.store.list_accompaniments(  # type: ignore[attr-defined]
            flt, limit=PAGE, offset=offset
        )
        self.post_message(self.More(rows, total, offset))

    def _table_rows(self, versions: list[Version]) -> list[tuple[object, ...]]:
        out = []
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

    def action_back(self) -> None:
        self.app.pop_screen()

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

    @work(thread=True, group="log-write")
    def _set_deleted(self, accompaniment_id: uuid.UUID, deleted: bool) -> None:
        try:
            self.app.store.set_deleted(accompaniment_id, deleted)  # type: ignore[attr-defined]
        except RevueError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if deleted:
            self.deleted.append(accompaniment_id)
            message = "Accompagnement supprimé (u pour annuler)."
        else:
            self.deleted.remove(accompaniment_id)
            message = "Suppression annulée."
        self.app.call_from_thread(self.notify, message)
        self.app.call_from_thread(self.load)

    def action_conflicts(self) -> None:
        self.app.push_screen(ConflictsScreen(), self._reload_all)

    def action_history(self) -> None:
        version = self.selected()
        if version is None:
            return
        from revue.app.screens.history import HistoryScreen
        from revue.domain.history import ACCOMPANIMENT_FIELDS
        from revue.domain.log import content_from_dict

        store = self.app.store  # type: ignore[attr-defined]
        c = version.content
        self.app.push_screen(
            HistoryScreen(
                f"Historique — accompagnement du {fr.date(c.date)}, {c.author} : "
                f"{clip(c.theme, 50)}",
                load=lambda: store.accompaniment_history(version.id),
                render=lambda content: Text(_describe_content(content_from_dict(content))),
                labels=ACCOMPANIMENT_FIELDS,
                restore=lambda entry: store.restore_accompaniment(version.id, entry.id),
            ),
            self._reload_all,
        )

    def action_import_exchange(self) -> None:
        self.app.push_screen(ExchangeScreen(export=False), self._reload_all)

    def action_export_exchange(self) -> None:
        self.app.push_screen(ExchangeScreen(export=True))


class EntryScreen(ModalScreen[bool]):
    """Log or edit one accompaniment. New entries repeat the last one's author, school,
    modality, initiative and theme: a typical entry is the notes and Ctrl+S."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Enregistrer", id="save", priority=True),
        Binding("escape", "cancel", "Annuler", id="cancel"),
    ]

    @dataclass
    class Defaults(Message):
        last: Version | None
        user: str

    def __init__(
        self,
        version: Version | None,
        schools: list[School],
        objectives: list[tuple[str, str, str]],
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__()
        self.version = version
        self.schools = schools
        self.objectives = objectives
        self.today = today
        self.school_choices = [f"{s.uai} {s.name}" for s in schools]
        self.objective_choices = [f"{c} · {t}" for _, c, t in objectives]

    def compose(self) -> ComposeResult:
        title = "Modifier l'accompagnement" if self.version else "Nouvel accompagnement"
        with VerticalScroll(classes="dialog entry"):
            yield Label(title, classes="dialog-title")
            with Horizontal(classes="entry-row"):
                yield Label("Date", classes="entry-label")
                yield Input(
                    fr.date(self.today or self.app.today()),  # type: ignore[attr-defined]
                    id="e-date",
                    compact=True,
                )
                yield Label("Auteur", classes="entry-label")
                yield Input(id="e-author", compact=True)
            with Horizontal(classes="entry-row"):
                yield Label("Écoles", classes="entry-label")
                yield Input(
                    placeholder="UAI ou nom, séparés par des virgules",
                    id="e-schools",
                    suggester=LastItemSuggester(self.school_choices),
                    compact=True,
                )
            with Horizontal(classes="entry-row"):
                yield Label("Réseau", classes="entry-label")
                yield Input(id="e-network", compact=True)
            with Horizontal(classes="entry-row"):
                yield Label("Modalité", classes="entry-label")
                yield Select(
                    [(v, k) for k, v in MODALITY_LABELS.items()],
                    value="collective",
                    allow_blank=False,
                    id="e-modality",
                    compact=True,
                )
                yield Label("Initiative", classes="entry-label")
                yield Select(
                    [(v, k) for k, v in INITIATIVE_LABELS.items()],
                    value="team",
                    allow_blank=False,
                    id="e-initiative",
                    compact=True,
                )
            with Horizontal(classes="entry-row"):
                yield Label("Thème", classes="entry-label")
                yield Input(placeholder="thème, focale", id="e-theme", compact=True)
            with Horizontal(classes="entry-row"):
                yield Label("Objectifs", classes="entry-label")
                yield Input(
                    placeholder="quelques mots de l'objectif ; séparés par « ; »",
                    id="e-objectives",
                    suggester=LastItemSuggester(self.objective_choices, ";"),
                    compact=True,
                )
            with Horizontal(classes="entry-row"):
                yield Label("Durée (min)", classes="entry-label")
                yield Input(id="e-duration", compact=True, type="integer")
                yield Label("Participants", classes="entry-label")
                yield Input(id="e-participants", compact=True, type="integer")
            yield Label("Notes")
            yield TextArea(id="e-notes", soft_wrap=True, compact=True)
            yield Label("Suites à donner")
            yield TextArea(id="e-follow", soft_wrap=True, compact=True)
            yield Static("", id="e-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Enregistrer (Ctrl+S)", id="e-save", variant="primary", compact=True)
                yield Button("Annuler", id="e-cancel", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.version is not None:
            self._fill(self.version.content, whole=True)
            self.query_one("#e-notes", TextArea).focus()
        else:
            self._defaults()
            self.query_one("#e-notes", TextArea).focus()

    @work(thread=True)
    def _defaults(self) -> None:
        from revue.domain.errors import RevueError as _Error
        from revue.formats.config import load_config

        try:
            user = load_config().user
        except _Error:
            user = ""
        self.post_message(self.Defaults(self.app.store.last_accompaniment(), user))  # type: ignore[attr-defined]

    @on(Defaults)
    def defaults(self, message: Defaults) -> None:
        if message.last is not None:
            self._fill(message.last.content, whole=False)
        if message.user:  # the configured user writes the new entry
            self.query_one("#e-author", Input).value = message.user

    def _fill(self, c: Content, *, whole: bool) -> None:
        self.query_one("#e-author", Input).value = c.author
        names = {s.uai: f"{s.uai} {s.name}" for s in self.schools}
        self.query_one("#e-schools", Input).value = ", ".join(names.get(u, u) for u in c.schools)
        self.query_one("#e-network", Input).value = c.network
        self.query_one("#e-modality", Select).value = c.modality
        self.query_one("#e-initiative", Select).value = c.initiative
        self.query_one("#e-theme", Input).value = c.theme
        if not whole:
            return
        self.query_one("#e-date", Input).value = fr.date(c.date)
        texts = {oid: f"{contract} · {t}" for oid, contract, t in self.objectives}
        self.query_one("#e-objectives", Input).value = "; ".join(
            texts.get(o, o) for o in c.objectives
        )
        self.query_one("#e-duration", Input).value = str(c.duration_minutes or "")
        self.query_one("#e-participants", Input).value = str(c.participants or "")
        self.query_one("#e-notes", TextArea).text = c.notes
        self.query_one("#e-follow", TextArea).text = c.follow_up

    def _content(self) -> Content:
        """The form as a Content, or RevueError with a French message."""
        raw_date = self.query_one("#e-date", Input).value.strip()
        try:
            date = parse_date(raw_date)
        except ValueError:
            raise RevueError(f"date « {raw_date} » invalide : écrivez jj/mm/aaaa") from None
        author = self.query_one("#e-author", Input).value.strip()
        if not author:
            raise RevueError("indiquez qui a conduit l'accompagnement")
        known = {s.uai for s in self.schools}
        by_name = {s.name.lower(): s.uai for s in self.schools}
        schools = []
        for item in self.query_one("#e-schools", Input).value.split(","):
            item = item.strip()
            if not item:
                continue
            uai = item.split()[0].upper()
            if uai not in known:
                uai = by_name.get(item.lower(), uai)
            if uai not in known and not (len(uai) == 8 and uai[:7].isdigit()):
                raise RevueError(
                    f"école « {item} » inconnue : choisissez-la dans la liste "
                    "(tapez le début de son nom ou de son UAI)"
                )
            schools.append(uai)
        network = self.query_one("#e-network", Input).value.strip()
        if not schools and not network:
            raise RevueError("indiquez au moins une école ou un réseau")
        by_text = {f"{c} · {t}": oid for oid, c, t in self.objectives}
        objectives = []
        for item in self.query_one("#e-objectives", Input).value.split(";"):
            item = item.strip()
            if item:
                if item not in by_text:
                    raise RevueError(
                        f"objectif « {clip(item, 40)} » inconnu : choisissez-le "
                        "dans les propositions"
                    )
                objectives.append(by_text[item])

        def count(selector: str, what: str) -> int | None:
            try:
                return parse_whole(self.query_one(selector, Input).value)
            except ValueError:
                raise RevueError(f"{what} : un nombre entier est attendu") from None

        return Content(
            date=date,
            author=author,
            modality=str(self.query_one("#e-modality", Select).value),
            initiative=str(self.query_one("#e-initiative", Select).value),
            schools=tuple(schools),
            network=network,
            theme=self.query_one("#e-theme", Input).value.strip(),
            objectives=tuple(objectives),
            duration_minutes=count("#e-duration", "durée"),
            participants=count("#e-participants", "participants"),
            notes=self.query_one("#e-notes", TextArea).text.strip(),
            follow_up=self.query_one("#e-follow", TextArea).text.strip(),
        )

    @on(Button.Pressed, "#e-save")
    def action_save(self) -> None:
        try:
            content = self._content()
        except RevueError as exc:
            message = str(exc)
            self.query_one("#e-error", Static).update(message[:1].upper() + message[1:] + ".")
            return
        self._save(content)

    @work(thread=True, exclusive=True)
    def _save(self, content: Content) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        try:
            if self.version is None:
                store.add_accompaniment(content)
            else:
                store.update_accompaniment(self.version.id, content)
        except RevueError as exc:
            self.app.call_from_thread(self.query_one("#e-error", Static).update, str(exc))
            return
        year = school_year_of(content.date)
        self.app.call_from_thread(self.app.notify, f"Accompagnement enregistré ({year}).")
        self.app.call_from_thread(self.dismiss, True)

    @on(Button.Pressed, "#e-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


def _describe(version: Version) -> str:
    return _describe_content(version.content)


def _describe_content(c: Content) -> str:
    lines = [
        f"Date : {fr.date(c.date)} · {c.author}",
        f"Écoles : {', '.join(c.schools) or '—'}  Réseau : {c.network or '—'}",
        f"{MODALITY_LABELS.get(c.modality, c.modality)}, à l'initiative de : "
        f"{INITIATIVE_LABELS.get(c.initiative, c.initiative)} · thème : {c.theme or '—'}",
        f"Durée : {c.duration_minutes or '—'} min · participants : {c.participants or '—'}",
        f"Notes : {c.notes or '—'}",
        f"Suites : {c.follow_up or '—'}",
    ]
    if c.deleted:
        lines.insert(0, "(supprimé)")
    return "\n".join(lines)


class ConflictsScreen(Screen[None]):
    """Entries changed on two laptops since they last exchanged: pick the version to keep."""

    HELP = (
        "Chaque conflit montre les versions d'un même accompagnement, modifié sur deux "
        "ordinateurs depuis leur dernier échange. Choisissez la version à garder : « 1 » garde "
        "la première, « 2 » la deuxième. Le choix voyagera au prochain échange."
    )
    BINDINGS = [
        Binding("escape", "back", "Retour", id="back"),
        Binding("1", "keep(0)", "Garder la 1re", id="keep-1"),
        Binding("2", "keep(1)", "Garder la 2e", id="keep-2"),
    ]

    @dataclass
    class Loaded(Message):
        conflicts: list[tuple[Version, list[Version]]]

    def __init__(self) -> None:
        super().__init__()
        self.conflicts: list[tuple[Version, list[Version]]] = []

    def compose(self) -> ComposeResult:
        yield Static("Conflits d'échange", classes="screen-title")
        yield DataTable(id="conflicts", cursor_type="row")
        with Horizontal(id="conflict-versions"):
            yield Static("", id="version-1", classes="version")
            yield Static("", id="version-2", classes="version")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Date", key="date", width=10)
        table.add_column("Auteur", key="author", width=24)
        table.add_column("Thème", key="theme", width=40)
        table.add_column("Versions", key="count", width=8)
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        self.post_message(self.Loaded(self.app.store.list_conflicts()))  # type: ignore[attr-defined]

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.conflicts = message.conflicts
        table = self.query_one(DataTable)
        table.clear()
        for current, others in message.conflicts:
            c = current.content
            table.add_row(
                fr.date(c.date),
                clip(c.author, 24),
                clip(c.theme, 40),
                str(1 + len(others)),
                key=str(current.id),
            )
        if not message.conflicts:
            self.query_one("#version-1", Static).update("Aucun conflit : tout est départagé.")
            self.query_one("#version-2", Static).update("")
        else:
            self._show_versions(0)
            table.focus()

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_versions(event.cursor_row)

    def _versions(self, row: int) -> list[Version]:
        current, others = self.conflicts[row]
        return [current, *others]

    def _show_versions(self, row: int) -> None:
        if not self.conflicts:
            return
        versions = self._versions(min(row, len(self.conflicts) - 1))
        for number, version in enumerate(versions[:2], start=1):
            self.query_one(f"#version-{number}", Static).update(
                Text.assemble((f"Version {number}\n", "bold"), _describe(version))
            )

    def action_keep(self, index: int) -> None:
        if not self.conflicts:
            return
        row = min(self.query_one(DataTable).cursor_row, len(self.conflicts) - 1)
        versions = self._versions(row)
        if index < len(versions):
            self._resolve(versions[0].id, versions[index].version)

    @work(thread=True)
    def _resolve(self, accompaniment_id: uuid.UUID, version: str) -> None:
        try:
            self.app.store.resolve_conflict(accompaniment_id, version)  # type: ignore[attr-defined]
        except RevueError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, "Conflit départagé.")
        self.app.call_from_thread(self.load)

    def action_back(self) -> None:
        self.dismiss(None)


class ExchangeScreen(ModalScreen[bool]):
    """Import or export an exchange file from the app; says what was done."""

    BINDINGS = [Binding("escape", "close", "Fermer", id="close")]

    def __init__(self, *, export: bool) -> None:
        super().__init__()
        self.export = export
        self.changed = False

    def compose(self) -> ComposeResult:
        title = (
            "Écrire un fichier d'échange (tous les accompagnements)"
            if self.export
            else "Importer un fichier d'échange"
        )
        today = self.app.today()  # type: ignore[attr-defined]
        default = str(Path.home() / f"echange-{today:%Y-%m-%d}.json") if self.export else ""
        with Vertical(classes="dialog"):
            yield Label(title, classes="dialog-title")
            yield Input(value=default, placeholder="chemin du fichier", id="x-path")
            yield Static("", id="x-result")
            yield Button("Exporter" if self.export else "Importer", id="x-go", variant="primary")
        yield Footer(compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#x-go")
    def go(self) -> None:
        raw = self.query_one("#x-path", Input).value.strip()
        if raw:
            self._run(Path(raw).expanduser())

    @work(thread=True, exclusive=True)
    def _run(self, path: Path) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        try:
            if self.export:
                versions = store.export_versions()
                write_text_atomically(
                    path, dump_exchange(versions, author=None, exported_at=dt.datetime.now())
                )
                text, failed = f"{len(versions)} accompagnement(s) écrit(s) dans {path}.", False
            else:
                report = store.merge_versions(read_exchange(path))
                text, failed = report.line(), False
                if report.conflicts:
                    text += "\nDes conflits sont à départager (touche c dans le journal)."
                self.changed = True
        except (RevueError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            text, failed = f"Refusé — {reason}\nLes données n'ont pas été modifiées.", True
        self.app.call_from_thread(self._report, text, failed)

    def _report(self, text: str, failed: bool) -> None:
        result = self.query_one("#x-result", Static)
        result.update(text)
        result.set_class(failed, "error")

    def action_close(self) -> None:
        self.dismiss(self.changed)
