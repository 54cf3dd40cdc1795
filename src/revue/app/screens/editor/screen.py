"""The contract editor: the tree of the contract on the left, the chosen node's fields on the
right, every edit checked by the import's own rules and saved as typed.

Each change is applied to a copy of the contract (:mod:`.model`), written out as its canonical
TOML text and read back by the import's parser (:func:`revue.formats.contract_text.checked`):
a value the import would refuse stays in its field with the import's French message beside
it and is not saved; an accepted one goes to the autosaver, which replaces the stored contract
and keeps a version in its history (``Store.save_edited_contract``). Once the contract has a
review, the fields are read-only and the screen says that changes go by avenant.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import AwaitMount, Widget
from textual.widgets import (
    Checkbox,
    Footer,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from revue.app.screens.base import UNSAVED_ON_LEAVING, RevueScreen
from revue.app.screens.editor import model
from revue.app.screens.editor.model import HEADER, Field, Node, Refused
from revue.app.widgets.autosave import SaveState
from revue.app.widgets.dialogs import ConfirmScreen
from revue.domain.academic import AcademicProject
from revue.domain.contract import Contract
from revue.domain.errors import InputError, InputErrors
from revue.domain.french import clip, typo
from revue.formats.contract_text import checked

#: Seconds within which a second Escape leaves although refused fields are not saved.
LEAVE_AGAIN_WITHIN = 8.0


def locked_text(slug: str) -> str:
    return typo(
        f"Ce contrat a déjà des revues : ses objectifs, cibles, actions et rattachements ne "
        "changent plus que par avenant (dans la liste des revues du contrat, « a » sur une "
        f"évaluation à mi-parcours). Il se lit ici sans pouvoir être modifié ({slug})."
    )


class AddScreen(ModalScreen[str | None]):
    """What to add next to the chosen node: one line per kind of item."""

    BINDINGS = [Binding("escape", "cancel", "Annuler", id="cancel")]

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="ed-add"):
            yield Label("Ajouter", classes="dialog-title")
            yield OptionList(*(Option(label, id=key) for key, label in self.choices))
        yield Footer(compact=True)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ContractEditorScreen(RevueScreen[None]):
    """Write or correct a contract: header, parties, articles, lists, sections, objectives,
    indicators, actions and links to the projet académique."""

    FIRST_LOAD = frozenset({"load"})

    CSS_PATH = "editor.tcss"
    HELP = (
        "Écrire ou corriger un contrat. À gauche, l'arbre du contrat : l'en-tête, les parties, "
        "les articles, puis les sections (avec les noms de niveau du document), leurs objectifs, "
        "indicateurs et actions ; à droite, les champs de l'élément choisi. Chaque saisie est "
        "vérifiée avec les règles de l'import d'un fichier et enregistrée aussitôt, avec son "
        "historique (F9). Une valeur refusée reste dans son champ, le message à côté, sans être "
        "enregistrée. F2 ajoute un élément, Ctrl+↑ et Ctrl+↓ le déplacent parmi ses voisins "
        "(le champ « Dans la section » le change de section), F8 le supprime. Une fois la "
        "première revue ouverte, le contrat ne change plus que par avenant."
    )
    BINDINGS = [
        Binding("escape", "back", "Retour", id="back"),
        Binding("f2", "add", "Ajouter", id="add", priority=True, tooltip="Ajouter un élément"),
        Binding("ctrl+up", "move(-1)", "Haut", id="up", priority=True, tooltip="Monter l'élément"),
        Binding(
            "ctrl+down",
            "move(1)",
            "Bas",
            id="down",
            priority=True,
            tooltip="Descendre l'élément",
        ),
        Binding(
            "f8", "delete", "Suppr.", id="delete", priority=True, tooltip="Supprimer l'élément"
        ),
        Binding(
            "f9",
            "history",
            "Historique",
            id="history",
            priority=True,
            tooltip="Historique du contrat : chaque version, et la rétablir",
        ),
    ]

    @dataclass
    class Loaded(Message):
        contract: Contract
        reviews: int
        projects: dict[str, AcademicProject]

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self.contract: Contract | None = None
        self.locked = False
        self.projects: dict[str, AcademicProject] = {}
        self.node: Node = HEADER
        self._tree_nodes: list[Node] = []
        self._keys: dict[str, str] = {}  # widget id -> field key of the node shown
        #: What was typed and refused, by (node, key): shown again, never silently dropped.
        self.drafts: dict[tuple[Node, str], tuple[Any, str]] = {}
        self._leave_warned = 0.0
        self._generation = 0
        self._mounting: AwaitMount | None = None
        self.saver = self.autosaver(self._write, self._saved_state, name="revue-editor")

    # --- building -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(classes="screen-title", id="ed-titlebar"):
            yield Static("Chargement du contrat…", id="ed-title")
            yield Static("", id="ed-saved")
        yield Static("", id="ed-locked")
        with Horizontal(id="ed-body"):
            yield OptionList(id="ed-tree")
            yield VerticalScroll(id="ed-form")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#ed-locked").display = False
        self.load()

    @work(thread=True, exclusive=True, group="editor")
    def load(self) -> None:
        store = self.store
        contract = store.get_contract(self.slug)
        projects = {}
        for summary in store.list_academic_projects():
            project = store.get_academic_project(summary.id)
            if project is not None:
                projects[summary.id] = project
        self.post_message(self.Loaded(contract, store.review_count(self.slug), projects))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.contract = message.contract
        self.projects = message.projects
        self.locked = message.reviews > 0
        banner = self.query_one("#ed-locked", Static)
        banner.display = self.locked
        banner.update(locked_text(self.slug) if self.locked else "")
        if not model.exists(self.contract, self.node):
            self.node = HEADER
        self._title()
        self._tree()
        self._form()
        self.query_one("#ed-tree").focus()

    def _title(self) -> None:
        assert self.contract is not None
        verb = "Lecture" if self.locked else "Écriture"
        self.query_one("#ed-title", Static).update(
            Text(f"{verb} du contrat — {self.contract.circonscription} — {self.contract.id}")
        )

    def _tree(self) -> None:
        assert self.contract is not None
        tree = self.query_one("#ed-tree", OptionList)
        rows = model.rows(self.contract)
        self._tree_nodes = [node for node, _, _ in rows]
        tree.clear_options()
        width = max(16, min(50, self.app.size.width * 2 // 5) - 6)
        tree.add_options(
            [
                Option(Text("  " * depth + clip(label, width - 2 * depth), no_wrap=True))
                for _, depth, label in rows
            ]
        )
        if self.node in self._tree_nodes:
            tree.highlighted = self._tree_nodes.index(self.node)

    def _fields(self) -> list[Field]:
        assert self.contract is not None
        if self.node[0] == "header":
            projects = tuple((pid, p.title) for pid, p in sorted(self.projects.items()))
            return model.contract_fields(projects)
        fields = model.FIELDS[self.node[0]]
        if self.node[0] == "indicator":
            computed = model.target(self.contract, self.node).computed is not None
            fields = [f for f in fields if computed or not f.key.startswith("computed.")]
        return fields

    def _form(self) -> None:
        """The chosen node's fields, with what was refused in them shown again."""
        assert self.contract is not None
        form = self.query_one("#ed-form", VerticalScroll)
        form.remove_children()
        self._generation += 1  # the old fields are removed after this returns: new ids
        self._keys = {}
        widgets: list[Widget] = [
            Static(
                Text(typo(model.describe(self.contract, self.node).capitalize())), classes="ed-what"
            )
        ]
        for n, fld in enumerate(self._fields()):
            wid = f"ed-{self._generation}-f{n}"
            self._keys[wid] = fld.key
            draft = self.drafts.get((self.node, fld.key))
            value = draft[0] if draft else model.shown(self.contract, self.node, fld.key)
            hint = f" ({fld.hint})" if fld.hint else ""
            if fld.kind != "bool":  # a checkbox carries its own label
                widgets.append(Label(f"{fld.label}{hint}", classes="ed-label"))
            widgets.append(self._widget(fld, wid, value))
            error = Static(
                Text(typo(draft[1])) if draft else "", id=f"{wid}-error", classes="ed-error"
            )
            error.display = bool(draft)
            widgets.append(error)
        self._mounting = form.mount_all(widgets)
        form.scroll_home(animate=False)

    def _widget(self, fld: Field, wid: str, value: Any) -> Widget:
        assert self.contract is not None
        disabled = self.locked
        if fld.kind == "readonly":
            return Static(Text(str(value)), id=wid, classes="ed-readonly")
        if fld.kind in ("text", "lines"):
            area = TextArea(str(value), id=wid, soft_wrap=True, disabled=disabled, compact=True)
            area.show_line_numbers = False
            return area
        if fld.kind == "choice":
            choices = fld.choices
            if fld.key in ("section", "parent"):
                choices = model.section_choices(self.contract, self.node)
            options = [(label, val) for val, label in choices]
            known = {val for val, _ in choices}
            return Select(
                options,
                value=value if value in known else choices[0][0],
                allow_blank=False,
                id=wid,
                disabled=disabled,
                compact=True,
            )
        if fld.kind == "bool":
            return Checkbox(fld.label, bool(value), id=wid, disabled=disabled, compact=True)
        if fld.kind == "links":
            return self._links(wid, list(value))
        suggester = None
        if fld.key == "level":
            suggester = SuggestFromList(model.levels(self.contract), case_sensitive=False)
        return Input(str(value), id=wid, disabled=disabled, suggester=suggester, compact=True)

    def _links(self, wid: str, links: list[str]) -> Widget:
        assert self.contract is not None
        ref = self.contract.academic_project
        project = self.projects.get(ref.id) if ref and ref.id else None
        if project is None:
            return Static(
                "Choisissez d'abord le projet académique dans l'en-tête (il doit être importé)."
                + (f" Rattachements : {', '.join(links)}" if links else ""),
                id=wid,
                classes="ed-readonly",
            )
        choices = [
            ("  " * depth + " ".join(item.label.split()), item.key, item.key in links)
            for depth, item in project.walk()
            if item.key
        ]
        return SelectionList[str](*choices, id=wid, disabled=self.locked)

    # --- choosing a node ---------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#ed-tree")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.contract is None or event.option_index >= len(self._tree_nodes):
            return
        node = self._tree_nodes[event.option_index]
        if node != self.node:
            self.node = node
            self._form()

    @on(OptionList.OptionSelected, "#ed-tree")
    def selected(self) -> None:
        """Entrée on a node: to its first field."""
        for widget in self.query_one("#ed-form").query("Input, TextArea, Select, Checkbox"):
            if widget.focusable:
                widget.focus()
                return

    async def _focus_when_mounted(self) -> None:
        """The first field of a node just added, once its fields are mounted."""
        if self._mounting is not None:
            await self._mounting
        self.selected()

    def go_to(self, node: Node) -> None:
        self.node = node
        self._tree()
        self._form()

    # --- editing ---------------------------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def changed(self, event: Message) -> None:
        widget = getattr(event, "control", None) or getattr(event, "text_area", None)
        if widget is None or widget.id not in self._keys:
            return
        value: Any = widget.text if isinstance(widget, TextArea) else widget.value
        self.edit(widget.id, value)

    @on(SelectionList.SelectedChanged)
    def links_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        widget = event.selection_list
        if widget.id in self._keys:
            self.edit(widget.id, list(widget.selected))

    def edit(self, wid: str, value: Any) -> None:
        """A field's new value: applied, checked as the import would, saved or refused here."""
        if self.contract is None or self.locked:
            return
        key = self._keys[wid]
        if (
            value == model.shown(self.contract, self.node, key)
            and (self.node, key) not in self.drafts
        ):
            return
        label = next((f.label for f in self._fields() if f.key == key), key)
        note = f"{model.describe(self.contract, self.node)} : {label.lower()}"
        node = self.node
        if key == "id" and node[0] in ("section", "objective"):
            node = (node[0], str(value).strip())  # the node's name in the candidate
        try:
            candidate = model.apply(self.contract, self.node, key, value)
            if self.node[0] == "header" and key == "academic_project.id":
                candidate = self._project_title(candidate)
            contract, _text = checked(candidate)
            problem = self._link_problem(contract)
            if problem:
                raise Refused(problem)
        except Refused as exc:
            self._refuse(wid, key, value, str(exc))
            return
        except InputError as exc:
            self._refuse(wid, key, value, self._message(exc, candidate, node, key))
            return
        self.drafts.pop((self.node, key), None)
        error = self.query_one(f"#{wid}-error", Static)
        error.update("")
        error.display = False
        self.contract = contract
        self.node = node
        self._retry_drafts(note)
        if key == "id":
            for what in self.query(".ed-what").results(Static):
                what.update(Text(typo(model.describe(contract, node).capitalize())))
        self._tree()
        if key in ("computed", "academic_project.id"):
            self._form()  # fields come or go
            self._refocus(key)
        self.saver.queue("contract", (contract, note))

    def _retry_drafts(self, note: str) -> None:
        """A field accepted may make another refused one of the node acceptable (a target
        refused for want of its year): try them again, keep those the import now accepts."""
        assert self.contract is not None
        for (node, key), (value, _message) in list(self.drafts.items()):
            if node != self.node:
                continue
            try:
                contract, _text = checked(model.apply(self.contract, node, key, value))
            except (Refused, InputError):
                continue
            self.contract = contract
            del self.drafts[(node, key)]
            for wid, k in self._keys.items():
                if k == key:
                    error = self.query_one(f"#{wid}-error", Static)
                    error.update("")
                    error.display = False

    def _refocus(self, key: str) -> None:
        for wid, k in self._keys.items():
            if k == key:
                self.query_one(f"#{wid}").focus()

    def _project_title(self, contract: Contract) -> Contract:
        ref = contract.academic_project
        known = {p.title for p in self.projects.values()}
        if ref is not None and ref.id in self.projects and (not ref.title or ref.title in known):
            ref.title = self.projects[ref.id].title  # a title typed by hand stays
        return contract

    def _link_problem(self, contract: Contract) -> str:
        """What the import's link check (revue.services.imports.check_links) would say, from
        the projets académiques loaded with the screen: a link to an item the projet lacks, or
        links while the projet is not in the store."""
        ref = contract.academic_project
        linked = [o for o in contract.objectives if o.academic_links]
        if ref is None or not ref.id or not linked:
            return ""
        project = self.projects.get(ref.id)
        if project is None:
            return (
                f"le projet académique « {ref.id} » n'est pas dans les données : importez "
                "d'abord son fichier"
            )
        codes = project.codes()
        for objective in linked:
            for code in objective.academic_links:
                if code not in codes:
                    return (
                        f"l'objectif « {objective.id} » renvoie à « {code} », absent du projet "
                        f"académique « {ref.id} » : retirez d'abord ce rattachement"
                    )
        return ""

    def _message(self, exc: InputError, candidate: Contract, node: Node, key: str) -> str:
        """The import's message about this field (else its first, with the field it names)."""
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        path = model.field_path(candidate, node, key)
        for error in errors:
            if error.field == path:
                return f"Refusé : {error.message}"
        first = errors[0]
        where = f"champ\u00a0« {first.field} » : " if first.field else ""
        return f"Refusé : {where}{first.message}"

    def _refuse(self, wid: str, key: str, value: Any, message: str) -> None:
        self.drafts[(self.node, key)] = (value, message)
        error = self.query_one(f"#{wid}-error", Static)
        error.update(Text(typo(message)))
        error.display = True
        error.scroll_visible(animate=False)
        self._saved_state(SaveState.FAILED, "valeur refusée")

    # --- saving ----------------------------------------------------------------------------

    def _write(self, changes: dict[str, Any]) -> None:
        contract, note = changes["contract"]
        self.store.save_edited_contract(contract, note=note)

    def _saved_state(self, state: SaveState, error: str | None) -> None:
        text = {
            SaveState.TYPING: "… saisie",
            SaveState.SAVED: "✓ Enregistré",
            SaveState.FAILED: f"⚠ {error}" if error else "⚠ non enregistré",
        }[state]
        if state is SaveState.SAVED and self.drafts:
            text = "⚠ valeur refusée"
        for marker in self.query("#ed-saved").results(Static):  # none once unmounting
            marker.update(Text(text))

    @property
    def unsaved(self) -> bool:
        return super().unsaved or bool(self.drafts)

    def action_back(self) -> None:
        self.flush(wait=True)
        if self.drafts and not super().unsaved:
            now = time.monotonic()
            if now - self._leave_warned > LEAVE_AGAIN_WITHIN:
                self._leave_warned = now
                self.notify(
                    typo(
                        f"{len(self.drafts)} champ(s) refusé(s) ne sont pas enregistrés : corrigez-"
                        "les (le message est à côté), ou appuyez une seconde fois sur Échap pour "
                        "partir sans eux."
                    ),
                    title="Non enregistré",
                    severity="warning",
                    timeout=8,
                )
                return
            self.drafts.clear()
        if super().unsaved:
            self.notify(UNSAVED_ON_LEAVING, title="Non enregistré", severity="error", timeout=10)
            return
        self.dismiss()

    # --- adding, moving, deleting ------------------------------------------------------------

    def _refused_if_locked(self) -> bool:
        if self.locked:
            self.notify(locked_text(self.slug), title="Contrat en revue", severity="warning")
        return self.locked or self.contract is None

    def _change(self, contract: Contract, node: Node, note: str) -> bool:
        """Keep a structural change (add, move, delete) once the import accepts it."""
        try:
            kept, _text = checked(contract)
        except InputError as exc:
            self.notify(typo(str(exc)), title="Refusé", severity="error", timeout=10)
            return False
        self.contract = kept
        self.go_to(node if model.exists(kept, node) else HEADER)
        self.saver.queue("contract", (kept, note), now=True)
        return True

    def action_add(self) -> None:
        if self._refused_if_locked():
            return
        assert self.contract is not None
        choices = [
            (key, label)
            for key, label in model.ADDITIONS
            if model.can_add(self.contract, self.node, key)
        ]
        self.app.push_screen(AddScreen(choices), self._add)

    def _add(self, what: str | None) -> None:
        if what is None or self.contract is None:
            return
        contract, node = model.add(self.contract, self.node, what)
        if self._change(contract, node, f"ajout de {model.describe(contract, node)}"):
            self.call_later(self._focus_when_mounted)

    def action_move(self, step: int) -> None:
        if self._refused_if_locked():
            return
        assert self.contract is not None
        moved = model.move(self.contract, self.node, step)
        if moved is None:
            return
        contract, node = moved
        self._change(contract, node, f"déplacement de {model.describe(contract, node)}")

    def action_delete(self) -> None:
        if self._refused_if_locked():
            return
        assert self.contract is not None
        if self.node == HEADER:
            self.notify(
                typo(
                    "L'en-tête ne se supprime pas ; le contrat entier se supprime depuis la "
                    "liste des contrats (Suppr)."
                ),
                severity="warning",
            )
            return
        node = self.node
        self.app.push_screen(
            ConfirmScreen("Supprimer", typo(model.removal_text(self.contract, node)), "Supprimer"),
            partial(self._delete, node),
        )

    def _delete(self, node: Node, answer: str | None) -> None:
        if answer is None or self.contract is None or not model.exists(self.contract, node):
            return
        note = f"suppression de {model.describe(self.contract, node)}"
        after = model.node_after_removal(self.contract, node)
        for key in [k for k in self.drafts if k[0] == node]:
            del self.drafts[key]
        self._change(model.remove(self.contract, node), after, note)

    # --- history -----------------------------------------------------------------------------

    def action_history(self) -> None:
        from revue.app.screens.history import HistoryScreen

        self.flush(wait=True)
        slug, store = self.slug, self.store
        self.app.push_screen(
            HistoryScreen(
                f"Historique du contrat {slug}",
                load=partial(store.contract_history, slug),
                render=lambda content: Text(str(content.get("toml", ""))),
                labels={"toml": "contrat"},
                restore=None
                if self.locked
                else (lambda entry: store.restore_contract_version(slug, entry.id)),
            ),
            self._after_history,
        )

    def _after_history(self, restored: bool | None) -> None:
        if restored:
            self.drafts.clear()
            self.load()
