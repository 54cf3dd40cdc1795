"""The one autosaver: what is typed is written after a pause, in order, off the UI thread.

The walk and the synthesis queue each change here (``queue``); after :data:`SAVE_DELAY` seconds
of quiet, or at once on ``flush`` (moving, leaving, quitting), one writer thread writes what is
pending. A write the store refuses (full disk, read-only folder) keeps its changes pending: they
are tried again every :data:`RETRY_EVERY` seconds and with the next change, and ``unsaved`` stays
true so that leaving and quitting warn first. Results come back to the UI thread as a posted
:class:`Autosaver.Saved` message, which :class:`revue.app.screens.base.RevueScreen` hands back to
its autosaver: the writer thread never touches a widget.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.message import Message

from revue.app.messages import Reply
from revue.domain.errors import RevueError

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.timer import Timer

#: Seconds of quiet typing after which the pending changes are written.
SAVE_DELAY = 0.4
#: Seconds between attempts to write changes the store refused.
RETRY_EVERY = 5.0

K = TypeVar("K", bound=Hashable)


class SaveState(enum.Enum):
    TYPING = "typing"
    SAVED = "saved"
    FAILED = "failed"


class SaveFailed(RevueError):
    """Raised by a write function that wrote part of its changes: ``left`` is the rest."""

    def __init__(self, message: str, left: dict[Any, Any]) -> None:
        super().__init__(message)
        self.left = left


def failure_text(exc: Exception) -> str:
    """What the user reads when a write failed."""
    return str(exc) if isinstance(exc, RevueError) else f"enregistrement impossible ({exc})"


class Autosaver(Generic[K]):
    """Pending changes by key, written by ``write`` in one writer thread.

    ``write(changes)`` runs in the writer thread and raises on failure (:class:`SaveFailed` when
    part was written); ``show(state, error)`` runs on the UI thread and tells the user.
    """

    @dataclass
    class Saved(Message):
        autosaver: Autosaver[Any]
        error: str | None
        failed: dict[Any, Any] | None

    def __init__(
        self,
        screen: Screen[Any],
        write: Callable[[dict[K, Any]], None],
        show: Callable[[SaveState, str | None], None],
        *,
        delay: float = SAVE_DELAY,
        name: str = "revue-save",
    ) -> None:
        self.screen = screen
        self._write = write
        self._show = show
        self._delay = delay
        self._pending: dict[K, Any] = {}
        self._timer: Timer | None = None
        self._retry: Timer | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False

    # --- what the screen calls ----------------------------------------------------------------

    def queue(self, key: K, value: Any, *, now: bool = False) -> None:
        """Remember a change; write it after a pause in typing, or at once with ``now``."""
        self._pending[key] = value
        self._show(SaveState.TYPING, None)
        if now:
            self.flush()
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.screen.set_timer(self._delay, self.flush)

    @property
    def unsaved(self) -> bool:
        """Changes are waiting (typing, or a write the store refused)."""
        return bool(self._pending) or self._retry is not None

    def flush(self, *, wait: bool = False) -> None:
        """Write what is pending: in the background, or with ``wait`` before returning (on
        leaving the screen and when the app closes). Writes keep the order they were made in."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self._pending:
            if wait and not self._closed:
                self._executor.submit(lambda: None).result()
            return
        pending, self._pending = self._pending, {}
        if self._closed:  # the screen is gone: write here and now
            self._done(*self._attempt(pending))
            return
        future = self._executor.submit(self._attempt, pending)
        if wait:  # one thread: the earlier writes are done before this one
            self._done(*future.result())
        else:
            future.add_done_callback(self._post)

    def run(self, job: Callable[[], Any], done: Callable[[Any, Exception | None], None]) -> None:
        """Run a one-off write (adding an evidence item) in the writer thread, after what is
        pending, and give its result or exception to ``done`` on the UI thread."""
        self.flush()

        def attempt() -> None:
            try:
                result, error = job(), None
            except Exception as exc:  # handed to the UI thread, which says what happened
                result, error = None, exc
            self.screen.post_message(Reply(done, (result, error)))

        self._executor.submit(attempt)

    def close(self) -> None:
        """Write what is left and stop the writer thread (the screen is being removed)."""
        self.flush(wait=True)
        if self._retry is not None:
            self._retry.stop()
            self._retry = None
        self._executor.shutdown(wait=True)
        self._closed = True

    # --- the writer thread and back -------------------------------------------------------------

    def _attempt(self, pending: dict[K, Any]) -> tuple[str | None, dict[K, Any] | None]:
        """Runs in the writer thread: a French error and what is left to write."""
        try:
            self._write(pending)
        except SaveFailed as exc:
            return str(exc), exc.left
        except Exception as exc:  # kept on screen and retried; the user reads why
            return failure_text(exc), pending
        return None, None

    def _post(self, future: Future[tuple[str | None, dict[K, Any] | None]]) -> None:
        error, failed = future.result()
        self.screen.post_message(self.Saved(self, error, failed))

    def _done(self, error: str | None, failed: dict[K, Any] | None) -> None:
        """On the UI thread: keep what failed (newer changes of the same keys win), retry."""
        if failed:
            self._pending = {**failed, **self._pending}
            if self._retry is None and not self._closed:
                self._retry = self.screen.set_interval(RETRY_EVERY, self._try_again)
        elif error is None and self._retry is not None and not self._pending:
            self._retry.stop()
            self._retry = None
        if self.screen.is_attached:
            self._show(SaveState.FAILED if error else SaveState.SAVED, error)

    def _try_again(self) -> None:
        if self._pending:
            self.flush()
