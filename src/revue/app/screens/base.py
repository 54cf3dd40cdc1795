"""The base of every revue screen: the typed store, today's date, help, saving and back.

Screens ask the store through :attr:`RevueScreen.store` inside thread workers
(``@work(thread=True)``) that end with ``post_message``; a worker never touches a widget or the
screen's state. What a screen types is saved through its :class:`Autosaver` (``autosavers``):
the app flushes every screen before quitting and warns when something could not be written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import on
from textual.screen import ModalScreen, Screen

from revue.app.messages import Reply
from revue.app.widgets.autosave import Autosaver

if TYPE_CHECKING:
    from revue.app.app import RevueApp
    from revue.store.store import Store

ResultT = TypeVar("ResultT")

#: What leaving a screen with unwritten changes says.
UNSAVED_ON_LEAVING = (
    "Des saisies n'ont pas pu être enregistrées : l'écran reste ouvert pour ne rien perdre. "
    "Libérez de la place ou rendez le dossier accessible, revue réessaie toutes les quelques "
    "secondes."
)


class RevueScreen(Screen[ResultT]):
    """A screen of revue (full screen)."""

    #: The screen's help text (F1), in French.
    HELP: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.autosavers: list[Autosaver[Any]] = []

    @property
    def revue(self) -> RevueApp:
        return cast("RevueApp", self.app)

    @property
    def store(self) -> Store:
        return self.revue.store

    def today(self) -> dt.date:
        return self.revue.today()

    # --- saving ---------------------------------------------------------------------------------

    def autosaver(self, *args: Any, **kwargs: Any) -> Autosaver[Any]:
        """A new :class:`Autosaver` of this screen (arguments as Autosaver's after the screen)."""
        saver: Autosaver[Any] = Autosaver(self, *args, **kwargs)
        self.autosavers.append(saver)
        return saver

    def flush(self, *, wait: bool = False) -> None:
        """Write whatever is typed and not yet written."""
        for saver in self.autosavers:
            saver.flush(wait=wait)

    @property
    def unsaved(self) -> bool:
        """Something typed could not be written yet (disk full, read-only folder)."""
        return any(saver.unsaved for saver in self.autosavers)

    # --- workers ----------------------------------------------------------------------------

    def reply(self, then: Callable[..., object], *args: object) -> None:
        """End a thread worker: ``then(*args)`` runs on the UI thread (thread-safe, does not
        wait). The worker itself never touches a widget or the screen's state."""
        self.post_message(Reply(then, args))

    @on(Reply)
    def _replied(self, message: Reply) -> None:
        message.then(*message.args)

    @on(Autosaver.Saved)
    def _autosaved(self, message: Autosaver.Saved) -> None:
        message.autosaver._done(message.error, message.failed)

    def on_screen_suspend(self) -> None:
        self.flush(wait=True)

    def on_unmount(self) -> None:
        for saver in self.autosavers:
            saver.close()

    def action_back(self) -> None:
        """Escape: write what is typed, then go back — unless it could not be written."""
        self.flush(wait=True)
        if self.unsaved:
            self.notify(UNSAVED_ON_LEAVING, title="Non enregistré", severity="error", timeout=10)
            return
        self.dismiss()


class RevueModal(ModalScreen[ResultT], RevueScreen[ResultT]):
    """A dialog of revue, over the screen that opened it."""
