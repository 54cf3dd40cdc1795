"""No text from the data acts on the terminal.

The importers refuse control characters, but a store written by an older revue may still hold
some (an ESC in a theme from an exchange file). Every line the app draws goes through this
filter, which drops them: they have no width, so the layout does not move.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from revue.domain.text import CONTROL


class ControlCharacters(LineFilter):
    """Drops C0/C1 control characters from the text of every segment drawn."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(CONTROL.search(segment.text) for segment in segments):
            return segments
        out = []
        for segment in segments:
            if segment.control is None and CONTROL.search(segment.text):
                segment = Segment(CONTROL.sub("", segment.text), segment.style)
            out.append(segment)
        return out
