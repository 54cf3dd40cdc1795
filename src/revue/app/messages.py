"""App-wide messages."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class StoreChanged(Message):
    """Contracts were added or replaced: lists showing them should reload."""
