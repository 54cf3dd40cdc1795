"""The help screen: what the current screen is for and every key that works there."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from revue.app.screens.base import RevueModal

_KEY_NAMES = {
    "enter": "Entrée",
    "escape": "Échap",
    "space": "Espace",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "plus": "+",
    "minus": "-",
    "question_mark": "?",
    "ctrl+p": "Ctrl+P",
    "ctrl+q": "Ctrl+Q",
    "f1": "F1",
    "tab": "Tab",
    "shift+tab": "Maj+Tab",
    "ctrl+s": "Ctrl+S",
    "ctrl+n": "Ctrl+N",
    "delete": "Suppr",
    "backspace": "Retour arrière",
    "slash": "/",
    "f5": "F5",
    "f6": "F6",
    "f7": "F7",
    "f8": "F8",
    "f9": "F9",
}

_GENERAL = [
    ("↑ ↓", "se déplacer dans une liste ou dans l'arbre"),
    ("Tab / Maj+Tab", "passer d'une zone à l'autre"),
    ("Ctrl+P", "palette de commandes : ouvrir un contrat, aller à un objectif…"),
    ("F1 ou ?", "cette aide"),
    ("Ctrl+Q", "quitter revue"),
]


def key_label(key: str) -> str:
    return " / ".join(_KEY_NAMES.get(k, k) for k in key.split(","))


class HelpScreen(RevueModal[None]):
    """Shows the help of the screen it was opened from."""

    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Fermer", id="close")]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("Aide", classes="screen-title")
            yield Static(getattr(self.for_screen, "HELP", ""), id="help-about")
            yield Static(self._body(), id="help-body")
        yield Footer(compact=True)

    def _body(self) -> Table:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column()
        keys.add_row(Text("Sur cet écran", style="underline"), "")
        for binding in self.for_screen.BINDINGS:
            if isinstance(binding, Binding):
                keys.add_row(key_label(binding.key), binding.tooltip or binding.description)
        keys.add_row("", "")
        keys.add_row(Text("Partout", style="underline"), "")
        for key, description in _GENERAL:
            keys.add_row(key, description)
        return keys

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
