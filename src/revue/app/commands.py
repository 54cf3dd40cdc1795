"""The command palette's commands that fit the current screen."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from revue.app.screens.contracts import ContractsScreen
from revue.app.screens.help import key_label

if TYPE_CHECKING:
    from revue.app.app import RevueApp


def _edit(app: RevueApp, contract_id: str) -> None:
    from revue.app.screens.editor.screen import ContractEditorScreen

    app.push_screen(ContractEditorScreen(contract_id))


class RevueCommands(Provider):
    """Open a contract from the list; jump to an objective from a contract."""

    def _commands(self) -> list[tuple[str, str, object]]:
        # Imported here: the first screen does not need them, start-up does not wait for them.
        from revue.app.screens.academic import AcademicScreen
        from revue.app.screens.contract import ContractScreen
        from revue.app.screens.walk import WalkScreen

        screen = self.screen
        app = cast("RevueApp", self.app)
        out: list[tuple[str, str, object]] = []
        if isinstance(screen, ContractsScreen):
            for cid, title in screen.contract_ids():
                out.append((f"Ouvrir : {title}", f"contrat {cid}", partial(app.open_contract, cid)))
                out.append(
                    (f"Modifier : {title}", f"contrat {cid}", partial(screen.edit_contract, cid))
                )
            out.append(
                (
                    "Supprimer un projet académique",
                    "un projet qu'aucun contrat ne cite",
                    screen.delete_academic_project,
                )
            )
        if isinstance(screen, ContractsScreen):
            out.append(
                (
                    "Projet académique du contrat choisi (a)",
                    "ses parties, objectifs, leviers et critères ; la matrice d'alignement",
                    screen.action_academic,
                )
            )
        if isinstance(screen, AcademicScreen):
            for item in screen.items():
                out.append(
                    (
                        f"Projet académique — {item.level_name} {' '.join(item.label.split())}",
                        "aller à cet élément du projet académique",
                        partial(screen.go_to, item.key),
                    )
                )
        if isinstance(screen, WalkScreen):
            for number, objective in enumerate(screen.objectives(), start=1):
                text = " ".join(objective.display_title.split())
                where = screen.where(objective)
                out.append(
                    (
                        f"Objectif {number} : {text}",
                        f"aller à l'objectif — {where}",
                        partial(screen.go_to_objective, objective.id),
                    )
                )
        if isinstance(screen, ContractScreen):
            out.append(
                (
                    "Écrire ou corriger ce contrat",
                    "l'éditeur (en lecture seule une fois une revue ouverte)",
                    partial(_edit, app, screen.contract_id),
                )
            )
            out.append(
                (
                    "Matrice d'alignement avec le projet académique (m)",
                    "quels objectifs du contrat servent quels objectifs du projet académique",
                    screen.action_matrix,
                )
            )
            for objective in screen.objectives():
                text = " ".join(objective.display_title.split())
                out.append(
                    (
                        f"Objectif : {text}",
                        f"aller à l'objectif {objective.id}",
                        partial(screen.go_to_objective, objective.id),
                    )
                )
        if isinstance(screen, ContractsScreen):
            out.append(
                (
                    "Département : consolider des bilans",
                    "les bilans TOML reçus des circonscriptions (DSDEN)",
                    partial(_open_department, app),
                )
            )
        # Every key of the screen is also a command, so nothing is reachable only by its key.
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.show:
                title = binding.tooltip or binding.description
                out.append(
                    (
                        f"{title} ({key_label(binding.key)})",
                        "touche de cet écran",
                        partial(screen.run_action, binding.action),
                    )
                )
        return out

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]


def _open_department(app: RevueApp) -> None:
    from revue.app.screens.department import DepartmentScreen  # not at start-up

    app.push_screen(DepartmentScreen())
