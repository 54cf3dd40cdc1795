"""Dialogs shared by several screens."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static


class ConfirmScreen(ModalScreen[str | None]):
    """Asks to confirm; with ``ask_reason`` the answer is the reason typed (required)."""

    BINDINGS = [Binding("escape", "cancel", "Annuler", id="cancel")]

    def __init__(self, title: str, text: str, verb: str, *, ask_reason: bool = False) -> None:
        super().__init__()
        self.title_text, self.text, self.verb, self.ask_reason = title, text, verb, ask_reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.text)
            if self.ask_reason:
                yield Input(placeholder="motif", id="reason")
            yield Static("", id="confirm-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(self.verb, id="yes", variant="primary")
                yield Button("Annuler", id="no")
        yield Footer(compact=True)

    @on(Button.Pressed, "#yes")
    @on(Input.Submitted)
    def yes(self) -> None:
        if self.ask_reason:
            reason = self.query_one("#reason", Input).value.strip()
            if not reason:
                self.query_one("#confirm-error", Static).update("Le motif est nécessaire.")
                return
            self.dismiss(reason)
        else:
            self.dismiss("oui")

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.dismiss(None)


class StaleEditScreen(ModalScreen[str]):
    """Someone saved this field meanwhile (another window, another process): which to keep.

    The answer is "mine", "theirs" or, for a text, "both" (theirs, then mine)."""

    BINDINGS = [Binding("escape", "keep_mine", "Garder le vôtre", id="keep-mine")]
    #: No button has the focus when the question appears (Tab reaches them): keys still being
    #: typed for the text must not answer it (Entrée or Espace on a focused button would).
    AUTO_FOCUS = None

    def __init__(self, what: str, mine: str, theirs: str, *, can_join: bool) -> None:
        super().__init__()
        self.what, self.mine, self.theirs, self.can_join = what, mine, theirs, can_join

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                f"{self.what[:1].upper()}{self.what[1:]} a changé ailleurs", classes="dialog-title"
            )
            yield Static(
                f"Pendant que vous écriviez, une autre version de {self.what} a été enregistrée "
                "ailleurs (une autre fenêtre de revue, un autre ordinateur sur la même base). "
                "Rien n'a été écrasé : choisissez ce qui reste."
            )
            yield Label("Enregistré ailleurs :", classes="part")
            yield Static(self.theirs or "(vide)", id="stale-theirs")
            yield Label("Votre saisie :", classes="part")
            yield Static(self.mine or "(vide)", id="stale-mine")
            with Horizontal(classes="buttons"):
                yield Button("Garder le vôtre", id="stale-mine-button", variant="primary")
                yield Button("Prendre l'autre", id="stale-theirs-button")
                if self.can_join:
                    yield Button("Garder les deux", id="stale-both-button")
        yield Footer(compact=True)

    @on(Button.Pressed, "#stale-mine-button")
    def action_keep_mine(self) -> None:
        self.dismiss("mine")

    @on(Button.Pressed, "#stale-theirs-button")
    def action_take_theirs(self) -> None:
        self.dismiss("theirs")

    @on(Button.Pressed, "#stale-both-button")
    def action_keep_both(self) -> None:
        if self.can_join:
            self.dismiss("both")


def both_texts(theirs: str, mine: str) -> str:
    """What « Garder les deux » keeps: the other text, then the one typed here."""
    return "\n\n".join(t for t in (theirs.rstrip(), mine.strip()) if t)
