"""The entry form of an accompaniment, with completion of schools, réseaux and objectives.

The form opens at its top, the cursor in the date, the last entry's school, réseau, modality,
initiative and theme repeated below it. Every field keeps what is typed: a value the form does
not understand is refused in place, its message beside it, the cursor put back in it; the
duration and the participants say what they understood as they are typed.

An edit is saved with the version the form was opened on: if the entry changed meanwhile (an
exchange merged by another window or the command line), both versions are kept, in conflict,
and the form says so; nothing is overwritten."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Static, TextArea
from textual.widgets.input import Selection

from revue.app import format as fr
from revue.app.screens.base import RevueModal
from revue.app.screens.log.fields import ARROW, CompletingInput, best_choice
from revue.app.widgets.choice import Choice
from revue.domain.errors import RevueError
from revue.domain.french import clip, typo
from revue.domain.log import (
    INITIATIVE_LABELS,
    LONG_DURATION_MINUTES,
    MAX_DURATION_MINUTES,
    MAX_PARTICIPANTS,
    MODALITY_LABELS,
    Content,
    School,
    Version,
    clean_content,
    content_problems,
    duration_understood,
)
from revue.domain.parsing import (
    NoSuchDay,
    NotACount,
    NotADuration,
    parse_count,
    parse_date,
    parse_duration,
)
from revue.domain.schoolyear import school_year_of

#: Which field each problem of ``content_problems`` belongs to.
FIELD_OF = {
    "date": "e-date",
    "author": "e-author",
    "schools": "e-schools",
    "network": "e-network",
    "theme": "e-theme",
    "objectives": "e-objectives",
    "duration_minutes": "e-duration",
    "participants": "e-participants",
    "notes": "e-notes",
    "follow_up": "e-follow",
    "modality": "e-modality",
    "initiative": "e-initiative",
}

#: Where the message of a field goes: beside it, or on the line under its row.
NOTE_OF = {
    "e-date": "e-date-note",
    "e-author": "e-date-note",
    "e-schools": "e-schools-note",
    "e-network": "e-network-note",
    "e-modality": "e-network-note",
    "e-initiative": "e-network-note",
    "e-theme": "e-theme-note",
    "e-objectives": "e-objectives-note",
    "e-duration": "e-duration-note",
    "e-participants": "e-participants-note",
    "e-notes": "e-notes-note",
    "e-follow": "e-notes-note",
}


class FieldError(RevueError):
    """A value the form refuses, and the field it is in."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def sentence(message: str) -> str:
    """A message as the form shows it: a capital, French spaces, a full stop."""
    message = message[:1].upper() + message[1:]
    return typo(message if message.endswith((".", "?", "!", "»")) else message + ".")


