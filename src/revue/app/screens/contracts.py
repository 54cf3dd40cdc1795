"""First screen: the contracts in the store."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from revue.app.messages import StoreChanged
from revue.app.screens.base import RevueScreen
from revue.domain.contract import ContractSummary


class ContractsScreen(RevueScreen[None]):
    """Lists the contracts (title, circonscription, period, objectives); Enter opens one."""

    FIRST_LOAD = frozenset({"load"})

    HELP = (
        "Les contrats et projets de circonscription enregistrés. Choisissez-en un avec les "
        "flèches puis Entrée pour voir son arborescence. « i » importe un fichier TOML, « n » crée "
        "un contrat dans l'application (vide ou sur le modèle d'un autre), « m » l'écrit ou le "
        "corrige, Suppr le supprime (après confirmation et une sauvegarde) ; la palette (Ctrl+P) "
        "supprime aussi un projet académique."
    )
    BINDINGS = [
        Binding("enter", "open", "Ouvrir", id="open"),
        Binding(
            "i",
            "app.import_file",
            "Importer",
            id="import",
            tooltip="Importer un fichier de contrat",
        ),
        Binding("j", "log", "Journal", id="log", tooltip="Journal des accompagnements"),
        Binding(
            "a",
            "academic",
            "Projet acad.",
            id="academic",
            show=False,  # the footer is full; the palette offers it (app/commands.py)
            tooltip="Projet académique du contrat choisi, avec ses rattachements",
        ),
        Binding("n", "new", "Nouveau", id="new", tooltip="Créer un contrat dans l'application"),
        Binding("m", "edit", "Modifier", id="edit", tooltip="Écrire ou corriger ce contrat"),
        Binding("delete", "delete", "Supprimer", id="delete", tooltip="Supprimer ce contrat"),
        Binding("ctrl+q", "app.quit", "Quitter", id="quit-here", tooltip="Quitter revue"),
    ]

    @dataclass
    class Loaded(Message):
        contracts: list[ContractSummary]

    def compose(self) -> ComposeResult:
        yield Static("revue — contrats de la circonscription", classes="screen-title")
        yield DataTable(id="contracts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="contracts-empty", classes="empty")
        # The chosen contract's whole title and the identifier the CLI takes, wrapped: at 80
        # columns the table cannot show them whole.
        chosen = Static("", id="contract-chosen")
        chosen.display = False  # until a contract is listed
        yield chosen
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # What matters first comes first: a narrow terminal cuts the last columns.
        table.add_column("Circonscription", key="circ", width=18)
        table.add_column("Identifiant", key="id", width=12)  # widened to the ids in show()
        table.add_column("Titre", key="title", width=42)
        table.add_column("Période", key="period", width=23)
        table.add_column("Objectifs", key="count", width=9)
        self._chosen: dict[str, ContractSummary] = {}
        self.load()

    @work(thread=True, exclusive=True, group="contracts")
    def load(self) -> None:
        self.post_message(self.Loaded(self.store.list_contracts()))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self._chosen = {c.id: c for c in message.contracts}
        id_column = table.columns[next(k for k in table.columns if k.value == "id")]
        id_column.width = max([11, *(len(c.id) for c in message.contracts)])
        for contract in message.contracts:
            title = contract.title if len(contract.title) <= 42 else contract.title[:41] + "…"
            table.add_row(
                contract.circonscription,
                contract.id,
                title,
                contract.period,
                Text(str(contract.objective_count), justify="right"),
                key=contract.id,
            )
        self._show_chosen()
        empty = self.query_one("#contracts-empty", Static)
        empty.display = not message.contracts
        table.display = bool(message.contracts)
        if not message.contracts:
            empty.update(
                "Aucun contrat pour l'instant.\n\nAppuyez sur « i » pour importer un fichier "
                "de contrat (TOML), ou, dans un terminal :\n  revue contract import "
                "mon-contrat.toml\n\nPour essayer revue avec les contrats d'exemple : revue --demo"
            )
        else:
            table.focus()

    @on(DataTable.RowHighlighted)
    def _show_chosen(self) -> None:
        table = self.query_one(DataTable)
        chosen = self.query_one("#contract-chosen", Static)
        key = (
            table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if table.row_count
            else None
        )
        contract = self._chosen.get(key or "")
        chosen.display = contract is not None
        if contract is not None:
            chosen.update(
                Text.assemble(
                    (contract.title, "bold"),
                    "\n",
                    (f"{contract.circonscription} · {contract.period} · ", "dim"),
                    ("identifiant (ligne de commande) : ", "dim"),
                    (contract.id, "bold"),
                )
            )

    @on(StoreChanged)
    def reload(self) -> None:
        self.load()

    @on(DataTable.RowSelected)
    def open_row(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.revue.open_contract(event.row_key.value)

    def action_academic(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key:
                from revue.app.screens.academic import AcademicScreen
                from revue.app.screens.contract import ContractScreen

                def show(objective_id: str, contract_id: str = key) -> None:
                    self.app.push_screen(ContractScreen(contract_id, objective_id=objective_id))

                self.app.push_screen(AcademicScreen(contract_id=key, open_objective=show))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key:
                self.revue.open_contract(key)

    def _current(self) -> tuple[str, str] | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return (str(key.value), str(table.get_cell(key, "title"))) if key.value else None

    def action_new(self) -> None:
        from revue.app.screens.editor.new import NewContractScreen

        self.app.push_screen(NewContractScreen(), self._created)

    def _created(self, slug: str | None) -> None:
        if slug:
            self.load()
            self.edit_contract(slug)

    def edit_contract(self, slug: str) -> None:
        from revue.app.screens.editor.screen import ContractEditorScreen

        self.app.push_screen(ContractEditorScreen(slug))

    def action_edit(self) -> None:
        current = self._current()
        if current:
            self.edit_contract(current[0])

    def action_delete(self) -> None:
        from revue.app.screens.editor.delete import delete_contract

        current = self._current()
        if current:
            delete_contract(self, *current)

    def delete_academic_project(self) -> None:
        from revue.app.screens.editor.delete import AcademicDeleteScreen

        self.app.push_screen(AcademicDeleteScreen())

    def action_log(self) -> None:
        from revue.app.screens.log import LogScreen

        self.app.push_screen(LogScreen())

    def contract_ids(self) -> list[tuple[str, str]]:
        """(id, title) of the listed contracts, for the command palette."""
        table = self.query_one(DataTable)
        return [
            (str(row.key.value), str(table.get_cell(row.key, "title")))
            for row in table.ordered_rows
        ]
