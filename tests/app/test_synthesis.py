"""The synthesis screen: written as typed, kept when the app quits, read-only once closed."""

from __future__ import annotations

from textual.widgets import TextArea

from revue.app.factory import make_app
from revue.app.screens.reviews import ReviewsScreen
from revue.app.screens.synthesis import SynthesisScreen
from revue.store.store import Store
from tests.helpers import EPI, final_review, settle, shown


async def test_synthesis_is_saved_as_typed(sample_url: str) -> None:
    final = final_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ReviewsScreen(EPI))
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SynthesisScreen)
        await pilot.press(*"Des conseils de cycle")
        app.screen.query_one("#vigilance", TextArea).focus()
        await pilot.press(*"La non-réponse en CE1")
        app.exit()  # before the save timer: written on the way out
    store = Store.open(sample_url)
    synthesis = store.get_synthesis(final.id)
    store.close()
    assert synthesis.strengths == "Des conseils de cycle"
    assert synthesis.vigilance == "La non-réponse en CE1"


async def test_closed_review_synthesis_is_read_only(sample_url: str) -> None:
    final = final_review(sample_url)
    store = Store.open(sample_url)
    store.save_synthesis(final.id, perspectives="Poursuivre")
    store.close_review(final.id)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(SynthesisScreen(final.id))
        await settle(pilot)
        assert "lecture seule" in shown(app)
        assert app.screen.query_one("#perspectives", TextArea).read_only
