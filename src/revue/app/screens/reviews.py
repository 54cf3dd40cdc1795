"""A contract's reviews: open one, start one, close or reopen it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Label, Static

from revue.app.screens.base import RevueModal, RevueScreen
from revue.app.widgets.choice import Choice
from revue.app.widgets.dialogs import ConfirmScreen
from revue.domain.contract import Contract
from revue.domain.errors import RevueError
from revue.domain.review import ReviewKind, ReviewSummary
from revue.domain.schoolyear import school_year_of, school_years_of_contract

if TYPE_CHECKING:
    from revue.store.store import Store


class ReviewsScreen(RevueScreen[None]):
    """Lists the reviews of one contract."""

    FIRST_LOAD = frozenset({"load"})

    HELP = (
        "Les revues du contrat : examens annuels, évaluation à mi-parcours, bilan final. "
        "Entrée ouvre la revue choisie pour l'examiner objectif par objectif ; « n » en commence "
        "une nouvelle. Une revue clôturée se consulte sans se modifier ; la rouvrir est une "
        "décision enregistrée."
    )
    BINDINGS = [
        # Not in the footer (no room at 80 columns): the help and the palette list it.
        Binding("escape", "back", "Retour", id="back", show=False),
        Binding("enter", "open", "Ouvrir", id="open", tooltip="Examiner la revue choisie"),
        Binding("n", "new", "Créer", id="new", tooltip="Commencer une nouvelle revue"),
        Binding("v", "overview", "Vue", id="overview", tooltip="Vue d'ensemble de la revue"),
        Binding(
            "d",
            "changes",
            "Changements",
            id="changes",
            tooltip="Ce qui a changé depuis la revue précédente",
        ),
        Binding(
            "a",
            "avenant",
            "Avenant",
            id="avenant",
            tooltip="Enregistrer un avenant (évaluation à mi-parcours)",
        ),
        # The same key where an avenant cannot be recorded: says why instead of nothing.
        Binding("a", "avenant_refused", show=False),
        Binding(
            "s",
            "synthesis",
            "Synth.",
            id="synthesis",
            tooltip="Synthèse pour le bilan : points forts, vigilance, perspectives",
        ),
        Binding("b", "bilan", "Bilan", id="bilan", tooltip="Écrire le bilan de la revue choisie"),
        Binding("c", "close_review", "Clôturer", id="close"),
        Binding("o", "reopen_review", "Rouvrir", id="reopen", tooltip="Rouvrir la revue choisie"),
    ]

    @dataclass
    class Loaded(Message):
        contract: Contract
        reviews: list[ReviewSummary]

    def __init__(self, contract_id: str) -> None:
        super().__init__()
        self.contract_id = contract_id
        self.contract: Contract | None = None
        self.reviews: list[ReviewSummary] = []

    def compose(self) -> ComposeResult:
        yield Static("Revues", id="reviews-title", classes="screen-title")
        yield DataTable(id="reviews", cursor_type="row", zebra_stripes=True)
        yield Static("", id="reviews-empty", classes="empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # As wide as the longest title (« Évaluation à mi-parcours 2024-2025 »), set in show().
        table.add_column("Revue", key="title", width=34)
        table.add_column("État", key="state", width=10)
        table.add_column("Avancement", key="progress", width=26)
        self.load()

    def on_screen_resume(self) -> None:
        if self.contract is not None:
            self.load()

    @work(thread=True, exclusive=True, group="reviews")
    def load(self) -> None:
        store = self.store
        self.post_message(
            self.Loaded(store.get_contract(self.contract_id), store.list_reviews(self.contract_id))
        )

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.contract = message.contract
        self.reviews = message.reviews
        self.query_one("#reviews-title", Static).update(
            f"Revues — {message.contract.circonscription} — {message.contract.title}"
        )
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        width = max((len(r.title) for r in message.reviews), default=0)
        title_column = table.columns[next(iter(table.columns))]
        if width > title_column.width:
            title_column.width = width
        for review in message.reviews:
            table.add_row(
                review.title,
                "clôturée" if review.closed else "ouverte",
                f"{review.examined}/{review.total} objectifs examinés",
                key=str(review.id),
            )
        empty = self.query_one("#reviews-empty", Static)
        empty.display = not message.reviews
        table.display = bool(message.reviews)
        if message.reviews:
            table.move_cursor(row=min(row, len(message.reviews) - 1))
            table.focus()
        else:
            empty.update(
                "Aucune revue pour ce contrat.\n\nAppuyez sur « n » pour commencer "
                "l'examen annuel de l'année scolaire."
            )
        self.refresh_bindings()

    def selected(self) -> ReviewSummary | None:
        table = self.query_one(DataTable)
        if not self.reviews or not table.display:
            return None
        return self.reviews[min(table.cursor_row, len(self.reviews) - 1)]

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open()

    @on(DataTable.RowHighlighted)
    def row_highlighted(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what fits the selected review (and keep the footer short)."""
        review = self.selected()
        if action == "avenant_refused":  # the same key, where « avenant » is not offered
            return review is None or review.kind is not ReviewKind.MIDTERM or review.closed
        if (
            action
            in (
                "open",
                "overview",
                "changes",
                "avenant",
                "close_review",
                "reopen_review",
                "synthesis",
                "bilan",
            )
            and review is None
        ):
            return False
        if review is not None:
            if action == "close_review":
                return not review.closed
            if action == "reopen_review":
                return review.closed
            if action == "avenant":
                return review.kind is ReviewKind.MIDTERM and not review.closed
            if action == "changes":
                return self.reviews.index(review) > 0
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open(self) -> None:
        review = self.selected()
        if review is not None:
            from revue.app.screens.walk import WalkScreen

            self.app.push_screen(WalkScreen(review.id))

    def action_new(self) -> None:
        if self.contract is None:
            return

        def created(review_id: uuid.UUID | None) -> None:
            if review_id is not None:
                from revue.app.screens.walk import WalkScreen

                self.load()
                self.app.push_screen(WalkScreen(review_id))

        self.app.push_screen(NewReviewScreen(self.contract), created)

    def action_overview(self) -> None:
        review = self.selected()
        if review is not None:
            from revue.app.screens.overview import OverviewScreen

            self.app.push_screen(OverviewScreen(review.id))

    def action_changes(self) -> None:
        review = self.selected()
        if review is not None:
            from revue.app.screens.changes import ChangesScreen

            self.app.push_screen(ChangesScreen(review.id))

    def action_avenant(self) -> None:
        review = self.selected()
        if review is not None:
            from revue.app.screens.avenant import AvenantScreen

            self.app.push_screen(AvenantScreen(review.id), self._reload)

    def action_avenant_refused(self) -> None:
        review = self.selected()
        if review is None:
            self.notify("Choisissez d'abord l'évaluation à mi-parcours dans la liste.")
        elif review.closed:
            self.notify(
                f"« {review.title} » est clôturée : un avenant ne s'y enregistre plus. "
                "Rouvrez-la d'abord (« o ») si c'est nécessaire.",
                title="Avenant impossible",
                severity="warning",
            )
        else:
            self.notify(
                f"Un avenant s'enregistre lors de l'évaluation à mi-parcours, pas dans "
                f"« {review.title} ». Choisissez l'évaluation à mi-parcours dans la liste "
                "(ou créez-la avec « n »).",
                title="Avenant impossible",
                severity="warning",
            )

    def _reload(self, _result: object = None) -> None:
        self.load()

    def action_synthesis(self) -> None:
        review = self.selected()
        if review is not None:
            from revue.app.screens.synthesis import SynthesisScreen

            self.app.push_screen(SynthesisScreen(review.id), self._reload)

    def action_bilan(self) -> None:
        review = self.selected()
        if review is not None:
            from revue.app.screens.bilan import BilanScreen

            self.app.push_screen(
                BilanScreen(self.contract_id, review.school_year, review.kind.value)
            )

    def action_close_review(self) -> None:
        review = self.selected()
        if review is None:
            return
        if review.closed:
            self.notify("Cette revue est déjà clôturée.")
            return

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self._write(
                    lambda store: store.close_review(review.id), f"{review.title} clôturée."
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Clôturer « {review.title} » ?",
                f"{review.examined}/{review.total} objectifs examinés. Une fois clôturée, la "
                "revue se consulte mais ne se modifie plus ; la rouvrir sera une décision "
                "enregistrée.",
                "Clôturer",
            ),
            confirmed,
        )

    def action_reopen_review(self) -> None:
        review = self.selected()
        if review is None:
            return
        if not review.closed:
            self.notify("Cette revue est ouverte.")
            return

        def confirmed(reason: str | None) -> None:
            if reason:
                self._write(
                    lambda store: store.reopen_review(review.id, reason),
                    f"{review.title} rouverte.",
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Rouvrir « {review.title} » ?",
                "Indiquez pourquoi : la réouverture est enregistrée avec son motif.",
                "Rouvrir",
                ask_reason=True,
            ),
            confirmed,
        )

    @dataclass
    class Written(Message):
        said: str
        error: str | None

    @work(thread=True, group="reviews-write")
    def _write(self, operation: Callable[[Store], object], done: str) -> None:
        try:
            operation(self.store)
        except RevueError as exc:
            self.post_message(self.Written(done, str(exc)))
            return
        self.post_message(self.Written(done, None))

    @on(Written)
    def written(self, message: Written) -> None:
        if message.error is not None:
            self.notify(message.error, severity="error")
            return
        self.notify(message.said)
        self.load()


