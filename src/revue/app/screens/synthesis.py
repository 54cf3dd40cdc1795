"""The synthesis of a review, for the bilan: points forts, points de vigilance, perspectives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, Static, TextArea

from revue.domain.errors import RevueError
from revue.domain.review import ReviewSummary, Synthesis

FIELDS = (
    ("strengths", "Points forts"),
    ("vigilance", "Points de vigilance"),
    ("perspectives", "Perspectives"),
)


class SynthesisScreen(Screen[None]):
    """Three texts, saved as they are typed, that the bilan takes up."""

    HELP = (
        "La synthèse de la revue, reprise dans le bilan : points forts, points de vigilance et "
        "perspectives. Le texte est enregistré au fil de la saisie."
    )
    BINDINGS = [Binding("escape", "back", "Retour", id="back")]
    SAVE_DELAY = 0.5

    @dataclass
    class Loaded(Message):
        review: ReviewSummary
        synthesis: Synthesis

    def __init__(self, review_id: uuid.UUID) -> None:
        super().__init__()
        self.review_id = review_id
        self.synthesis: Synthesis | None = None
        self._pending: dict[str, str] = {}
        self._timer: Any = None

    def compose(self) -> ComposeResult:
        yield Static("Synthèse", id="synthesis-title", classes="screen-title")
        with VerticalScroll(id="synthesis-body"):
            for key, label in FIELDS:
                yield Label(label, classes="part")
                yield TextArea(
                    id=key, soft_wrap=True, compact=True, classes="long-text", disabled=True
                )
        yield Static("", id="synthesis-saved")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        self.post_message(
            self.Loaded(store.get_review(self.review_id), store.get_synthesis(self.review_id))
        )

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.synthesis = message.synthesis
        closed = " — clôturée, lecture seule" if message.review.closed else ""
        self.query_one("#synthesis-title", Static).update(
            f"Synthèse — {message.review.title}{closed}"
        )
        for key, _label in FIELDS:
            area = self.query_one(f"#{key}", TextArea)
            area.text = getattr(message.synthesis, key)
            area.disabled = False
            area.read_only = message.review.closed
        self.query_one("#strengths", TextArea).focus()

    @on(TextArea.Changed)
    def changed(self, event: TextArea.Changed) -> None:
        key = event.text_area.id or ""
        if self.synthesis is None or getattr(self.synthesis, key) == event.text_area.text:
            return
        setattr(self.synthesis, key, event.text_area.text)
        self._pending[key] = event.text_area.text
        self.query_one("#synthesis-saved", Static).update("… saisie")
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.SAVE_DELAY, self.flush)

    def flush(self, *, wait: bool = True) -> None:
        """Write what is pending, at once (three short texts); ``wait`` is accepted so the app
        can flush every screen the same way when it closes."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            self.app.store.save_synthesis(self.review_id, **pending)  # type: ignore[attr-defined]
            message = "✓ Enregistré"
        except RevueError as exc:
            message = f"⚠ non enregistré : {exc}"
        if self.query("#synthesis-saved"):
            self.query_one("#synthesis-saved", Static).update(message)

    def on_unmount(self) -> None:
        self.flush()

    def action_back(self) -> None:
        self.flush()
        self.app.pop_screen()
