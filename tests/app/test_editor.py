"""The contract editor, driven through the app: the Thionville 1 sample built from a blank
contract exports byte-identical to the sample file; bad values refused in place with the
import's messages and nothing typed lost; editing refused once a review exists; a history
restore; delete from the contract list with and without reviews; the projet académique
delete refused while a contract cites it."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import (
    Checkbox,
    DataTable,
    Input,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from revue.app.factory import make_app
from revue.app.screens.contracts import ContractsScreen
from revue.app.screens.editor.delete import AcademicDeleteScreen
from revue.app.screens.editor.new import NewContractScreen
from revue.app.screens.editor.screen import AddScreen, ContractEditorScreen
from revue.app.screens.history import HistoryScreen
from revue.app.widgets.dialogs import ConfirmScreen
from revue.domain.contract import Contract
from revue.domain.review import ReviewKind
from revue.formats.contract_toml import dump_contract, load_document
from revue.services.imports import import_files
from revue.store.backup import list_backups
from revue.store.store import Store
from tests.helpers import ACADEMIC, EPI, THIONVILLE, flat, settle, store_path, table_counts, until

pytestmark = pytest.mark.usefixtures("paris_time")

THI = "thionville1-2016-2020"


# --- driving the editor ------------------------------------------------------------------


def editor(app: Any) -> ContractEditorScreen:
    screen = app.screen
    assert isinstance(screen, ContractEditorScreen), type(screen)
    return screen


def widget_of(screen: ContractEditorScreen, key: str) -> Any:
    wid = next(w for w, k in screen._keys.items() if k == key)
    return screen.query_one(f"#{wid}")


async def put(pilot: Any, key: str, value: Any) -> None:
    """Give a field of the node shown its value, as the user would leave it."""
    screen = editor(pilot.app)
    widget = widget_of(screen, key)
    if isinstance(widget, TextArea):
        widget.text = value
    elif isinstance(widget, SelectionList):
        for item in value:
            widget.select(item)
    else:
        assert isinstance(widget, Input | Select | Checkbox), type(widget)
        widget.value = value
    await pilot.pause()
    assert (screen.node, key) not in screen.drafts, screen.drafts.get((screen.node, key))


async def type_into(pilot: Any, key: str, text: str) -> None:
    """Type ``text`` into a one-line field key by key, after emptying it."""
    screen = editor(pilot.app)
    widget = widget_of(screen, key)
    widget.focus()
    widget.value = ""
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


async def add(pilot: Any, what: str) -> None:
    """F2, then the kind of item from the menu, with the arrows and Entrée."""
    screen = editor(pilot.app)
    await pilot.press("f2")
    await until(pilot, lambda: isinstance(pilot.app.screen, AddScreen), "the add menu")
    menu = pilot.app.screen
    offered = [
        str(menu.query_one(OptionList).get_option_at_index(i).id)
        for i in range(menu.query_one(OptionList).option_count)
    ]
    await pilot.press(*["down"] * offered.index(what), "enter")
    await until(pilot, lambda: pilot.app.screen is screen, "the editor again")


async def choose(pilot: Any, node: tuple[Any, ...]) -> None:
    """Choose a node in the tree: with the arrows when it is near, else by moving the
    highlight there at once (each row passed would draw its fields)."""
    screen = editor(pilot.app)
    tree = screen.query_one("#ed-tree", OptionList)
    tree.focus()
    target = screen._tree_nodes.index(node)
    current = tree.highlighted or 0
    if abs(target - current) <= 2:
        key = "down" if target > current else "up"
        await pilot.press(*[key] * abs(target - current))
    else:
        tree.highlighted = target
    await until(pilot, lambda: screen.node == node, f"node {node}")


async def saved(pilot: Any) -> None:
    screen = editor(pilot.app)
    screen.flush(wait=True)
    await settle(pilot)
    assert not screen.unsaved


def sample() -> Contract:
    document, _ = load_document(THIONVILLE)
    assert isinstance(document, Contract)
    return document


async def build_objective(pilot: Any, objective: Any) -> None:
    await put(pilot, "id", objective.id)
    await put(pilot, "title", objective.title)
    await put(pilot, "text", objective.text)
    await put(pilot, "criteria", "\n".join(objective.criteria))
    await put(pilot, "academic_links", objective.academic_links)
    node = editor(pilot.app).node
    for indicator in objective.indicators:
        await choose(pilot, node)
        await add(pilot, "indicator")
        await put(pilot, "id", indicator.id)
        await put(pilot, "label", indicator.label)
        await put(pilot, "unit", indicator.unit)
        await put(pilot, "direction", indicator.direction.value)
        if indicator.computed is not None:
            await put(pilot, "computed", True)
            computed = indicator.computed
            if computed.modality:
                await put(pilot, "computed.modality", computed.modality)
            if computed.initiative:
                await put(pilot, "computed.initiative", computed.initiative)
            if computed.linked_to_objective:
                await put(pilot, "computed.linked_to_objective", True)
    for action in objective.actions:
        await choose(pilot, node)
        await add(pilot, "action")
        assert editor(pilot.app).node[0] == "action"
        await put(pilot, "what", action.what)


async def test_thionville_built_in_the_app_exports_as_the_sample(db_url: str) -> None:
    store = Store.open(db_url)
    assert not import_files(store, [ACADEMIC])[1]
    store.close()
    want = sample()
    app = make_app(db_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewContractScreen), "the new dialog")
        await pilot.press(*THI, "tab")
        await pilot.press(*want.title, "tab")
        await pilot.press(*want.circonscription, "tab")
        await pilot.press(*"01/09/2016", "tab", *"31/08/2020")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ContractEditorScreen), "the editor")
        await settle(pilot)

        # the header, the projet académique chosen from those in the store
        await put(pilot, "kind", "projet")
        await type_into(pilot, "academie", want.academie)
        await put(pilot, "departement", want.departement)
        await put(pilot, "preamble", want.preamble)
        await put(pilot, "academic_project.id", "nancy-metz-extrait")
        assert want.academic_project is not None
        assert widget_of(editor(app), "academic_project.title").value == (
            want.academic_project.title
        )
        await add(pilot, "list")
        await put(pilot, "label", want.lists[0].label)
        await put(pilot, "items", "\n".join(want.lists[0].items))

        # the axe, then its four champs d'intervention with their objectives
        await choose(pilot, ("header",))
        await add(pilot, "section")
        axe = want.sections[0]
        await type_into(pilot, "id", axe.id)
        await put(pilot, "level", axe.level)
        await put(pilot, "code", axe.code)
        await put(pilot, "title", axe.title)
        await put(pilot, "text", axe.text)
        previous = None
        for champ in want.sections[1:]:
            if previous is None:
                await choose(pilot, ("section", axe.id))
                await add(pilot, "subsection")
            else:
                await choose(pilot, ("section", previous))
                await add(pilot, "section")
            await put(pilot, "id", champ.id)
            await put(pilot, "level", champ.level)
            await put(pilot, "title", champ.title)
            assert editor(app).contract is not None
            for objective in [o for o in want.objectives if o.section == champ.id]:
                await choose(pilot, ("section", champ.id))
                await add(pilot, "objective")
                await build_objective(pilot, objective)
            previous = champ.id
        await saved(pilot)
        assert "✓ Enregistré" in flat(app)

    store = Store.open(db_url)
    try:
        built = store.get_contract(THI)
        assert dump_contract(built) == dump_contract(want)  # byte-identical
        assert len(store.contract_history(THI)) > 10  # every field a version
    finally:
        store.close()


# --- refusals in place ------------------------------------------------------------------


async def test_bad_values_are_refused_in_place_and_kept(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ContractEditorScreen(THI))
        await settle(pilot)
        before = dump_contract(editor(app).contract)  # type: ignore[arg-type]
        # a date the import refuses: the end before the start
        await type_into(pilot, "end_date", "01/01/2015")
        screen = editor(app)
        draft = screen.drafts[(("header",), "end_date")]
        assert draft[0] == "01/01/2015"
        assert "doit être postérieure à la date de début" in draft[1]
        assert "doit être postérieure" in flat(app)
        # not a number, on an indicator
        first = screen.contract.objectives[0]  # type: ignore[union-attr]
        await choose(pilot, ("indicator", first.id, 0))
        await type_into(pilot, "target", "douze")
        assert "n'est pas un nombre" in screen.drafts[(screen.node, "target")][1]
        # a target without its year, then a year after the contract's end: the import's
        # own messages, each beside its field
        await type_into(pilot, "target", "12")
        assert "l'année de la cible manque" in screen.drafts[(screen.node, "target")][1]
        await type_into(pilot, "target_year", "2024-2025")
        message = screen.drafts[(screen.node, "target_year")][1]
        assert "commence après la fin du contrat" in message
        assert widget_of(screen, "target_year").value == "2024-2025"  # nothing typed lost
        assert widget_of(screen, "target").value == "12"
        # a right year: saved, and the target waiting for it goes in with it
        await type_into(pilot, "target_year", "2019-2020")
        assert not [k for k in screen.drafts if k[0] == screen.node]
        # coming back to a refused field shows the text and the message again
        await choose(pilot, ("header",))
        assert widget_of(screen, "end_date").value == "01/01/2015"
        assert "doit être postérieure" in flat(app)
        await saved_or_refused(pilot)
        # leaving warns first
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        # fixing the field saves it and clears the message
        await type_into(pilot, "end_date", "31/08/2020")
        assert (("header",), "end_date") not in screen.drafts
    store = Store.open(sample_url)
    try:
        after = store.get_contract(THI)
        assert after.end_date.isoformat() == "2020-08-31"
        indicator = after.objectives[0].indicators[0]
        assert (indicator.target_value, indicator.target_year) == (12, "2019-2020")
        assert dump_contract(after) != before
    finally:
        store.close()


async def saved_or_refused(pilot: Any) -> None:
    screen = editor(pilot.app)
    screen.flush(wait=True)
    await settle(pilot)
    assert screen.unsaved  # refused fields count as unsaved: leaving and quitting warn


# --- locked once a review exists ------------------------------------------------------------


async def test_editing_refused_once_a_review_exists(sample_url: str) -> None:
    store = Store.open(sample_url)
    store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    counts = table_counts(store)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ContractEditorScreen(EPI))
        await settle(pilot)
        text = flat(app)
        assert "déjà des revues" in text and "avenant" in text
        screen = editor(app)
        assert widget_of(screen, "title").disabled
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is screen  # no add menu
        await pilot.press("f8")
        await settle(pilot)
        assert app.screen is screen
    store = Store.open(sample_url)
    try:
        assert table_counts(store) == counts
        with pytest.raises(Exception, match="avenant"):
            store.save_edited_contract(store.get_contract(EPI), note="essai")
    finally:
        store.close()


# --- history ---------------------------------------------------------------------------


async def test_history_restores_an_edit(sample_url: str) -> None:
    app = make_app(sample_url)
    original = sample().title
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ContractEditorScreen(THI))
        await settle(pilot)
        await put(pilot, "title", "Titre corrigé par erreur")
        await saved(pilot)
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen), "the history")
        await settle(pilot)
        assert "version importée" in flat(app) and "titre" in flat(app)
        await pilot.press("down", "r")
        await until(pilot, lambda: isinstance(app.screen, ContractEditorScreen), "the editor")
        await settle(pilot)
        assert widget_of(editor(app), "title").value == original
    store = Store.open(sample_url)
    try:
        assert store.get_contract(THI).title == original
        notes = [e.note for e in store.contract_history(THI)]
        assert notes[0] == "version importée" and notes[-1].startswith("restauration")
    finally:
        store.close()


# --- structure: add, move, delete -------------------------------------------------------


async def test_move_and_delete_in_the_tree(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ContractEditorScreen(THI))
        await settle(pilot)
        await choose(pilot, ("section", "axe2-pilotage"))
        await pilot.press("ctrl+up")
        await settle(pilot)
        await choose(pilot, ("objective", "axe2-partenariats-o1"))
        await put(pilot, "section", "axe2-equipes")  # moved to another section
        await choose(pilot, ("action", "axe2-carriere-o1", 4))
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert "l'action « axe2-carriere-o1-a5 »" in flat(app)
        await pilot.press("enter")
        await settle(pilot)
        await saved(pilot)
    store = Store.open(sample_url)
    try:
        contract = store.get_contract(THI)
        assert [s.id for s in contract.sections] == [
            "axe2",
            "axe2-pilotage",
            "axe2-equipes",
            "axe2-carriere",
            "axe2-partenariats",
        ]
        assert next(o for o in contract.objectives if o.id == "axe2-partenariats-o1").section == (
            "axe2-equipes"
        )
        assert len(next(o for o in contract.objectives if o.id == "axe2-carriere-o1").actions) == 4
    finally:
        store.close()


async def test_new_contract_from_a_model(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewContractScreen), "the new dialog")
        dialog = app.screen
        await settle(pilot)
        dialog.query_one("#new-id", Input).value = "thionville1-2020-2024"
        dialog.query_one("#new-title", Input).value = "Projet 2020-2024"
        dialog.query_one("#new-circonscription", Input).value = "Thionville 1"
        dialog.query_one("#new-start", Input).value = "01/09/2020"
        dialog.query_one("#new-end", Input).value = "31/08/2024"
        dialog.query_one("#new-model", Select).value = THI
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ContractEditorScreen), "the editor")
    store = Store.open(sample_url)
    try:
        copy = store.get_contract("thionville1-2020-2024")
        model = store.get_contract(THI)
        assert [s.level for s in copy.sections] == [s.level for s in model.sections]
        assert [o.id for o in copy.objectives] == [o.id for o in model.objectives]
        assert copy.start_date.year == 2020 and store.review_count("thionville1-2020-2024") == 0
    finally:
        store.close()


# --- deleting from the contract list ----------------------------------------------------------


async def select_row(pilot: Any, slug: str) -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(slug))
    await pilot.pause()


async def test_delete_a_contract_from_the_list(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, THI)
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert f"({THI})" in flat(app) and "sauvegarde" in flat(app)
        await pilot.press("escape")  # cancelled: nothing happens
        await settle(pilot)
        assert Store.open(sample_url).contract_exists(THI)
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, ContractsScreen)
                and app.screen.query_one(DataTable).row_count == 1
            ),
            "the list without it",
        )
    store = Store.open(sample_url)
    try:
        assert not store.contract_exists(THI)
        names = [b.path.name for b in list_backups(store_path(sample_url))]
        assert any(name.endswith("-suppression.sqlite3") for name in names)
    finally:
        store.close()


async def test_a_contract_with_reviews_asks_twice(sample_url: str) -> None:
    store = Store.open(sample_url)
    store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, EPI)
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert "1 revue(s)" in flat(app)
        first = app.screen
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, ConfirmScreen) and app.screen is not first,
            "the second confirmation",
        )
        assert "Supprimer le contrat et ses 1 revue(s)" in flat(app)
        await pilot.press("escape")  # the second one refused: nothing deleted
        await settle(pilot)
        assert Store.open(sample_url).contract_exists(EPI)
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("enter")
        await until(pilot, lambda: "Supprimer le contrat et ses" in flat(app), "the second")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, ContractsScreen)
                and app.screen.query_one(DataTable).row_count == 1
            ),
            "the list without it",
        )
    store = Store.open(sample_url)
    try:
        assert not store.contract_exists(EPI) and table_counts(store)["reviews"] == 0
    finally:
        store.close()


async def test_a_cited_projet_is_refused_in_the_app(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContractsScreen)
        screen.delete_academic_project()
        await until(pilot, lambda: isinstance(app.screen, AcademicDeleteScreen), "the list")
        await settle(pilot)
        listing = app.screen.query_one(OptionList)
        ids = [str(listing.get_option_at_index(i).id) for i in range(listing.option_count)]
        listing.highlighted = ids.index("nancy-metz-extrait")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("enter")
        await until(pilot, lambda: "ne se supprime pas" in flat(app), "the refusal")
        said = str(app.screen.query_one("#pa-message", Static).render())
        assert f"«\u00a0{THI}\u00a0»" in said
    store = Store.open(sample_url)
    try:
        assert store.get_academic_project("nancy-metz-extrait") is not None
    finally:
        store.close()


async def test_the_palette_opens_the_editor_from_a_contract(sample_url: str) -> None:
    from revue.app.screens.contract import ContractScreen
    from tests.helpers import palette_search

    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_contract(THI)
        await until(pilot, lambda: isinstance(app.screen, ContractScreen), "the contract")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "corriger ce contrat")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ContractEditorScreen), "the editor")
        await settle(pilot)
        assert editor(app).slug == THI and "Écriture du contrat" in flat(app)


async def test_changing_the_projet_while_objectives_cite_it_is_refused(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ContractEditorScreen(THI))
        await settle(pilot)
        widget = widget_of(editor(app), "academic_project.id")
        widget.value = "creteil-extrait"
        await pilot.pause()
        message = editor(app).drafts[(("header",), "academic_project.id")][1]
        assert "absent du projet académique « creteil-extrait »" in message
        await saved_or_refused(pilot)
    store = Store.open(sample_url)
    try:
        ref = store.get_contract(THI).academic_project
        assert ref is not None and ref.id == "nancy-metz-extrait"
    finally:
        store.close()


async def test_the_contract_screen_opens_the_editor_with_c(sample_url: str) -> None:
    """« c » on the contract screen opens the editor on that contract (the palette too)."""
    from revue.app.screens.contract import ContractScreen

    app = make_app(sample_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ContractScreen(THI))
        await until(pilot, lambda: isinstance(app.screen, ContractScreen), "the contract screen")
        await settle(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ContractEditorScreen), "the editor")
        assert editor(app).slug == THI