class NewReviewScreen(RevueModal[uuid.UUID | None]):
    """Choose the school year and the kind of a new review."""

    #: « Commencer » opens the walk of the new review: the keys typed next are for it.
    KEYS_WAIT_FOR = frozenset({"_create"})

    BINDINGS = [
        Binding("escape", "cancel", "Annuler", id="cancel"),
        Binding("enter", "create", "Commencer", id="create"),
    ]

    def __init__(self, contract: Contract) -> None:
        super().__init__()
        self.contract = contract

    def compose(self) -> ComposeResult:
        years = school_years_of_contract(self.contract)
        current = school_year_of(dt.date.today())
        default = current if current in years else years[-1]
        with Vertical(classes="dialog"):
            yield Label("Nouvelle revue", classes="dialog-title")
            yield Label("Année scolaire (tapez son numéro)")
            yield Choice([(y, y) for y in years], value=default, id="year")
            yield Label("Nature (tapez son numéro)")
            yield Choice(
                [(k.value, k.label.capitalize()) for k in ReviewKind],
                value=ReviewKind.ANNUAL.value,
                id="kind",
            )
            yield Static("", id="new-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Commencer", id="create", variant="primary")
                yield Button("Annuler", id="no")
        yield Footer(compact=True)

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        year = str(self.query_one("#year", Choice).value)
        kind = ReviewKind(str(self.query_one("#kind", Choice).value))
        self._create(year, kind)

    @work(thread=True, exclusive=True)
    def _create(self, year: str, kind: ReviewKind) -> None:
        try:
            review = self.store.create_review(self.contract.id, year, kind)
        except RevueError as exc:
            self.post_message(self.Created(None, str(exc)))
            return
        self.post_message(self.Created(review.id, None))

    @dataclass
    class Created(Message):
        review_id: uuid.UUID | None
        error: str | None

    @on(Created)
    def created(self, message: Created) -> None:
        if message.error is not None or message.review_id is None:
            error = message.error or ""
            self.query_one("#new-error", Static).update(error[:1].upper() + error[1:])
            return
        self.dismiss(message.review_id)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.dismiss(None)
