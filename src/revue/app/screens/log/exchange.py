"""Exchange files of the log, written and merged from the app.

Writing signs the file with this store's key and says its fingerprint. Importing a file signed
by a key this store does not know yet shows who it says it is and the fingerprint, and imports
only once the user confirms (trust on first use); a file without signatures (format 1) is
likewise imported only if the user confirms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, Static

from revue.app.screens.base import RevueModal
from revue.domain.errors import RevueError, UntrustedFile
from revue.formats.exchange import default_file_name, read_exchange
from revue.formats.fileio import write_text_atomically
from revue.formats.signing import short_fingerprint


class ExchangeScreen(RevueModal[bool]):
    """Import or export an exchange file from the app; says what was done."""

    BINDINGS = [Binding("escape", "close", "Fermer", id="close")]

    @dataclass
    class Ran(Message):
        text: str
        failed: bool
        merged: bool

    @dataclass
    class Untrusted(Message):
        """The file needs the user's word: keys (name, fingerprint) never seen, or no
        signature at all."""

        path: Path
        keys: list[tuple[str, str]] = field(default_factory=list)
        unsigned: bool = False

    def __init__(self, *, export: bool) -> None:
        super().__init__()
        self.export = export
        self.changed = False
        #: What the user accepted for the file being imported (fingerprints, or no signature).
        self.pending: ExchangeScreen.Untrusted | None = None

    def compose(self) -> ComposeResult:
        title = (
            "Écrire un fichier d'échange signé (tous les accompagnements)"
            if self.export
            else "Importer un fichier d'échange"
        )
        with Vertical(classes="dialog"):
            yield Label(title, classes="dialog-title")
            yield Input(placeholder="chemin du fichier", id="x-path")
            yield Static("", id="x-result")
            yield Button("Exporter" if self.export else "Importer", id="x-go", variant="primary")
            with Horizontal(id="x-confirm", classes="buttons"):
                yield Button("Accepter et importer", id="x-trust", variant="warning")
                yield Button("Ne pas importer", id="x-refuse")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#x-confirm").display = False
        if self.export:
            self._propose()

    @dataclass
    class Proposed(Message):
        name: str

    @work(thread=True)
    def _propose(self) -> None:
        """The file name proposed: who writes (the configured user, else the author of the
        latest entry, else the login) and the day."""
        from revue.formats.config import load_config

        try:
            author = load_config().user
        except RevueError:
            author = ""
        if not author:
            last = self.store.last_accompaniment()
            author = last.content.author if last is not None else self.store.author
        self.post_message(self.Proposed(str(Path.home() / default_file_name(author, self.today()))))

    @on(Proposed)
    def proposed(self, message: Proposed) -> None:
        path = self.query_one("#x-path", Input)
        if not path.value:  # what the user typed meanwhile stays
            path.value = message.name

    @on(Input.Submitted)
    @on(Button.Pressed, "#x-go")
    def go(self) -> None:
        raw = self.query_one("#x-path", Input).value.strip()
        if raw:
            self._ask(None)
            self._run(Path(raw).expanduser(), frozenset(), unsigned=False)

    @on(Button.Pressed, "#x-trust")
    def trust(self) -> None:
        pending = self.pending
        if pending is None:
            return
        self._ask(None)
        accepted = frozenset(fp for _, fp in pending.keys)
        self._run(pending.path, accepted, unsigned=pending.unsigned)

    @on(Button.Pressed, "#x-refuse")
    def refuse(self) -> None:
        self._ask(None)
        self._show("Fichier non importé : les données n'ont pas été modifiées.", failed=False)

    @work(thread=True, exclusive=True)
    def _run(self, path: Path, accepted: frozenset[str], *, unsigned: bool) -> None:
        try:
            if self.export:
                self.post_message(self.Ran(self._export(path), failed=False, merged=False))
                return
            exchange = read_exchange(path)
            report = self.store.import_exchange(exchange, accept=accepted, unsigned=unsigned)
        except UntrustedFile as exc:
            self.post_message(self.Untrusted(path, exc.keys, exc.unsigned))
            return
        except (RevueError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self.post_message(self.Ran(f"Refusé — {reason}\n{UNTOUCHED}", True, False))
            return
        except Exception as exc:  # a bad file must never show a traceback, nor the notes
            self.post_message(
                self.Ran(
                    f"Refusé — erreur inattendue en lisant ce fichier ({type(exc).__name__}).\n"
                    f"{UNTOUCHED}",
                    True,
                    False,
                )
            )
            return
        text = report.line()
        if report.conflicts:
            text += "\nDes conflits sont à départager (touche c dans le journal)."
        self.post_message(self.Ran(text, failed=False, merged=True))

    def _export(self, path: Path) -> str:
        exported = self.store.export_exchange(None, dt.datetime.now())
        write_text_atomically(path, exported.text, private=True)
        return (
            f"{exported.count} accompagnement(s) écrit(s) dans {path}.\n"
            f"Signé par {exported.name} — empreinte {exported.short_fingerprint} : la "
            "personne qui le reçoit vérifie cette empreinte avec vous la première fois."
        )

    @on(Ran)
    def report(self, message: Ran) -> None:
        self.changed = self.changed or message.merged
        self._show(message.text, failed=message.failed)

    @on(Untrusted)
    def untrusted(self, message: Untrusted) -> None:
        if message.unsigned:
            text = (
                "Ce fichier n'est pas signé (ancien format 1) : rien ne garantit qui l'a "
                "écrit, ni qu'il n'a pas été modifié depuis. Mieux vaut demander un nouvel "
                "export à son auteur. L'importer quand même ?"
            )
        else:
            keys = "\n".join(
                f"  {name} — empreinte {short_fingerprint(fp)}" for name, fp in message.keys
            )
            text = (
                f"Ce fichier est signé par une clé que cet ordinateur ne connaît pas encore :\n"
                f"{keys}\n"
                "Vérifiez cette empreinte avec la personne elle-même (de vive voix, au "
                "téléphone) : elle la lit dans l'écran d'export de son journal. Si elles sont "
                "identiques, acceptez : ses prochains fichiers seront reconnus."
            )
        self._show(text, failed=False)
        self._ask(message)

    def _ask(self, pending: Untrusted | None) -> None:
        self.pending = pending
        confirm = self.query_one("#x-confirm")
        confirm.display = pending is not None
        self.query_one("#x-go").display = pending is None
        if pending is not None:
            self.query_one("#x-trust", Button).focus()
        else:
            self.query_one("#x-path", Input).focus()

    def _show(self, text: str, *, failed: bool) -> None:
        result = self.query_one("#x-result", Static)
        result.update(Text(text))  # as it is: a file name or a field may hold brackets
        result.set_class(failed, "error")

    def action_close(self) -> None:
        self.dismiss(self.changed)


UNTOUCHED = "Les données n'ont pas été modifiées."
