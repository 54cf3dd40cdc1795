"""The revue application."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.message import Message
from textual.screen import Screen

from revue.app.commands import RevueCommands
from revue.app.filters import ControlCharacters
from revue.app.keys import KeysInOrder
from revue.app.memory import release
from revue.app.messages import StoreChanged
from revue.app.palette import ObjectiveText, RevuePalette, frenchify_textual
from revue.app.reporting import ReportingApp
from revue.app.screens.base import RevueScreen
from revue.app.screens.contracts import ContractsScreen
from revue.app.screens.help import HelpScreen
from revue.app.screens.recovery import RecoveryScreen
from revue.store.backup import Backup, latest_good_backup, restore_backup
from revue.store.db import sqlite_path
from revue.store.store import Store

#: Seconds after start before the integrity check runs in the background.
INTEGRITY_CHECK_AFTER = 0.5
#: How often the app looks for changes another process made to the store (seconds).
POLL_SECONDS = 2.0
#: Seconds within which a second Ctrl+Q quits despite unsaved changes.
QUIT_AGAIN_WITHIN = 5.0


class RevueApp(KeysInOrder, ReportingApp):
    """Given an open :class:`Store`; closes it when the app ends (its WAL copied back into the
    file). An unexpected error ends it with a French sentence and a private report
    (:class:`~revue.app.reporting.ReportingApp`), never a traceback. Keys are handled one
    after the other, each through every queue it reaches before the next
    (:class:`~revue.app.keys.KeysInOrder`): nothing typed fast lands in the wrong field."""

    TITLE = "revue"
    CSS_PATH = "revue.tcss"
    COMMANDS = App.COMMANDS | {RevueCommands, ObjectiveText}
    BINDINGS = [
        Binding("f1,question_mark", "help", "Aide", id="help"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Palette",
            id="palette",
            priority=True,
            show=False,
            tooltip="Palette de commandes",
        ),
        # Shown in the footer of the first screen only (the others have no room at 80
        # columns); it works everywhere, and the palette and the help list it.
        Binding("ctrl+q", "quit", "Quitter", id="quit", priority=True, show=False),
    ]

    def __init__(
        self,
        store: Store | None,
        *,
        today: dt.date | None = None,
        url: str | None = None,
        damage: str | None = None,
    ) -> None:
        """``store`` is None only when the file could not even be opened (``damage`` says
        why): the app then starts on the recovery screen."""
        super().__init__()
        frenchify_textual()
        self._store = store
        self.url = store.url if store is not None else url or ""
        self._marker: tuple[object, ...] | None = None
        self._controls = ControlCharacters()
        self._damage = damage
        self._today = today
        self._quit_warned = -QUIT_AGAIN_WITHIN

    @property
    def store(self) -> Store:
        """The open store (screens reach it through RevueScreen.store)."""
        if self._store is None:
            raise RuntimeError("no store: the app is on its recovery screen")
        return self._store

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then one that keeps control characters from the data off the
        terminal (revue.app.filters)."""
        return [*super().get_line_filters(), self._controls]

    def today(self) -> dt.date:
        """The date forms start from."""
        return self._today or dt.date.today()

    def on_mount(self) -> None:
        if self._store is None:
            self.push_screen(RecoveryScreen(self._damage or "", self._latest_good_backup()))
            return
        self.push_screen(ContractsScreen())
        self.poll_store()  # what the screens reflect, to compare later readings with
        self.set_interval(POLL_SECONDS, self.poll_store)
        # After the first paint, so that start-up does not wait for it (it reads the whole
        # file: a quarter of a second for a department's store).
        self.set_timer(INTEGRITY_CHECK_AFTER, self.check_integrity)

    # --- integrity at start ------------------------------------------------------------------

    def _latest_good_backup(self) -> Backup | None:
        path = sqlite_path(self.url)
        return latest_good_backup(path) if path is not None else None

    @work(thread=True, exclusive=True, group="integrity")
    def check_integrity(self) -> None:
        """SQLite's quick check, off the start-up path; a damaged store gets the recovery
        screen instead of errors later."""
        problem = self.store.integrity_problems()
        if problem:
            self.post_message(self.Damaged(problem, self._latest_good_backup()))

    @dataclass
    class Damaged(Message):
        problem: str
        backup: Backup | None

    def on_revue_app_damaged(self, message: Damaged) -> None:
        self._show_recovery(message.problem, message.backup)

    @work(thread=True, exclusive=True, group="poll")
    def poll_store(self) -> None:
        """Another process (a CLI import or merge, another window) changed the store: every
        screen on the stack is told, and those that show store data reload."""
        if self._store is None:
            return
        marker = self._store.change_marker()
        if marker != self._marker:
            self.post_message(self.MarkerMoved(marker))

    @dataclass
    class MarkerMoved(Message):
        marker: tuple[object, ...]

    def on_revue_app_marker_moved(self, message: MarkerMoved) -> None:
        first = self._marker is None
        self._marker = message.marker
        if not first:
            self.store_changed()

    def store_changed(self) -> None:
        """Tell every screen on the stack that the store changed."""
        for screen in self.screen_stack:
            screen.post_message(StoreChanged())

    def _show_recovery(self, problem: str, backup: Backup | None) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(RecoveryScreen(problem, backup))

    def recover_from(self, backup: Backup) -> Path:
        """Runs in a worker: put ``backup`` in place of the damaged store (kept aside as it
        is) and reopen it; returns where the damaged files went."""
        path = sqlite_path(self.url)
        assert path is not None
        if self._store is not None:
            self._store.close()
        aside = restore_backup(path, backup.name, damaged=True)
        self._store = Store.open(self.url, notice=self.tell_waiting)
        assert aside is not None
        return aside.path

    def restart_on_store(self) -> None:
        """After a recovery: the contract list of the restored store."""
        self.switch_screen(ContractsScreen())

    def on_unmount(self) -> None:
        release()
        # Whatever a screen still holds unsaved is written before the store closes.
        for screen in self.screen_stack:
            if isinstance(screen, RevueScreen):
                screen.flush(wait=True)
        if self._store is not None:
            self._store.close()

    async def action_quit(self) -> None:
        """Quit, unless a screen holds changes the disk refused: then say so, and quit only
        on a second Ctrl+Q within a few seconds."""
        unsaved = False
        for screen in self.screen_stack:
            if isinstance(screen, RevueScreen):
                screen.flush(wait=True)
                unsaved = unsaved or screen.unsaved
        now = time.monotonic()
        if unsaved and now - self._quit_warned > QUIT_AGAIN_WITHIN:
            self._quit_warned = now
            self.notify(
                "Des saisies ne sont pas encore enregistrées (une preuve commencée, ou un "
                "disque plein, un dossier en lecture seule). Complétez-les ou corrigez le "
                "problème et revue les enregistrera ; Ctrl+Q une seconde fois quitte quand "
                "même et les perd.",
                title="Non enregistré",
                severity="error",
                timeout=10,
            )
            return
        self.exit()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand("Aide", "les touches de cet écran", self.action_help)
        yield SystemCommand("Quitter", "fermer revue (tout est déjà enregistré)", self.action_quit)

    def action_command_palette(self) -> None:
        if not RevuePalette.is_open(self):  # type: ignore[arg-type]  # App[None] is an App
            self.push_screen(
                RevuePalette(
                    placeholder="Chercher une commande, un contrat, un objectif…",
                    id="--command-palette",
                )
            )

    def action_help_quit(self) -> None:
        """Ctrl+C outside a field (Textual's own message is English)."""
        self.notify("Ctrl+Q quitte revue (tout est déjà enregistré).", title="Quitter ?")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # The other screens are imported when first opened: start-up does not wait for them.

    def open_contract(self, contract_id: str) -> None:
        from revue.app.screens.contract import ContractScreen

        self.push_screen(ContractScreen(contract_id))

    def action_import_file(self) -> None:
        from revue.app.screens.files import ImportScreen

        self.push_screen(ImportScreen())  # which tells the screens behind of what it imported

    def export_contract(self, contract_id: str) -> None:
        from revue.app.screens.files import ExportScreen

        self.push_screen(ExportScreen(contract_id))
