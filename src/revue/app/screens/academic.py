"""The projet académique: its tree with every text (left, right), and the alignment matrix of
a contract's objectives with the projet's objectives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Footer, Static, Tree
from textual.widgets.tree import TreeNode

from revue.app.screens.base import RevueScreen
from revue.domain.academic import (
    AcademicAxis,
    AcademicObjective,
    AcademicProject,
    AlignmentRow,
    ListItem,
    alignment,
)
from revue.domain.contract import Objective
from revue.domain.errors import RevueError
from revue.domain.french import clip

PaNode = AcademicProject | AcademicAxis | AcademicObjective

#: How the document's lists are headed (the words of the projets académiques themselves).
EXAMPLES = "Des exemples d'actions"
RESOURCES = "Ressources"


@dataclass
class Loaded(Message):
    """What both screens show: the projet, and the contract's objectives as revised (empty
    without a contract), in document order."""

    project: AcademicProject | None
    contract_id: str | None = None
    contract_title: str = ""
    objectives: list[Objective] = field(default_factory=list)
    error: str = ""


def load_for(screen: RevueScreen[None], slug: str | None, contract_id: str | None) -> Loaded:
    """Read the projet (``slug``, else the contract's) and the contract's objectives; runs in
    a worker."""
    try:
        objectives: list[Objective] = []
        title = ""
        if contract_id is not None:
            revision = screen.store.revised_contract(contract_id)
            contract = revision.revised
            title = contract.title
            objectives = contract.objectives_in_order()
            ref = contract.academic_project
            if slug is None:
                if ref is None or not ref.id:
                    named = f" (il cite «\u00a0{ref.title}\u00a0»)" if ref else ""
                    return Loaded(
                        None,
                        contract_id,
                        title,
                        objectives,
                        f"Ce contrat ne désigne aucun projet académique enregistré{named}. "
                        "Pour l'y rattacher, donnez academic_project.id dans son fichier.",
                    )
                slug = ref.id
        project = screen.store.get_academic_project(slug) if slug else None
        if project is None:
            return Loaded(
                None,
                contract_id,
                title,
                objectives,
                f"Le projet académique «\u00a0{slug}\u00a0» n'est pas dans les données : "
                "importez son fichier (« i » dans la liste des contrats).",
            )
        return Loaded(project, contract_id, title, objectives)
    except RevueError as exc:
        return Loaded(None, contract_id, error=str(exc))


def _line(text: str, depth: int, style: str = "") -> Padding:
    """One line of a list, indented by its depth (wrapped lines keep the indent)."""
    return Padding(Text(text, style=style), (0, 0, 0, 1 + 3 * depth))


def _lines(items: list[ListItem], bullet: str, depth: int = 0) -> list[RenderableType]:
    """A nested list, indented, with each line's own examples and resources under it."""
    out: list[RenderableType] = []
    for item in items:
        out.append(_line(f"{bullet} {item.text}", depth))
        out += _lines(item.items, "–", depth + 1)
        if item.examples:
            out.append(_line(f"→ {EXAMPLES}…", depth + 1, "dim italic"))
            out += _lines(item.examples, "…", depth + 2)
        if item.resources:
            out.append(_line(RESOURCES, depth + 1, "dim italic"))
            out += [_line(f"• {r}", depth + 2) for r in item.resources]
    return out


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n < 2 else many}"


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def describe(node: PaNode, served_by: list[str] | None = None) -> list[RenderableType]:
    """Everything the document says of one node of the projet académique."""
    parts: list[RenderableType] = []
    if isinstance(node, AcademicProject):
        parts.append(Text("Projet académique", style="dim"))
        parts.append(Text(node.title, style="bold"))
        facts = [f for f in (node.academie and f"Académie de {node.academie}", node.period) if f]
        if facts:
            parts.append(Text(" · ".join(facts), style="dim"))
        counts = node.counts()
        counted = [
            _count(counts["axes"], "axe ou partie", "axes ou parties"),
            _count(counts["objectives"], "objectif", "objectifs"),
            _count(counts["levers"], "levier", "leviers"),
            _count(counts["criteria"], "critère", "critères"),
        ]
        parts.append(Text(", ".join(counted), style="dim"))
        if node.preamble:
            parts += [Text(""), _heading("Préambule"), Text(node.preamble)]
            if node.preamble_signature:
                parts.append(Text(node.preamble_signature, style="italic", justify="right"))
        return parts
    parts.append(Text(node.level_name, style="dim"))
    parts.append(Text(node.label, style="bold"))
    if node.text:
        parts += [Text(""), Text(node.text)]
    if isinstance(node, AcademicAxis):
        inside = len(node.objectives) + len(node.sections)
        parts.append(Text(""))
        parts.append(Text(f"{inside} élément{'s' if inside > 1 else ''} dessous", style="dim"))
    else:
        if node.items:
            parts += [Text(""), *_lines(node.items, "•")]
        parts += [Text(""), _heading("Leviers")]
        parts += _lines(node.levers, "❖") or [Text("Aucun levier dans le document.", style="dim")]
        parts += [Text(""), _heading("Critères d'évaluation")]
        if node.criteria_lead:
            parts.append(Text(node.criteria_lead))
        parts += [_line(f"• {c}", 0) for c in node.criteria] or [
            Text("Aucun critère dans le document.", style="dim")
        ]
        if node.examples:
            parts += [Text(""), _heading(f"{EXAMPLES}…"), *_lines(node.examples, "…")]
    if node.resources:
        parts += [Text(""), _heading(RESOURCES), *[_line(f"• {r}", 0) for r in node.resources]]
    if served_by is not None:
        parts += [Text(""), _heading("Objectifs du contrat qui s'y rattachent")]
        parts += [_line(f"• {line}", 0) for line in served_by] or [
            Text("Aucun objectif du contrat ne s'y rattache.", style="bold")
        ]
    return parts


