"""The projet académique screen and the alignment matrix, driven through the app."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from textual.command import CommandList
from textual.widgets import DataTable, Static, Tree

from revue.app.factory import make_app
from revue.app.screens.academic import AcademicScreen, AlignmentScreen
from revue.app.screens.contract import ContractScreen
from revue.domain.academic import AcademicObjective
from revue.domain.avenant import Avenant, AvenantChange, ChangeKind
from revue.domain.contract import Objective
from revue.domain.review import ReviewKind
from revue.services.imports import import_files
from revue.store.store import Store
from tests.helpers import EPI, FIRST, flat, open_review_screen, palette_search, settle, until

#: A projet with codes, for the palette's "1.1".
CODED = """\
format = "revue-projet-academique"
format_version = 2
id = "pa-code"
title = "Projet stratégique numéroté"
preamble = "Un préambule signé."
preamble_signature = "Le recteur"

[[axes]]
code = "1"
title = "Réussir"
text = "Orientations de l'axe"

[[axes.objectives]]
code = "1.1"
title = "Faire progresser chaque élève"
criteria_lead = "On mesure :"
criteria = ["Les résultats"]

[[axes.objectives.levers]]
text = "Former"
items = ["En réseau"]
"""


def link(url: str, *pairs: tuple[str, str]) -> None:
    """Attach contract objectives to projet items by an avenant of a mid-term review."""
    store = Store.open(url)
    try:
        review = store.create_review(EPI, "2018-2019", ReviewKind.MIDTERM)
        changes = [
            AvenantChange(ChangeKind.LINK_ADD, objective, key, after={"link": key})
            for objective, key in pairs
        ]
        store.record_avenant(review.id, Avenant(1, dt.date(2019, 3, 1), "Rattachements", changes))
    finally:
        store.close()


def pane(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    """The text of a pane, whole (not as the screen wraps it beside the tree)."""
    from rich.console import Console

    console = Console(width=400, record=True, file=io.StringIO())
    console.print(screen.query_one(selector, Static).content)
    return " ".join(console.export_text().split())


def third_objective(url: str) -> str:
    store = Store.open(url)
    try:
        return store.get_contract(EPI).objectives_in_order()[2].id
    finally:
        store.close()


async def test_the_projet_from_the_contract_list_with_every_text(sample_url: str) -> None:
    store = Store.open(sample_url)
    project = store.get_academic_project("creteil-extrait")
    store.close()
    assert project is not None
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")  # the first contract, Épinay, of the académie de Créteil
        await until(pilot, lambda: isinstance(app.screen, AcademicScreen), "the projet screen")
        await settle(pilot)
        screen = app.screen
        assert "Projet académique de l'académie de Créteil" in flat(app)
        assert "4 axes ou parties, 7 objectifs, 20 leviers, 0 critère" in flat(app)
        tree = screen.query_one(Tree)
        labels = [str(node.label) for node in tree.root.children[0].children]
        assert labels[0].startswith("Partie · ACCOMPAGNER L'AUTONOMIE")
        # every objective of the store's projet is in the tree, none served by Épinay yet
        leaves = [n for n in screen._pa_nodes.values() if isinstance(n.data, AcademicObjective)]
        assert [n.data.key for n in leaves] == [o.key for o in project.objectives()]
        assert all(str(n.label).startswith("✗") for n in leaves)
        screen.go_to("evaluations-projets")
        await settle(pilot)
        text = pane(screen, "#pa-text")
        assert "S'APPUYER SUR LES ÉVALUATIONS" in text
        assert "❖ Former et accompagner les directeurs d'école" in text
        assert "Des exemples d'actions…" in text
        assert "– Former les directeurs d'écoles à l'analyse des portraits" in text
        assert "Ressources • Charte de pilotage des EPLE" in text
        assert "Aucun objectif du contrat ne s'y rattache." in text
        # no numbering the document does not have
        assert "1.1" not in text and "Objectif 1" not in text


async def test_the_projet_shows_which_contract_objectives_serve_it(sample_url: str) -> None:
    link(sample_url, (FIRST, "faciliter-pilotage"))
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ContractScreen), "the contract")
        await settle(pilot)
        # the contract's detail names the link by the projet's own words
        app.screen.go_to_objective(FIRST)
        await settle(pilot)
        detail = pane(app.screen, "#detail-body")
        assert "• Section FACILITER LE PILOTAGE DES ÉCOLES ET DES ÉTABLISSEMENTS" in detail
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AcademicScreen), "the projet screen")
        await settle(pilot)
        screen = app.screen
        assert str(screen._pa_nodes["faciliter-pilotage"].label).startswith("●")
        screen.go_to("faciliter-pilotage")
        await settle(pilot)
        assert "Objectifs du contrat qui s'y rattachent • 1. Une amélioration" in pane(
            screen, "#pa-text"
        )


async def test_the_palette_finds_acad_and_matrice_and_codes(
    sample_url: str, tmp_path: Path
) -> None:
    (tmp_path / "pa.toml").write_text(CODED, encoding="utf-8")
    store = Store.open(sample_url)
    try:
        assert import_files(store, [tmp_path / "pa.toml"])[1] == []
    finally:
        store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "acad")
        hits = app.screen.query_one(CommandList)
        titles = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        assert any("Projet académique du contrat choisi (a)" in t for t in titles), titles
        await pilot.press("ctrl+a", "ctrl+k")
        await palette_search(pilot, "acad contrat choisi")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AcademicScreen), "the projet screen")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # the contract
        await until(pilot, lambda: isinstance(app.screen, ContractScreen), "the contract")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "matrice")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AlignmentScreen), "the matrix")
        await settle(pilot)
        assert "Projet académique : 7 objectifs, 0 servis" in flat(app)
        # a projet with codes: "1.1" finds its objective
        app.push_screen(AcademicScreen("pa-code"))
        await settle(pilot)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "1.1")
        await pilot.press("enter")
        await settle(pilot)
        node = app.screen.query_one(Tree).cursor_node
        assert node is not None and isinstance(node.data, AcademicObjective)
        assert node.data.code == "1.1"
        text = pane(app.screen, "#pa-text")
        assert "1.1 Faire progresser chaque élève" in text
        assert "On mesure : • Les résultats" in text
        assert "❖ Former – En réseau" in text


async def test_the_matrix_counts_marks_and_opens_an_objective(sample_url: str) -> None:
    third = third_objective(sample_url)
    link(sample_url, (FIRST, "faciliter-pilotage"), (third, "faciliter-pilotage"))
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Épinay
        await until(pilot, lambda: isinstance(app.screen, ContractScreen), "the contract")
        await settle(pilot)
        contract_screen = app.screen
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, AlignmentScreen), "the matrix")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AlignmentScreen) and not screen.transposed
        text = flat(app)
        assert "7 objectifs, 1 servis par le contrat, 6 par aucun objectif du contrat" in text
        assert "Contrat : 2 objectifs sur 31 rattachés" in text
        table = screen.query_one(DataTable)
        assert table.row_count == 11  # 1 chapter, 3 parts, 7 objectives
        row = [str(c) for c in table.get_row_at(2)]  # FACILITER LE PILOTAGE
        assert row[0].startswith("  FACILITER") or "FACILITER" in row[0]
        assert row[1] == " ●" and row[2] == " ·" and row[3] == " ●"
        assert row[-1].strip() == "2"
        assert str(table.get_row_at(3)[0]).startswith("✗ S'APPUYER")
        table.move_cursor(row=2, column=3)
        await settle(pilot)
        assert "objectif 3 du contrat" in flat(app) and "— rattaché" in flat(app)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is contract_screen, "back to the contract")
        await settle(pilot)
        await until(
            pilot,
            lambda: (
                isinstance(app.screen.query_one(Tree).cursor_node.data, Objective)
                and app.screen.query_one(Tree).cursor_node.data.id == third
            ),
            "the third objective in the contract's tree",
        )


async def test_the_matrix_turns_on_a_narrow_screen(sample_url: str) -> None:
    link(sample_url, (FIRST, "collectifs-professionnels"))
    app = make_app(sample_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(AlignmentScreen(EPI))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AlignmentScreen) and screen.transposed
        table = screen.query_one(DataTable)
        assert table.row_count == 31  # the contract's objectives down
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[1:] == ["✗P1", "✗P2", "✗P3", " P4", "✗P5", "✗P6", "✗P7"]
        assert str(table.get_row_at(0)[4]) == "  ● "
        table.move_cursor(row=0, column=4)
        await settle(pilot)
        assert "P4 Section DÉVELOPPER DES COLLECTIFS" in flat(app)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AcademicScreen), "the projet screen")
        await settle(pilot)
        node = app.screen.query_one(Tree).cursor_node
        assert node is not None and node.data is not None
        assert node.data.key == "collectifs-professionnels"  # type: ignore[union-attr]


async def test_a_contract_without_a_projet_says_so(sample_url: str) -> None:
    store = Store.open(sample_url)
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE contracts SET academic_project_slug = NULL")
    finally:
        store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AcademicScreen), "the projet screen")
        await settle(pilot)
        assert "Ce contrat ne désigne aucun projet académique enregistré" in flat(app)
        assert "Projet académique de l'académie de Créteil" in flat(app)  # what it cites


async def test_from_the_contract_list_the_matrix_opens_the_contract_at_an_objective(
    sample_url: str,
) -> None:
    third = third_objective(sample_url)
    link(sample_url, (third, "reseaux"))
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AcademicScreen), "the projet screen")
        await settle(pilot)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, AlignmentScreen), "the matrix")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(4)[3]) == " ●"  # the part « CRÉER UNE NOUVELLE DYNAMIQUE… »
        table.move_cursor(row=4, column=3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ContractScreen), "the contract")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen.query_one(Tree).cursor_node.data, Objective)
                and app.screen.query_one(Tree).cursor_node.data.id == third
            ),
            "the third objective in the contract's tree",
        )


async def test_the_walk_and_the_overview_show_each_objectives_links(sample_url: str) -> None:
    from revue.app.screens.overview import OverviewScreen
    from revue.app.screens.walk import WalkScreen

    link(sample_url, (FIRST, "faciliter-pilotage"), (FIRST, "reseaux"))
    store = Store.open(sample_url)
    try:
        [review] = store.list_reviews(EPI)
    finally:
        store.close()
    expected = (
        "Rattaché à\u00a0: Section FACILITER LE PILOTAGE DES ÉCOLES ET DES ÉTABLISSEMENTS"
        "\u202f; Partie CRÉER UNE NOUVELLE DYNAMIQUE DE RÉSEAUX D'ÉDUCATION"
    )
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        walk = WalkScreen(review.id)
        app.push_screen(walk)
        await until(pilot, lambda: walk.walk is not None, "the walk")
        await settle(pilot)
        assert " ".join(expected.split()) in pane(walk, "#objective-text")
        await walk.show_objective(1)  # the second objective cites nothing
        await settle(pilot)
        assert "Rattaché" not in pane(walk, "#objective-text")
        app.pop_screen()
        overview = OverviewScreen(review.id)
        await open_review_screen(pilot, overview)
        shown_text = pane(overview, "#overview-indicators")
        assert " ".join(expected.split()) in shown_text
        assert shown_text.count("Rattaché à") == 1
