"""App-wide messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message


@dataclass
class StoreChanged(Message):
    """The store changed (this app imported a file, or another process wrote to it): screens
    showing store data reload."""


@dataclass
class Reply(Message):
    """A thread worker's result, for the UI thread: ``then(*args)`` runs there (posted by
    :meth:`revue.app.screens.base.RevueScreen.reply` and by the autosaver's one-off jobs)."""

    then: Callable[..., object]
    args: tuple[object, ...]
