"""Recording an avenant during an évaluation à mi-parcours: number, date, reason, changes.

The screen keeps a working copy of the contract as revised so far (by the avenants already
recorded, then by the changes prepared here), so every change says what it replaces: the
"before" of a second change to the same target is the "after" of the first.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, DataTable, Footer, Input, Label, Select, Static, TextArea

from revue.app import format as fr
from revue.app.screens.base import RevueScreen
from revue.domain.academic import AcademicProject, link_label
from revue.domain.avenant import (
    Avenant,
    AvenantChange,
    ChangeKind,
    added_action_id,
    apply_change,
    link_of,
)
from revue.domain.contract import Action, Indicator, Objective
from revue.domain.errors import RevueError
from revue.domain.french import clip
from revue.domain.parsing import NoSuchDay, parse_date, parse_number
from revue.domain.review import ReviewKind, Walk
from revue.domain.schoolyear import school_year_start

#: The kinds of change, in the order the "Nature" list offers them.
KINDS = [
    ("Texte de l'objectif", ChangeKind.OBJECTIVE_TEXT),
    ("Cible d'un indicateur", ChangeKind.INDICATOR_TARGET),
    ("Ajouter une action", ChangeKind.ACTION_ADD),
    ("Modifier une action", ChangeKind.ACTION_CHANGE),
    ("Supprimer une action", ChangeKind.ACTION_DROP),
    ("Rattacher au projet académique", ChangeKind.LINK_ADD),
    ("Retirer un rattachement au projet académique", ChangeKind.LINK_DROP),
]


def _target_text(value: object, year: object, unit: str) -> str:
    shown = fr.quantity(float(value), unit) if isinstance(value, int | float) else "sans valeur"
    return f"{shown} ({year})" if year else shown


def _action_text(fields: dict[str, object]) -> str:
    extra = " — ".join(str(fields[k]) for k in ("who", "when") if fields.get(k))
    return str(fields.get("what", "")) + (f" ({extra})" if extra else "")


class ChangeTable(DataTable[str]):
    """The changes prepared for the avenant; Suppr removes the one under the cursor."""

    BINDINGS = [
        Binding(
            "delete,backspace",
            "remove_change",
            "Retirer",
            id="remove-change",
            tooltip="Retirer de l'avenant la modification choisie",
        ),
    ]

    def action_remove_change(self) -> None:
        screen = self.screen
        if isinstance(screen, AvenantScreen):
            screen.remove_change(self.cursor_row)


class AvenantScreen(RevueScreen[bool]):
    """Dismissed with True when an avenant was recorded, False otherwise."""

    FIRST_LOAD = frozenset({"load"})

    CSS_PATH = "avenant.tcss"
    HELP = (
        "Un avenant, décidé pendant l'évaluation à mi-parcours : un numéro, une date, un motif "
        "et une ou plusieurs modifications (texte d'un objectif, cible d'un indicateur, plan "
        "d'actions, rattachement au projet académique), chacune gardée "
        "«\u00a0avant → après\u00a0». Choisissez l'objectif et la "
        "nature de la modification, remplissez, puis «\u00a0Ajouter cette modification\u00a0» "
        "(Ctrl+N) ; Suppr retire la modification choisie dans la liste ; Ctrl+S enregistre "
        "l'avenant en entier."
    )
    BINDINGS = [
        Binding(
            "escape", "cancel", "Annuler", id="cancel", tooltip="Revenir sans enregistrer d'avenant"
        ),
        Binding(
            "ctrl+s",
            "save",
            "Enregistrer",
            id="save",
            priority=True,
            tooltip="Enregistrer l'avenant et toutes ses modifications",
        ),
        Binding(
            "ctrl+n",
            "add_change",
            "Ajouter",
            id="add-change",
            show=False,
            tooltip="Ajouter la modification préparée à l'avenant",
        ),
    ]

    @dataclass
    class Loaded(Message):
        walk: Walk
        academic: AcademicProject | None = None

    @dataclass
    class LoadFailed(Message):
        error: str

    def __init__(self, review_id: uuid.UUID, *, today: dt.date | None = None) -> None:
        super().__init__()
        self.review_id = review_id
        self._today = today
        self.walk: Walk | None = None
        #: the changes prepared so far, in order
        self.changes: list[AvenantChange] = []
        #: objectives as revised by the recorded avenants and by ``changes``
        self.current: dict[str, Objective] = {}
        self._saving = False
        self._prefilled: tuple[object, ...] | None = None
        self._errors: dict[str, str] = {}
        #: the contract's projet académique, when it is in the store
        self.academic: AcademicProject | None = None

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("Avenant", id="avenant-title", classes="screen-title")
        with VerticalScroll(id="avenant-body"):
            yield Static("Chargement de la revue…", id="av-message", classes="dim")
            with Vertical(id="av-form"):
                yield from self._compose_form()
        yield Footer(compact=True)

    def _compose_form(self) -> ComposeResult:
        with Horizontal(classes="av-row"):
            yield Label("Numéro", classes="av-label")
            yield Input(
                id="av-number",
                compact=True,
                classes="av-short",
                tooltip="Le numéro qui suit ceux des avenants déjà enregistrés",
            )
            yield Static("", id="av-number-error", classes="error av-error")
        with Horizontal(classes="av-row"):
            yield Label("Date", classes="av-label")
            yield Input(id="av-date", placeholder="jj/mm/aaaa", compact=True, classes="av-short")
            yield Static("", id="av-date-error", classes="error av-error")
        with Horizontal(classes="av-row"):
            yield Label("Motif", classes="av-label")
            yield TextArea(
                id="av-reason",
                soft_wrap=True,
                compact=True,
                highlight_cursor_line=False,
                placeholder="pourquoi ces modifications (décision, constat…)",
            )
        yield Static("", id="av-reason-error", classes="error av-under")

        yield Label("Nouvelle modification", classes="av-part")
        with Horizontal(classes="av-row"):
            yield Label("Objectif", classes="av-label")
            yield Select([], prompt="choisir l'objectif…", id="av-objective", compact=True)
        with Horizontal(classes="av-row"):
            yield Label("Nature", classes="av-label")
            yield Select(
                KINDS, prompt="choisir la nature de la modification…", id="av-kind", compact=True
            )
        yield Static("", id="av-note", classes="dim av-under")
        with Vertical(id="av-fields-text", classes="av-fields"), Horizontal(classes="av-row"):
            yield Label("Nouveau texte", classes="av-label")
            yield TextArea(id="av-text", soft_wrap=True, compact=True, highlight_cursor_line=False)
        with Vertical(id="av-fields-target", classes="av-fields"):
            with Horizontal(classes="av-row"):
                yield Label("Indicateur", classes="av-label")
                yield Select([], prompt="choisir l'indicateur…", id="av-indicator", compact=True)
            yield Static("", id="av-target-now", classes="dim av-under")
            with Horizontal(classes="av-row"):
                yield Label("Nouvelle cible", classes="av-label")
                yield Input(
                    id="av-value", placeholder="ex. 95 ou 4,5", compact=True, classes="av-short"
                )
                yield Label("Année", classes="av-label-short")
                yield Input(
                    id="av-year", placeholder="ex. 2019-2020", compact=True, classes="av-short"
                )
        with Vertical(id="av-fields-link", classes="av-fields"), Horizontal(classes="av-row"):
            yield Label("Projet acad.", classes="av-label")
            yield Select([], prompt="choisir l'objectif du projet académique…", id="av-link",
                         compact=True)  # fmt: skip
        with Vertical(id="av-fields-pick", classes="av-fields"), Horizontal(classes="av-row"):
            yield Label("Action", classes="av-label")
            yield Select([], prompt="choisir l'action…", id="av-action", compact=True)
        with Vertical(id="av-fields-action", classes="av-fields"):
            with Horizontal(classes="av-row"):
                yield Label("Intitulé", classes="av-label")
                yield Input(id="av-what", placeholder="ce qui sera fait", compact=True)
            with Horizontal(classes="av-row"):
                yield Label("Qui", classes="av-label")
                yield Input(id="av-who", placeholder="facultatif", compact=True)
            with Horizontal(classes="av-row"):
                yield Label("Quand", classes="av-label")
                yield Input(id="av-when", placeholder="facultatif", compact=True)
        yield Static("", id="av-change-error", classes="av-under")
        with Horizontal(classes="av-buttons"):
            yield Button("Ajouter cette modification (Ctrl+N)", id="av-add", compact=True)

        yield Label("Modifications de l'avenant", classes="av-part")
        yield ChangeTable(id="av-changes", cursor_type="row", zebra_stripes=True)
        yield Static("", id="av-empty", classes="dim")
        yield Static("", id="av-save-error", classes="error")
        with Horizontal(classes="av-buttons"):
            yield Button("Enregistrer l'avenant", id="av-save", variant="primary", compact=True)
            yield Button("Annuler", id="av-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#av-form").display = False
        for selector in ("#av-reason-error", "#av-change-error", "#av-save-error"):
            self.query_one(selector).display = False
        self.load()

    @work(thread=True, exclusive=True, group="avenant-load")
    def load(self) -> None:
        try:
            walk = self.store.load_walk(self.review_id)
            ref = walk.contract.academic_project
            academic = self.store.get_academic_project(ref.id) if ref and ref.id else None
        except RevueError as exc:
            self.post_message(self.LoadFailed(str(exc)))
            return
        self.post_message(self.Loaded(walk, academic))

    @on(LoadFailed)
    def load_failed(self, message: LoadFailed) -> None:
        self.query_one("#av-message", Static).update(
            f"Impossible d'ouvrir la revue : {message.error}.\n\nÉchap pour revenir."
        )

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        walk = self.walk = message.walk
        self.academic = message.academic
        review = walk.review
        self.query_one("#avenant-title", Static).update(
            f"Avenant — {review.title} — {walk.contract.circonscription}"
        )
        note = self.query_one("#av-message", Static)
        if not self.accepts_avenant:
            note.update(self._refusal())
            note.set_classes("av-refusal")
            self.refresh_bindings()
            return
        self.current = {o.id: copy.deepcopy(o) for o in walk.objectives}
        if walk.avenants:
            note.update(
                "Avenants déjà enregistrés pour ce contrat : "
                + ", ".join(f"n° {a.number} du {fr.date(a.date)}" for a in walk.avenants)
                + "."
            )
        else:
            note.update("Aucun avenant n'est encore enregistré pour ce contrat.")
        today = self._today or self.today()
        self.query_one("#av-number", Input).value = str(self.next_number)
        self.query_one("#av-date", Input).value = fr.date(today)
        self.query_one("#av-objective", Select).set_options(
            (clip(f"{n}. {o.display_title}", 110), o.id)
            for n, o in enumerate(walk.objectives, start=1)
        )
        self.query_one("#av-form").display = True
        self._show_fields()
        self._show_changes()
        self.refresh_bindings()
        self.query_one("#av-reason", TextArea).focus()

    def _refusal(self) -> str:
        assert self.walk is not None
        review = self.walk.review
        if review.kind is not ReviewKind.MIDTERM:
            return (
                f"«\u00a0{review.title}\u00a0» est un {review.kind.label} : on n'y "
                "enregistre pas d'avenant.\n\n"
                "Un avenant ajuste les objectifs, les cibles ou le plan d'actions ; il se décide "
                "pendant une évaluation à mi-parcours. Pour en enregistrer un, commencez "
                "l'évaluation à mi-parcours dans la liste des revues du contrat (touche "
                "«\u00a0n\u00a0», nature «\u00a0Évaluation à mi-parcours\u00a0»), puis "
                "«\u00a0a\u00a0».\n\n"
                "Échap pour revenir."
            )
        return (
            f"«\u00a0{review.title}\u00a0» est clôturée : elle ne reçoit plus d'avenant.\n\n"
            "Si une décision doit encore y être enregistrée, rouvrez-la dans la liste des "
            "revues (touche «\u00a0o\u00a0») — la réouverture est enregistrée avec son "
            "motif —, puis «\u00a0a\u00a0».\n\n"
            "Échap pour revenir."
        )

    @property
    def accepts_avenant(self) -> bool:
        walk = self.walk
        return (
            walk is not None and walk.review.kind is ReviewKind.MIDTERM and not walk.review.closed
        )

    @property
    def next_number(self) -> int:
        return 1 + max((a.number for a in self.walk.avenants), default=0) if self.walk else 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "add_change"):
            return self.accepts_avenant
        return True

    def on_resize(self) -> None:
        if self.accepts_avenant:
            self._show_changes()

    # --- the change being prepared ----------------------------------------------------------

    def objective(self) -> Objective | None:
        """The chosen objective, as revised so far."""
        value = self.query_one("#av-objective", Select).value
        return None if value is Select.NULL else self.current.get(str(value))

    def kind(self) -> str | None:
        value = self.query_one("#av-kind", Select).value
        return None if value is Select.NULL else str(value)

    def indicator(self) -> Indicator | None:
        objective = self.objective()
        value = self.query_one("#av-indicator", Select).value
        if objective is None or value is Select.NULL:
            return None
        return next((i for i in objective.indicators if i.id == value), None)

    def action(self) -> Action | None:
        objective = self.objective()
        value = self.query_one("#av-action", Select).value
        if objective is None or value is Select.NULL:
            return None
        return next((a for a in objective.actions if a.id == value), None)

    @on(Select.Changed, "#av-objective, #av-kind")
    def choice_changed(self) -> None:
        self._change_message("")
        self._prefilled = None
        self._show_fields()

    def _show_fields(self, *, refill: bool = True) -> None:
        """Show the fields the chosen kind needs, filled from the objective as revised (with
        ``refill=False``, what is typed stays: only the lists and notes follow the contract)."""
        objective, kind = self.objective(), self.kind()
        groups = {"text": False, "target": False, "link": False, "pick": False, "action": False}
        note = ""
        if objective is None or kind is None:
            note = "Choisissez l'objectif et la nature de la modification."
        elif kind == ChangeKind.OBJECTIVE_TEXT:
            groups["text"] = True
            if refill:
                self.query_one("#av-text", TextArea).text = objective.text
        elif kind == ChangeKind.INDICATOR_TARGET:
            if objective.indicators:
                groups["target"] = True
                self._set_options(
                    "#av-indicator", [(clip(i.label, 100), i.id) for i in objective.indicators]
                )
                self._fill_target()
            else:
                note = (
                    "Cet objectif n'a pas d'indicateur chiffré : choisissez un autre "
                    "objectif, ou modifiez son texte."
                )
        elif kind in (ChangeKind.LINK_ADD, ChangeKind.LINK_DROP):
            note = self._link_fields(objective, ChangeKind(kind))
            groups["link"] = not note
        elif kind == ChangeKind.ACTION_ADD:
            groups["action"] = True
            for name in ("what", "who", "when"):
                if refill:
                    self.query_one(f"#av-{name}", Input).value = ""
        else:
            if objective.actions:
                groups["pick"] = True
                groups["action"] = kind == ChangeKind.ACTION_CHANGE
                self._set_options(
                    "#av-action", [(clip(a.what, 100), a.id) for a in objective.actions]
                )
                self._fill_action()
            else:
                note = (
                    "Cet objectif n'a pas d'action à modifier ou supprimer : choisissez "
                    "«\u00a0Ajouter une action\u00a0»."
                )
        for name, shown in groups.items():
            self.query_one(f"#av-fields-{name}").display = shown
        self.query_one("#av-note", Static).update(note)
        self.query_one("#av-note").display = bool(note)

    def _link_fields(self, objective: Objective, kind: ChangeKind) -> str:
        """Fill the list of projet académique items the change can name; a note instead when
        there is none."""
        project = self.academic
        if project is None:
            return (
                "Ce contrat ne désigne aucun projet académique enregistré dans revue "
                "(academic_project.id dans son fichier) : il n'a rien à quoi se rattacher."
            )
        if kind is ChangeKind.LINK_ADD:
            options = [
                (clip(f"{'  ' * depth}{item.level_name} {item.label}", 100), item.key)
                for depth, item in project.walk()
                if item.key not in objective.academic_links
            ]
            if not options:
                return "Cet objectif est déjà rattaché à tout le projet académique."
        else:
            options = [
                (clip(link_label(project, key), 100), key) for key in objective.academic_links
            ]
            if not options:
                return (
                    "Cet objectif n'est rattaché à aucun objectif du projet académique : "
                    "choisissez «\u00a0Rattacher au projet académique\u00a0»."
                )
        self._set_options("#av-link", options)
        return ""

    def _links_text(self, keys: list[str]) -> str:
        shown = [link_label(self.academic, k) for k in keys]
        return " ; ".join(shown) if shown else "aucun rattachement"

    def _set_options(self, selector: str, options: list[tuple[str, str]]) -> None:
        select = self.query_one(selector, Select)
        keep = select.value
        select.set_options(options)
        ids = [value for _label, value in options]
        select.value = keep if keep in ids else ids[0]

    @on(Select.Changed, "#av-indicator")
    def indicator_changed(self) -> None:
        if self.kind() == ChangeKind.INDICATOR_TARGET:
            self._fill_target()

    @on(Select.Changed, "#av-action")
    def action_changed(self) -> None:
        if self.kind() in (ChangeKind.ACTION_CHANGE, ChangeKind.ACTION_DROP):
            self._fill_action()

    def _fill_target(self) -> None:
        objective, indicator = self.objective(), self.indicator()
        if objective is None or indicator is None:
            return
        key = ("target", objective.id, indicator.id)
        now = self.query_one("#av-target-now", Static)
        now.update(f"Cible actuelle : {self._target_story(indicator)}.")
        if self._prefilled == key:  # the same target again: keep what was typed
            return
        self._prefilled = key
        value = indicator.target_value
        self.query_one("#av-value", Input).value = (
            "" if value is None else fr.number(value).replace(fr.NNBSP, "")
        )
        self.query_one("#av-year", Input).value = indicator.target_year or ""

    def _target_story(self, indicator: Indicator) -> str:
        """``100 % (2019-2020), fixée par le contrat`` and the like."""
        assert self.walk is not None
        now = _target_text(indicator.target_value, indicator.target_year, indicator.unit)
        pending = [
            c
            for c in self.changes
            if c.kind == ChangeKind.INDICATOR_TARGET and c.target_id == indicator.id
        ]
        if pending:
            before = pending[0].before
            was = _target_text(before.get("value"), before.get("year"), indicator.unit)
            return f"{now}, modifiée par cet avenant (avant : {was})"
        revised = self.walk.targets.get(indicator.id)
        if revised is not None and revised.avenant is not None:
            initial = _target_text(revised.initial_value, revised.initial_year, indicator.unit)
            return f"{now}, révisée par l'avenant n° {revised.avenant} (initiale : {initial})"
        return f"{now}, fixée par le contrat"

    def _fill_action(self) -> None:
        objective, action = self.objective(), self.action()
        if objective is None or action is None:
            return
        key = ("action", objective.id, action.id)
        if self._prefilled == key:
            return
        self._prefilled = key
        self.query_one("#av-what", Input).value = action.what
        self.query_one("#av-who", Input).value = action.who
        self.query_one("#av-when", Input).value = action.when

    def _say(self, selector: str, text: str, *, error: bool = True) -> Static:
        """Show a message under a field (or hide the line when there is nothing to say)."""
        message = self.query_one(selector, Static)
        message.update(text[:1].upper() + text[1:])
        message.display = bool(text)
        message.set_class(error, "error")
        message.set_class(not error, "av-done")
        return message

    def _change_message(self, text: str, *, error: bool = True) -> None:
        self._say("#av-change-error", text, error=error)

    def prepared_change(self) -> AvenantChange:
        """The change the fields describe, its "before" taken from the contract as revised
        so far; RevueError with a French message when something is missing or wrong."""
        objective, kind = self.objective(), self.kind()
        if objective is None or kind is None:
            raise RevueError("choisissez d'abord l'objectif et la nature de la modification")
        if kind == ChangeKind.OBJECTIVE_TEXT:
            text = self.query_one("#av-text", TextArea).text.strip()
            if not text:
                raise RevueError("écrivez le nouveau texte de l'objectif")
            if " ".join(text.split()) == " ".join(objective.text.split()):
                raise RevueError("le texte n'a pas changé : modifiez-le avant de l'ajouter")
            return AvenantChange(
                ChangeKind.OBJECTIVE_TEXT,
                objective.id,
                before={"text": objective.text},
                after={"text": text},
            )
        if kind == ChangeKind.INDICATOR_TARGET:
            return self._target_change(objective)
        if kind in (ChangeKind.LINK_ADD, ChangeKind.LINK_DROP):
            return self._link_change(objective, ChangeKind(kind))
        fields: dict[str, object] = {
            name: self.query_one(f"#av-{name}", Input).value.strip()
            for name in ("what", "who", "when")
        }
        if kind == ChangeKind.ACTION_ADD:
            if not fields["what"]:
                raise RevueError("écrivez l'intitulé de l'action ajoutée")
            position = len(self.changes) + 1
            taken = {c.target_id for c in self.changes}
            while added_action_id(objective.id, self.next_number, position) in taken:
                position += 1
            return AvenantChange(
                ChangeKind.ACTION_ADD,
                objective.id,
                added_action_id(objective.id, self.next_number, position),
                after=fields,
            )
        action = self.action()
        if action is None:
            raise RevueError("cet objectif n'a pas d'action")
        before: dict[str, object] = {"what": action.what, "who": action.who, "when": action.when}
        if kind == ChangeKind.ACTION_DROP:
            return AvenantChange(ChangeKind.ACTION_DROP, objective.id, action.id, before=before)
        if not fields["what"]:
            raise RevueError(
                "l'intitulé de l'action ne peut pas être vide (pour la retirer, "
                "choisissez «\u00a0Supprimer une action\u00a0»)"
            )
        if fields == before:
            raise RevueError("l'action n'a pas changé")
        return AvenantChange(
            ChangeKind.ACTION_CHANGE, objective.id, action.id, before=before, after=fields
        )

    def _link_change(self, objective: Objective, kind: ChangeKind) -> AvenantChange:
        """A link to the projet académique added or removed, before → after as the links."""
        value = self.query_one("#av-link", Select).value
        if self.academic is None or value is Select.NULL:
            raise RevueError("choisissez l'objectif du projet académique")
        key = str(value)
        links = list(objective.academic_links)
        if kind is ChangeKind.LINK_ADD:
            return AvenantChange(kind, objective.id, key, {"links": links}, {"link": key})
        return AvenantChange(kind, objective.id, key, {"links": links, "link": key})

    def _target_change(self, objective: Objective) -> AvenantChange:
        """A new target for the chosen indicator, checked."""
        indicator = self.indicator()
        if indicator is None:
            raise RevueError("cet objectif n'a pas d'indicateur chiffré")
        raw = self.query_one("#av-value", Input).value.strip()
        if not raw:
            raise RevueError("indiquez la nouvelle cible (un nombre, ex. 95 ou 4,5)")
        try:
            value = parse_number(raw)
        except ValueError:
            value = None
        if value is None:
            raise RevueError(
                f"cible «\u00a0{clip(raw, 20)}\u00a0» : ce n'est pas un nombre (ex. 95 ou 4,5)"
            ) from None
        year = self.query_one("#av-year", Input).value.strip()
        try:
            school_year_start(year)
        except ValueError:
            raise RevueError(
                f"année «\u00a0{clip(year, 20)}\u00a0» : écrivez une année scolaire, ex. 2019-2020"
            ) from None
        if (value, year) == (indicator.target_value, indicator.target_year):
            raise RevueError("la cible n'a pas changé")
        return AvenantChange(
            ChangeKind.INDICATOR_TARGET,
            objective.id,
            indicator.id,
            before={"value": indicator.target_value, "year": indicator.target_year},
            after={"value": value, "year": year},
        )

    @on(Button.Pressed, "#av-add")
    @on(Input.Submitted, "#av-value, #av-year, #av-what, #av-who, #av-when")
    def action_add_change(self) -> None:
        if not self.accepts_avenant:
            return
        try:
            change = self.prepared_change()
        except RevueError as exc:
            self._change_message(str(exc))
            return
        self.changes.append(change)
        self._revise()
        self._show_changes()
        self._prefilled = None
        self._show_fields()
        count = len(self.changes)
        self._change_message(
            f"✓ Modification ajoutée à l'avenant ({count} en tout, listées ci-dessous).",
            error=False,
        )
        self._say("#av-save-error", "")

    def remove_change(self, row: int) -> None:
        if not self.changes:
            return
        del self.changes[max(0, min(row, len(self.changes) - 1))]
        self._revise()
        self._show_changes()
        self._show_fields(refill=False)
        self._change_message("")

    def _revise(self) -> None:
        """Rebuild the working copy from the revised contract and the prepared changes,
        refreshing each change's "before" (a change removed may have been another's before).

        The changes go through the same function the store replays avenants with; one that no
        longer fits (its action was dropped by a change removed since) is left as it is: the
        store refuses it, with its message, when the avenant is saved."""
        assert self.walk is not None
        current = {o.id: copy.deepcopy(o) for o in self.walk.objectives}
        for change in self.changes:
            try:
                apply_change(current, change, self.next_number, record_before=True)
            except RevueError:
                continue
        self.current = current

    def _show_changes(self) -> None:
        """The prepared changes, in columns sized to the screen (nothing scrolls sideways)."""
        if self.walk is None:
            return
        table = self.query_one("#av-changes", ChangeTable)
        row = table.cursor_row
        table.clear(columns=True)
        room = max(self.size.width - 4 - 2 * 4, 40)
        widths = [room * 25 // 100, room * 25 // 100]
        widths += [(room - sum(widths)) // 2, room - sum(widths) - (room - sum(widths)) // 2]
        for label, key, width in zip(
            ("Objectif", "Modification", "Avant", "Après"),
            ("objective", "kind", "before", "after"),
            widths,
            strict=True,
        ):
            table.add_column(label, key=key, width=width)
        numbers = {o.id: n for n, o in enumerate(self.walk.objectives, start=1)}
        for change in self.changes:
            objective = self.current[change.objective_id]
            before, after = self._describe(change)
            kind = change.kind.label
            if change.kind.on_link:  # the long label would be clipped: "Avant"/"Après" say more
                added = change.kind == ChangeKind.LINK_ADD
                kind = "rattachement ajouté" if added else "rattachement retiré"
            if change.kind == ChangeKind.INDICATOR_TARGET:
                indicator = next(i for i in objective.indicators if i.id == change.target_id)
                kind = f"cible : {indicator.label}"
            table.add_row(
                clip(f"{numbers[objective.id]}. {objective.display_title}", widths[0]),
                clip(kind, widths[1]),
                clip(before, widths[2]),
                clip(after, widths[3]),
            )
        table.display = bool(self.changes)
        self.query_one("#av-empty", Static).update(
            "Dans la liste : ↑ ↓ pour choisir une modification, Suppr pour la retirer."
            if self.changes
            else "Aucune modification pour l'instant : préparez-en une ci-dessus, puis "
            "«\u00a0Ajouter cette modification\u00a0»."
        )
        if self.changes:
            table.move_cursor(row=min(row, len(self.changes) - 1))

    def _describe(self, change: AvenantChange) -> tuple[str, str]:
        """Before and after, as the table shows them."""
        if change.kind == ChangeKind.OBJECTIVE_TEXT:
            return str(change.before.get("text", "")), str(change.after.get("text", ""))
        if change.kind == ChangeKind.INDICATOR_TARGET:
            objective = self.current[change.objective_id]
            unit = next((i.unit for i in objective.indicators if i.id == change.target_id), "")
            return (
                _target_text(change.before.get("value"), change.before.get("year"), unit),
                _target_text(change.after.get("value"), change.after.get("year"), unit),
            )
        if change.kind.on_link:
            kept = change.before.get("links")
            before = [str(k) for k in kept] if isinstance(kept, list) else []
            key = link_of(change)
            if change.kind == ChangeKind.LINK_ADD:
                after = [*before, key]
            else:
                after = [k for k in before if k != key]
            return self._links_text(before), self._links_text(after)
        if change.kind == ChangeKind.ACTION_ADD:
            return "—", _action_text(change.after)
        if change.kind == ChangeKind.ACTION_DROP:
            return _action_text(change.before), "— (supprimée)"
        return _action_text(change.before), _action_text(change.after)

    # --- number, date, reason ---------------------------------------------------------------

    def _field_error(self, name: str, text: str) -> None:
        self._errors[name] = text
        if name == "reason":
            self._say("#av-reason-error", text)
        else:
            self.query_one(f"#av-{name}-error", Static).update(text)

    def checked_number(self) -> int | None:
        raw = self.query_one("#av-number", Input).value.strip()
        error = ""
        number = None
        if not raw.isdigit():
            error = (
                f"«\u00a0{clip(raw, 12)}\u00a0» n'est pas un numéro : un nombre entier, "
                f"ex. {self.next_number}."
                if raw
                else "Indiquez le numéro de l'avenant."
            )
        elif int(raw) < 1:
            error = "Les avenants sont numérotés à partir de 1."
        elif self.walk is not None and int(raw) in {a.number for a in self.walk.avenants}:
            error = (
                f"L'avenant n° {int(raw)} existe déjà ; le prochain numéro libre est "
                f"{self.next_number}."
            )
        else:
            number = int(raw)
        self._field_error("number", error)
        return number

    def checked_date(self) -> dt.date | None:
        raw = self.query_one("#av-date", Input).value.strip()
        error = ""
        day = None
        try:
            day = parse_date(raw)
        except NoSuchDay:
            error = f"Le {raw} n'existe pas : vérifiez le jour et le mois."
        except ValueError:
            error = (
                f"«\u00a0{clip(raw, 12)}\u00a0» : écrivez la date en jj/mm/aaaa, ex. 20/06/2019."
                if raw
                else "Indiquez la date de l'avenant (jj/mm/aaaa)."
            )
        if day is not None and self.walk is not None:
            contract = self.walk.contract
            if not contract.start_date <= day <= contract.end_date:
                error = (
                    f"Hors de la période du contrat (du {fr.date(contract.start_date)} "
                    f"au {fr.date(contract.end_date)})."
                )
                day = None
        self._field_error("date", error)
        return day

    def checked_reason(self) -> str | None:
        reason = self.query_one("#av-reason", TextArea).text.strip()
        self._field_error(
            "reason",
            "" if reason else "Indiquez le motif de l'avenant : pourquoi ces modifications.",
        )
        return reason or None

    @on(Input.Blurred, "#av-number")
    @on(Input.Submitted, "#av-number")
    def number_left(self) -> None:
        self.checked_number()

    @on(Input.Blurred, "#av-date")
    @on(Input.Submitted, "#av-date")
    def date_left(self) -> None:
        self.checked_date()

    @on(Input.Changed, "#av-number")
    def number_typed(self) -> None:
        if self._errors.get("number"):
            self.checked_number()  # a message already shows: clear it as soon as it is fixed

    @on(Input.Changed, "#av-date")
    def date_typed(self) -> None:
        if self._errors.get("date"):
            self.checked_date()

    @on(TextArea.Changed, "#av-reason")
    def reason_typed(self) -> None:
        if self._errors.get("reason"):
            self.checked_reason()

    @on(Input.Submitted, "#av-number, #av-date")
    def next_field(self) -> None:
        self.focus_next()

    # --- saving -----------------------------------------------------------------------------

    @on(Button.Pressed, "#av-save")
    def action_save(self) -> None:
        if not self.accepts_avenant or self._saving:
            return
        number, date, reason = self.checked_number(), self.checked_date(), self.checked_reason()
        self._say(
            "#av-save-error",
            ""
            if self.changes
            else "ajoutez au moins une modification avant d'enregistrer l'avenant.",
        )
        first_wrong: Widget | None = None
        if number is None:
            first_wrong = self.query_one("#av-number")
        elif date is None:
            first_wrong = self.query_one("#av-date")
        elif reason is None:
            first_wrong = self.query_one("#av-reason")
        elif not self.changes:
            first_wrong = self.query_one("#av-objective")
            self._change_message(
                "l'avenant n'a encore aucune modification : préparez-en une "
                "ici, puis «\u00a0Ajouter cette modification\u00a0»."
            )
        if first_wrong is not None or number is None or date is None or reason is None:
            if first_wrong is not None:
                first_wrong.focus()
            return
        self._saving = True
        self.query_one("#av-save", Button).disabled = True
        self._say("#av-save-error", "enregistrement…", error=False)
        self.record(
            Avenant(number=number, date=date, reason=reason, changes=copy.deepcopy(self.changes))
        )

    @work(thread=True, exclusive=True, group="avenant-save")
    def record(self, avenant: Avenant) -> None:
        try:
            self.store.record_avenant(self.review_id, avenant)
        except RevueError as exc:
            self.reply(self._refused, str(exc))
            return
        self.reply(self._recorded, avenant)

    def _refused(self, error: str) -> None:
        self._saving = False
        self.query_one("#av-save", Button).disabled = False
        message = self._say("#av-save-error", f"avenant non enregistré : {error}.")
        message.scroll_visible(animate=False)

    def _recorded(self, avenant: Avenant) -> None:
        count = len(avenant.changes)
        self.app.notify(
            f"Avenant n° {avenant.number} enregistré ({count} modification"
            f"{'s' if count > 1 else ''})."
        )
        self.dismiss(True)

    @on(Button.Pressed, "#av-cancel")
    def action_cancel(self) -> None:
        if self._saving:
            return
        typed = bool(self.changes) or (
            self.accepts_avenant and bool(self.query_one("#av-reason", TextArea).text.strip())
        )
        if not typed:
            self.dismiss(False)
            return
        from revue.app.widgets.dialogs import ConfirmScreen

        def answered(answer: str | None) -> None:
            if answer is not None:
                self.dismiss(False)

        self.app.push_screen(
            ConfirmScreen(
                "Abandonner cet avenant ?",
                "Le motif et les modifications préparées ne seront pas enregistrés.",
                "Abandonner",
            ),
            answered,
        )
