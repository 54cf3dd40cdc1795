"""Export the bilan of a review from the app: format, file, then where it went."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Select, Static

from revue.app.screens.base import RevueModal
from revue.bilan.writers import DEFAULT_WRITER, WRITERS
from revue.domain.errors import RevueError

FORMATS = [(writer.label_fr, writer.key) for writer in WRITERS.values()]


def opener() -> str | None:
    return shutil.which("xdg-open") or shutil.which("open")


class BilanScreen(RevueModal[None]):
    """Writes the bilan of one review; offers to open the file."""

    BINDINGS = [Binding("escape", "close", "Fermer", id="close")]

    def __init__(self, contract_id: str, school_year: str, kind: str) -> None:
        super().__init__()
        self.contract_id = contract_id
        self.review = f"{school_year}/{kind}"
        self.file_name = WRITERS[DEFAULT_WRITER].file_name(contract_id, school_year)
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Bilan — {self.contract_id} — revue {self.review}", classes="dialog-title")
            yield Select(FORMATS, value=DEFAULT_WRITER, allow_blank=False, id="b-format")
            yield Input(str(Path.home() / self.file_name), id="b-path")
            yield Static("", id="b-result")
            with Horizontal(classes="buttons"):
                yield Button("Écrire le bilan", id="b-write", variant="primary")
                yield Button("Ouvrir le fichier", id="b-open", disabled=True)
        yield Footer(compact=True)

    @on(Select.Changed, "#b-format")
    def format_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#b-path", Input)
        current = Path(path.value).expanduser()
        path.value = str(current.with_suffix(WRITERS[str(event.value)].suffix))

    @on(Input.Submitted)
    @on(Button.Pressed, "#b-write")
    def write(self) -> None:
        raw = self.query_one("#b-path", Input).value.strip()
        if raw:
            self.query_one("#b-result", Static).update("Écriture du bilan…")
            self._write(str(self.query_one("#b-format", Select).value), Path(raw).expanduser())

    @work(thread=True, exclusive=True)
    def _write(self, fmt: str, target: Path) -> None:
        from revue.services.bilan import export_bilan

        try:
            export_bilan(self.store, self.contract_id, self.review, fmt, target)
        except (RevueError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self.reply(self._report, f"Non écrit — {reason}", None)
            return
        self.reply(self._report, f"Bilan écrit dans {target}.", target)

    def _report(self, text: str, written: Path | None) -> None:
        result = self.query_one("#b-result", Static)
        result.update(text)
        result.set_class(written is None, "error")
        self.written = written
        self.query_one("#b-open", Button).disabled = written is None or opener() is None

    @on(Button.Pressed, "#b-open")
    def open_file(self) -> None:
        program = opener()
        if self.written is not None and program is not None:
            subprocess.Popen(
                [program, str(self.written)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )

    def action_close(self) -> None:
        self.dismiss(None)
