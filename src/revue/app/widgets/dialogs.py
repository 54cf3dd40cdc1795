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
