"""The synthesis of a review, for the bilan: points forts, points de vigilance, perspectives."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Label, Static, TextArea

from revue.app.screens.base import RevueScreen
from revue.app.widgets.autosave import SaveState
from revue.app.widgets.dialogs import StaleEditScreen, both_texts
from revue.domain.errors import StaleEdit
from revue.domain.review import ReviewSummary, Synthesis

FIELDS = (
    ("strengths", "Points forts"),
    ("vigilance", "Points de vigilance"),
    ("perspectives", "Perspectives"),
)


class SynthesisScreen(RevueScreen[None]):
    """Three texts, saved as they are typed, that the bilan takes up."""

    FIRST_LOAD = frozenset({"load"})

    HELP = (
        "La synthèse de la revue, reprise dans le bilan : points forts, points de vigilance et "
        "perspectives. Le texte est enregistré au fil de la saisie."
    )
    BINDINGS = [Binding("escape", "back", "Retour", id="back")]

    @dataclass
    class Loaded(Message):
        review: ReviewSummary
        synthesis: Synthesis

    @dataclass
    class Stale(Message):
        """Texts someone else saved meanwhile: what is stored."""

        theirs: dict[str, str]

    def __init__(self, review_id: uuid.UUID) -> None:
        super().__init__()
        self.review_id = review_id
        self.synthesis: Synthesis | None = None
        #: The stored text each edit starts from; read and written by the writer thread.
        self._stored: dict[str, str] = {}
        self._stored_lock = threading.Lock()
        #: The fields whose question is on screen.
        self._asking: set[str] = set()
        # The walk's autosaver: written off the UI thread, kept and retried when refused.
        self.saver = self.autosaver(self._write, self._show_saved, name="revue-synthesis")

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
        store = self.store
        self.post_message(
            self.Loaded(store.get_review(self.review_id), store.get_synthesis(self.review_id))
        )

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.synthesis = message.synthesis
        with self._stored_lock:
            self._stored = {key: getattr(message.synthesis, key) for key, _label in FIELDS}
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
        self.saver.queue(key, event.text_area.text)

    def _write(self, pending: dict[str, Any]) -> None:
        """Runs in the writer thread: a text someone else saved meanwhile is not written
        over; the screen asks which to keep."""
        with self._stored_lock:
            expected = {key: self._stored[key] for key in pending if key in self._stored}
        try:
            self.store.save_synthesis(self.review_id, expected=expected, **pending)
        except StaleEdit as stale:
            theirs = {key: str(value) for key, value in stale.theirs.items()}
            self.post_message(self.Stale(theirs))
            pending = {key: v for key, v in pending.items() if key not in theirs}
            if pending:
                rest = {key: expected[key] for key in pending if key in expected}
                self.store.save_synthesis(self.review_id, expected=rest, **pending)
        with self._stored_lock:
            self._stored.update(pending)

    @on(Stale)
    def stale(self, message: Stale) -> None:
        for key, theirs in message.theirs.items():
            if key not in self._asking:  # already asked: the answer takes what is typed by then
                self._asking.add(key)
                self._ask(key, theirs)

    def _ask(self, key: str, theirs: str) -> None:
        labels = dict(FIELDS)

        def chosen(choice: str | None) -> None:
            self._asking.discard(key)
            if self.synthesis is None:
                return
            with self._stored_lock:
                self._stored[key] = theirs
            area = self.query_one(f"#{key}", TextArea)
            mine = area.text
            if choice == "theirs":
                value = theirs
            elif choice == "both":
                value = both_texts(theirs, mine)
            else:
                value = mine
            setattr(self.synthesis, key, value)
            if area.text != value:
                with self.prevent(TextArea.Changed):
                    area.load_text(value)
            if choice != "theirs":
                self.saver.queue(key, value, now=True)

        self.app.push_screen(
            StaleEditScreen(
                f"« {labels[key].lower()} »",
                self.query_one(f"#{key}", TextArea).text,
                theirs,
                can_join=True,
            ),
            chosen,
        )

    def _show_saved(self, state: SaveState, error: str | None) -> None:
        found = self.query("#synthesis-saved")
        if not found:
            return
        text = {SaveState.TYPING: "… saisie", SaveState.SAVED: "✓ Enregistré"}.get(
            state, f"⚠ non enregistré : {error} — le texte reste à l'écran, revue réessaie."
        )
        found.first(Static).update(text)
