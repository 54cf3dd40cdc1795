"""The entry form's completing input (its one-key choices are
:class:`revue.app.widgets.choice.Choice`).

``CompletingInput`` proposes the choice that fits the last item typed (the start of a word of
the UAI, the name or the commune, then a fuzzy match). When the proposal continues what is
typed, it is drawn after it, faded, as Textual does; when it does not (« Till » finds « 0579901A
École élémentaire des Tilleuls »), it is drawn after an arrow, never over the typed text.
→ (or Entrée) takes it."""

from __future__ import annotations

from textual.binding import Binding
from textual.fuzzy import Matcher
from textual.suggester import Suggester
from textual.widgets import Input

from revue.domain.french import fold

#: Between what is typed and a proposal that does not continue it.
ARROW = "  → "


def best_choice(needle: str, choices: list[str]) -> str | None:
    """The choice that fits ``needle``: the first whose UAI, name or any word starts with it
    (accents and case ignored), else the best fuzzy match, else None (under two letters)."""
    needle = needle.strip()
    if len(needle) < 2:
        return None
    folded = fold(needle)
    for choice in choices:
        words = fold(choice)
        if words.startswith(folded) or f" {folded}" in words or f"-{folded}" in words:
            return choice
    matcher = Matcher(needle)
    score, best = max(((matcher.match(c), c) for c in choices), default=(0.0, ""))
    return best if score > 0 else None


class _Proposals(Suggester):
    """What the input draws after the text: the rest of the choice, or an arrow and the
    choice. The input takes it with → (``CompletingInput.accept``)."""

    def __init__(self, owner: CompletingInput) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.owner = owner

    async def get_suggestion(self, value: str) -> str | None:
        head, last = self.owner.split(value)
        choice = best_choice(last, self.owner.choices)
        if choice is None:
            return None
        completed = head + choice
        if completed == value:
            return None
        if completed.startswith(value):
            return completed
        return value + ARROW + choice


class CompletingInput(Input):
    """An input completing its last item (after ``separator``) from ``choices``."""

    BINDINGS = [Binding("enter", "accept", "Prendre la proposition", show=False)]

    def __init__(
        self, choices: list[str], *, separator: str | None = None, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.choices = choices
        self.separator = separator
        self.suggester = _Proposals(self)

    def split(self, value: str) -> tuple[str, str]:
        """(what comes before the last item, with its separator; the last item)."""
        if self.separator is None:
            return "", value
        head, sep, last = value.rpartition(self.separator)
        return (f"{head}{sep} " if sep else ""), last

    @property
    def proposal(self) -> str | None:
        """The value the input would take with →, when a proposal is drawn."""
        suggestion = self._suggestion
        if not suggestion or not suggestion.startswith(self.value):
            return None
        tail = suggestion[len(self.value) :]
        if tail.startswith(ARROW):
            head, _last = self.split(self.value)
            return head + tail[len(ARROW) :]
        return suggestion

    def accept(self) -> bool:
        """Take the proposal (→ or Entrée at the end of the text). Typed fast, → may come
        before the proposal is drawn: it is then worked out here, the same one."""
        if not self.cursor_at_end:
            return False
        proposal = self.proposal
        head, last = self.split(self.value)
        if last.strip() in self.choices:  # already one of them
            return False
        if proposal is None:
            choice = best_choice(last, self.choices)
            proposal = head + choice if choice is not None else None
        if proposal is None or proposal == self.value:
            return False
        self.value = proposal
        self.cursor_position = len(proposal)
        return True

    def action_cursor_right(self, select: bool = False) -> None:
        if select or not self.accept():
            super().action_cursor_right(select)

    def action_accept(self) -> None:
        if not self.accept():
            self.post_message(self.Submitted(self, self.value))
