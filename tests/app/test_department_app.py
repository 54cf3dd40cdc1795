"""The « Département » screen driven with Pilot: the fictitious bilans of a folder, the
filters by year, kind and axe, the tabs, the document written, a folder typed in, the palette."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static, TabbedContent

from revue.app.factory import make_app
from revue.app.screens.department import DepartmentScreen
from revue.store.store import Store
from tests.helpers import palette_search, settle, until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bilans(tmp_path: Path) -> Path:
    spec = importlib.util.spec_from_file_location(
        "fictitious_bilans", ROOT / "tools" / "fictitious_bilans.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    folder = tmp_path / "bilans"
    tool.write_bilans(folder)
    return folder


def _rows(screen: DepartmentScreen, tab: str) -> int:
    return screen.query_one(f"#{tab}-table", DataTable).row_count


def _summary(screen: DepartmentScreen) -> str:
    return str(screen.query_one("#dep-summary", Static).render())


def _contracts(url: str) -> list[str]:
    store = Store.open(url)
    try:
        return [c.id for c in store.list_contracts()]
    finally:
        store.close()


async def test_filters_tabs_and_the_document(sample_url: str, bilans: Path) -> None:
    before = _contracts(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = DepartmentScreen(bilans)
        app.push_screen(screen)
        await until(pilot, lambda: _rows(screen, "dep-circos") == 11, "the eleven bilans")
        assert "11 fichiers lus" in _summary(screen) and "Académie de Créteil" in _summary(screen)
        await pilot.press("a")
        await until(pilot, lambda: _rows(screen, "dep-circos") == 6, "the first year only")
        assert "Année : 2018-2019" in _summary(screen)
        await pilot.press("a")
        await until(pilot, lambda: _rows(screen, "dep-circos") == 5, "the second year only")
        await pilot.press("a")  # back to every year
        await until(pilot, lambda: _rows(screen, "dep-circos") == 11, "every year again")
        await pilot.press("n", "n")  # annuel, then final
        await until(pilot, lambda: "Revue : bilan final" in _summary(screen), "the final ones")
        assert _rows(screen, "dep-circos") == 5
        await pilot.press("n")
        await pilot.press("x", "x", "x")  # axe 1, 2, 3
        await until(pilot, lambda: "Axe : 3" in _summary(screen), "axe 3")
        await pilot.press("2")
        assert app.screen.query_one(TabbedContent).active == "dep-academic"
        table = screen.query_one("#dep-academic-table", DataTable)
        assert table.row_count == 1 + 22  # its line, then the two objectives of each bilan
        assert str(table.get_row_at(0)[0]).startswith("3.1") and "22 objectifs" in str(
            table.get_row_at(0)[1]
        )
        await pilot.press("3")
        assert app.screen.query_one(TabbedContent).active == "dep-indicators"
        assert _rows(screen, "dep-indicators") > 0
        await pilot.press("4")
        notices = screen.query_one("#dep-notices-table", DataTable)
        lines = [str(notices.get_row_at(i)[1]) for i in range(notices.row_count)]
        assert any("Les Vergers, 2019-2020 : aucun bilan" in line for line in lines)
        assert any("bilan provisoire" in line for line in lines)
        await pilot.press("e")
        target = bilans / "consolidation-bilans.odt"
        await until(pilot, target.exists, "the document")
        with zipfile.ZipFile(target) as odt:
            assert "Un climat scolaire serein" in odt.read("content.xml").decode("utf-8")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DepartmentScreen), "back")
    assert _contracts(sample_url) == before  # the consolidation never writes to the store


async def test_a_folder_typed_in_and_a_wrong_one(sample_url: str, bilans: Path) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = DepartmentScreen(bilans.parent / "absent")
        app.push_screen(screen)
        await until(pilot, lambda: "ce n'est pas un dossier" in _summary(screen), "the refusal")
        assert _rows(screen, "dep-circos") == 0
        await pilot.press("d")
        field = screen.query_one("#dep-path", Input)
        assert field.has_focus
        field.value = str(bilans)
        await pilot.press("enter")
        await until(pilot, lambda: _rows(screen, "dep-circos") == 11, "the bilans of the folder")
        (bilans / "bilan-fictive-001-2018-2019.toml").write_text("pas du TOML = = \n")
        await pilot.press("r")
        await until(
            pilot, lambda: "1 refusé" in _summary(screen), "the refusal after reading again"
        )
        await pilot.press("4")
        notices = screen.query_one("#dep-notices-table", DataTable)
        lines = [str(notices.get_row_at(i)[1]) for i in range(notices.row_count)]
        assert any(line.startswith("bilan-fictive-001-2018-2019.toml : ") for line in lines)
        # the table cuts long messages: the whole of the chosen one is shown below it
        detail = str(screen.query_one("#dep-notice", Static).render())
        assert detail.startswith("Fichiers refusés — bilan-fictive-001-2018-2019.toml : ")
        assert "syntaxe TOML invalide" in detail


async def test_the_palette_opens_the_screen(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "Département")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DepartmentScreen), "the screen")
        await settle(pilot)
        assert app.screen.query_one("#dep-path", Input).has_focus
        assert "Indiquez le dossier" in _summary(app.screen)  # type: ignore[arg-type]


async def test_the_bilans_of_the_open_store(bilan_url: str) -> None:
    """« b »: every review of the store, through the bilan TOML a circonscription would send;
    nothing is written to the store."""
    store = Store.open(bilan_url)
    try:
        reviews = store.list_reviews("epinay-2018-2020")
        before = [(r.school_year, r.kind, r.closed) for r in reviews]
    finally:
        store.close()
    app = make_app(bilan_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = DepartmentScreen()
        app.push_screen(screen)
        await settle(pilot)
        await pilot.press("tab")  # out of the folder field
        await pilot.press("b")
        await until(pilot, lambda: "Bilans de la base" in _summary(screen), "the store's bilans")
        table = screen.query_one("#dep-circos-table", DataTable)
        await until(pilot, lambda: table.row_count == len(before), "one row per review")
        assert {str(table.get_row_at(i)[0]) for i in range(table.row_count)} == {"Épinay-sur-Seine"}
    store = Store.open(bilan_url)
    try:
        after = [(r.school_year, r.kind, r.closed) for r in store.list_reviews("epinay-2018-2020")]
    finally:
        store.close()
    assert after == before
