"""Recording an avenant during an évaluation à mi-parcours: number, date, reason, changes."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Select, Static, TextArea

from revue.app import format as fr
from revue.domain import Objective
from revue.errors import RevueError
from revue.review_domain import CHANGE_LABELS, Avenant, AvenantChange, ReviewKind, Walk

KINDS = [
    ("Texte de l'objectif", "objective-text"),
    ("Cible d'un indicateur", "indicator-target"),
    ("Ajouter une action", "action-add"),
    ("Modifier une action", "action-change"),
    ("Supprimer une action", "action-drop"),
]


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _number(raw: str) -> float:
    text = raw.replace("\u00a0", "").replace(" ", "").rstrip("%").replace(",", ".")
    return float(text)


def _summary(fields: dict[str, object], unit: str = "") -> str:
    if "text" in fields:
        return str(fields["text"])
    if "value" in fields:
        value = fields.get("value")
        return f"{fr.quantity(value, unit) if isinstance(value, float | int) else '—'} " \
               f"({fields.get('year') or '—'})"
    parts = [str(fields.get("what", ""))]
    extra = " — ".join(str(fields[k]) for k in ("who", "when") if fields.get(k))
    return parts[0] + (f" ({extra})" if extra else "")


class AvenantScreen(Screen[bool]):
    """Dismissed with True when an avenant was recorded."""

    HELP = (
        "Un avenant, décidé lors de l'évaluation à mi-parcours : un numéro, une date, un motif, "
        "et une ou plusieurs modifications (texte d'un objectif, cible d'un indicateur, plan "
        "d'actions). Chaque modification est gardée « avant → après ». Choisissez l'objectif "
        "et la nature de la modification, remplissez, « Ajouter cette modification », puis "
        "Ctrl+S enregistre l'avenant en entier."
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Enregistrer", id="save", priority=True),
        Binding("escape", "cancel", "Annuler", id="cancel"),
        Binding("delete", "drop_change", "Retirer", id="drop",
                tooltip="Retirer la modification choisie de l'avenant"),
    ]

    @dataclass
    class Loaded(Message):
        walk: Walk

    def __init__(self, review_id: uuid.UUID, *, today: dt.date | None = None) -> None:
        super().__init__()
        self.review_id = review_id
        self.today = today
        self.walk: Walk | None = None
        self.changes: list[AvenantChange] = []

    def compose(self) -> ComposeResult:
        yield Static("Avenant", id="avenant-title", classes="screen-title")
        yield VerticalScroll(Static("Chargement…"), id="avenant-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        self.post_message(self.Loaded(self.app.store.load_walk(self.review_id)))  # type: ignore[attr-defined]

    @on(Loaded)
    async def loaded(self, message: Loaded) -> None:
        walk = self.walk = message.walk
        self.query_one("#avenant-title", Static).update(
            f"Avenant — {walk.review.title} — {walk.contract.circonscription}")
        body = self.query_one("#avenant-body", VerticalScroll)
        await body.remove_children()
        if walk.review.kind is not ReviewKind.MIDTERM or walk.review.closed:
            reason = ("cette revue est clôturée" if walk.review.closed
                      else f"cette revue est un {walk.review.kind.label}")
            await body.mount(Static(
                f"Un avenant s'enregistre pendant une évaluation à mi-parcours ouverte ; "
                f"{reason}. Commencez ou rouvrez l'évaluation à mi-parcours de l'année "
                "(« n » dans la liste des revues), puis revenez ici.", classes="empty"))
            return
        number = 1 + max((a.number for a in walk.avenants), default=0)
        today = self.today or self.app.today()  # type: ignore[attr-defined]
        objectives = [(_clip(f"{i + 1}. {o.display_title}", 90), o.id)
                      for i, o in enumerate(walk.objectives)]
        await body.mount_all([
            Horizontal(
                Label("Numéro", classes="av-label"),
                Input(str(number), id="av-number", compact=True, classes="av-short"),
                Label("Date", classes="av-label"),
                Input(fr.date(today), id="av-date", compact=True, classes="av-short"),
                classes="av-row",
            ),
            Label("Motif"),
            TextArea(id="av-reason", soft_wrap=True, compact=True),
            Label("Modifications", classes="part"),
            DataTable(id="av-changes", cursor_type="row"),
            Static("Aucune modification pour l'instant.", id="av-empty", classes="dim"),
            Label("Nouvelle modification", classes="part"),
            Select(objectives, prompt="objectif…", id="av-objective", compact=True),
            Select(KINDS, prompt="nature de la modification…", id="av-kind", compact=True),
            VerticalScroll(id="av-fields"),
            Horizontal(
                Button("Ajouter cette modification", id="av-add", compact=True),
                Button("Enregistrer l'avenant (Ctrl+S)", id="av-save", variant="primary",
                       compact=True),
                classes="buttons",
            ),
            Static("", id="av-error", classes="error"),
        ])
        table = self.query_one("#av-changes", DataTable)
        for label, key in (("Objectif", "objective"), ("Modification", "kind"),
                           ("Avant", "before"), ("Après", "after")):
            table.add_column(label, key=key)
        table.display = False

    # --- the change being prepared ----------------------------------------------------------

    def objective(self) -> Objective | None:
        value = self.query_one("#av-objective", Select).value
        if self.walk is None or value is Select.NULL:
            return None
        return next((o for o in self.walk.objectives if o.id == value), None)

    @on(Select.Changed, "#av-objective, #av-kind")
    async def prepare(self) -> None:
        fields = self.query_one("#av-fields", VerticalScroll)
        await fields.remove_children()
        objective = self.objective()
        kind = self.query_one("#av-kind", Select).value
        if objective is None or kind is Select.NULL:
            return
        widgets: list[object] = []
        if kind == "objective-text":
            widgets = [Label("Nouveau texte"),
                       TextArea(objective.text, id="av-text", soft_wrap=True, compact=True)]
        elif kind == "indicator-target":
            if not objective.indicators:
                widgets = [Static("Cet objectif n'a pas d'indicateur.", classes="dim")]
            else:
                widgets = [
                    Select([(_clip(i.label, 80), i.id) for i in objective.indicators],
                           value=objective.indicators[0].id, allow_blank=False,
                           id="av-indicator", compact=True),
                    Horizontal(Label("Nouvelle cible", classes="av-label"),
                               Input(id="av-value", compact=True, classes="av-short"),
                               Label("Année", classes="av-label"),
                               Input(objective.indicators[0].target_year or "",
                                     placeholder="2019-2020", id="av-year", compact=True,
                                     classes="av-short"),
                               classes="av-row"),
                ]
        elif kind == "action-add":
            widgets = self._action_fields(None)
        else:
            if not objective.actions:
                widgets = [Static("Cet objectif n'a pas d'action.", classes="dim")]
            else:
                widgets = [Select([(_clip(a.what, 80), a.id) for a in objective.actions],
                                  value=objective.actions[0].id, allow_blank=False,
                                  id="av-action", compact=True)]
                if kind == "action-change":
                    widgets += self._action_fields(objective.actions[0])
        await fields.mount_all(widgets)  # type: ignore[arg-type]

    def _action_fields(self, action) -> list[object]:  # type: ignore[no-untyped-def]
        return [
            Horizontal(Label("Action", classes="av-label"),
                       Input(action.what if action else "", id="av-what", compact=True),
                       classes="av-row"),
            Horizontal(Label("Qui", classes="av-label"),
                       Input(action.who if action else "", id="av-who", compact=True),
                       Label("Quand", classes="av-label"),
                       Input(action.when if action else "", id="av-when", compact=True),
                       classes="av-row"),
        ]

    @on(Select.Changed, "#av-action")
    def action_chosen(self, event: Select.Changed) -> None:
        objective = self.objective()
        if objective is None or not self.query("#av-what"):
            return
        action = next((a for a in objective.actions if a.id == event.value), None)
        if action is not None:
            self.query_one("#av-what", Input).value = action.what
            self.query_one("#av-who", Input).value = action.who
            self.query_one("#av-when", Input).value = action.when

    def _error(self, message: str) -> None:
        self.query_one("#av-error", Static).update(message[:1].upper() + message[1:])

    def _change(self) -> AvenantChange:
        """The change described by the fields, or RevueError."""
        objective = self.objective()
        kind = self.query_one("#av-kind", Select).value
        if objective is None or kind is Select.NULL:
            raise RevueError("choisissez l'objectif et la nature de la modification")
        if kind == "objective-text":
            text = self.query_one("#av-text", TextArea).text.strip()
            if not text or text == objective.text:
                raise RevueError("écrivez le nouveau texte de l'objectif")
            return AvenantChange("objective-text", objective.id, before={"text": objective.text},
                                 after={"text": text})
        if kind == "indicator-target":
            if not self.query("#av-indicator"):
                raise RevueError("cet objectif n'a pas d'indicateur")
            indicator_id = str(self.query_one("#av-indicator", Select).value)
            indicator = next(i for i in objective.indicators if i.id == indicator_id)
            raw = self.query_one("#av-value", Input).value
            try:
                value = _number(raw)
            except ValueError:
                raise RevueError(f"« {raw} » n'est pas un nombre") from None
            year = self.query_one("#av-year", Input).value.strip()
            match = re.match(r"^(\d{4})-(\d{4})$", year)
            if not match or int(match[2]) != int(match[1]) + 1:
                raise RevueError(f"année scolaire « {year} » invalide : écrivez par exemple "
                                 "« 2019-2020 »")
            return AvenantChange("indicator-target", objective.id, indicator.id,
                                 before={"value": indicator.target_value,
                                         "year": indicator.target_year},
                                 after={"value": value, "year": year})
        if kind == "action-add":
            what = self.query_one("#av-what", Input).value.strip()
            if not what:
                raise RevueError("décrivez l'action ajoutée")
            return AvenantChange("action-add", objective.id, after={
                "what": what, "who": self.query_one("#av-who", Input).value.strip(),
                "when": self.query_one("#av-when", Input).value.strip()})
        if not self.query("#av-action"):
            raise RevueError("cet objectif n'a pas d'action")
        action_id = str(self.query_one("#av-action", Select).value)
        action = next(a for a in objective.actions if a.id == action_id)
        before = {"what": action.what, "who": action.who, "when": action.when}
        if kind == "action-drop":
            return AvenantChange("action-drop", objective.id, action.id, before=before)
        after = {"what": self.query_one("#av-what", Input).value.strip(),
                 "who": self.query_one("#av-who", Input).value.strip(),
                 "when": self.query_one("#av-when", Input).value.strip()}
        if not after["what"]:
            raise RevueError("décrivez l'action")
        if after == before:
            raise RevueError("l'action n'a pas changé")
        return AvenantChange("action-change", objective.id, action.id, before=before, after=after)

    @on(Button.Pressed, "#av-add")
    def add_change(self) -> None:
        try:
            change = self._change()
        except RevueError as exc:
            self._error(str(exc))
            return
        self._error("")
        self.changes.append(change)
        objective = self.objective()
        unit = ""
        if change.kind == "indicator-target" and objective is not None:
            unit = next(i.unit for i in objective.indicators if i.id == change.target_id)
        table = self.query_one("#av-changes", DataTable)
        table.display = True
        self.query_one("#av-empty", Static).display = False
        table.add_row(
            _clip(objective.display_title if objective else change.objective_id, 30),
            CHANGE_LABELS[change.kind],
            _clip(_summary(change.before, unit), 30) if change.before else "—",
            _clip(_summary(change.after, unit), 30) if change.after else "—",
        )

    def action_drop_change(self) -> None:
        if not self.changes or not self.query("#av-changes"):
            return
        table = self.query_one("#av-changes", DataTable)
        row = min(table.cursor_row, len(self.changes) - 1)
        del self.changes[row]
        table.remove_row(table.coordinate_to_cell_key((row, 0)).row_key)
        table.display = bool(self.changes)
        self.query_one("#av-empty", Static).display = not self.changes

    # --- saving -----------------------------------------------------------------------------

    @on(Button.Pressed, "#av-save")
    def action_save(self) -> None:
        if self.walk is None or not self.query("#av-number"):
            return
        raw_number = self.query_one("#av-number", Input).value.strip()
        if not raw_number.isdigit() or int(raw_number) < 1:
            self._error(f"Numéro « {raw_number} » invalide : un nombre entier.")
            return
        raw_date = self.query_one("#av-date", Input).value.strip()
        try:
            day, month, year = (int(x) for x in raw_date.split("/"))
            date = dt.date(year, month, day)
        except ValueError:
            self._error(f"Date « {raw_date} » invalide : écrivez jj/mm/aaaa (une date qui existe).")
            return
        reason = self.query_one("#av-reason", TextArea).text.strip()
        if not reason:
            self._error("Indiquez le motif de l'avenant.")
            return
        if not self.changes:
            self._error("Ajoutez au moins une modification (« Ajouter cette modification »).")
            return
        self._save(Avenant(number=int(raw_number), date=date, reason=reason,
                           changes=list(self.changes)))

    @work(thread=True, exclusive=True)
    def _save(self, avenant: Avenant) -> None:
        try:
            self.app.store.record_avenant(self.review_id, avenant)  # type: ignore[attr-defined]
        except RevueError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self.app.notify,
                                  f"Avenant n° {avenant.number} enregistré.")
        self.app.call_from_thread(self.dismiss, True)

    def action_cancel(self) -> None:
        self.dismiss(False)
