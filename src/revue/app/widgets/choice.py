"""A choice among a few options, made with one key on a focused row: no drop-down.

A drop-down list opens an overlay that takes the keys typed next (searching its options)
instead of the field the user meant to reach; this row never opens anything. Every option is
shown with its number: « ① à engager  ② en cours … ». The number, or the option's initial
(again to go to the next option with the same initial), chooses it; ← and → move along;
Suppr clears it when it may be left empty; a click chooses too. The chosen option is shown
in reverse video, and the row's frame says when it has the focus.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget


def _initial(label: str) -> str:
    """The option's initial without its accent: « é » of « évaluations » is typed « e »."""
    first = unicodedata.normalize("NFD", label.strip()[:1].lower())
    return first[:1]


class Choice(Widget, can_focus=True):
    """One of ``options`` (value, label); ``value`` is None when nothing is chosen (allowed
    only with ``allow_blank``: Suppr or ← Retour arrière clears it)."""

    DEFAULT_CSS = """
    Choice {
        height: auto;
        width: 1fr;
        padding: 0 1;
        border-left: outer $panel;
    }
    Choice:focus {
        border-left: outer $accent;
        background: $accent 35%;
        text-style: bold;
    }
    Choice:disabled {
        opacity: 0.6;
    }
    """

    BINDINGS = [
        Binding("left", "move(-1)", "Précédent", show=False),
        Binding("right", "move(1)", "Suivant", show=False),
        Binding("delete,backspace", "clear", "Effacer", show=False),
    ]

    value: reactive[str | None] = reactive(None, init=False)

    @dataclass
    class Changed(Message):
        """The user chose another option (or cleared it)."""

        choice: Choice
        value: str | None

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        *,
        value: str | None = None,
        allow_blank: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.options = list(options)
        self.allow_blank = allow_blank
        if value is None and not allow_blank:
            value = self.options[0][0]
        self.set_reactive(Choice.value, value)

    def render(self) -> Content:
        parts: list[Content] = []
        for number, (value, label) in enumerate(self.options, start=1):
            chosen = value == self.value
            mark = "●" if chosen else "○"
            # Non-breaking inside an option: a narrow row wraps between options only.
            piece = Content(f"{number} {mark} {label}".replace(" ", "\u00a0"))
            style = Style.from_meta({"@click": f"choose({number})"})
            if chosen:
                style = Style(reverse=True, bold=True) + style
            parts.append(piece.stylize(style))
        return Content("   ").join(parts)

    def watch_value(self) -> None:
        self.refresh(layout=True)

    def _choose(self, value: str | None) -> None:
        if value == self.value:
            return
        self.value = value
        self.post_message(self.Changed(self, value))

    def action_choose(self, number: int) -> None:
        if self.disabled:
            return
        self.focus()
        if 1 <= number <= len(self.options):
            self._choose(self.options[number - 1][0])

    def action_move(self, step: int) -> None:
        values = [v for v, _ in self.options]
        if self.value is None:
            at = 0 if step > 0 else len(values) - 1
        else:
            at = (values.index(self.value) + step) % len(values)
        self._choose(values[at])

    def action_clear(self) -> None:
        if self.allow_blank:
            self._choose(None)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return bool(character and self._option_for(character) is not None)

    def _option_for(self, character: str) -> str | None:
        """The option a typed character chooses, or None."""
        if character.isdigit():
            number = int(character)
            return self.options[number - 1][0] if 1 <= number <= len(self.options) else None
        letter = _initial(character)
        if not letter.isalpha():
            return None
        matching = [v for v, label in self.options if _initial(label) == letter]
        if not matching:
            return None
        if self.value in matching:  # the same initial again: the next option with it
            return matching[(matching.index(self.value) + 1) % len(matching)]
        return matching[0]

    async def _on_key(self, event: Key) -> None:
        if event.character and not self.disabled:
            chosen = self._option_for(event.character)
            if chosen is not None:
                event.stop()
                event.prevent_default()
                self._choose(chosen)
                return
        await super()._on_key(event)


class Checklist(Widget, can_focus=True):
    """Items to tick, one a line (« ☑ 1 Former les directeurs »): the item's number ticks
    or unticks it, ↑ ↓ and Espace do the same one by one, a click too. ``ticked`` holds the
    indices of the ticked items."""

    DEFAULT_CSS = """
    Checklist {
        height: auto;
        width: 1fr;
        padding: 0 1;
        border-left: outer $panel;
    }
    Checklist:focus {
        border-left: outer $accent;
        background: $accent 35%;
        text-style: bold;
    }
    Checklist:disabled {
        opacity: 0.6;
    }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Précédente", show=False),
        Binding("down", "cursor(1)", "Suivante", show=False),
        Binding("space,enter", "tick_cursor", "Cocher", show=False),
    ]

    @dataclass
    class Changed(Message):
        """An item was ticked or unticked."""

        checklist: Checklist
        index: int
        ticked: bool

        @property
        def control(self) -> Checklist:
            return self.checklist

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.labels: list[str] = []
        self.ticked: set[int] = set()
        self.cursor = 0

    def set_items(self, labels: Sequence[str], ticked: set[int]) -> None:
        """Show other items (no Changed message)."""
        self.labels = list(labels)
        self.ticked = set(ticked)
        self.cursor = 0
        self.refresh(layout=True)

    def render(self) -> Content:
        lines: list[Content] = []
        for number, label in enumerate(self.labels, start=1):
            mark = "☑" if number - 1 in self.ticked else "☐"
            line = Content(f"{mark} {number}  {label}").stylize(
                Style.from_meta({"@click": f"tick({number})"})
            )
            if self.has_focus and number - 1 == self.cursor:
                line = line.stylize(Style(underline=True))
            lines.append(line)
        return Content("\n").join(lines)

    def action_tick(self, number: int) -> None:
        if self.disabled or not 1 <= number <= len(self.labels):
            return
        self.focus()
        index = number - 1
        self.cursor = index
        now = index not in self.ticked
        (self.ticked.add if now else self.ticked.discard)(index)
        self.refresh()
        self.post_message(self.Changed(self, index, now))

    def action_tick_cursor(self) -> None:
        self.action_tick(self.cursor + 1)

    def action_cursor(self, step: int) -> None:
        if self.labels:
            self.cursor = (self.cursor + step) % len(self.labels)
            self.refresh()

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return bool(character and character.isdigit())

    async def _on_key(self, event: Key) -> None:
        if event.character and event.character.isdigit() and not self.disabled:
            number = int(event.character)
            if 1 <= number <= len(self.labels):
                event.stop()
                event.prevent_default()
                self.action_tick(number)
                return
        await super()._on_key(event)
