"""Exchange files of the log, written and merged from the app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, Static

from revue.app.screens.base import RevueModal
from revue.domain.errors import RevueError
from revue.formats.exchange import dump_exchange, read_exchange
from revue.formats.fileio import write_text_atomically


class ExchangeScreen(RevueModal[bool]):
    """Import or export an exchange file from the app; says what was done."""

    BINDINGS = [Binding("escape", "close", "Fermer", id="close")]

    def __init__(self, *, export: bool) -> None:
        super().__init__()
        self.export = export
        self.changed = False

    def compose(self) -> ComposeResult:
        title = (
            "Écrire un fichier d'échange (tous les accompagnements)"
            if self.export
            else "Importer un fichier d'échange"
        )
        today = self.today()
        default = str(Path.home() / f"echange-{today:%Y-%m-%d}.json") if self.export else ""
        with Vertical(classes="dialog"):
            yield Label(title, classes="dialog-title")
            yield Input(value=default, placeholder="chemin du fichier", id="x-path")
            yield Static("", id="x-result")
            yield Button("Exporter" if self.export else "Importer", id="x-go", variant="primary")
        yield Footer(compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#x-go")
    def go(self) -> None:
        raw = self.query_one("#x-path", Input).value.strip()
        if raw:
            self._run(Path(raw).expanduser())

    @work(thread=True, exclusive=True)
    def _run(self, path: Path) -> None:
        store = self.store
        try:
            if self.export:
                versions = store.export_versions()
                write_text_atomically(
                    path, dump_exchange(versions, author=None, exported_at=dt.datetime.now())
                )
                text, failed = f"{len(versions)} accompagnement(s) écrit(s) dans {path}.", False
            else:
                report = store.merge_versions(read_exchange(path))
                text, failed = report.line(), False
                if report.conflicts:
                    text += "\nDes conflits sont à départager (touche c dans le journal)."
        except (RevueError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            text, failed = f"Refusé — {reason}\nLes données n'ont pas été modifiées.", True
        self.post_message(self.Ran(text, failed, merged=not failed and not self.export))

    @dataclass
    class Ran(Message):
        text: str
        failed: bool
        merged: bool

    @on(Ran)
    def report(self, message: Ran) -> None:
        self.changed = self.changed or message.merged
        result = self.query_one("#x-result", Static)
        result.update(message.text)
        result.set_class(message.failed, "error")

    def action_close(self) -> None:
        self.dismiss(self.changed)
