"""The base of every revue screen: the typed store, today's date, help, saving and back.

Screens ask the store through :attr:`RevueScreen.store` inside thread workers
(``@work(thread=True)``) that end with ``post_message``; a worker never touches a widget or the
screen's state. What a screen types is saved through its :class:`Autosaver` (``autosavers``):
the app flushes every screen before quitting and warns when something could not be written.

A screen that loads its data in a worker names it in :attr:`RevueScreen.FIRST_LOAD`: keys typed
ahead of that load wait until it has been applied (:mod:`revue.app.keys`), so that an action
never meets a screen with nothing to act on yet.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import on
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState, WorkType

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
    #: The workers (their methods' names) that first fill the screen: the keys typed ahead
    #: wait until each has ended once (its data shown, or its French error). A screen whose
    #: loads depend on its arguments adjusts ``first_loads`` in its ``__init__``. Empty:
    #: nothing to load, the screen takes keys at once.
    FIRST_LOAD: ClassVar[frozenset[str]] = frozenset()
    #: Workers whose result moves on (a dialog's write that opens the next screen): the keys
    #: typed next wait while one of them runs.
    KEYS_WAIT_FOR: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.autosavers: list[Autosaver[Any]] = []
        #: The first loads still to end (see FIRST_LOAD).
        self.first_loads: set[str] = set(self.FIRST_LOAD)
        self._keys_wait_on: set[Worker[Any]] = set()
        #: When the wait for this screen's data began; None when it takes keys (KeysInOrder).
        self.keys_waiting_since: float | None = time.monotonic() if self.first_loads else None

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

    # --- ready for keys ----------------------------------------------------------------------

    def run_worker(
        self,
        work: WorkType[Any],
        name: str | None = "",
        group: str = "default",
        description: str = "",
        exit_on_error: bool = True,
        start: bool = True,
        exclusive: bool = False,
        thread: bool = False,
    ) -> Worker[Any]:
        """Textual's, noting the workers keys wait for (FIRST_LOAD, KEYS_WAIT_FOR); every
        ``@work`` method goes through it."""
        worker = super().run_worker(
            work,
            name=name,
            group=group,
            description=description,
            exit_on_error=exit_on_error,
            start=start,
            exclusive=exclusive,
            thread=thread,
        )
        if name in self.first_loads or name in self.KEYS_WAIT_FOR:
            self._keys_wait_on.add(worker)
            self._keys_update()
        return worker

    @on(Worker.StateChanged)
    def _worker_ended(self, event: Worker.StateChanged) -> None:
        # In the screen's own queue, behind what the worker posted before it ended (the data,
        # or the error): by now the screen shows it.
        worker = event.worker
        if worker not in self._keys_wait_on or event.state not in _ENDED:
            return
        self._keys_wait_on.discard(worker)
        if event.state is not WorkerState.CANCELLED:  # cancelled: replaced by a new load
            self.first_loads.discard(worker.name)
        self._keys_update()

    def ready_for_keys(self) -> None:
        """The screen will not run the first loads it named (nothing to load after all)."""
        self.first_loads.clear()
        self._keys_update()

    def _keys_update(self) -> None:
        waiting = bool(self.first_loads or self._keys_wait_on)
        if waiting and self.keys_waiting_since is None:
            self.keys_waiting_since = time.monotonic()
        elif not waiting and self.keys_waiting_since is not None:
            self.keys_waiting_since = None
            if self.is_running:  # (not from __init__: no key can be held for it yet)
                self.revue.keys_may_go()

    @on(Reply)
    def _replied(self, message: Reply) -> None:
        message.then(*message.args)

    @on(Autosaver.Saved)
    def _autosaved(self, message: Autosaver.Saved) -> None:
        message.autosaver._done(message.error, message.failed)

    def on_screen_suspend(self) -> None:
        self.flush(wait=True)
        self.revue.keys_may_go()  # a key held for this screen now goes to the one on top

    def on_unmount(self) -> None:
        for saver in self.autosavers:
            saver.close()
        if self.keys_waiting_since is not None:
            self.revue.keys_may_go()

    def action_back(self) -> None:
        """Escape: write what is typed, then go back — unless it could not be written."""
        self.flush(wait=True)
        if self.unsaved:
            self.notify(UNSAVED_ON_LEAVING, title="Non enregistré", severity="error", timeout=10)
            return
        self.dismiss()


#: A worker's states once it has ended.
_ENDED = frozenset({WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED})


class RevueModal(ModalScreen[ResultT], RevueScreen[ResultT]):
    """A dialog of revue, over the screen that opened it."""
