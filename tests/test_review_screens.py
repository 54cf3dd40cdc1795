"""Overview and « depuis la dernière revue »: Pilot and snapshot tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from revue.app import format as fr
from revue.app.factory import make_app
from revue.app.screens.changes import ChangesScreen
from revue.app.screens.overview import OverviewScreen
from revue.imports import import_files
from revue.review_domain import EvidenceSource, ReviewKind, Status
from revue.store.store import Store
from tests.test_app import settle, shown
from tests.test_contract_format import VALID
from tests.test_snapshots import SIZES

ESSAI = "essai-2019-2021"


def test_sparkline() -> None:
    assert fr.sparkline([]) == ""
    assert fr.sparkline([1, 5, 3]) == "▁█▅"
    assert fr.sparkline([2, 2]) == "▄▄"
    assert fr.signed(4.25) == "+4,25" and fr.signed(-3) == "−3" and fr.signed(None) == "—"


def _trajectory_store(url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A contract with a baseline (62,5 % in 2018-2019) and a target (80 % in 2020-2021),
    reviewed in 2019-2020 (expected 71,25 %) with 65 % observed: off track."""
    path = tmp_path / "essai.toml"
    path.write_text(VALID, encoding="utf-8")
    store = Store.open(url)
    try:
        assert import_files(store, [path])[1] == []
        first = store.create_review(ESSAI, "2019-2020", ReviewKind.ANNUAL)
        store.save_value(first.id, "o1-i1", 65)
        store.save_record(first.id, "o1", status=Status.IN_PROGRESS, analysis="En progrès")
        store.save_record(first.id, "o2", status=Status.NOT_REACHED)
        second = store.create_review(ESSAI, "2020-2021", ReviewKind.ANNUAL)
        store.save_value(second.id, "o1-i1", 79)
        store.save_record(second.id, "o1", status=Status.REACHED, analysis="Cible presque atteinte")
        store.add_evidence(second.id, "o1", dt.date(2021, 3, 2), "Résultats de mars",
                           EvidenceSource.NATIONAL)
        return first, second
    finally:
        store.close()


async def test_overview_shows_trajectory_and_off_track(db_url: str, tmp_path: Path) -> None:
    first, _ = _trajectory_store(db_url, tmp_path)
    app = make_app(db_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(OverviewScreen(first.id))
        await settle(pilot)
        text = " ".join(shown(app).split())
        assert "Vue d'ensemble — Examen annuel 2019-2020" in text
        assert "2/2 objectifs examinés" in text
        assert "71,25 %" in text and "65 %" in text and "−6,25" in text
        assert "en cours : 1" in text and "non atteint : 1" in text
        app.screen.query_one("#overview-body").scroll_end(animate=False)
        await pilot.pause()
        text = " ".join(shown(app).split())
        assert "Objectifs à surveiller" in text
        assert "constaté 65 %, attendu 71,25 %" in text
        assert "statut « non atteint »" in text


async def test_changes_since_last_review(db_url: str, tmp_path: Path) -> None:
    first, second = _trajectory_store(db_url, tmp_path)
    app = make_app(db_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ChangesScreen(second.id))
        await settle(pilot)
        text = " ".join(shown(app).split())
        assert "comparée à : examen annuel 2019-2020" in text
        assert "en cours" in text and "atteint" in text
        assert "65 %" in text and "79 %" in text
        assert "preuve ajoutée" in text
        await pilot.press("escape")
        await settle(pilot)
        app.push_screen(ChangesScreen(first.id))
        await settle(pilot)
        assert "première revue de ce contrat" in shown(app)


@pytest.mark.parametrize("size", SIZES)
def test_overview_snapshot(snap_compare, db_url: str, tmp_path: Path,
                           size: tuple[int, int]) -> None:
    first, _ = _trajectory_store(db_url, tmp_path)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.push_screen(OverviewScreen(first.id))
        await settle(pilot)

    assert snap_compare(make_app(db_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_overview_of_the_epinay_sample(snap_compare, sample_url: str,
                                       size: tuple[int, int]) -> None:
    store = Store.open(sample_url)
    review = store.create_review("epinay-2018-2020", "2018-2019", ReviewKind.ANNUAL)
    walk = store.load_walk(review.id)
    for number, objective in enumerate(walk.objectives[:20]):
        store.save_record(review.id, objective.id, status=list(Status)[number % 6])
    store.close()

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.push_screen(OverviewScreen(review.id))
        await settle(pilot)

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_changes_snapshot(snap_compare, db_url: str, tmp_path: Path,
                          size: tuple[int, int]) -> None:
    _, second = _trajectory_store(db_url, tmp_path)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        pilot.app.push_screen(ChangesScreen(second.id))
        await settle(pilot)

    assert snap_compare(make_app(db_url), terminal_size=size, run_before=run)
