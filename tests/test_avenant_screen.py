"""The avenant screen: record an avenant that revises a target and adds an action."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, Select, TextArea

from revue.app.factory import make_app
from revue.app.screens.avenant import AvenantScreen
from revue.review_domain import ReviewKind
from revue.store.store import Store
from tests.test_app import settle, shown
from tests.test_snapshots import SIZES

EPI = "epinay-2018-2020"
TODAY = dt.date(2019, 6, 20)


def review(url: str, kind: ReviewKind = ReviewKind.MIDTERM):  # type: ignore[no-untyped-def]
    store = Store.open(url)
    try:
        return store.create_review(EPI, "2018-2019", kind)
    finally:
        store.close()


async def open_screen(pilot, review_id) -> AvenantScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(AvenantScreen(review_id, today=TODAY))
    await settle(pilot)
    return pilot.app.screen


async def choose(pilot, screen, objective: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    screen.query_one("#av-objective", Select).value = objective
    screen.query_one("#av-kind", Select).value = kind
    await settle(pilot)


async def test_record_an_avenant_revising_a_target(sample_url: str) -> None:
    midterm = review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(pilot, midterm.id)
        assert screen.query_one("#av-number", Input).value == "1"
        assert screen.query_one("#av-date", Input).value == "20/06/2019"
        first = screen.walk.objectives[0]
        await choose(pilot, screen, first.id, "indicator-target")
        screen.query_one("#av-value", Input).value = "95"
        await pilot.click("#av-add")
        await pilot.pause()
        await choose(pilot, screen, first.id, "action-add")
        screen.query_one("#av-what", Input).value = "Analyse des items non réussis en conseil de cycle"
        screen.query_one("#av-who", Input).value = "CPC"
        await pilot.click("#av-add")
        await pilot.pause()
        assert "cible d'un indicateur" in shown(app) and "action ajoutée" in shown(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "motif" in shown(app)  # reason missing: nothing recorded, form kept
        screen.query_one("#av-reason", TextArea).text = "Cible de tentative trop ambitieuse"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, AvenantScreen)
    store = Store.open(sample_url)
    avenants = store.list_avenants(EPI)
    walk = store.load_walk(midterm.id)
    store.close()
    assert [(a.number, a.date, a.reason) for a in avenants] == [
        (1, TODAY, "Cible de tentative trop ambitieuse")]
    target = avenants[0].changes[0]
    assert (target.before, target.after) == ({"value": 100, "year": "2019-2020"},
                                             {"value": 95.0, "year": "2019-2020"})
    indicator = walk.objectives[0].indicators[0]
    assert walk.targets[indicator.id].initial_value == 100
    assert walk.targets[indicator.id].value == 95
    assert walk.objectives[0].actions[-1].what.startswith("Analyse des items")


async def test_bad_input_is_explained_and_nothing_recorded(sample_url: str) -> None:
    midterm = review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(pilot, midterm.id)
        first = screen.walk.objectives[0]
        await choose(pilot, screen, first.id, "indicator-target")
        screen.query_one("#av-value", Input).value = "beaucoup"
        await pilot.click("#av-add")
        await pilot.pause()
        assert "« beaucoup » n'est pas un nombre" in shown(app)
        screen.query_one("#av-value", Input).value = "95"
        await pilot.click("#av-add")
        await pilot.pause()
        screen.query_one("#av-date", Input).value = "30/02/2019"
        screen.query_one("#av-reason", TextArea).text = "Motif"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "30/02/2019" in shown(app) and "invalide" in shown(app)
    store = Store.open(sample_url)
    assert store.list_avenants(EPI) == []
    store.close()


async def test_annual_review_explains_where_avenants_go(sample_url: str) -> None:
    annual = review(sample_url, ReviewKind.ANNUAL)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_screen(pilot, annual.id)
        assert "évaluation à mi-parcours" in " ".join(shown(app).split())


@pytest.mark.parametrize("size", SIZES)
def test_avenant_form_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    midterm = review(sample_url)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await open_screen(pilot, midterm.id)
        first = screen.walk.objectives[0]
        await choose(pilot, screen, first.id, "indicator-target")
        screen.query_one("#av-value", Input).value = "95"
        await pilot.click("#av-add")
        await settle(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_avenant_refused_on_annual_snapshot(snap_compare, sample_url: str,
                                            size: tuple[int, int]) -> None:
    annual = review(sample_url, ReviewKind.ANNUAL)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_screen(pilot, annual.id)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


async def test_a_pending_change_can_be_removed(sample_url: str) -> None:
    midterm = review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(pilot, midterm.id)
        await choose(pilot, screen, screen.walk.objectives[0].id, "objective-text")
        screen.query_one("#av-text", TextArea).text = "Nouveau texte"
        await pilot.click("#av-add")
        await pilot.pause()
        assert len(screen.changes) == 1
        screen.query_one("#av-changes").focus()
        await pilot.press("delete")
        await pilot.pause()
        assert screen.changes == []
        assert "Aucune modification" in shown(app)
