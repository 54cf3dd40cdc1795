"""The overview of a review and « depuis la dernière revue »: Pilot tests on real stores."""

from __future__ import annotations

import uuid
from pathlib import Path

from textual.widgets import DataTable

from revue.app.factory import make_app
from revue.app.screens.changes import ChangesScreen
from revue.app.screens.contracts import ContractsScreen
from revue.app.screens.help import HelpScreen
from revue.app.screens.overview import OverviewScreen
from revue.domain.review import ReviewKind
from revue.store.store import Store
from tests.helpers import (
    EPI,
    epinay_reviews,
    flat,
    open_review_screen,
    settle,
    shown,
    trajectory_reviews,
)


async def overview_lines(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    """Every line the overview shows (blanks collapsed), scrolling it down to its end."""
    scroll = pilot.app.screen.query_one("#overview-scroll")
    seen: list[str] = []
    scroll.scroll_home(animate=False)
    await pilot.pause()
    while True:
        right = scroll.scrollable_content_region.right  # not the scrollbar
        lines = [" ".join(line[:right].split()) for line in shown(pilot.app).splitlines()]
        seen.extend(lines[1:-1])  # not the title and the footer, repeated on every screen
        if scroll.scroll_y >= scroll.max_scroll_y:
            break
        scroll.scroll_to(y=scroll.scroll_y + scroll.size.height, animate=False)
        await pilot.pause()
    return seen


def line_of(lines: list[str], start: str) -> str:
    """The first line that starts with ``start``."""
    found = [line for line in lines if line.startswith(start)]
    assert found, f"no line starts with {start!r}"
    return found[0]


# --- the overview -------------------------------------------------------------------------------


async def test_overview_counts_statuses_per_strategy(sample_url: str) -> None:
    first, _second = epinay_reviews(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review_screen(pilot, OverviewScreen(first.id))
        assert isinstance(app.screen, OverviewScreen)
        text = flat(app)
        assert "Vue d'ensemble — Examen annuel 2018-2019 — Épinay-sur-Seine" in text
        assert "Au total : 11/31 objectifs examinés." in text
        # Stratégie 1 holds objectives 1 to 10, 2 holds 11 to 18, 3 holds 19 to 29, 4 the last two
        assert "Stratégie 1 · UNE CIRCONSCRIPTION, DES ÉCOLES INCLUSIVES ET PERFORMANTES" in text
        assert "6/10 objectifs examinés" in text
        assert (
            "█ atteint 2 █ partiellement atteint 1 █ en cours 1 █ à engager 1 "
            "█ non atteint 1 ░ non examiné 4"
        ) in text
        assert "2/8 objectifs examinés" in text
        assert "█ atteint 1 █ abandonné 1 ░ non examiné 6" in text
        assert "2/11 objectifs examinés" in text
        assert "█ atteint 1 █ en cours 1 ░ non examiné 9" in text
        assert "1/2 objectifs examinés" in text
        assert "█ partiellement atteint 1 ░ non examiné 1" in text
        assert "Hors stratégie" not in text
        # the strategies' bars line up, each status in proportion; the progress follows the bar
        bars = [
            line.strip() for line in shown(app).splitlines() if line.strip().startswith(("█", "░"))
        ]
        bars = [bar.split("  ")[0] for bar in bars if "objectif" in bar]
        assert [len(bar) for bar in bars] == [90] * 4
        assert bars[3] == "█" * 45 + "░" * 45  # 1 of 2
        assert bars[0] == "█" * 18 + "█" * 9 + "█" * 9 + "█" * 9 + "█" * 9 + "░" * 36  # 2,1,1,1,1,4


async def test_overview_lists_indicators_without_trajectory(sample_url: str) -> None:
    first, _second = epinay_reviews(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review_screen(pilot, OverviewScreen(first.id))
        lines = await overview_lines(pilot)
        text = " ".join(lines)
        assert "Indicateurs et trajectoires" in lines
        assert "Valeur Attendu" in lines
        assert line_of(lines, "Indicateur initiale Cible 2018-2019 Constaté Écart Sens Évolution")
        # no baseline in the sample: no expected value, so no gap; the target's year below it
        assert line_of(lines, "Taux de tentative aux évaluations") == (
            "Taux de tentative aux évaluations nationales — 100 % — 91 % — ↑ mieux ▄"
        )
        assert line_of(lines, "Taux de non-réponse aux évaluations") == (
            "Taux de non-réponse aux évaluations — 0 % — 6,5 % — ↓ mieux ▄"
        )
        assert line_of(lines, "(2019-2020)") == "(2019-2020)"
        assert (
            "Attendu : la valeur de l'année sur la ligne droite qui va de la valeur initiale "
            "à la cible ; « — » quand l'une des deux manque."
        ) in text
        # the two counts with neither target nor value are left out, and said so
        assert (
            "2 indicateurs sans valeur initiale, sans cible et sans valeur constatée "
            "n'apparaissent pas dans le tableau."
        ) in text
        # nothing can be off track without a baseline; the objective « non atteint » is listed
        assert line_of(lines, "• Objectif 7 · Chaque élève quittant l'élémentaire")
        assert "Statut de la revue : non atteint." in lines
        assert len([line for line in lines if line.startswith("• Objectif")]) == 1
        assert "Un indicateur est « en retard » quand la valeur constatée s'écarte" in text


async def test_overview_trajectories_and_off_track(db_url: str, tmp_path: Path) -> None:
    _first, second = trajectory_reviews(db_url, tmp_path)
    app = make_app(db_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review_screen(pilot, OverviewScreen(second.id))
        assert "Vue d'ensemble — Examen annuel 2019-2020 — Essai-sur-Mer" in flat(app)
        lines = await overview_lines(pilot)
        text = " ".join(lines)
        assert "Au total : 3/5 objectifs examinés." in lines
        assert "Stratégie 1 · La réussite de tous les élèves, de la maternelle au CM2" in lines
        row = lines.index("Hors stratégie")  # o0 sits at the top of the contract, in no section
        assert lines[row + 1].endswith("█ 1/1 objectif examiné")
        assert lines[row + 2] == "█ atteint 1"
        # 70 % (2017-2018) -> 100 % (2020-2021): 90 % expected in 2019-2020, 82 % seen;
        # the values of 2018-2019 and 2019-2020 in the sparkline
        assert line_of(lines, "Taux de tentative") == (
            "Taux de tentative 70 % 100 % 90 % 82 % −8 ↑ mieux ▁█"
        )
        # 12 % -> 3 % by avenant n° 1: 6 % expected, 4,5 % seen: ahead of the trajectory
        row = lines.index(line_of(lines, "Taux de non-réponse"))
        assert lines[row : row + 3] == [
            "Taux de non-réponse 12 % 0 % → 3 % 6 % 4,5 % −1,5 ↓ mieux █▁",
            "(2017-2018) (2020-2021)",
            "révisée (avenant n° 1)",
        ]
        # no baseline: no trajectory
        assert line_of(lines, "Taux de validation de") == (
            "Taux de validation de — 100 % — 64 % — ↑ mieux ▄"
        )
        # a count from the accompaniment log (empty here) is said to come from it
        assert line_of(lines, "Nombre d'accompagnements") == (
            "Nombre d'accompagnements — — — 0 (journal) — ↑ mieux ▄▄"
        )
        # off track, and why; then the objective « non atteint »
        assert line_of(lines, "• Objectif") == (
            "• Objectif 2 · Améliorer les résultats aux évaluations nationales et réduire la "
            "non-réponse"
        )
        assert (
            "Taux de tentative : constaté 82 %, attendu 90 % en 2019-2020 — 8 points de "
            "retard sur la trajectoire (marge tolérée : 3 points)."
        ) in text
        assert "Taux de non-réponse :" not in text
        assert "• Objectif 5 · Former les directeurs aux gestes qui sauvent" in lines
        assert "Statut de la revue : non atteint." in lines
        assert "Aucun objectif en retard" not in text


async def test_overview_at_80_columns_keeps_every_column(db_url: str, tmp_path: Path) -> None:
    _first, second = trajectory_reviews(db_url, tmp_path)
    app = make_app(db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review_screen(pilot, OverviewScreen(second.id))
        lines = await overview_lines(pilot)
        # the direction and the trend go under the indicator's label
        row = lines.index("tentative (2017-2018) (2020-2021)")
        assert lines[row - 1 : row + 2] == [
            "Taux de 70 % 100 % 90 % 82 % −8",
            "tentative (2017-2018) (2020-2021)",
            "↑ mieux ▁█",
        ]
        text = " ".join(lines)
        for piece in ("révisée (avenant n° 1)", "8 points de retard", "marge tolérée : 3 points"):
            assert piece in text, piece


async def test_overview_with_nothing_examined(sample_url: str) -> None:
    store = Store.open(sample_url)
    review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review_screen(pilot, OverviewScreen(review.id))
        lines = await overview_lines(pilot)
        assert "Au total : 0/31 objectifs examinés." in lines
        assert "░ non examiné 10" in lines
        assert "Aucun objectif en retard sur sa trajectoire." in lines


async def test_overview_escape_help_and_missing_review(sample_url: str) -> None:
    first, _second = epinay_reviews(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review_screen(pilot, OverviewScreen(first.id))
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "vue d'ensemble de la revue" in flat(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContractsScreen)
        await open_review_screen(pilot, OverviewScreen(uuid.uuid4()))
        assert "Cette revue n'existe plus." in flat(app)


# --- depuis la dernière revue -------------------------------------------------------------------


async def test_changes_since_last_review(sample_url: str) -> None:
    _first, second = epinay_reviews(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review_screen(pilot, ChangesScreen(second.id))
        screen = app.screen
        assert isinstance(screen, ChangesScreen)
        text = flat(app)
        assert (
            "Depuis la dernière revue — Examen annuel 2019-2020 (comparée à examen annuel "
            "2018-2019)"
        ) in text
        table = screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert [row[1] for row in rows] == [
            "statut",
            "valeur : Taux de tentative aux é…",
            "valeur : Taux de non-réponse aux…",
            "analyse",
            "statut",
            "preuve ajoutée",
        ]
        assert rows[0][0].startswith("1. Une amélioration des résultat")
        assert [row[0] for row in rows[1:4]] == ["", "", ""]  # the objective is said once
        assert rows[0][2:] == ["en cours", "atteint"]
        assert rows[1][2:] == ["91 %", "98,5 %"]
        assert rows[2][2:] == ["6,5 %", "3 %"]
        assert rows[3][2] == "modifiée" and rows[3][3].startswith("Objectif atteint : toutes")
        assert rows[3][3].endswith("…")
        assert rows[4][0].startswith("7. Chaque élève") and rows[4][2:] == [
            "non atteint",
            "partiellement atteint",
        ]
        assert rows[5][0].startswith("28. 100% des directeurs formés")
        assert rows[5][3].startswith("20/01/2020 — note CPC — Formatio")
        # the whole of the selected line under the table
        full = screen.query_one("#changes-full")
        assert "Objectif 1 · Une amélioration des résultats" in flat(app)
        assert "Statut : en cours → atteint" in flat(app)
        await pilot.press("down")
        await pilot.pause()
        assert (
            "Valeur constatée « Taux de tentative aux évaluations nationales » : 91 % → 98,5 %"
        ) in flat(app)
        await pilot.press("down", "down")
        await pilot.pause()
        text = flat(app)
        assert "Analyse modifiée : Objectif atteint : toutes les écoles" in text
        assert "et la non-réponse a nettement reculé en CE1." in text
        assert full.display
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContractsScreen)


async def test_changes_of_a_first_review(sample_url: str) -> None:
    first, _second = epinay_reviews(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review_screen(pilot, ChangesScreen(first.id))
        text = flat(app)
        assert "Depuis la dernière revue — Examen annuel 2018-2019" in text
        assert "comparée" not in text
        assert "C'est la première revue de ce contrat : rien à comparer." in text
        assert not app.screen.query_one(DataTable).display


async def test_changes_when_nothing_changed(sample_url: str) -> None:
    store = Store.open(sample_url)
    store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    second = store.create_review(EPI, "2019-2020", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review_screen(pilot, ChangesScreen(second.id))
        assert "Aucun changement depuis la revue précédente." in flat(app)
        await pilot.press("f1")
        await settle(pilot)
        assert "Ce qui a changé depuis la revue précédente" in flat(app)


async def test_the_walk_shows_this_years_expected_value(db_url: str, tmp_path: Path) -> None:
    """Beside the input: 90 % expected for « Taux de tentative » in 2019-2020 (70 % in
    2017-2018 -> 100 % in 2020-2021); « — » where no trajectory can be drawn."""
    from revue.app.screens.walk import WalkScreen

    _first, second = trajectory_reviews(db_url, tmp_path)
    app = make_app(db_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(WalkScreen(second.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen)
        await screen.go_to_objective("o1")
        await settle(pilot)
        assert "Valeur 2019-2020 82 attendu : 90 %" in flat(app)
        # 12 % -> 3 % (the avenant's revised target), lower is better: 6 % two years on
        said = " ".join(str(screen.query_one("#value-1-expected").render()).split())
        assert said == "attendu : 6 %"
        await screen.go_to_objective("o2")
        await settle(pilot)
        assert "attendu : —" in flat(app)  # no baseline


def test_a_second_midterm_review_is_refused(sample_url: str) -> None:
    import pytest

    from revue.domain.errors import ConflictError

    store = Store.open(sample_url)
    try:
        store.create_review(EPI, "2018-2019", ReviewKind.MIDTERM)
        with pytest.raises(ConflictError, match=r"déjà son évaluation à mi-parcours \(2018-2019\)"):
            store.create_review(EPI, "2019-2020", ReviewKind.MIDTERM)
        assert [r.kind for r in store.list_reviews(EPI)] == [ReviewKind.MIDTERM]
    finally:
        store.close()


async def test_the_new_review_dialog_says_why_a_second_midterm_is_refused(
    sample_url: str,
) -> None:
    from textual.widgets import Static

    from revue.app.screens.reviews import NewReviewScreen, ReviewsScreen

    store = Store.open(sample_url)
    store.create_review(EPI, "2018-2019", ReviewKind.MIDTERM)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ReviewsScreen(EPI))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewReviewScreen)
        # one key each: the year's number, Tab, the kind's number, Entrée
        await pilot.press("2", "tab", "2", "enter")
        await settle(pilot)
        said = str(dialog.query_one("#new-error", Static).render())
        assert "Ce contrat a déjà son évaluation à mi-parcours (2018-2019)" in said
    store = Store.open(sample_url)
    assert len(store.list_reviews(EPI)) == 1
    store.close()


async def test_avenant_key_on_an_annual_or_closed_review_says_why(sample_url: str) -> None:
    from revue.app.screens.reviews import ReviewsScreen

    first, _second = epinay_reviews(sample_url)  # 2018-2019 closed, 2019-2020 open: annual
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ReviewsScreen(EPI))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewsScreen)
        assert screen.selected() is not None and screen.selected().id == first.id
        await pilot.press("a")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("est clôturée : un avenant ne s'y enregistre plus" in m for m in said)
        await pilot.press("down", "a")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("Un avenant s'enregistre lors de l'évaluation à mi-parcours" in m for m in said)
        assert isinstance(app.screen, ReviewsScreen)  # nothing opened
