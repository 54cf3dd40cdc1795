"""Creating a contract in the app: blank, or from a model (an existing contract's structure,
level names and texts, without its reviews), checked by the import's rules, then opened in
the editor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, Select, Static

from revue.app.screens.base import RevueModal
from revue.app.screens.editor import model
from revue.domain.contract import ContractSummary
from revue.domain.errors import RevueError
from revue.domain.french import typo
from revue.domain.parsing import parse_date
from revue.formats.contract_text import checked

BLANK = ""


class NewContractScreen(RevueModal[str | None]):
    """Asks the new contract's identifier, title, circonscription, period and model; dismissed
    with the new contract's id once it is stored."""

    FIRST_LOAD = frozenset({"list_models"})
    #: « Créer » opens the editor on the new contract: the keys typed next are for it.
    KEYS_WAIT_FOR = frozenset({"create"})

    CSS_PATH = "editor.tcss"
    HELP = (
        "Créer un contrat dans l'application : son identifiant (minuscules sans accents, "
        "chiffres, tirets), son titre, sa circonscription et sa période ; vide, ou sur le "
        "modèle d'un contrat enregistré (ses sections, noms de niveau, objectifs, indicateurs "
        "et actions, sans ses revues). Ctrl+S ou « Créer » l'enregistre et l'ouvre."
    )
    BINDINGS = [
        Binding("escape", "cancel", "Annuler", id="cancel"),
        Binding(
            "ctrl+s", "create", "Créer", id="create", priority=True, tooltip="Créer le contrat"
        ),
    ]

    @dataclass
    class Listed(Message):
        contracts: list[ContractSummary]

    @dataclass
    class Done(Message):
        slug: str | None
        error: str

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="ed-new"):
            yield Label("Nouveau contrat", classes="dialog-title")
            yield Label(typo("Identifiant (ex. « ma-circonscription-2020-2023 »)"))
            yield Input(id="new-id", compact=True)
            yield Label("Titre")
            yield Input(id="new-title", compact=True)
            yield Label("Circonscription")
            yield Input(id="new-circonscription", compact=True)
            yield Label("Début (jj/mm/aaaa)")
            yield Input(id="new-start", compact=True)
            yield Label("Fin (jj/mm/aaaa)")
            yield Input(id="new-end", compact=True)
            yield Label("Modèle")
            yield Select(
                [("contrat vide", BLANK)],
                value=BLANK,
                allow_blank=False,
                id="new-model",
                compact=True,
            )
            yield Static("", id="new-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Créer", id="new-create", variant="primary")
                yield Button("Annuler", id="new-cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#new-id").focus()
        self.list_models()

    @work(thread=True, exclusive=True, group="new-contract")
    def list_models(self) -> None:
        self.post_message(self.Listed(self.store.list_contracts()))

    @on(Listed)
    def listed(self, message: Listed) -> None:
        self.query_one("#new-model", Select).set_options(
            [("contrat vide", BLANK)]
            + [(f"sur le modèle de : {c.title} ({c.id})", c.id) for c in message.contracts]
        )
        self.query_one("#new-model", Select).value = BLANK

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value.strip()

    @on(Button.Pressed, "#new-create")
    @on(Input.Submitted)
    def action_create(self) -> None:
        error = self.query_one("#new-error", Static)
        dates = []
        for wid, what in (("new-start", "début"), ("new-end", "fin")):
            try:
                dates.append(parse_date(self._value(wid)))
            except ValueError:
                error.update(f"Date de {what} : écrivez jj/mm/aaaa.")
                self.query_one(f"#{wid}").focus()
                return
        chosen = self.query_one("#new-model", Select).value
        model_id = chosen if isinstance(chosen, str) and chosen else None
        error.update("Création…")
        self.create(
            self._value("new-id"),
            self._value("new-title"),
            self._value("new-circonscription"),
            dates,
            model_id,
        )

    @work(thread=True, exclusive=True, group="new-contract")
    def create(
        self,
        slug: str,
        title: str,
        circonscription: str,
        dates: list[dt.date],
        model_id: str | None,
    ) -> None:
        store = self.store
        try:
            base = store.get_contract(model_id) if model_id else None
            contract = model.fresh(slug, title, circonscription, dates[0], dates[1], base)
            checked(contract)
            note = f"création sur le modèle de « {model_id} »" if model_id else "création"
            store.save_edited_contract(contract, note=note, new=True)
        except RevueError as exc:
            self.post_message(self.Done(None, str(exc)))
            return
        self.post_message(self.Done(slug, ""))

    @on(Done)
    def done(self, message: Done) -> None:
        if message.slug is None:
            self.query_one("#new-error", Static).update(Text(typo(f"Refusé : {message.error}")))
            return
        self.dismiss(message.slug)

    @on(Button.Pressed, "#new-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
