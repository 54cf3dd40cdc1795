"""Shown instead of the contracts when the store fails its integrity check at start."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Static

from revue.app.screens.base import RevueScreen
from revue.domain.errors import RevueError
from revue.store.backup import Backup


class RecoveryScreen(RevueScreen[None]):
    """Says what is wrong and offers the newest backup that passes the check."""

    HELP = (
        "Les données de revue n'ont pas passé la vérification d'intégrité faite au démarrage "
        "(un arrêt brutal, un disque défaillant…). revue propose la dernière sauvegarde "
        "intacte : la restaurer met les données abîmées de côté, telles quelles, dans le "
        "dossier des sauvegardes ; rien n'est effacé. « Quitter » ne change rien."
    )
    BINDINGS = [
        Binding("r", "restore", "Restaurer", id="restore"),
        Binding("ctrl+q", "app.quit", "Quitter", id="quit-here"),
    ]

    def __init__(self, problem: str, backup: Backup | None) -> None:
        super().__init__()
        self.problem = problem
        self.backup = backup

    def compose(self) -> ComposeResult:
        yield Static("revue — données abîmées", classes="screen-title")
        with Vertical(id="recovery"):
            yield Static(
                Text.assemble(
                    ("Les données n'ont pas passé la vérification d'intégrité.\n", "bold"),
                    f"Détail : {self.problem}\n",
                ),
                id="recovery-problem",
            )
            if self.backup is not None:
                when = f"{self.backup.taken_at:%d/%m/%Y à %H:%M}"
                yield Static(
                    f"Dernière sauvegarde intacte : {when} ({self.backup.label}).\n"
                    "La restaurer remet les données telles qu'elles étaient à ce moment ; les "
                    "données abîmées sont mises de côté dans le dossier des sauvegardes, "
                    "sans rien effacer.",
                    id="recovery-offer",
                )
                with Horizontal(id="recovery-buttons"):
                    yield Button(
                        f"Restaurer la sauvegarde du {when}",
                        id="recovery-restore",
                        variant="primary",
                    )
                    yield Button("Quitter sans rien changer", id="recovery-quit")
            else:
                yield Static(
                    "Aucune sauvegarde intacte n'est disponible. Quittez revue sans rien "
                    "changer et faites examiner le fichier (voir « Vos données » dans la "
                    "documentation) ; « revue check » redit ce diagnostic.",
                    id="recovery-offer",
                )
                with Horizontal(id="recovery-buttons"):
                    yield Button("Quitter sans rien changer", id="recovery-quit")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "restore" and self.backup is None)

    @on(Button.Pressed, "#recovery-quit")
    def quit_unchanged(self) -> None:
        self.app.exit()

    @on(Button.Pressed, "#recovery-restore")
    def action_restore(self) -> None:
        if self.backup is not None:
            self.query_one("#recovery-offer", Static).update("Restauration en cours…")
            self._restore(self.backup)

    @work(thread=True, exclusive=True)
    def _restore(self, backup: Backup) -> None:
        try:
            aside = self.revue.recover_from(backup)
        except RevueError as exc:
            self.reply(partial(self.notify, str(exc), severity="error", timeout=10))
            return
        said = (
            f"Sauvegarde du {backup.taken_at:%d/%m/%Y à %H:%M} restaurée. Les données abîmées "
            f"sont gardées de côté : {aside}."
        )
        self.reply(self._restored, said)

    def _restored(self, said: str) -> None:
        self.revue.restart_on_store()
        self.app.notify(said, timeout=12)
