"""App-wide messages."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class StoreChanged(Message):
    """The store changed (this app imported a file, or another process wrote to it): screens
    showing store data reload."""
