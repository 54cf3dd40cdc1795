"""The command palette in French, objectives found by the words of their text, and Textual's own
words in French (the drop-down lists still used on a few screens).

Textual 8 has no translation catalogue: its texts are binding descriptions and literals. The
palette is a subclass with French bindings and a French « no match » line; the drop-down's
overlay gets French bindings once (:func:`frenchify_textual`, called when the app is built).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import ClassVar

from rich.align import Align
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.command import CommandList, CommandPalette, Hit, Hits, Provider
from textual.widgets.option_list import Option

from revue.domain.contract import Objective
from revue.domain.french import clip, fold

#: What the palette says when nothing matches what is typed.
NO_MATCH = "Aucun résultat : essayez un autre mot (les accents ne comptent pas)"


class RevuePalette(CommandPalette):
    """Textual's command palette, speaking French."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+end, shift+end", "command_list('last')", "Aller à la fin", show=False),
        Binding("ctrl+home, shift+home", "command_list('first')", "Aller au début", show=False),
        Binding("down", "cursor_down", "Commande suivante", show=False),
        Binding("escape", "escape", "Fermer la palette"),
        Binding("pagedown", "command_list('page_down')", "Page suivante", show=False),
        Binding("pageup", "command_list('page_up')", "Page précédente", show=False),
        Binding("up", "command_list('cursor_up')", "Commande précédente", show=False),
    ]

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's, with a French line (Textual writes "No matches found")."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(NO_MATCH, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(
            self._NO_MATCHES_COUNTDOWN, show_no_matches, name="no-matches"
        )


_DONE = False


def frenchify_textual() -> None:
    """French descriptions for the bindings of Textual's widgets that show them (the footer
    of an open drop-down list said « esc Dismiss menu »). Once per process."""
    global _DONE
    if _DONE:
        return
    _DONE = True
    from textual.widgets._select import SelectOverlay

    SelectOverlay.BINDINGS = [Binding("escape", "dismiss", "Fermer la liste")]
    SelectOverlay._merged_bindings = SelectOverlay._merge_bindings()


class ObjectiveText(Provider):
    """Objectives found by any word of their text, accents and case ignored (« non-reponse »
    finds « non-réponse »), in the walk and on a contract. The palette's own commands
    (:class:`~revue.app.commands.RevueCommands`) match the short titles letter by letter; this
    adds the objectives they miss, so that no objective is listed twice."""

    def _objectives(self) -> list[tuple[str, Objective, Callable[[], Awaitable[None] | None]]]:
        from revue.app.screens.contract import ContractScreen  # not at start-up
        from revue.app.screens.walk import WalkScreen

        screen = self.screen
        if isinstance(screen, WalkScreen):
            return [
                (
                    f"Objectif {n} : {' '.join(o.display_title.split())}",
                    o,
                    partial(screen.go_to_objective, o.id),
                )
                for n, o in enumerate(screen.objectives(), start=1)
            ]
        if isinstance(screen, ContractScreen):
            return [
                (
                    f"Objectif : {' '.join(o.display_title.split())}",
                    o,
                    partial(screen.go_to_objective, o.id),
                )
                for o in screen.objectives()
            ]
        return []

    async def search(self, query: str) -> Hits:
        words = fold(query).split()
        if not words:
            return
        matcher = self.matcher(query)
        for title, objective, callback in self._objectives():
            if matcher.match(title) > 0:
                continue  # RevueCommands lists it already
            text = fold(" ".join([objective.title, objective.text, *objective.criteria]))
            if all(word in text for word in words):
                yield Hit(
                    0.5,
                    Text(title),
                    callback,
                    help="trouvé dans le texte : " + clip(" ".join(objective.text.split()), 90),
                )