class AcademicScreen(RevueScreen[None]):
    """Browse a projet académique: its parts and objectives on the left, every text of the
    chosen one on the right; with a contract, which of its objectives serve each one."""

    FIRST_LOAD = frozenset({"load"})

    CSS_PATH = "academic.tcss"
    HELP = (
        "Le projet académique en entier : à gauche ses parties (axes, chapitres, sections… "
        "sous les noms du document) et ses objectifs ; à droite tout ce que le document dit de "
        "l'élément choisi : préambule, orientations, introduction, leviers, critères, exemples "
        "d'actions, ressources. Ouvert depuis un contrat, il dit aussi quels objectifs du "
        "contrat s'y rattachent ; «\u00a0m\u00a0» ouvre la matrice d'alignement. Ctrl+P "
        "cherche un objectif par son code ou son intitulé."
    )
    BINDINGS = [
        Binding("escape", "back", "Retour", id="back"),
        Binding(
            "m",
            "matrix",
            "Matrice",
            id="matrix",
            tooltip="Matrice d'alignement du contrat avec le projet académique",
        ),
        Binding("plus", "expand_all", "Tout déplier", show=False, id="expand"),
        Binding("minus", "collapse_all", "Tout replier", show=False, id="collapse"),
    ]

    def __init__(
        self,
        slug: str | None = None,
        *,
        contract_id: str | None = None,
        key: str | None = None,
        open_objective: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.slug = slug
        self.contract_id = contract_id
        self.open_objective = open_objective  # passed on to the matrix
        self.key = key  # the item to show first
        self.project: AcademicProject | None = None
        self.rows: dict[str, AlignmentRow] = {}
        self.numbers: dict[str, tuple[int, Objective]] = {}
        self._pa_nodes: dict[str, TreeNode[PaNode]] = {}

    def compose(self) -> ComposeResult:
        yield Static("Chargement du projet académique…", id="pa-title", classes="screen-title")
        with Horizontal(id="pa-body"):
            yield Tree[PaNode]("…", id="pa-tree")
            with VerticalScroll(id="pa-detail"):
                yield Static(id="pa-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="academic")
    def load(self) -> None:
        self.post_message(load_for(self, self.slug, self.contract_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "matrix":
            return self.contract_id is not None and self.project is not None
        return True

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        project = self.project = message.project
        self.refresh_bindings()
        if project is None:
            self.query_one("#pa-title", Static).update("Projet académique")
            self.query_one(Tree).display = False
            self.query_one("#pa-text", Static).update(
                Text(message.error + "\n\nÉchap pour revenir.")
            )
            return
        self.slug = project.id
        links = {o.id: list(o.academic_links) for o in message.objectives}
        self.rows = {row.item.key: row for row in alignment(project, links)}
        self.numbers = {o.id: (n, o) for n, o in enumerate(message.objectives, start=1)}
        title = clip(project.title, 90)
        if message.contract_id:
            title = f"{clip(project.title, 70)} — contrat {message.contract_id}"
        self.query_one("#pa-title", Static).update(title)
        tree = self.query_one(Tree)
        tree.clear()
        tree.root.set_label(clip(project.title, 60))
        tree.root.data = project
        parents: list[TreeNode[PaNode]] = [tree.root]
        self._pa_nodes = {}
        for depth, item in project.walk():
            del parents[depth + 1 :]
            label = f"{item.level_name} · {item.label}"
            if isinstance(item, AcademicAxis):
                node = parents[-1].add(clip(label, 70), data=item, expand=True)
                parents.append(node)
            else:
                mark = "◆"
                if self.contract_id is not None:
                    mark = "●" if self.rows[item.key].served_by else "✗"
                node = parents[-1].add_leaf(clip(f"{mark} {item.label}", 70), data=item)
            self._pa_nodes[item.key] = node
        tree.root.expand()
        tree.focus()
        if self.key in self._pa_nodes:
            self.go_to(self.key)
        else:
            tree.move_cursor(tree.root)
            self._detail(project)

    def _served(self, node: PaNode) -> list[str] | None:
        if self.contract_id is None or isinstance(node, AcademicProject):
            return None
        row = self.rows.get(node.key)
        return [
            f"{self.numbers[o][0]}. {clip(self.numbers[o][1].display_title, 90)}"
            for o in (row.served_by if row else [])
            if o in self.numbers
        ]

    def _detail(self, node: PaNode) -> None:
        self.query_one("#pa-text", Static).update(Group(*describe(node, self._served(node))))
        self.query_one("#pa-detail", VerticalScroll).scroll_home(animate=False)

    @on(Tree.NodeHighlighted, "#pa-tree")
    def highlighted(self, event: Tree.NodeHighlighted[PaNode]) -> None:
        if event.node.data is not None:
            self._detail(event.node.data)

    def items(self) -> list[AcademicAxis | AcademicObjective]:
        """The parts and objectives, for the palette."""
        return [item for _, item in self.project.walk()] if self.project else []

    def go_to(self, key: str | None) -> None:
        node = self._pa_nodes.get(key or "")
        if node is None:
            return
        tree = self.query_one(Tree)
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        tree.focus()
        self.call_after_refresh(tree.move_cursor, node)
        self.call_after_refresh(tree.scroll_to_node, node, animate=False)

    def action_expand_all(self) -> None:
        self.query_one(Tree).root.expand_all()

    def action_collapse_all(self) -> None:
        for child in self.query_one(Tree).root.children:
            child.collapse_all()

    def action_matrix(self) -> None:
        if self.contract_id is not None:
            self.app.push_screen(
                AlignmentScreen(self.contract_id, open_objective=self.open_objective)
            )


class AlignmentScreen(RevueScreen[None]):
    """Which objectives of a contract serve which objectives of its projet académique."""

    FIRST_LOAD = frozenset({"load"})

    CSS_PATH = "academic.tcss"
    HELP = (
        "La matrice d'alignement : les objectifs du projet académique en lignes, ceux du contrat "
        "en colonnes (l'inverse sur un écran étroit) ; «\u00a0●\u00a0» quand l'objectif du "
        "contrat s'y rattache, «\u00a0✗\u00a0» devant un objectif du projet académique "
        "qu'aucun objectif du contrat ne sert. La ligne sous la matrice détaille la case "
        "choisie. Entrée ouvre l'objectif du contrat dans son arbre, «\u00a0a\u00a0» "
        "l'objectif du projet académique. Les rattachements changent par avenant."
    )
    BINDINGS = [
        Binding("escape", "back", "Retour", id="back"),
        Binding(
            "enter",
            "open_objective",
            "Objectif",
            id="open-objective",
            tooltip="Ouvrir l'objectif du contrat de la case dans l'arbre du contrat",
        ),
        Binding(
            "a",
            "open_academic",
            "Projet acad.",
            id="open-academic",
            tooltip="Ouvrir l'objectif du projet académique de la case",
        ),
    ]

    #: Narrower than this, the contract's objectives go down and the projet's across.
    WIDE = 100

    def __init__(
        self, contract_id: str, *, open_objective: Callable[[str], object] | None = None
    ) -> None:
        super().__init__()
        self.contract_id = contract_id
        #: shows a contract objective (by id) in the contract's tree: given by the screen that
        #: opens the matrix, which knows the contract screen (this module does not import it)
        self.open_objective = open_objective
        self.loaded: Loaded | None = None
        self.rows: list[AlignmentRow] = []
        self.pa_objectives: list[AlignmentRow] = []
        self.objectives: list[Objective] = []
        self.transposed = False

    def compose(self) -> ComposeResult:
        yield Static("Matrice d'alignement", id="am-title", classes="screen-title")
        yield Static("Chargement…", id="am-counts")
        yield DataTable(
            id="am-matrix", cursor_type="cell", cell_padding=0, zebra_stripes=True, header_height=2
        )
        yield Static("", id="am-cell")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="alignment")
    def load(self) -> None:
        self.post_message(load_for(self, None, self.contract_id))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.loaded = message
        project = message.project
        if project is None:
            self.query_one("#am-matrix").display = False
            self.query_one("#am-counts", Static).update(message.error + "\n\nÉchap pour revenir.")
            return
        self.objectives = message.objectives
        links = {o.id: list(o.academic_links) for o in message.objectives}
        self.rows = alignment(project, links)
        self.pa_objectives = [row for row in self.rows if row.is_objective]
        self.query_one("#am-title", Static).update(
            f"Matrice d'alignement — contrat {message.contract_id} × {project.id}"
        )
        served = sum(1 for row in self.pa_objectives if row.served_by)
        linked = sum(1 for o in self.objectives if o.academic_links)
        total = len(self.pa_objectives)
        self.query_one("#am-counts", Static).update(
            f"Projet académique : {total} objectifs, {served} servis par le contrat, "
            f"{total - served} par aucun objectif du contrat (✗). Contrat : {linked} objectif"
            f"{'s' if linked > 1 else ''} sur {len(self.objectives)} "
            f"rattaché{'s' if linked > 1 else ''} au projet académique."
        )
        self._build()

    def on_resize(self) -> None:
        loaded = self.loaded is not None and self.loaded.project is not None
        if loaded and (self.size.width < self.WIDE) != self.transposed:
            self._build()

    def _build(self) -> None:
        """The table, in the orientation that fits the screen."""
        table = self.query_one("#am-matrix", DataTable)
        self.transposed = self.size.width < self.WIDE
        table.clear(columns=True)
        width = self.size.width - 2
        if not self.transposed:
            count_width = 8
            label_width = max(20, width - 2 * len(self.objectives) - count_width - 2)
            table.add_column("Projet académique", key="label", width=label_width)
            for number, _objective in enumerate(self.objectives, start=1):
                tens, units = divmod(number, 10)  # read downwards: 31 is "3" over "1"
                header = Text(f"{tens or ' '}\n{units}", justify="right")
                table.add_column(header, key=f"c{number}", width=2)
            table.add_column("  Servi", key="count", width=count_width)
            ids = [o.id for o in self.objectives]
            for row in self.rows:
                label = "  " * row.depth + row.item.label
                if row.is_objective:
                    label = ("✗ " if row.unserved else "  ") + label
                    style = "bold" if row.unserved else ""
                else:
                    style = "dim"
                cells = [" ●" if oid in row.served_by else " ·" for oid in ids]
                count = f"  {len(row.served_by)}" if row.served_by else "  aucun"
                if not row.is_objective:
                    cells = [" ●" if oid in row.served_by else "  " for oid in ids]
                    count = f"  {len(row.served_by)}" if row.served_by else ""
                table.add_row(Text(clip(label, label_width), style=style), *cells, count)
        else:
            label_width = max(20, width - 4 * len(self.pa_objectives) - 2)
            table.add_column("Objectif du contrat", key="label", width=label_width)
            for n, row in enumerate(self.pa_objectives, start=1):
                marked = "✗" if row.unserved else " "
                table.add_column(f"{marked}P{n}", key=f"p{n}", width=4)
            for number, objective in enumerate(self.objectives, start=1):
                line = clip(f"{number}. {' '.join(objective.display_title.split())}", label_width)
                cells = [
                    "  ● " if objective.id in row.served_by else "  · "
                    for row in self.pa_objectives
                ]
                table.add_row(line, *cells)
        table.focus()
        self._describe_cell(table.cursor_coordinate)

    def _cell(self, coordinate: Coordinate) -> tuple[AlignmentRow | None, Objective | None]:
        """The projet's item and the contract's objective of a cell (either may be None)."""
        row, column = coordinate.row, coordinate.column
        if not self.transposed:
            item = self.rows[row] if 0 <= row < len(self.rows) else None
            objective = self.objectives[column - 1] if 1 <= column <= len(self.objectives) else None
            return item, objective
        objective = self.objectives[row] if 0 <= row < len(self.objectives) else None
        pa = self.pa_objectives[column - 1] if 1 <= column <= len(self.pa_objectives) else None
        return pa, objective

    def _describe_cell(self, coordinate: Coordinate) -> None:
        item, objective = self._cell(coordinate)
        parts: list[str] = []
        if item is not None:
            tag = (
                f"P{self.pa_objectives.index(item) + 1} "
                if self.transposed and item in self.pa_objectives
                else ""
            )
            parts.append(f"{tag}{item.item.level_name} {item.item.label}")
        if objective is not None:
            number = self.objectives.index(objective) + 1
            parts.append(
                f"objectif {number} du contrat : {' '.join(objective.display_title.split())}"
            )
        if item is not None and objective is not None:
            parts.append("rattaché" if objective.id in item.served_by else "non rattaché")
        elif item is not None and item.is_objective:
            served = len(item.served_by)
            parts.append(
                f"servi par {served} objectif{'s' if served > 1 else ''} du contrat"
                if served
                else "servi par aucun objectif du contrat"
            )
        self.query_one("#am-cell", Static).update(" — ".join(parts))

    @on(DataTable.CellHighlighted, "#am-matrix")
    def highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._describe_cell(event.coordinate)

    @on(DataTable.CellSelected, "#am-matrix")
    def selected(self, event: DataTable.CellSelected) -> None:
        self.action_open_objective()

    def action_open_objective(self) -> None:
        table = self.query_one("#am-matrix", DataTable)
        item, objective = self._cell(table.cursor_coordinate)
        if objective is not None and self.open_objective is not None:
            self.open_objective(objective.id)
        elif item is not None:
            self.action_open_academic()

    def action_open_academic(self) -> None:
        table = self.query_one("#am-matrix", DataTable)
        item, _ = self._cell(table.cursor_coordinate)
        self.app.push_screen(
            AcademicScreen(
                contract_id=self.contract_id,
                key=item.item.key if item is not None else None,
                open_objective=self.open_objective,
            )
        )
