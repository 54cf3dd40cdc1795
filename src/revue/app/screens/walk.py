"""The review walk: one objective at a time, every change saved as it is made."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import (
    Button,
    Collapsible,
    Footer,
    Input,
    Label,
    OptionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from revue.app import format as fr
from revue.app.memory import keep_long_lived, pause_until_painted, release
from revue.app.screens.base import RevueScreen
from revue.app.widgets.autosave import SaveFailed, SaveState, failure_text
from revue.app.widgets.choice import Checklist, Choice
from revue.app.widgets.dialogs import StaleEditScreen, both_texts
from revue.domain.academic import AcademicProject, links_line
from revue.domain.contract import Objective
from revue.domain.errors import RevueError, StaleEdit
from revue.domain.french import clip
from revue.domain.parsing import parse_date, parse_number
from revue.domain.progress import expected_value
from revue.domain.review import Evidence, EvidenceSource, ObjectiveReview, Status, Walk
from revue.domain.schoolyear import school_year_bounds

#: A pending change: (objective id, "record", field) or (objective id, "value", indicator id).
Key = tuple[str, str, str]
#: The record fields an edit can find changed by someone else meanwhile.
RECORD_FIELDS = ("status", "analysis", "adjustments", "actions_done")
#: What the question about such a field names.
STALE_WHAT = {
    "status": "le statut",
    "analysis": "l'analyse",
    "adjustments": "les ajustements proposés",
    "actions_done": "les actions réalisées",
}
#: Seconds within which a second Escape leaves the walk despite an unfinished evidence item.
LEAVE_AGAIN_WITHIN = 5.0

_W = TypeVar("_W", bound=Widget)


class WalkScreen(RevueScreen[None]):
    """Examine a review objective by objective."""

    FIRST_LOAD = frozenset({"load"})

    HELP = (
        "L'examen d'une revue, objectif par objectif. Pour chacun : la valeur constatée de "
        "chaque indicateur, un statut, des éléments de preuve datés, une analyse et des "
        "ajustements proposés. Tout est enregistré au fil de la saisie, sans touche "
        "d'enregistrement (« ✓ Enregistré » le confirme en haut à droite). Tab passe au champ "
        "suivant, Maj+Tab au précédent ; le champ qui reçoit la frappe est surligné. Le statut "
        "et la source d'une preuve se choisissent en tapant leur numéro (ou leur initiale) ; "
        "les actions réalisées se cochent par leur numéro (Maj+Tab depuis la première valeur). "
        "Entrée dans le formulaire ajoute la preuve ; sur la liste des preuves, Entrée en "
        "corrige une, Suppr la supprime, « u » annule. Les touches F5 à F9 fonctionnent même "
        "pendant la saisie dans un champ. Ctrl+P cherche un objectif par les mots de son "
        "texte. F4 montre l'historique de l'objectif (chaque version, qui, quand) et permet "
        "de rétablir une version antérieure."
    )
    BINDINGS = [
        Binding(
            "f5", "previous", "Préc.", id="previous", priority=True, tooltip="Objectif précédent"
        ),
        Binding("f6", "next", "Suiv.", id="next", priority=True, tooltip="Objectif suivant"),
        Binding(
            "f7",
            "next_unexamined",
            "À voir",
            id="next-unexamined",
            priority=True,
            tooltip="Prochain objectif pas encore examiné",
        ),
        Binding(
            "f8",
            "copy_forward",
            "Reprise",
            id="copy-forward",
            priority=True,
            tooltip="Reprendre le statut et l'analyse de la revue précédente",
        ),
        Binding(
            "f9",
            "overview",
            "Vue",
            id="overview",
            priority=True,
            tooltip="Vue d'ensemble de la revue",
        ),
        Binding(
            "f4",
            "history",
            "Hist.",
            id="history",
            priority=True,
            tooltip="Historique de cet objectif : versions et retour en arrière",
        ),
        # Not in the footer (no room at 80 columns for it and F1): the help lists it.
        Binding("escape", "back", "Retour", id="back", show=False),
    ]

    @dataclass
    class Loaded(Message):
        walk: Walk
        academic: AcademicProject | None = None  # the contract's, for its objectives' links

    @dataclass
    class Stale(Message):
        """Record fields someone else saved meanwhile: what is stored, what was typed."""

        objective_id: str
        theirs: dict[str, Any]
        mine: dict[str, Any]

    def __init__(self, review_id: uuid.UUID) -> None:
        super().__init__()
        self.review_id = review_id
        self.walk: Walk | None = None
        self.academic: AcademicProject | None = None
        self.index = 0
        #: Every change is written through it, in order, by one writer thread; changes the
        #: disk refused stay pending and are tried again (every few seconds, and with the next).
        self.saver = self.autosaver(self._write, self._show_saved)
        #: The stored value each record field's edit starts from (None: not loaded, nothing
        #: stored yet). Read and written by the writer thread as it writes, reset by a load.
        self._stored: dict[Key, Any] = {}
        self._stored_lock = threading.Lock()
        #: (objective id, field) whose question is on screen: asked once, whatever is refused.
        self._asking: set[tuple[str, str]] = set()
        #: Evidence items typed and left unfinished, by objective: (fields, source).
        self._evidence_drafts: dict[str, tuple[dict[str, str], Any]] = {}
        self._back_warned = -LEAVE_AGAIN_WITHIN
        #: By position in the objective: the indicator typed in #value-N, None when counted.
        self._indicator_ids: list[str | None] = []
        #: The evidence item the form corrects (None: the form adds a new one).
        self._editing: Evidence | None = None
        #: Corrections and deletions of evidence, last last: (what, objective id, before).
        self._undo: list[tuple[str, str, Evidence]] = []
        self._action_ids: list[str] = []
        #: The walk's widgets by id selector, looked up once (see :meth:`_one`).
        self._widgets: dict[str, Widget] = {}
        #: The fields a move may focus, in screen order (the first one shown gets the focus).
        self._fields: list[Widget] | None = None

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="walk-head", classes="screen-title"):
            yield Static("Chargement de la revue…", id="walk-title")
            yield Static("", id="walk-progress")
            yield Static("", id="walk-saved")
        yield Static("", id="walk-position")
        # Built once; moving to another objective updates these widgets in place (mounting
        # them anew took about 300 ms a move, see docs/performance.md).
        with VerticalScroll(id="walk-body"):
            yield Static("", id="objective-text")
            yield Static("", id="objective-initial", classes="note")
            yield Collapsible(
                Static("", id="criteria-text"),
                title="Critères d'évaluation",
                collapsed=True,
                id="criteria",
            )
            yield Label(
                "Actions réalisées (tapez leur numéro pour les cocher)",
                classes="part",
                id="actions-label",
            )
            yield Checklist(id="actions")
            yield Label("Indicateurs", classes="part")
            yield Static(
                "Aucun indicateur chiffré : l'analyse et les preuves portent l'examen.",
                classes="dim",
                id="no-indicators",
            )
            yield Vertical(id="indicators")
            yield Label("Statut", classes="part")
            yield Choice([(s.value, s.label) for s in Status], allow_blank=True, id="status")
            yield Static(
                "Tapez le numéro du statut (Suppr : pas encore examiné).", classes="dim hint"
            )
            yield Static("", id="previous", classes="dim")
            yield Label("Éléments de preuve", classes="part")
            yield Static("", id="evidence-none", classes="dim")
            yield EvidenceList(id="evidence-list")
            yield Static(
                "Sur la liste : Entrée corrige la preuve, Suppr la supprime, « u » annule.",
                id="evidence-hint",
                classes="dim hint",
            )
            with Vertical(id="evidence-form"):
                with Horizontal(classes="evidence-row"):
                    yield Label("Date", classes="evidence-label")
                    yield Input(placeholder="jj/mm/aaaa", id="evidence-date", compact=True)
                with Horizontal(classes="evidence-row"):
                    yield Label("Source", classes="evidence-label")
                    yield Choice(
                        [(s.value, s.label) for s in EvidenceSource],
                        value=EvidenceSource.VISIT.value,
                        id="evidence-source",
                    )
                with Horizontal(classes="evidence-row"):
                    yield Label("Constaté", classes="evidence-label")
                    yield Input(
                        placeholder="ce qui a été constaté, puis Entrée",
                        id="evidence-text",
                        compact=True,
                    )
                with Horizontal(classes="evidence-row"):
                    yield Label("Fichier", classes="evidence-label")
                    yield Input(
                        placeholder="fichier (facultatif)", id="evidence-path", compact=True
                    )
                    # Entrée in a field adds the item: the button is for the mouse, and
                    # out of the Tab order (one key less between the evidence and the analysis).
                    add = Button("Ajouter la preuve", id="evidence-add", compact=True)
                    add.can_focus = False
                    yield add
                yield Static("", id="evidence-error", classes="error")
            yield Label("Analyse", classes="part")
            yield TextArea("", id="analysis", soft_wrap=True, classes="long-text", compact=True)
            yield Label("Ajustements proposés", classes="part")
            yield TextArea("", id="adjustments", soft_wrap=True, classes="long-text", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._one("#walk-body").display = False
        self.load()

    @work(thread=True, exclusive=True, group="walk-load")
    def load(self) -> None:
        walk = self.store.load_walk(self.review_id)
        ref = walk.contract.academic_project
        academic = self.store.get_academic_project(ref.id) if ref and ref.id else None
        self.post_message(self.Loaded(walk, academic))

    @on(Loaded)
    async def loaded(self, message: Loaded) -> None:
        review = message.walk.review
        self.academic = message.academic
        state = " — clôturée, lecture seule" if review.closed else ""
        self._one("#walk-title", Static).update(
            f"{review.title.capitalize()} — {message.walk.contract.circonscription}{state}"
        )
        await self._prepare(message.walk)
        with self._stored_lock:  # what every edit starts from, until written
            self._stored = {
                (o.id, "record", name): getattr(
                    message.walk.records.get(o.id) or ObjectiveReview(o.id), name
                )
                for o in message.walk.objectives
                for name in RECORD_FIELDS
            }
            self._stored.update(
                {
                    (o.id, "value", i.id): message.walk.values.get(i.id)
                    for o in message.walk.objectives
                    for i in o.indicators
                    if i.computed is None
                }
            )
        # Only now: keys (F6…) act on the walk once its widgets are all there.
        self.walk = message.walk
        self._one("#walk-body").display = True
        await self.show_objective(self.index)
        # The walk and its widgets live as long as the screen: out of the collector's full
        # passes, which otherwise fell within one move in ten (revue.app.memory).
        keep_long_lived()

    def on_unmount(self) -> None:
        release()
        super().on_unmount()

    async def _prepare(self, walk: Walk) -> None:
        """Enough action boxes and indicator boxes for the largest objective, and the
        read-only state of a closed review."""
        disabled = walk.review.closed
        indicators = self._one("#indicators", Vertical)
        wanted = max((len(o.indicators) for o in walk.objectives), default=0)
        have = len(indicators.children)
        if wanted > have:
            await indicators.mount_all(_indicator_box(n) for n in range(have, wanted))
            self._fields = None
        for widget in self.query("#walk-body Checklist, #walk-body Input, #walk-body Choice"):
            widget.disabled = disabled
        for area in self.query("#walk-body TextArea").results(TextArea):
            area.read_only = disabled
        self._one("#evidence-form").display = not disabled
        for hint in self.query(".hint"):
            hint.display = not disabled

    @overload
    def _one(self, selector: str) -> Widget: ...
    @overload
    def _one(self, selector: str, expect_type: type[_W]) -> _W: ...
    def _one(self, selector: str, expect_type: type[Widget] = Widget) -> Widget:
        """The widget of this id selector, looked up once: the walk's widgets are built once
        (compose, :meth:`_prepare`) and never removed, and a move fills some forty of them (a
        look-up walks the screen's tree each time)."""
        found = self._widgets.get(selector)
        if found is None:
            found = self._widgets[selector] = self.query_one(selector)
        if not isinstance(found, expect_type):
            raise TypeError(f"{selector}: {type(found).__name__}, not {expect_type.__name__}")
        return found

    @property
    def read_only(self) -> bool:
        return self.walk is None or self.walk.review.closed

    def record(self, objective_id: str) -> ObjectiveReview:
        assert self.walk is not None
        return self.walk.records.setdefault(objective_id, ObjectiveReview(objective_id))

    def _progress(self) -> None:
        if self.walk is None:
            return
        self._one("#walk-progress", Static).update(
            f"{self.walk.examined}/{len(self.walk.objectives)} objectifs examinés"
        )

    async def show_objective(self, index: int) -> None:
        walk = self.walk
        if walk is None or not walk.objectives:
            return
        pause_until_painted(self.app)  # the collector runs once the objective is shown
        self._leave_evidence()
        self.flush()
        self.index = max(0, min(index, len(walk.objectives) - 1))
        objective = walk.objectives[self.index]
        record = self.record(objective.id)
        path = " › ".join(_short(s.level, s.code, s.title) for s in walk.path_of(objective))
        self._one("#walk-position", Static).update(
            f"Objectif {self.index + 1}/{len(walk.objectives)} · {path}"
        )
        self._progress()
        with self.prevent(Input.Changed, TextArea.Changed):
            self._fill(objective, record)
        body = self._one("#walk-body", VerticalScroll)
        body.scroll_home(animate=False)
        if not self.read_only:
            if self._fields is None:
                self._fields = list(body.query("Input, Choice, TextArea"))
            for field in self._fields:
                if all(getattr(node, "display", True) for node in field.ancestors_with_self):
                    field.focus()
                    break

    def _fill(self, objective: Objective, record: ObjectiveReview) -> None:
        """Show one objective in the widgets built by compose and _prepare."""
        walk = self.walk
        assert walk is not None
        year = walk.review.school_year
        heading = Text(objective.text, style="bold")
        if objective.title and not objective.text.startswith(objective.title):
            heading = Text.assemble((objective.title, "bold"), "\n", (objective.text, ""))
        links = links_line(self.academic, objective.academic_links)
        if links:  # what of the projet académique the objective serves
            heading.append(f"\n{links}", style="dim italic")
        self._one("#objective-text", Static).update(heading)
        original = next((o for o in walk.initial.objectives if o.id == objective.id), None)
        initial = self._one("#objective-initial", Static)
        changed = original is not None and original.text != objective.text
        initial.display = changed
        if changed and original is not None:
            initial.update(Text(f"Texte initial : {original.text}", style="dim italic"))
        criteria = self._one("#criteria", Collapsible)
        criteria.display = bool(objective.criteria)
        self._one("#criteria-text", Static).update("\n".join(f" • {c}" for c in objective.criteria))

        self._action_ids = [a.id for a in objective.actions]
        self._one("#actions-label").display = bool(objective.actions)
        actions = self._one("#actions", Checklist)
        actions.display = bool(objective.actions)
        labels = []
        for action in objective.actions:
            extra = " — ".join(x for x in (action.who, action.when) if x)
            labels.append(action.what + (f" ({extra})" if extra else ""))
        actions.set_items(
            labels,
            {n for n, a in enumerate(objective.actions) if a.id in record.actions_done},
        )

        self._one("#no-indicators").display = not objective.indicators
        self._indicator_ids = []
        for number, box in enumerate(self._one("#indicators", Vertical).children):
            box.display = number < len(objective.indicators)
            if box.display:
                self._fill_indicator(number, objective.indicators[number], year)

        self._one("#status", Choice).value = record.status.value if record.status else None
        previous = walk.previous.get(objective.id)
        shown = previous is not None and bool(previous.status or previous.analysis)
        said = self._one("#previous", Static)
        said.display = shown
        if shown and previous is not None:
            label = previous.status.label if previous.status else "sans statut"
            said.update(
                f"{walk.previous_title} : {label}"
                + (f" — « {clip(previous.analysis, 90)} »" if previous.analysis else "")
                + " (F8 pour reprendre)"
            )
        self._end_editing()
        self._show_evidence(record)
        if not self.read_only:
            start, end = school_year_bounds(year)
            today = self.today()
            self._one("#evidence-date", Input).value = (
                fr.date(today) if start <= today <= end else ""
            )
            for name in ("#evidence-text", "#evidence-path"):
                self._one(name, Input).value = ""
            self._one("#evidence-error", Static).update("")
            draft = self._evidence_drafts.get(objective.id)
            if draft is not None:
                fields, source = draft
                for name, value in fields.items():
                    self._one(f"#evidence-{name}", Input).value = value
                self._one("#evidence-source", Choice).value = source
                self._one("#evidence-error", Static).update(
                    "Preuve commencée, pas encore ajoutée : complétez-la puis Entrée."
                )
        for name in ("analysis", "adjustments"):
            area = self._one(f"#{name}", TextArea)
            text = getattr(record, name)
            if area.text != text:
                area.load_text(text)

    def _fill_indicator(self, number: int, indicator: Any, year: str) -> None:
        walk = self.walk
        assert walk is not None
        target = walk.targets[indicator.id]
        facts = [f"initiale : {fr.baseline(indicator)}"]
        cible = fr.target(indicator)
        if target.avenant is not None:
            initial = fr.quantity(target.initial_value, indicator.unit)
            cible += f", révisée par l'avenant n° {target.avenant} (initiale {initial})"
        facts.append(f"cible : {cible}")
        facts.append(
            "↑ plus haut = mieux" if indicator.direction.value == "higher" else "↓ plus bas = mieux"
        )
        earlier = walk.history.get(indicator.id, {})
        if earlier:
            facts.append(
                "années précédentes : "
                + ", ".join(
                    f"{y} : {fr.quantity(v, indicator.unit)}" for y, v in sorted(earlier.items())
                )
            )
        self._one(f"#indicator-{number}-label", Static).update(Text(indicator.label, style="bold"))
        self._one(f"#indicator-{number}-facts", Static).update(" · ".join(facts))
        computed = self._one(f"#indicator-{number}-computed", Static)
        row = self._one(f"#indicator-{number}-input")
        computed.display = indicator.computed is not None
        row.display = indicator.computed is None
        if indicator.computed is not None:
            self._indicator_ids.append(None)
            count = walk.values.get(indicator.id)
            computed.update(
                Text.assemble(
                    (f"Valeur {year} : ", ""),
                    (fr.quantity(count, indicator.unit), "bold"),
                    (f" — {fr.computed_filter(indicator.computed)}", "dim"),
                )
            )
            return
        self._indicator_ids.append(indicator.id)
        value = walk.values.get(indicator.id)
        self._one(f"#indicator-{number}-year", Label).update(f"Valeur {year}")
        field = self._one(f"#value-{number}", Input)
        field.placeholder = f"valeur constatée ({indicator.unit or 'nombre'})"
        field.value = "" if value is None else fr.number(value).replace("\u202f", "")
        self._one(f"#value-{number}-error", Static).update("")
        expected = expected_value(indicator, target, year)
        self._one(f"#value-{number}-expected", Static).update(
            # "—": no trajectory without a baseline and a target (the facts above say which)
            f"attendu : {fr.quantity(expected, indicator.unit)}"
            if expected is not None
            else "attendu : —"
        )

    def _show_evidence(self, record: ObjectiveReview) -> None:
        """The objective's evidence items: a list to move in (Entrée corrects, Suppr
        deletes, « u » undoes), or a line saying there is none (out of the Tab order)."""
        none = self._one("#evidence-none", Static)
        listed = self._one("#evidence-list", EvidenceList)
        none.display = not record.evidence
        listed.display = bool(record.evidence)
        if not record.evidence:
            none.update("Aucun élément de preuve pour l'instant.")
        listed.show_items(record.evidence, editable=not self.read_only)
        self._one("#evidence-hint").display = bool(record.evidence) and not self.read_only

    # --- correcting and deleting evidence -----------------------------------------------

    def edit_evidence(self, item: Evidence) -> None:
        """Put the item in the form: Entrée there writes the correction in place."""
        if self.read_only:
            return
        self._editing = item
        self._one("#evidence-date", Input).value = fr.date(item.date)
        self._one("#evidence-source", Choice).value = item.source.value
        self._one("#evidence-text", Input).value = item.text
        self._one("#evidence-path", Input).value = item.file_path
        self._one("#evidence-add", Button).label = "Enregistrer la correction"
        self._one("#evidence-error", Static).update(
            f"Correction de la preuve du {fr.date(item.date)} : modifiez, puis Entrée."
        )
        self._one("#evidence-text", Input).focus()

    def _end_editing(self) -> None:
        self._editing = None
        self._one("#evidence-add", Button).label = "Ajouter la preuve"

    def _replace_item(self, objective_id: str, old_id: uuid.UUID, new: Evidence | None) -> None:
        record = self.record(objective_id)
        record.evidence = [e for e in record.evidence if e.id != old_id]
        if new is not None:
            record.evidence.append(new)
        record.evidence.sort(key=lambda e: e.date)
        walk = self.walk
        if walk is not None and walk.objectives[self.index].id == objective_id:
            self._show_evidence(record)

    def delete_evidence(self, item: Evidence) -> None:
        walk = self.walk
        if walk is None or self.read_only:
            return
        objective = walk.objectives[self.index]
        reviews = self.store.reviews

        def deleted(_result: object, failure: Exception | None) -> None:
            if failure is not None:
                self.notify(failure_text(failure), title="Preuve non supprimée", severity="error")
                return
            self._undo.append(("deleted", objective.id, item))
            self._replace_item(objective.id, item.id, None)
            self._show_saved(SaveState.SAVED, None)
            self.notify(
                f"Preuve du {fr.date(item.date)} supprimée. « u » sur la liste des preuves "
                "la rétablit.",
                title="Preuve supprimée",
            )

        self.saver.run(lambda: reviews.delete_evidence(self.review_id, item.id), deleted)

    def undo_evidence(self) -> None:
        """Undo the last correction or deletion of evidence made in this walk."""
        if self.read_only or not self._undo:
            self.notify("Aucune correction de preuve à annuler.")
            return
        what, objective_id, before = self._undo.pop()
        reviews = self.store.reviews

        def write() -> Evidence:
            if what == "deleted":
                reviews.put_back_evidence(self.review_id, before)
                return before
            return reviews.update_evidence(self.review_id, before)

        def undone(item: Evidence | None, failure: Exception | None) -> None:
            if failure is not None or item is None:
                self._undo.append((what, objective_id, before))
                said = failure_text(failure or RevueError("annulation non enregistrée"))
                self.notify(said, title="Non annulé", severity="error")
                return
            self._replace_item(objective_id, before.id, item)
            self._show_saved(SaveState.SAVED, None)
            self.notify(
                "Preuve rétablie." if what == "deleted" else "Correction de la preuve annulée."
            )

        self.saver.run(write, undone)

    # --- saving ---------------------------------------------------------------------------

    def _queue(self, key: tuple[str, str], value: Any, *, now: bool = False) -> None:
        walk = self.walk
        if walk is None or self.read_only:
            return
        self.saver.queue((walk.objectives[self.index].id, *key), value, now=now)

    def _write(self, pending: dict[Key, Any]) -> None:
        """Runs in the writer thread, objective by objective; SaveFailed keeps what is left."""
        by_objective: dict[str, dict[tuple[str, str], Any]] = {}
        for (objective_id, kind, name), value in pending.items():
            by_objective.setdefault(objective_id, {})[(kind, name)] = value
        objectives = list(by_objective)
        for number, objective_id in enumerate(objectives):
            changes = by_objective[objective_id]
            try:
                record_fields = {name: v for (kind, name), v in changes.items() if kind == "record"}
                if record_fields:
                    self._save_record(objective_id, record_fields)
                for (kind, indicator_id), value in changes.items():
                    if kind == "value":
                        self._save_value(objective_id, indicator_id, value)
            except Exception as exc:
                left = set(objectives[number:])  # written again: saving is idempotent
                raise SaveFailed(
                    failure_text(exc), {key: v for key, v in pending.items() if key[0] in left}
                ) from exc

    def _save_record(self, objective_id: str, fields: dict[str, Any]) -> None:
        """Runs in the writer thread: fields someone else saved meanwhile are not written
        over; the screen asks which to keep (Stale)."""
        keys = {name: (objective_id, "record", name) for name in fields}
        with self._stored_lock:
            expected = {n: self._stored[k] for n, k in keys.items() if k in self._stored}
        try:
            self.store.save_record(self.review_id, objective_id, expected=expected, **fields)
        except StaleEdit as stale:
            mine = {name: fields[name] for name in stale.theirs}
            self.post_message(self.Stale(objective_id, dict(stale.theirs), mine))
            fields = {n: v for n, v in fields.items() if n not in stale.theirs}
            if fields:
                rest = {n: expected[n] for n in fields if n in expected}
                self.store.save_record(self.review_id, objective_id, expected=rest, **fields)
        with self._stored_lock:
            for name, value in fields.items():
                self._stored[keys[name]] = value

    def _save_value(self, objective_id: str, indicator_id: str, value: float | None) -> None:
        """Runs in the writer thread: a value someone else saved meanwhile is not written over
        either; the screen asks (Stale, with the field ``value:ID``)."""
        key: Key = (objective_id, "value", indicator_id)
        with self._stored_lock:
            expected = {"value": self._stored[key]} if key in self._stored else None
        try:
            self.store.save_value(self.review_id, indicator_id, value, expected=expected)
        except StaleEdit as stale:
            theirs = {f"value:{indicator_id}": stale.theirs["value"]}
            self.post_message(self.Stale(objective_id, theirs, {f"value:{indicator_id}": value}))
            return
        with self._stored_lock:
            self._stored[key] = value

    @on(Stale)
    def stale(self, message: Stale) -> None:
        """Ask, field by field, what to keep; nothing is written over meanwhile."""
        walk = self.walk
        if walk is None:
            return
        number = next(
            (n for n, o in enumerate(walk.objectives, 1) if o.id == message.objective_id), 0
        )
        for name, theirs in message.theirs.items():
            asked = (message.objective_id, name)
            if asked in self._asking:  # already asked: the answer takes what is typed by then
                continue
            self._asking.add(asked)
            self._ask_stale(message.objective_id, number, name, theirs)

    def _ask_stale(self, objective_id: str, number: int, name: str, theirs: Any) -> None:
        if name.startswith("value:"):
            self._ask_stale_value(objective_id, number, name.removeprefix("value:"), theirs)
            return
        record = self.record(objective_id)
        text_field = name in ("analysis", "adjustments")

        def shown(value: Any) -> str:
            if name == "status":
                return Status(value).label if value else "sans statut"
            if name == "actions_done":
                return f"{len(value or [])} action(s) réalisée(s)"
            return str(value or "")

        def chosen(choice: str | None) -> None:
            key: Key = (objective_id, "record", name)
            with self._stored_lock:
                self._stored[key] = theirs  # what is stored now: the next write starts from it
            mine = getattr(record, name)
            if choice == "theirs":
                value = Status(theirs) if name == "status" and theirs else theirs
                if name == "actions_done":
                    value = list(theirs or [])
                setattr(record, name, value if value is not None else ("" if text_field else None))
                self._refill(objective_id)
                return
            if choice == "both" and text_field:
                joined = both_texts(str(theirs or ""), mine)
                setattr(record, name, joined)
                self._refill(objective_id)
                mine = joined
            self.saver.queue(key, mine, now=True)

        what = STALE_WHAT.get(name, name) + f" de l'objectif {number}"
        self.app.push_screen(
            StaleEditScreen(what, shown(getattr(record, name)), shown(theirs), can_join=text_field),
            self._answered(objective_id, name, chosen),
        )

    def _ask_stale_value(
        self, objective_id: str, number: int, indicator_id: str, theirs: float | None
    ) -> None:
        walk = self.walk
        assert walk is not None
        objective = next(o for o in walk.objectives if o.id == objective_id)
        indicator = next(i for i in objective.indicators if i.id == indicator_id)

        def shown(value: float | None) -> str:
            return "sans valeur" if value is None else fr.quantity(value, indicator.unit)

        def chosen(choice: str | None) -> None:
            key: Key = (objective_id, "value", indicator_id)
            with self._stored_lock:
                self._stored[key] = theirs
            if choice == "theirs":
                walk.values[indicator_id] = theirs
                self._refill(objective_id)
                return
            self.saver.queue(key, walk.values.get(indicator_id), now=True)

        self.app.push_screen(
            StaleEditScreen(
                f"la valeur « {clip(indicator.label, 60)} » de l'objectif {number}",
                shown(walk.values.get(indicator_id)),
                shown(theirs),
                can_join=False,
            ),
            self._answered(objective_id, f"value:{indicator_id}", chosen),
        )

    def _answered(
        self, objective_id: str, name: str, chosen: Callable[[str | None], None]
    ) -> Callable[[str | None], None]:
        def answered(choice: str | None) -> None:
            self._asking.discard((objective_id, name))
            chosen(choice)

        return answered

    def _refill(self, objective_id: str) -> None:
        """Show again the objective's record if it is the one on screen."""
        walk = self.walk
        if walk is None or walk.objectives[self.index].id != objective_id:
            return
        objective = walk.objectives[self.index]
        with self.prevent(Input.Changed, TextArea.Changed):
            self._fill(objective, self.record(objective_id))

    def _show_saved(self, state: SaveState, error: str | None) -> None:
        found = self.query("#walk-saved")
        if not found:  # the screen is being taken down: nothing left to show it on
            return
        saved = found.first(Static)
        if state is SaveState.TYPING:
            saved.update("… saisie")
            return
        if error:
            saved.update(Text("⚠ non enregistré", style="bold"))
            self.notify(
                error[:1].upper() + error[1:] + ". Vos saisies restent à l'écran ; "
                "revue réessaie toutes les quelques secondes.",
                title="Non enregistré",
                severity="error",
                timeout=8,
            )
        else:
            saved.update("✓ Enregistré")
        self._progress()

    @on(TextArea.Changed)
    def text_changed(self, event: TextArea.Changed) -> None:
        name = event.text_area.id
        if self.walk is None or name not in ("analysis", "adjustments"):
            return
        record = self.record(self.walk.objectives[self.index].id)
        text = event.text_area.text
        if getattr(record, name) != text:
            setattr(record, name, text)
            self._queue(("record", name), text)

    @on(Checklist.Changed, "#actions")
    def action_checked(self, event: Checklist.Changed) -> None:
        if self.walk is None or self.read_only:
            return
        action_id = self._action_ids[event.index]
        record = self.record(self.walk.objectives[self.index].id)
        done = set(record.actions_done)
        (done.add if event.ticked else done.discard)(action_id)
        if sorted(done) != sorted(record.actions_done):
            record.actions_done = sorted(done)
            self._queue(("record", "actions_done"), list(record.actions_done), now=True)

    @on(Choice.Changed, "#status")
    def status_changed(self, event: Choice.Changed) -> None:
        if self.walk is None or self.read_only:
            return
        record = self.record(self.walk.objectives[self.index].id)
        status = None if event.value is None else Status(event.value)
        if record.status != status:
            record.status = status
            self._queue(("record", "status"), status, now=True)  # a decision: written now

    @on(Input.Changed, ".value")
    def value_changed(self, event: Input.Changed) -> None:
        if self.walk is None or event.input.id is None:
            return
        number = int(event.input.id.removeprefix("value-"))
        indicator_id = self._indicator_ids[number]
        if indicator_id is None:
            return
        error = self._one(f"#value-{number}-error", Static)
        objective = self.walk.objectives[self.index]
        unit = next((i.unit for i in objective.indicators if i.id == indicator_id), "")
        try:
            value = parse_number(event.value, unit)
        except ValueError:
            error.update(f"« {clip(event.value, 20)} » n'est pas un nombre")
            return
        error.update("")
        if self.walk.values.get(indicator_id) != value:
            self.walk.values[indicator_id] = value
            self._queue(("value", indicator_id), value)

    @on(Button.Pressed, "#evidence-add")
    @on(Input.Submitted, "#evidence-text, #evidence-path, #evidence-date")
    def add_evidence(self) -> bool:
        """Add the evidence item the fields describe; False (and a message in place) when
        something is missing or wrong."""
        walk = self.walk
        if walk is None or self.read_only:
            return False
        error = self._one("#evidence-error", Static)
        raw_date = self._one("#evidence-date", Input).value
        text = self._one("#evidence-text", Input).value.strip()
        path = self._one("#evidence-path", Input).value.strip()
        try:
            day = parse_date(raw_date)
        except ValueError:
            error.update(
                f"Date « {clip(raw_date, 20)} » invalide : écrivez jj/mm/aaaa "
                "(une date qui existe)."
            )
            return False
        start, end = school_year_bounds(walk.review.school_year)
        if not start <= day <= end:
            error.update(
                f"La date doit être dans l'année scolaire {walk.review.school_year} "
                f"(du {fr.date(start)} au {fr.date(end)})."
            )
            return False
        if not text:
            error.update("Écrivez ce qui a été constaté.")
            return False
        error.update("")
        source = EvidenceSource(str(self._one("#evidence-source", Choice).value))
        objective = walk.objectives[self.index]
        store = self.store
        raw_fields = {"date": raw_date, "text": text, "path": path}
        chosen = self._one("#evidence-source", Choice).value
        # Cleared at once, so that leaving the objective before the write is done does not
        # add the item a second time; put back (or kept as a draft) if the write fails.
        self._one("#evidence-text", Input).value = ""
        self._one("#evidence-path", Input).value = ""

        def added(item: Evidence | None, failure: Exception | None) -> None:
            if not self.is_attached:
                return
            here = self.walk is walk and walk.objectives[self.index] is objective
            if failure is not None or item is None:
                said = failure_text(failure or RevueError("preuve non enregistrée"))
                text_field = self._one("#evidence-text", Input)
                if here and not text_field.value.strip():
                    text_field.value = text
                    self._one("#evidence-path", Input).value = path
                    error.update(said)
                else:
                    self._evidence_drafts[objective.id] = (raw_fields, chosen)
                    self.notify(said, title="Preuve non enregistrée", severity="error")
                return
            self._replace_item(objective.id, item.id, item)
            self._show_saved(SaveState.SAVED, None)

        editing = self._editing
        if editing is not None:
            self._end_editing()
            corrected = Evidence(editing.id, objective.id, day, text, source, path)

            def updated(item: Evidence | None, failure: Exception | None) -> None:
                if failure is not None or item is None:
                    self._editing = editing
                    added(None, failure or RevueError("correction non enregistrée"))
                    return
                self._undo.append(("edited", objective.id, editing))
                self._replace_item(objective.id, editing.id, item)
                self._show_saved(SaveState.SAVED, None)
                self.notify("Preuve corrigée. « u » sur la liste des preuves annule.")

            self.saver.run(
                lambda: store.reviews.update_evidence(self.review_id, corrected), updated
            )
            self._evidence_drafts.pop(objective.id, None)
            return True
        # Written by the same writer thread as the rest, after what is pending.
        self.saver.run(
            lambda: store.add_evidence(self.review_id, objective.id, day, text, source, path),
            added,
        )
        self._evidence_drafts.pop(objective.id, None)
        return True

    def _leave_evidence(self) -> None:
        """Leaving an objective with an evidence item typed but not added: it is added when
        complete, and otherwise kept as a draft that comes back with the objective."""
        walk = self.walk
        if walk is None or self.read_only or not walk.objectives:
            return
        fields = {
            name: self._one(f"#evidence-{name}", Input).value for name in ("date", "text", "path")
        }
        if not (fields["text"].strip() or fields["path"].strip()):
            return
        objective = walk.objectives[self.index]
        if self.add_evidence():
            self.notify(
                f"Preuve ajoutée à l'objectif {self.index + 1} : {clip(fields['text'], 60)}"
            )
            return
        source = self._one("#evidence-source", Choice).value
        self._evidence_drafts[objective.id] = (fields, source)
        self.notify(
            f"La preuve commencée à l'objectif {self.index + 1} est gardée : elle revient avec "
            "l'objectif, à compléter puis Entrée.",
            title="Preuve pas encore ajoutée",
        )

    @property
    def unsaved(self) -> bool:
        """Typed and not yet written: pending changes, or an evidence item left unfinished."""
        return super().unsaved or bool(self._evidence_drafts)

    # --- moving ---------------------------------------------------------------------------

    async def action_next(self) -> None:
        if self.walk and self.index < len(self.walk.objectives) - 1:
            await self.show_objective(self.index + 1)

    async def action_previous(self) -> None:
        if self.walk and self.index > 0:
            await self.show_objective(self.index - 1)

    async def action_next_unexamined(self) -> None:
        walk = self.walk
        if walk is None:
            return
        count = len(walk.objectives)
        for step in range(1, count + 1):
            candidate = (self.index + step) % count
            if not self.record(walk.objectives[candidate].id).examined:
                await self.show_objective(candidate)
                return
        self.notify("Tous les objectifs sont examinés.")

    async def go_to_objective(self, objective_id: str) -> None:
        if self.walk is None:
            return
        for index, objective in enumerate(self.walk.objectives):
            if objective.id == objective_id:
                await self.show_objective(index)
                return

    def objectives(self) -> list[Objective]:
        return self.walk.objectives if self.walk else []

    def where(self, objective: Objective) -> str:
        """The title of the part that holds the objective, for the command palette."""
        path = self.walk.path_of(objective) if self.walk else []
        return clip(path[-1].title, 80) if path else ""

    async def action_copy_forward(self) -> None:
        walk = self.walk
        if walk is None or self.read_only:
            return
        objective = walk.objectives[self.index]
        previous = walk.previous.get(objective.id)
        if previous is None or not (previous.status or previous.analysis):
            self.notify("Rien à reprendre : la revue précédente n'a rien noté pour cet objectif.")
            return
        record = self.record(objective.id)
        record.status, record.analysis = previous.status, previous.analysis
        self._queue(("record", "status"), previous.status)
        self._queue(("record", "analysis"), previous.analysis, now=True)
        await self.show_objective(self.index)
        self.notify(f"Statut et analyse repris de : {walk.previous_title}.")

    def flush(self, *, wait: bool = False) -> None:
        if wait and self.is_attached and self.query("#evidence-text"):
            self._leave_evidence()  # leaving or quitting: a complete item is added first
        super().flush(wait=wait)

    def action_back(self) -> None:
        """Escape: an unfinished evidence item keeps the walk open; Escape again within a few
        seconds leaves all the same (and says what is dropped)."""
        self.flush(wait=True)
        drafts = [
            n
            for n, o in enumerate(self.walk.objectives if self.walk else [], 1)
            if o.id in self._evidence_drafts
        ]
        now = time.monotonic()
        if drafts and now - self._back_warned > LEAVE_AGAIN_WITHIN:
            self._back_warned = now
            listed = ", ".join(str(n) for n in drafts)
            self.notify(
                f"Preuve commencée et pas encore ajoutée (objectif {listed}) : complétez-la "
                "puis Entrée, ou effacez son texte. Échap une seconde fois quitte l'examen "
                "sans elle.",
                title="Preuve pas encore ajoutée",
                severity="warning",
                timeout=10,
            )
            return
        self._evidence_drafts.clear()
        super().action_back()

    def action_overview(self) -> None:
        self.flush(wait=True)
        from revue.app.screens.overview import OverviewScreen

        self.app.push_screen(OverviewScreen(self.review_id))

    def action_history(self) -> None:
        walk = self.walk
        if walk is None:
            return
        self.flush(wait=True)
        from revue.app.screens.history import HistoryScreen
        from revue.domain.history import OBJECTIVE_FIELDS, objective_state_lines

        store = self.store
        objective = walk.objectives[self.index]
        labels = {i.id: i.label for i in objective.indicators}
        statuses = {s.value: s.label for s in Status}

        def render(content: dict[str, Any]) -> Text:
            out = Text()
            for label, value in objective_state_lines(content, labels, statuses):
                out.append(f"{label} : ", style="bold")
                out.append(f"{value}\n")
            return out

        record = self.record(objective.id)
        # What the walk shows now: a restore refuses to write over a record saved elsewhere
        # meanwhile (StaleEdit), instead of undoing it.
        shown = {name: getattr(record, name) for name in RECORD_FIELDS}

        def restore(entry: Any) -> None:
            store.restore_objective(self.review_id, objective.id, entry.id, expected=shown)

        def restored(done: bool | None) -> None:
            if done:
                self.load()  # the walk shows the restored version

        self.app.push_screen(
            HistoryScreen(
                f"Historique — objectif {self.index + 1} : {clip(objective.text, 70)}",
                load=lambda: store.objective_history(self.review_id, objective.id),
                render=render,
                labels=OBJECTIVE_FIELDS,
                restore=None if self.read_only else restore,
            ),
            restored,
        )


def _indicator_box(number: int) -> Vertical:
    """The widgets of one indicator, filled by WalkScreen._fill_indicator."""
    return Vertical(
        Static("", id=f"indicator-{number}-label"),
        Static("", id=f"indicator-{number}-facts", classes="dim"),
        Static("", id=f"indicator-{number}-computed"),
        Horizontal(
            Label("", id=f"indicator-{number}-year", classes="field-label"),
            Input(id=f"value-{number}", classes="value", compact=True),
            Static("", id=f"value-{number}-expected", classes="dim field-expected"),
            Static("", id=f"value-{number}-error", classes="error field-error"),
            classes="value-row",
            id=f"indicator-{number}-input",
        ),
        classes="indicator",
    )


def _short(level: str, code: str, title: str) -> str:
    return f"{level} {code}".strip() if code else clip(title, 40)


class EvidenceList(OptionList):
    """An objective's evidence items: Entrée corrects the highlighted one in the form below,
    Suppr deletes it, « u » (or Ctrl+Z) undoes the last correction or deletion."""

    BINDINGS = [
        Binding("delete", "delete_item", "Supprimer", show=False),
        Binding("u,ctrl+z", "undo", "Annuler", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.items: list[Evidence] = []
        self.editable = True

    def show_items(self, items: list[Evidence], *, editable: bool) -> None:
        self.items = list(items)
        self.editable = editable
        highlighted = self.highlighted
        self.clear_options()
        self.add_options([Option(_evidence_line(item)) for item in items])
        if items:
            self.highlighted = min(highlighted or 0, len(items) - 1)

    def _walk(self) -> WalkScreen | None:
        screen = self.screen
        return screen if isinstance(screen, WalkScreen) else None

    def _current(self) -> Evidence | None:
        at = self.highlighted
        return self.items[at] if at is not None and 0 <= at < len(self.items) else None

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        walk, item = self._walk(), self._current()
        if walk is not None and item is not None and self.editable:
            walk.edit_evidence(item)

    def action_delete_item(self) -> None:
        walk, item = self._walk(), self._current()
        if walk is not None and item is not None and self.editable:
            walk.delete_evidence(item)

    def action_undo(self) -> None:
        walk = self._walk()
        if walk is not None:
            walk.undo_evidence()


def _evidence_line(item: Evidence) -> Text:
    out = Text(f"{fr.date(item.date)} — {item.source.label} — {item.text}")
    if item.file_path:
        out.append(f" [{item.file_path}]", style="dim")
        if not os.path.exists(os.path.expanduser(item.file_path)):
            out.append(" ⚠ fichier introuvable", style="bold")
    return out
