"""The entry form of an accompaniment, with completion of schools and objectives.

An edit is saved with the version the form was opened on: if the entry changed meanwhile (an
exchange merged by another window or the command line), both versions are kept, in conflict,
and the form says so; nothing is overwritten."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.fuzzy import Matcher
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from revue.app import format as fr
from revue.app.screens.base import RevueModal
from revue.domain.errors import RevueError
from revue.domain.french import clip
from revue.domain.log import (
    INITIATIVE_LABELS,
    MAX_DURATION_MINUTES,
    MAX_PARTICIPANTS,
    MODALITY_LABELS,
    Content,
    School,
    Version,
)
from revue.domain.parsing import parse_date, parse_whole
from revue.domain.schoolyear import school_year_of


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


class EntryScreen(RevueModal[bool]):
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
        self._today = today
        self.school_choices = [f"{s.uai} {s.name}" for s in schools]
        self.objective_choices = [f"{c} · {t}" for _, c, t in objectives]
        #: Objectives the entry is linked to whose contract is not on this laptop: not shown
        #: in the objectives field (there is nothing to show), kept as they are.
        self.absent_objectives: tuple[str, ...] = ()
        #: Saved, in conflict with a version saved meanwhile: the form now only closes.
        self.saved_in_conflict = False

    def compose(self) -> ComposeResult:
        title = "Modifier l'accompagnement" if self.version else "Nouvel accompagnement"
        with VerticalScroll(classes="dialog entry"):
            yield Label(title, classes="dialog-title")
            with Horizontal(classes="entry-row"):
                yield Label("Date", classes="entry-label")
                yield Input(
                    fr.date(self._today or self.today()),
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
            absent = Static("", id="e-absent")
            absent.display = False  # only for links to objectives of a contract absent here
            yield absent
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
        self.post_message(self.Defaults(self.store.last_accompaniment(), user))

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
            texts[o] for o in c.objectives if o in texts
        )
        self.absent_objectives = tuple(o for o in c.objectives if o not in texts)
        absent = len(self.absent_objectives)
        note = self.query_one("#e-absent", Static)
        note.display = bool(absent)
        note.update(
            f"Lié aussi à {absent} objectif{'s' if absent > 1 else ''} d'un contrat absent de "
            "cet ordinateur : le lien est gardé tel quel."
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

        def count(selector: str, what: str, limit: int) -> int | None:
            try:
                number = parse_whole(self.query_one(selector, Input).value)
            except ValueError:
                raise RevueError(f"{what} : un nombre entier est attendu") from None
            if number is not None and number > limit:
                raise RevueError(f"{what} : {fr.number(limit)} au plus")
            return number

        return Content(
            date=date,
            author=author,
            modality=str(self.query_one("#e-modality", Select).value),
            initiative=str(self.query_one("#e-initiative", Select).value),
            schools=tuple(schools),
            network=network,
            theme=self.query_one("#e-theme", Input).value.strip(),
            objectives=tuple(dict.fromkeys([*objectives, *self.absent_objectives])),
            duration_minutes=count("#e-duration", "durée (minutes)", MAX_DURATION_MINUTES),
            participants=count("#e-participants", "participants", MAX_PARTICIPANTS),
            notes=self.query_one("#e-notes", TextArea).text.strip(),
            follow_up=self.query_one("#e-follow", TextArea).text.strip(),
        )

    @on(Button.Pressed, "#e-save")
    def action_save(self) -> None:
        if self.saved_in_conflict:  # saved already: the form only tells what happened
            self.dismiss(True)
            return
        try:
            content = self._content()
        except RevueError as exc:
            message = str(exc)
            self.query_one("#e-error", Static).update(message[:1].upper() + message[1:] + ".")
            return
        self._save(content)

    @work(thread=True, exclusive=True)
    def _save(self, content: Content) -> None:
        store = self.store
        conflict = False
        try:
            if self.version is None:
                store.add_accompaniment(content)
            else:  # with the version the form was opened on: nothing saved meanwhile is lost
                conflict = store.save_edit(self.version.id, self.version, content).conflict
        except RevueError as exc:
            self.post_message(self.SaveEnded(content, str(exc)))
            return
        self.post_message(self.SaveEnded(content, None, conflict))

    @dataclass
    class SaveEnded(Message):
        content: Content
        error: str | None
        conflict: bool = False

    @on(SaveEnded)
    def save_ended(self, message: SaveEnded) -> None:
        if message.error is not None:
            self.query_one("#e-error", Static).update(message.error)
            return
        if message.conflict:
            self.saved_in_conflict = True
            self.query_one("#e-error", Static).update(SAVED_IN_CONFLICT)
            self.query_one("#e-save", Button).label = "Fermer (Ctrl+S)"
            self.query_one("#e-cancel", Button).display = False
            self.app.notify(SAVED_IN_CONFLICT, severity="warning", timeout=15)
            return
        year = school_year_of(message.content.date)
        self.app.notify(f"Accompagnement enregistré ({year}).")
        self.dismiss(True)

    @on(Button.Pressed, "#e-cancel")
    def action_cancel(self) -> None:
        self.dismiss(self.saved_in_conflict)


SAVED_IN_CONFLICT = (
    "Enregistré, mais un collègue a modifié cet accompagnement pendant que vous l'écriviez "
    "(un échange a été importé) : sa version est gardée, la vôtre aussi, en conflit. Dans le "
    "journal, « c » montre les deux pour choisir celle à garder."
)
