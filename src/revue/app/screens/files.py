"""Small dialogs that ask for a file: import a contract, export one."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static

from revue.app.screens.base import RevueModal
from revue.domain.errors import RevueError
from revue.formats.contract_toml import dump_contract
from revue.formats.fileio import write_text_atomically
from revue.services.imports import import_files


class ImportScreen(RevueModal[bool]):
    """Asks for a TOML file and imports it; says what was imported or why it was refused.

    Dismissed with True when something was imported.
    """

    BINDINGS = [Binding("escape", "close", "Fermer", id="close")]

    def __init__(self) -> None:
        super().__init__()
        self.imported = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                "Importer un contrat ou un projet académique (fichier TOML)", classes="dialog-title"
            )
            yield Input(placeholder="chemin du fichier, ex. ~/Documents/contrat.toml", id="path")
            with VerticalScroll(id="import-scroll"):  # a file may have twenty problems
                yield Static("", id="import-result")
            yield Button("Importer", id="do-import", variant="primary")
        yield Footer(compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#do-import")
    def submit(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.query_one("#import-result", Static).update("Indiquez le chemin d'un fichier.")
            return
        self.run_import(str(Path(raw).expanduser()))

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, path: str) -> None:
        done, errors = import_files(self.store, [path])
        lines = [item.describe() for item in done]
        lines += [f"Refusé — {line}" for error in errors for line in str(error).splitlines()]
        if errors:
            lines.append("Les données n'ont pas été modifiées.")
        self.reply(self._report, "\n".join(lines), bool(done))

    def _report(self, text: str, imported: bool) -> None:
        self.imported = self.imported or imported
        if imported:  # the list behind shows it at once, not at the next poll of the store
            self.revue.store_changed()
        result = self.query_one("#import-result", Static)
        result.update(text)
        result.set_class(not imported, "error")

    def action_close(self) -> None:
        self.dismiss(self.imported)


class ExportScreen(RevueModal[None]):
    """Asks where to write a contract's TOML and writes it."""

    BINDINGS = [Binding("escape", "close", "Fermer", id="close")]

    def __init__(self, contract_id: str) -> None:
        super().__init__()
        self.contract_id = contract_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                f"Exporter le contrat « {self.contract_id} » en TOML", classes="dialog-title"
            )
            yield Input(value=str(Path.home() / f"{self.contract_id}.toml"), id="path")
            yield Static("", id="export-result")
            yield Button("Exporter", id="do-export", variant="primary")
        yield Footer(compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#do-export")
    def submit(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        if raw:
            self.run_export(Path(raw).expanduser())

    @work(thread=True, exclusive=True, group="export")
    def run_export(self, path: Path) -> None:
        try:
            text = dump_contract(self.store.get_contract(self.contract_id))
            write_text_atomically(path, text)
            message, failed = f"Contrat écrit dans {path}.", False
        except (RevueError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            message, failed = f"Écriture impossible dans {path} : {reason}", True
        self.reply(self._report, message, failed)

    def _report(self, text: str, failed: bool) -> None:
        result = self.query_one("#export-result", Static)
        result.update(text)
        result.set_class(failed, "error")

    def action_close(self) -> None:
        self.dismiss(None)