class EntryScreen(RevueModal["uuid.UUID | None"]):
    """Log or edit one accompaniment. New entries repeat the last one's author, school,
    réseau, modality, initiative and theme: a typical entry is the date, the notes and Ctrl+S.

    Dismissed with the saved entry's id (None: nothing saved)."""

    HELP = (
        "Un accompagnement. Tab passe au champ suivant, Maj+Tab revient au précédent. Les "
        "écoles se choisissent en tapant le début de leur UAI, de leur nom ou de leur commune : "
        "→ (ou Entrée) prend la proposition. Modalité et initiative : une touche (1, 2, 3 ou "
        "l'initiale : c, i ; e, i) ou les flèches. La durée s'écrit 90, 1 h 30, 1,5 h ou 90 min. Ctrl+S enregistre, Échap "
        "annule."
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Enregistrer", id="save", priority=True),
        Binding("escape", "cancel", "Annuler", id="cancel"),
    ]
    CSS_PATH = "log.tcss"
    AUTO_FOCUS = "#e-date"
    #: A new entry starts from the last one (its author, schools, theme…): keys typed ahead
    #: (Ctrl+S with them) wait for it. Editing an entry loads nothing.
    FIRST_LOAD = frozenset({"_defaults"})
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]

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
        networks: list[str] | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__()
        self.version = version
        if version is not None:
            self.ready_for_keys()
        self.schools = schools
        self.objectives = objectives
        self.networks = list(networks or ())
        self._today = today
        self.school_choices = [
            f"{s.uai} {s.name}" + (f" · {s.commune}" if s.commune else "") for s in schools
        ]
        self.objective_choices = [f"{c} · {t}" for _, c, t in objectives]
        #: Objectives the entry is linked to whose contract is not on this laptop: not shown
        #: in the objectives field (there is nothing to show), kept as they are.
        self.absent_objectives: tuple[str, ...] = ()
        #: Saved, in conflict with a version saved meanwhile: the form now only closes.
        self.saved_in_conflict: uuid.UUID | None = None
        #: The duration text whose length (over a day) was asked about: a second Ctrl+S with
        #: the same text saves it.
        self._asked_duration: str | None = None
        #: The one-key choices the user made (the last entry's, arriving later, leave them).
        self._chosen: set[str] = set()
        #: The value each refused field held when refused: its message stays until it changes.
        self._refused: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        title = "Modifier l'accompagnement" if self.version else "Nouvel accompagnement"
        form = VerticalScroll(classes="ef-form")
        form.can_focus = False  # it scrolls to the focused field; Tab never stops on it
        with form:
            yield Label(title, classes="ef-title")
            with Horizontal(classes="ef-row"):
                yield Label("Date", classes="ef-label")
                yield Input(fr.date(self._today or self.today()), id="e-date", compact=True)
                yield Label("Auteur", classes="ef-label-2")
                yield Input(id="e-author", compact=True)
            yield self._note("e-date-note")
            with Horizontal(classes="ef-row"):
                yield Label("Écoles", classes="ef-label")
                yield CompletingInput(
                    self.school_choices,
                    separator=",",
                    placeholder="UAI, nom ou commune ; plusieurs : séparées par des virgules",
                    id="e-schools",
                    compact=True,
                )
            yield self._note("e-schools-note")
            with Horizontal(classes="ef-row"):
                yield Label("Réseau", classes="ef-label")
                yield CompletingInput(
                    self.networks, placeholder="ou un réseau", id="e-network", compact=True
                )
            yield self._note("e-network-note")
            with Horizontal(classes="ef-row"):
                yield Label("Modalité", classes="ef-label")
                yield Choice(list(MODALITY_LABELS.items()), value="collective", id="e-modality")
            with Horizontal(classes="ef-row"):
                yield Label("Initiative", classes="ef-label")
                yield Choice(list(INITIATIVE_LABELS.items()), value="team", id="e-initiative")
            with Horizontal(classes="ef-row"):
                yield Label("Thème", classes="ef-label")
                yield Input(placeholder="thème, focale", id="e-theme", compact=True)
            yield self._note("e-theme-note")
            with Horizontal(classes="ef-row"):
                yield Label("Objectifs", classes="ef-label")
                yield CompletingInput(
                    self.objective_choices,
                    separator=";",
                    placeholder="quelques mots de l'objectif ; plusieurs : séparés par « ; »",
                    id="e-objectives",
                    compact=True,
                )
            yield self._note("e-objectives-note")
            absent = Static("", id="e-absent")
            absent.display = False  # only for links to objectives of a contract absent here
            yield absent
            with Horizontal(classes="ef-row"):
                yield Label("Durée", classes="ef-label")
                yield Input(placeholder="ex. 1 h 30", id="e-duration", compact=True)
                yield Static("", id="e-duration-note", classes="ef-beside")
            with Horizontal(classes="ef-row"):
                yield Label("Participants", classes="ef-label")
                yield Input(placeholder="nombre", id="e-participants", compact=True)
                yield Static("", id="e-participants-note", classes="ef-beside")
            with Horizontal(classes="ef-text"):
                yield Label("Notes", classes="ef-label")
                yield TextArea(id="e-notes", soft_wrap=True, compact=True)
            with Horizontal(classes="ef-text ef-follow"):
                yield Label("Suites", classes="ef-label")
                yield TextArea(id="e-follow", soft_wrap=True, compact=True)
            yield self._note("e-notes-note")
            error = Static("", id="e-error", classes="error")
            error.display = False
            yield error
            with Horizontal(classes="ef-buttons"):
                yield Button("Enregistrer (Ctrl+S)", id="e-save", variant="primary", compact=True)
                yield Button("Annuler (Échap)", id="e-cancel", compact=True)
        yield Footer(compact=True)

    @staticmethod
    def _note(note_id: str) -> Static:
        note = Static("", id=note_id, classes="ef-note error")
        note.display = False
        return note

    def on_mount(self) -> None:
        if self.version is not None:
            self._fill(self.version.content, whole=True)
        else:
            self._defaults()
        self.query_one(".ef-form", VerticalScroll).scroll_home(animate=False)
        # At once, not deferred: a key typed right after « n » goes to the date.
        self.set_focus(self.query_one("#e-date", Input))

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
        """The form's fields from ``c`` (the last entry's repeated fields only, unless
        ``whole``). A field the user has typed in meanwhile keeps what was typed."""

        def put(selector: str, value: str) -> None:
            field = self.query_one(selector, Input)
            if whole or not field.value:
                field.value = value
                if field.has_focus:
                    field.selection = Selection(0, len(value))  # typing replaces it, as on Tab

        put("#e-author", c.author)
        names = dict(zip([s.uai for s in self.schools], self.school_choices, strict=True))
        put("#e-schools", ", ".join(names.get(u, u) for u in c.schools))
        put("#e-network", c.network)
        for selector, value in (("#e-modality", c.modality), ("#e-initiative", c.initiative)):
            choice = self.query_one(selector, Choice)
            if whole or choice.id not in self._chosen:  # a choice made meanwhile stays
                choice.value = value
        put("#e-theme", c.theme)
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
            typo(
                f"Lié aussi à {absent} objectif{'s' if absent > 1 else ''} d'un contrat absent "
                "de cet ordinateur : le lien est gardé tel quel."
            )
        )
        self.query_one("#e-duration", Input).value = str(c.duration_minutes or "")
        self.query_one("#e-participants", Input).value = str(c.participants or "")
        self.query_one("#e-notes", TextArea).text = c.notes
        self.query_one("#e-follow", TextArea).text = c.follow_up

    # --- what the fields say as they are typed ---------------------------------------------

    def _show_note(self, field: str, message: str, *, error: bool = True) -> None:
        note = self.query_one(f"#{NOTE_OF[field]}", Static)
        note.update(sentence(message) if message and error else message)
        note.set_class(error, "error")
        note.set_class(not error, "ef-understood")
        if note.has_class("ef-note"):
            note.display = bool(message)

    @on(Input.Changed)
    def field_changed(self, event: Input.Changed) -> None:
        field = event.input.id or ""
        if self._refused.get(field) == event.value:  # the refused value: its message stays
            return
        self._refused.pop(field, None)
        if field == "e-duration":
            self._asked_duration = None
            self._duration_note(event.value)
        elif field == "e-participants":
            self._participants_note(event.value)
        elif field in NOTE_OF:  # the message of a refused value goes once it is changed
            self._show_note(field, "")

    @on(Choice.Changed)
    def chosen(self, event: Choice.Changed) -> None:
        self._chosen.add(event.choice.id or "")

    @on(TextArea.Changed)
    def text_changed(self) -> None:
        self._show_note("e-notes", "")

    def _duration_note(self, raw: str) -> None:
        try:
            minutes = parse_duration(raw)
        except NotADuration as exc:
            self._show_note("e-duration", str(exc))
            return
        if minutes is None:
            self._show_note("e-duration", "")
        elif minutes > MAX_DURATION_MINUTES:
            self._show_note(
                "e-duration", f"{duration_understood(minutes)} : plus d'une semaine, trop long"
            )
        elif minutes > LONG_DURATION_MINUTES:
            self._show_note("e-duration", f"{duration_understood(minutes)} : plus d'une journée ?")
        else:
            self._show_note("e-duration", f"✓ {duration_understood(minutes)}", error=False)

    def _participants_note(self, raw: str) -> None:
        try:
            count = parse_count(raw)
        except NotACount as exc:
            self._show_note("e-participants", str(exc))
            return
        if count is None:
            self._show_note("e-participants", "")
        elif count > MAX_PARTICIPANTS:
            self._show_note("e-participants", f"{fr.number(MAX_PARTICIPANTS)} au plus")
        else:
            people = f"{fr.number(count)}{fr.NBSP}personne{'s' if count > 1 else ''}"
            self._show_note("e-participants", f"✓ {people}", error=False)

    # --- reading the form ------------------------------------------------------------------

    def _schools(self) -> list[str]:
        known = {s.uai for s in self.schools}
        by_choice = dict(zip(self.school_choices, [s.uai for s in self.schools], strict=True))
        by_name = {s.name.lower(): s.uai for s in self.schools}
        schools = []
        for item in self.query_one("#e-schools", Input).value.split(","):
            item = item.strip()
            if not item:
                continue
            uai = by_choice.get(item) or by_name.get(item.lower()) or item.split()[0].upper()
            if uai not in known and not (len(uai) == 8 and uai[:7].isdigit()):
                found = best_choice(item, self.school_choices)
                hint = f" ({ARROW.strip()} {found} ?)" if found else ""
                raise FieldError(
                    "e-schools",
                    f"école « {clip(item, 30)} » inconnue{hint} : tapez le début de son UAI, "
                    "de son nom ou de sa commune, puis → pour prendre la proposition",
                )
            schools.append(uai)
        return schools

    def _objectives(self) -> list[str]:
        by_text = {f"{c} · {t}": oid for oid, c, t in self.objectives}
        objectives = []
        for item in self.query_one("#e-objectives", Input).value.split(";"):
            item = item.strip()
            if item:
                if item not in by_text:
                    raise FieldError(
                        "e-objectives",
                        f"objectif « {clip(item, 40)} » inconnu : tapez quelques mots de "
                        "l'objectif, puis → pour prendre la proposition",
                    )
                objectives.append(by_text[item])
        return objectives

    def _duration(self) -> int | None:
        raw = self.query_one("#e-duration", Input).value
        try:
            minutes = parse_duration(raw)
        except NotADuration as exc:
            raise FieldError("e-duration", str(exc)) from None
        if minutes is not None and minutes > MAX_DURATION_MINUTES:
            raise FieldError(
                "e-duration",
                f"{duration_understood(minutes)} : plus d'une semaine, la durée est refusée",
            )
        if minutes is not None and minutes > LONG_DURATION_MINUTES and raw != self._asked_duration:
            self._asked_duration = raw
            raise FieldError(
                "e-duration",
                f"{duration_understood(minutes)} : plus d'une journée. Ctrl+S pour confirmer, "
                "ou corrigez",
            )
        return minutes

    def _content(self) -> Content:
        """The form as a Content, or FieldError naming the field and saying why."""
        raw_date = self.query_one("#e-date", Input).value.strip()
        try:
            date = parse_date(raw_date)
        except NoSuchDay:
            raise FieldError("e-date", f"le {raw_date} n'existe pas") from None
        except ValueError:
            raise FieldError(
                "e-date", f"date « {clip(raw_date, 20)} » non comprise : écrivez jj/mm/aaaa"
            ) from None
        author = self.query_one("#e-author", Input).value.strip()
        if not author:
            raise FieldError("e-author", "indiquez qui a conduit l'accompagnement (Auteur)")
        schools = self._schools()
        network = self.query_one("#e-network", Input).value.strip()
        if not schools and not network:
            raise FieldError("e-schools", "indiquez au moins une école ou un réseau")
        objectives = self._objectives()
        try:
            participants = parse_count(self.query_one("#e-participants", Input).value)
        except NotACount as exc:
            raise FieldError("e-participants", str(exc)) from None
        content = Content(
            date=date,
            author=author,
            modality=str(self.query_one("#e-modality", Choice).value),
            initiative=str(self.query_one("#e-initiative", Choice).value),
            schools=tuple(schools),
            network=network,
            theme=self.query_one("#e-theme", Input).value.strip(),
            objectives=tuple(dict.fromkeys([*objectives, *self.absent_objectives])),
            duration_minutes=self._duration(),
            participants=participants,
            notes=self.query_one("#e-notes", TextArea).text.strip(),
            follow_up=self.query_one("#e-follow", TextArea).text.strip(),
        )
        for key, reason in content_problems(clean_content(content)):
            raise FieldError(FIELD_OF.get(key, "e-notes"), reason)
        return content

    # --- saving ----------------------------------------------------------------------------

    def refuse(self, error: FieldError) -> None:
        """The field gets the cursor, its message beside it; what was typed stays."""
        self.query_one(".ef-form", VerticalScroll).scroll_to_widget(
            self.query_one(f"#{NOTE_OF[error.field]}"), animate=False
        )
        self._show_note(error.field, str(error))
        field = self.query_one(f"#{error.field}", Widget)
        if isinstance(field, Input):
            self._refused[error.field] = field.value
        field.focus()
        if isinstance(field, Input):  # kept, selected: typing replaces it, → edits it
            field.selection = Selection(0, len(field.value))

    @on(Button.Pressed, "#e-save")
    def action_save(self) -> None:
        if self.saved_in_conflict is not None:  # saved already: the form only tells it
            self.dismiss(self.saved_in_conflict)
            return
        try:
            content = self._content()
        except FieldError as exc:
            self.refuse(exc)
            return
        self._show_error("")
        self._save(content)

    def _show_error(self, message: str) -> None:
        error = self.query_one("#e-error", Static)
        error.update(sentence(message) if message else "")
        error.display = bool(message)

    @work(thread=True, exclusive=True)
    def _save(self, content: Content) -> None:
        store = self.store
        try:
            if self.version is None:
                saved = store.add_accompaniment(content)
                self.post_message(self.SaveEnded(content, None, saved.id))
            else:  # with the version the form was opened on: nothing saved meanwhile is lost
                edit = store.save_edit(self.version.id, self.version, content)
                self.post_message(self.SaveEnded(content, None, edit.version.id, edit.conflict))
        except RevueError as exc:
            self.post_message(self.SaveEnded(content, str(exc), None))

    @dataclass
    class SaveEnded(Message):
        content: Content
        error: str | None
        saved: uuid.UUID | None
        conflict: bool = False

    @on(SaveEnded)
    def save_ended(self, message: SaveEnded) -> None:
        if message.error is not None:
            self._show_error(message.error)
            return
        if message.conflict:
            self.saved_in_conflict = message.saved
            self._show_error(SAVED_IN_CONFLICT)
            self.query_one("#e-save", Button).label = "Fermer (Ctrl+S)"
            self.query_one("#e-cancel", Button).display = False
            self.app.notify(typo(SAVED_IN_CONFLICT), severity="warning", timeout=15)
            return
        year = school_year_of(message.content.date)
        self.app.notify(f"Accompagnement enregistré ({year}).")
        self.dismiss(message.saved)

    @on(Button.Pressed, "#e-cancel")
    def action_cancel(self) -> None:
        self.dismiss(self.saved_in_conflict)


SAVED_IN_CONFLICT = (
    "Enregistré, mais un collègue a modifié cet accompagnement pendant que vous l'écriviez "
    "(un échange a été importé) : sa version est gardée, la vôtre aussi, en conflit. Dans le "
    "journal, « c » montre les deux pour choisir celle à garder."
)
