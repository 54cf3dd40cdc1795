"""A contract: its tree on the left, the selected node's detail on the right."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from revue.app.screens.base import RevueScreen
from revue.app.widgets.detail import Detail
from revue.domain.avenant import Revision
from revue.domain.contract import AcademicProject, Contract, Objective, Section
from revue.domain.french import clip

NodeData = Contract | Section | Objective


class ContractScreen(RevueScreen[None]):
    """Read a contract: strategies, headings, items and objectives, with each one's detail."""

    FIRST_LOAD = frozenset({"load"})

    HELP = (
        "L'arborescence du contrat, telle que le document la donne (stratégies, priorités, "
        "chantiers… puis objectifs). Les flèches parcourent l'arbre, Entrée ou Espace ouvre ou "
        "ferme une branche ; le détail de l'élément choisi s'affiche à droite. « n » et « p » "
        "passent à l'objectif suivant ou précédent ; Ctrl+P cherche un objectif par son texte. "
        "«\u00a0a\u00a0» ouvre le projet académique du contrat, «\u00a0m\u00a0» la matrice "
        "d'alignement de ses objectifs avec ceux du projet académique. «\u00a0c\u00a0» "
        "ouvre l'éditeur pour écrire ou corriger le contrat (en lecture seule une fois une "
        "revue ouverte : il change alors par avenant)."
    )
    BINDINGS = [
        Binding("escape", "back", "Retour", id="back"),
        Binding("n", "next_objective", "Suiv.", id="next", tooltip="Objectif suivant"),
        Binding("p", "previous_objective", "Préc.", id="previous", tooltip="Objectif précédent"),
        Binding(
            "r",
            "reviews",
            "Revues",
            id="reviews",
            tooltip="Revues du contrat : examen annuel, mi-parcours, bilan",
        ),
        Binding("e", "export", "Exporter", id="export", tooltip="Exporter ce contrat en TOML"),
        Binding(
            "a",
            "academic",
            "Proj. acad.",
            id="academic",
            tooltip="Projet académique du contrat, avec les rattachements de ses objectifs",
        ),
        Binding(
            "m",
            "matrix",
            "Matrice",
            id="matrix",
            show=False,  # the footer is full at 80 columns: the palette and the help list it
            tooltip="Matrice d'alignement des objectifs du contrat avec le projet académique",
        ),
        Binding(
            "c",
            "edit",
            "Corriger",
            id="edit",
            show=False,  # the footer is full at 80 columns: the palette and the help list it
            tooltip="Écrire ou corriger ce contrat dans l'éditeur",
        ),
        Binding("plus", "expand_all", "Tout déplier", show=False, id="expand"),
        Binding("minus", "collapse_all", "Tout replier", show=False, id="collapse"),
    ]

    @dataclass
    class Loaded(Message):
        revision: Revision
        academic: AcademicProject | None

    def __init__(self, contract_id: str, *, objective_id: str | None = None) -> None:
        super().__init__()
        self.contract_id = contract_id
        self.objective_id = objective_id  # the objective to show first
        self.contract: Contract | None = None
        self.revision: Revision | None = None
        self.academic: AcademicProject | None = None
        self._objective_nodes: list[TreeNode[NodeData]] = []
        self._sections: dict[str, Section] = {}

    def compose(self) -> ComposeResult:
        yield Static("Chargement du contrat…", id="contract-title", classes="screen-title")
        with Horizontal(id="contract-body"):
            yield Tree[NodeData]("…", id="contract-tree")
            yield Detail(id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="contract")
    def load(self) -> None:
        store = self.store
        revision = store.revised_contract(self.contract_id)
        ref = revision.initial.academic_project
        academic = store.get_academic_project(ref.id) if ref and ref.id else None
        self.post_message(self.Loaded(revision, academic))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.revision = message.revision
        contract = self.contract = message.revision.revised
        self.academic = message.academic
        self._sections = {s.id: s for s in contract.sections}
        self.query_one("#contract-title", Static).update(
            f"{contract.circonscription} — {contract.title} ({contract.period})"
        )
        tree = self.query_one(Tree)
        tree.clear()
        tree.root.set_label(clip(contract.title, 60))
        tree.root.data = contract
        nodes: dict[str | None, TreeNode[NodeData]] = {None: tree.root}
        self._objective_nodes = []
        for item in contract.in_tree_order():
            if isinstance(item, Section):
                label = f"{item.level} {item.code} · {item.title}" if item.code else item.title
                nodes[item.id] = nodes[item.parent].add(clip(label, 70), data=item, expand=True)
            else:
                node = nodes[item.section].add_leaf("◆ " + clip(item.display_title, 70), data=item)
                self._objective_nodes.append(node)
        tree.root.expand()
        tree.focus()
        tree.move_cursor(tree.root)
        self.query_one(Detail).show_contract(contract, message.revision.avenants)
        if self.objective_id is not None:
            self.go_to_objective(self.objective_id)

    def path_of(self, section_id: str | None) -> list[Section]:
        path: list[Section] = []
        while section_id is not None:
            section = self._sections[section_id]
            path.insert(0, section)
            section_id = section.parent
        return path

    @on(Tree.NodeHighlighted)
    def highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        data = event.node.data
        detail = self.query_one(Detail)
        if isinstance(data, Contract):
            detail.show_contract(data, self.revision.avenants if self.revision else [])
        elif isinstance(data, Section):
            count = self._count_objectives(event.node)
            detail.show_section(data, self.path_of(data.parent), count)
        elif isinstance(data, Objective):
            detail.show_objective(data, self.path_of(data.section), self.academic, self.revision)

    def _count_objectives(self, node: TreeNode[NodeData]) -> int:
        return sum(
            1 if isinstance(child.data, Objective) else self._count_objectives(child)
            for child in node.children
        )

    def _move_objective(self, step: int) -> None:
        if not self._objective_nodes:
            return
        tree = self.query_one(Tree)
        current = tree.cursor_node
        nodes = self._objective_nodes
        if current in nodes:
            index = nodes.index(current) + step
        else:
            line = tree.cursor_line
            after = [i for i, n in enumerate(nodes) if n.line > line or n.line == -1]
            index = after[0] if step > 0 and after else (len(nodes) - 1 if step < 0 else 0)
            if step < 0:
                before = [i for i, n in enumerate(nodes) if -1 < n.line < line]
                index = before[-1] if before else 0
        index = max(0, min(index, len(nodes) - 1))
        self.go_to(nodes[index])

    def go_to(self, node: TreeNode[NodeData]) -> None:
        tree = self.query_one(Tree)
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.call_after_refresh(tree.move_cursor, node)
        self.call_after_refresh(tree.scroll_to_node, node, animate=False)

    def go_to_objective(self, objective_id: str) -> None:
        for node in self._objective_nodes:
            if isinstance(node.data, Objective) and node.data.id == objective_id:
                self.go_to(node)
                self.query_one(Tree).focus()
                return

    def objectives(self) -> list[Objective]:
        return [n.data for n in self._objective_nodes if isinstance(n.data, Objective)]

    def action_next_objective(self) -> None:
        self._move_objective(+1)

    def action_previous_objective(self) -> None:
        self._move_objective(-1)

    def action_expand_all(self) -> None:
        self.query_one(Tree).root.expand_all()

    def action_collapse_all(self) -> None:
        tree = self.query_one(Tree)
        for child in tree.root.children:
            child.collapse_all()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reviews(self) -> None:
        from revue.app.screens.reviews import ReviewsScreen

        self.app.push_screen(ReviewsScreen(self.contract_id))

    def action_academic(self) -> None:
        from revue.app.screens.academic import AcademicScreen

        self.app.push_screen(
            AcademicScreen(contract_id=self.contract_id, open_objective=self.show_objective)
        )

    def action_edit(self) -> None:
        from revue.app.screens.editor.screen import ContractEditorScreen

        self.app.push_screen(ContractEditorScreen(self.contract_id))

    def action_matrix(self) -> None:
        from revue.app.screens.academic import AlignmentScreen

        self.app.push_screen(AlignmentScreen(self.contract_id, open_objective=self.show_objective))

    def show_objective(self, objective_id: str) -> None:
        """Come back to this screen (from the projet académique or the matrix above it) and
        show the objective in the tree."""
        while self.app.screen is not self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        self.go_to_objective(objective_id)

    def action_export(self) -> None:
        if self.contract is not None:
            self.revue.export_contract(self.contract.id)
