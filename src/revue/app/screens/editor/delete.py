"""Deleting a contract or a projet académique from the contract list: a confirmation that
names it, a second one for a contract that has reviews, a backup before (the store takes it),
and the store's refusal, in French, for a projet a contract cites."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from revue.app.screens.base import RevueModal, RevueScreen
from revue.app.widgets.dialogs import ConfirmScreen
from revue.domain.contract import AcademicProjectSummary
from revue.domain.errors import RevueError
from revue.domain.french import typo
from revue.store.backup import Backup

BACKUP_FIRST = "Une sauvegarde des données est faite juste avant (revue backup list)."


def _told(screen: RevueScreen[Any], what: str, made: Backup | None, error: str) -> None:
    if error:
        screen.notify(typo(error), title="Refusé", severity="error", timeout=12)
        return
    saved = f" Sauvegarde : {made.path.name}." if made is not None else ""
    screen.notify(typo(f"{what} supprimé.{saved}"), title="Supprimé", timeout=8)
    reload = getattr(screen, "load", None)
    if callable(reload):
        reload()


def delete_contract(screen: RevueScreen[Any], slug: str, title: str) -> None:
    """Ask, then delete contract ``slug`` (``title`` names it in the questions)."""
    store = screen.store

    def count() -> None:  # thread
        screen.reply(ask, store.review_count(slug))

    def ask(reviews: int) -> None:
        text = f"Supprimer le contrat « {title} » ({slug}) ? {BACKUP_FIRST}"
        if reviews:
            text += (
                f" Il a {reviews} revue(s) : elles partiraient avec lui, une seconde "
                "confirmation vous le demandera."
            )
        screen.app.push_screen(
            ConfirmScreen("Supprimer le contrat", typo(text), "Supprimer"), partial(first, reviews)
        )

    def first(reviews: int, answer: str | None) -> None:
        if answer is None:
            return
        if not reviews:
            run(False)
            return
        screen.app.push_screen(
            ConfirmScreen(
                "Supprimer aussi ses revues",
                typo(
                    f"Le contrat « {title} » a {reviews} revue(s) (statuts, valeurs, analyses, "
                    "preuves, avenants). Elles seront supprimées avec lui ; seule la sauvegarde "
                    "faite avant permettra de les retrouver."
                ),
                f"Supprimer le contrat et ses {reviews} revue(s)",
            ),
            lambda answer: run(True) if answer is not None else None,
        )

    def run(with_reviews: bool) -> None:
        screen.run_worker(partial(write, with_reviews), thread=True, group="delete")

    def write(with_reviews: bool) -> None:  # thread
        try:
            made = store.delete_contract(slug, with_reviews=with_reviews)
        except RevueError as exc:
            screen.reply(_told, screen, "", None, str(exc))
            return
        screen.reply(_told, screen, f"Contrat « {title} »", made, "")

    screen.run_worker(count, thread=True, group="delete")


class AcademicDeleteScreen(RevueModal[None]):
    """Choose a projet académique to delete; a projet a contract cites is refused, the
    contracts named."""

    FIRST_LOAD = frozenset({"_list"})

    HELP = (
        "Supprimer un projet académique : choisissez-le puis confirmez. Un projet auquel un "
        "contrat se rattache ne se supprime pas (les contrats sont nommés). " + BACKUP_FIRST
    )
    BINDINGS = [Binding("escape", "cancel", "Annuler", id="cancel")]

    def __init__(self) -> None:
        super().__init__()
        self._titles: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="ed-add"):
            yield Label("Supprimer un projet académique", classes="dialog-title")
            yield OptionList(id="pa-list")
            yield Static("", id="pa-message", classes="error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.run_worker(self._list, name="_list", thread=True, group="pa-delete")

    def _list(self) -> None:  # thread
        self.reply(self._show, self.store.list_academic_projects())

    def _show(self, projects: list[AcademicProjectSummary]) -> None:
        listing = self.query_one("#pa-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(Text(f"{p.title} ({p.id})"), id=p.id) for p in projects])
        self.query_one("#pa-message", Static).update(
            "" if projects else "Aucun projet académique enregistré."
        )
        self._titles = {p.id: p.title for p in projects}
        listing.focus()

    @on(OptionList.OptionSelected, "#pa-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        slug = str(event.option.id)
        title = self._titles.get(slug, slug)
        self.app.push_screen(
            ConfirmScreen(
                "Supprimer le projet académique",
                typo(f"Supprimer le projet académique « {title} » ({slug}) ? {BACKUP_FIRST}"),
                "Supprimer",
            ),
            partial(self._confirmed, slug, title),
        )

    def _confirmed(self, slug: str, title: str, answer: str | None) -> None:
        if answer is not None:
            self.run_worker(partial(self._delete, slug, title), thread=True, group="pa-delete")

    def _delete(self, slug: str, title: str) -> None:  # thread
        try:
            made = self.store.delete_academic_project(slug)
        except RevueError as exc:
            self.reply(self._refused, str(exc))
            return
        self.reply(_told, self, f"Projet académique « {title} »", made, "")
        self.reply(self.dismiss, None)

    def _refused(self, error: str) -> None:
        """Said in the dialog, which stays open: another projet may be chosen."""
        self.query_one("#pa-message", Static).update(Text(typo(f"Refusé : {error}")))

    def action_cancel(self) -> None:
        self.dismiss(None)
