"""The bilan screen: choose the format and the path, write the bilan from the app."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select

from revue.app.factory import make_app
from revue.app.screens.bilan import BilanScreen
from revue.app.screens.reviews import ReviewsScreen
from tests.helpers import EPI, settle, shown


async def test_export_the_bilan_from_the_app(bilan_url: str, tmp_path: Path) -> None:
    app = make_app(bilan_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ReviewsScreen(EPI))
        await settle(pilot)
        await pilot.press("down", "b")  # the final review
        await settle(pilot)
        assert isinstance(app.screen, BilanScreen)
        app.screen.query_one("#b-format", Select).value = "md"
        await pilot.pause()
        assert app.screen.query_one("#b-path", Input).value.endswith(".md")
        target = tmp_path / "bilan.md"
        app.screen.query_one("#b-path", Input).value = str(target)
        await pilot.click("#b-write")
        await settle(pilot)
        assert "Bilan écrit dans" in " ".join(shown(app).split())
    assert target.read_text(encoding="utf-8").startswith("# Bilan final du contrat 2018-2020\n")
