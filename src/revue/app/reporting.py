"""What the app tells the user about the store beyond the screens: an unexpected error, and a
write that waits for another program.

Textual's own handling of an unexpected error prints a traceback with the local variables of
every frame after the app closes: the text of a note, a teacher's name, whatever was being
saved. :class:`ReportingApp` replaces it: a French sentence, and a report without personal data
(:mod:`revue.formats.crash`) whose path the sentence gives.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import App
from textual.message import Message
from textual.worker import WorkerFailed

from revue.formats.crash import crash_message, write_report
from revue.store.db import is_database_error, sqlite_reason


class ReportingApp(App[None]):
    """An app that ends on an unexpected error with a French sentence and a private report."""

    #: What the user was told when the app stopped on an unexpected error (None until then).
    crash_text: str | None = None

    # Textual 8.2's hook for every unhandled exception (message handlers, workers, the
    # compositor): the original renders a rich Traceback(show_locals=True). Textual is pinned
    # (pyproject.toml); tests/app/test_crash_reports.py fails if the hook stops being called.
    def _handle_exception(self, error: Exception) -> None:
        self._return_code = 1
        if self._exception is None:  # run_test re-raises it, so that tests see the error
            self._exception = error
            self._exception_event.set()
        if self.crash_text is None:  # the first error is the one the user is told about
            cause = error.error if isinstance(error, WorkerFailed) else error
            self.crash_text = _sentence(cause)
            self._exit_renderables.append(Text(f"revue : {self.crash_text}"))
        self._close_messages_no_wait()

    def _fatal_error(self) -> None:
        """Textual's traceback printer, in case anything calls it: the same as above."""
        error = sys.exc_info()[1]
        self._handle_exception(error if isinstance(error, Exception) else RuntimeError())

    @dataclass
    class StoreBusy(Message):
        """A write waits for another program (a long merge in a terminal)."""

        text: str

    def tell_waiting(self, text: str) -> None:
        """The store's wait notice: called from a writer's thread, shown on the UI thread."""
        self.post_message(self.StoreBusy(text))

    @on(StoreBusy)
    def _show_waiting(self, message: StoreBusy) -> None:
        self.notify(message.text[:1].upper() + message.text[1:], title="En attente", timeout=8)


def _sentence(error: BaseException) -> str:
    """The French sentence for an unexpected error; the report is written on the way."""
    try:
        reason = sqlite_reason(error) if is_database_error(error) else None
        return crash_message(error, write_report(error), reason=reason)
    except Exception:  # never a second traceback while telling about the first
        return "erreur inattendue de revue : l'opération en cours n'a pas abouti."
