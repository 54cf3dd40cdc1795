"""Pilot tests of the app on real stores: list, open, walk, palette, help, import, export."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Tree

from revue.app.factory import make_app
from revue.app.screens.contract import ContractScreen
from revue.app.screens.contracts import ContractsScreen
from revue.app.screens.files import ExportScreen, ImportScreen
from revue.app.screens.help import HelpScreen
from revue.domain.contract import Objective
from revue.formats.contract_toml import dump_contract
from revue.store.store import Store
from tests.helpers import EPINAY, flat, palette_search, settle, shown, table_counts


async def test_contract_list_shows_the_samples(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ContractsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        first = table.get_row_at(0)
        assert first[0] == "Épinay-sur-Seine"
        assert first[1] == "epinay-2018-2020"  # before the title: a narrow terminal keeps it
        assert first[3] == "15/06/2018 – 30/06/2020"
        assert str(first[4]) == "31"


async def test_contract_list_at_80_columns_keeps_the_identifier_and_the_title(
    sample_url: str,
) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = shown(app).splitlines()
        assert any("epinay-2018-2020" in line and "Contrat de" in line for line in lines)
        assert "thionville1-2016-2020" in shown(app)
        await pilot.press("down")
        await settle(pilot)
        said = flat(app)
        # the chosen contract's whole title and its identifier, under the table
        assert "Projet de circonscription 2016-2020 (actualisé rentrée 2018)" in said
        assert "identifiant (ligne de commande) : thionville1-2016-2020" in said


async def test_empty_store_says_how_to_import(db_url: str) -> None:
    app = make_app(db_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Aucun contrat" in shown(app)
        assert "revue --demo" in shown(app)


async def test_open_contract_and_walk_every_objective(sample_url: str) -> None:
    store = Store.open(sample_url)
    contract = store.get_contract("epinay-2018-2020")
    before = table_counts(store)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContractScreen)
        assert "Épinay-sur-Seine" in shown(app)
        tree = screen.query_one(Tree)
        seen = []
        for _ in contract.objectives:
            await pilot.press("n")
            await pilot.pause()
            node = tree.cursor_node
            assert node is not None and isinstance(node.data, Objective)
            seen.append(node.data.id)
            assert " ".join(node.data.display_title.split())[:30] in " ".join(shown(app).split())
        assert seen == [o.id for o in contract.objectives]
        await pilot.press("n")  # past the last: stays there
        await pilot.pause()
        assert tree.cursor_node.data.id == contract.objectives[-1].id
        await pilot.press("p")
        await pilot.pause()
        assert tree.cursor_node.data.id == contract.objectives[-2].id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ContractsScreen)
    store = Store.open(sample_url)
    assert table_counts(store) == before  # reading changes nothing
    store.close()


async def test_objective_detail_shows_indicators_and_links(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # Thionville
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        text = " ".join(shown(app).split())
        assert "Accompagner collectivement les unités éducatives" in text
        assert "compté dans le journal" in text
        app.screen.query_one("#detail").scroll_end(animate=False)
        await pilot.pause()
        text = " ".join(shown(app).split())
        assert "Axe 2" in text and "Coopérer et s'organiser" in text
        assert "Critères d'évaluation" in text and "Actions" in text


async def test_palette_jumps_to_an_objective(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "directeurs formés")
        await pilot.press("enter")
        await settle(pilot)
        node = app.screen.query_one(Tree).cursor_node
        assert isinstance(node.data, Objective)
        assert "directeurs formés" in node.data.text


async def test_help_lists_the_keys_of_the_screen(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = shown(app)
        assert "Objectif suivant" in text and "Exporter" in text and "quitter revue" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ContractScreen)


async def test_import_from_the_app(db_url: str) -> None:
    app = make_app(db_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one(Input).value = str(EPINAY)
        await pilot.press("enter")
        await settle(pilot)
        assert "importé" in shown(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one(DataTable).row_count == 1
    store = Store.open(db_url)
    assert [c.id for c in store.list_contracts()] == ["epinay-2018-2020"]
    store.close()


async def test_import_of_a_bad_file_from_the_app_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "abime.toml"
    bad.write_bytes(b"\xff\xfe garbage")
    app = make_app(db_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        app.screen.query_one(Input).value = str(bad)
        await pilot.press("enter")
        await settle(pilot)
        assert "UTF-8" in " ".join(shown(app).split())
        assert "Les données n'ont pas été modifiées" in " ".join(shown(app).split())
    store = Store.open(db_url)
    assert store.list_contracts() == []
    store.close()


async def test_export_from_the_app(sample_url: str, tmp_path: Path) -> None:
    target = tmp_path / "export.toml"
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert "écrit" in shown(app)
    store = Store.open(sample_url)
    assert target.read_text(encoding="utf-8") == dump_contract(
        store.get_contract("epinay-2018-2020")
    )
    store.close()


async def test_every_footer_key_is_in_the_palette(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "suivant")
        await pilot.press("enter")
        await settle(pilot)
        node = app.screen.query_one(Tree).cursor_node
        assert isinstance(node.data, Objective)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "exporter ce contrat")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)


async def test_contract_screen_shows_the_revised_version(sample_url: str) -> None:
    import datetime as dt

    from revue.domain.avenant import Avenant, AvenantChange
    from revue.domain.review import ReviewKind

    store = Store.open(sample_url)
    midterm = store.create_review("epinay-2018-2020", "2018-2019", ReviewKind.MIDTERM)
    first = store.get_contract("epinay-2018-2020").objectives[0]
    store.record_avenant(
        midterm.id,
        Avenant(
            1,
            dt.date(2019, 6, 20),
            "Cible révisée",
            [
                AvenantChange(
                    "indicator-target",
                    first.id,
                    first.indicators[0].id,
                    before={"value": 100, "year": "2019-2020"},
                    after={"value": 95, "year": "2019-2020"},
                ),
                AvenantChange(
                    "objective-text",
                    first.id,
                    before={"text": first.text},
                    after={"text": "Objectif après avenant"},
                ),
            ],
        ),
    )
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "n° 1 du 20/06/2019" in " ".join(shown(app).split())
        await pilot.press("n")
        await pilot.pause()
        text = " ".join(shown(app).split())
        assert "Objectif après avenant" in text
        assert "Texte initial (avant avenant)" in text
        assert "révisée par l'avenant n° 1" in text and "cible initiale 100" in text
