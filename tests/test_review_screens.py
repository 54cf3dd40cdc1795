"""The overview of a review and « depuis la dernière revue »: Pilot tests on real stores, the
small pure functions, and snapshots at 120×40 and 80×24."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from textual.widgets import DataTable

from revue.app.factory import make_app
from revue.app.screens.changes import ChangesScreen, fit_widths
from revue.app.screens.contracts import ContractsScreen
from revue.app.screens.help import HelpScreen
from revue.app.screens.overview import OverviewScreen, bar_widths, signed, sparkline
from revue.domain.avenant import Avenant, AvenantChange
from revue.domain.review import EvidenceSource, ReviewKind, ReviewSummary, Status
from revue.services.imports import import_files
from revue.store.store import Store
from tests.test_snapshots import SIZES

EPI = "epinay-2018-2020"
TRAJ = "trajectoires-2018-2021"

#: A small contract with baselines, so that trajectories can be drawn: reviewed in 2019-2020,
#: "Taux de tentative" is expected at 90 % (70 % in 2017-2018 -> 100 % in 2020-2021) and
#: "Taux de non-réponse" at 4 % (12 % -> 0 %, lower is better) unless an avenant revises it.
TRAJECTORIES = """\
format = "revue-contrat"
format_version = 1
id = "trajectoires-2018-2021"
title = "Contrat d'essai des trajectoires"
circonscription = "Essai-sur-Mer"
start_date = 2018-09-01
end_date = 2021-08-31

[[objectives]]
id = "o0"
text = "Tenir les instances de pilotage de la circonscription"

[[sections]]
id = "s1"
level = "Stratégie"
code = "1"
title = "La réussite de tous les élèves, de la maternelle au CM2"

[[objectives]]
id = "o1"
section = "s1"
text = "Améliorer les résultats aux évaluations nationales et réduire la non-réponse"

[[objectives.indicators]]
id = "tentative"
label = "Taux de tentative"
unit = "%"
baseline = 70
baseline_year = "2017-2018"
target = 100
target_year = "2020-2021"

[[objectives.indicators]]
id = "non-reponse"
label = "Taux de non-réponse"
unit = "%"
baseline = 12
baseline_year = "2017-2018"
target = 0
target_year = "2020-2021"
direction = "lower"

[[sections]]
id = "s1-a"
parent = "s1"
level = "Priorité"
title = "Le cycle 3"

[[objectives]]
id = "o2"
section = "s1-a"
text = "Valider l'ASSN en fin de CM2"

[[objectives.indicators]]
id = "assn"
label = "Taux de validation de l'ASSN"
unit = "%"
target = 100
target_year = "2020-2021"

[[sections]]
id = "s2"
level = "Stratégie"
code = "2"
title = "Former et accompagner les équipes"

[[objectives]]
id = "o3"
section = "s2"
text = "Accompagner collectivement les équipes d'école"

[[objectives.indicators]]
id = "collectifs"
label = "Nombre d'accompagnements collectifs"
computed = { modality = "collective" }

[[objectives]]
id = "o4"
section = "s2"
text = "Former les directeurs aux gestes qui sauvent"
"""


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shown(app) -> str:  # type: ignore[no-untyped-def]
    """All the text currently painted on the screen, line by line."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def flat(app) -> str:  # type: ignore[no-untyped-def]
    """The screen's text with every run of blanks (non-breaking ones too) made one space."""
    return " ".join(shown(app).split())


async def open_screen(pilot, screen) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot)
    # A screen shows its tables once its data has arrived, and a DataTable sizes itself when
    # the app is next idle: on a busy machine, wait for both (a screenshot taken before would
    # show an empty table). A screen whose tables stay hidden (a message instead) waits 2 s.
    # The changes screen also rebuilds its table when its width settles: wait until two looks
    # in a row agree.
    tables = list(screen.query(DataTable))

    def ready() -> bool:
        shown = [t for t in tables if t.display]
        return (not tables or bool(shown)) and all(
            t.virtual_size.height > 0 and t.row_count > 0 for t in shown
        )

    steady = 0
    for _ in range(100):
        steady = steady + 1 if ready() else 0
        if steady >= 3:
            break
        await pilot.pause(0.03)
    for table in tables:  # paint them afresh: a row drawn before the width settled stays blank
        table._clear_caches()
        table.refresh(layout=True)
    await pilot.pause(0.05)
    await settle(pilot)


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


# --- data ---------------------------------------------------------------------------------------


def trajectory_reviews(url: str, tmp_path: Path) -> tuple[ReviewSummary, ReviewSummary]:
    """The small contract reviewed in 2018-2019 and 2019-2020, the second one with
    "Taux de tentative" off track (82 % for 90 % expected), a status « non atteint », and an
    avenant (recorded at the mi-parcours) that revises the non-response target to 3 %."""
    path = tmp_path / "trajectoires.toml"
    path.write_text(TRAJECTORIES, encoding="utf-8")
    store = Store.open(url)
    try:
        done, errors = import_files(store, [path])
        assert errors == [], errors
        first = store.create_review(TRAJ, "2018-2019", ReviewKind.ANNUAL)
        store.save_value(first.id, "tentative", 75)
        store.save_value(first.id, "non-reponse", 9)
        store.save_record(first.id, "o1", status=Status.IN_PROGRESS)
        store.close_review(first.id)
        second = store.create_review(TRAJ, "2019-2020", ReviewKind.ANNUAL)
        store.save_value(second.id, "tentative", 82)
        store.save_value(second.id, "non-reponse", 4.5)
        store.save_value(second.id, "assn", 64)
        store.save_record(second.id, "o0", status=Status.REACHED)
        store.save_record(second.id, "o1", status=Status.PARTLY)
        store.save_record(second.id, "o4", status=Status.NOT_REACHED)
        midterm = store.create_review(TRAJ, "2019-2020", ReviewKind.MIDTERM)
        store.record_avenant(
            midterm.id,
            Avenant(
                number=1,
                date=dt.date(2020, 2, 3),
                reason="Cible de non-réponse irréaliste",
                changes=[
                    AvenantChange(
                        kind="indicator-target",
                        objective_id="o1",
                        target_id="non-reponse",
                        before={"value": 0, "year": "2020-2021"},
                        after={"value": 3, "year": "2020-2021"},
                    )
                ],
            ),
        )
        return first, second
    finally:
        store.close()


#: (objective number in the walk, status) for the Épinay sample's 2018-2019 review.
EPINAY_STATUSES = {
    1: Status.IN_PROGRESS,
    2: Status.REACHED,
    3: Status.REACHED,
    4: Status.PARTLY,
    5: Status.TO_START,
    7: Status.NOT_REACHED,
    11: Status.REACHED,
    12: Status.DROPPED,
    19: Status.IN_PROGRESS,
    28: Status.REACHED,
    30: Status.PARTLY,
}


def epinay_reviews(url: str) -> tuple[ReviewSummary, ReviewSummary]:
    """Two annual reviews of the Épinay sample: 2018-2019 with statuses, values and evidence,
    then 2019-2020 where some of it changed."""
    store = Store.open(url)
    try:
        first = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
        objectives = store.load_walk(first.id).objectives
        for number, status in EPINAY_STATUSES.items():
            store.save_record(first.id, objectives[number - 1].id, status=status)
        store.save_value(first.id, "s1-p1-c1-o1-tentative", 91)
        store.save_value(first.id, "s1-p1-c1-o1-non-reponse", 6.5)
        store.save_record(
            first.id,
            objectives[0].id,
            analysis="Les tentatives progressent ; la non-réponse reste forte en CE1.",
        )
        store.add_evidence(
            first.id,
            objectives[0].id,
            dt.date(2019, 3, 12),
            "Résultats des évaluations de CP",
            EvidenceSource.NATIONAL,
        )
        store.close_review(first.id)
        second = store.create_review(EPI, "2019-2020", ReviewKind.ANNUAL)
        for number, status in EPINAY_STATUSES.items():
            store.save_record(second.id, objectives[number - 1].id, status=status)
        store.save_record(
            second.id,
            objectives[0].id,
            status=Status.REACHED,
            analysis="Objectif atteint : toutes les écoles ont fait passer les "
            "évaluations et la non-réponse a nettement reculé en CE1.",
        )
        store.save_record(second.id, objectives[6].id, status=Status.PARTLY)
        store.save_value(second.id, "s1-p1-c1-o1-tentative", 98.5)
        store.save_value(second.id, "s1-p1-c1-o1-non-reponse", 3)
        store.add_evidence(
            second.id,
            objectives[27].id,
            dt.date(2020, 1, 20),
            "Formation PSC1 de tous les directeurs du réseau",
            EvidenceSource.CPC_NOTE,
        )
        return first, second
    finally:
        store.close()


# --- pure functions -----------------------------------------------------------------------------


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([1, 8]) == "▁█"
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert sparkline([70, 75, 82, 100]) == "▁▂▄█"
    assert sparkline([5, 5, 5]) == "▄▄▄"  # flat: mid-height
    assert sparkline([3]) == "▄"
    assert sparkline([1, None, 2]) == "▁ █"  # a year without a value
    assert sparkline([None]) == " "
    assert all(c in "▁▂▃▄▅▆▇█" for c in sparkline([0.1, 0.7, -3, 12.5, 4]))


def test_bar_widths_are_proportional_and_fill_the_bar() -> None:
    assert bar_widths([1, 1], 10) == [5, 5]
    assert bar_widths([3, 0, 1], 8) == [6, 0, 2]
    assert bar_widths([0, 0], 10) == [0, 0]
    assert bar_widths([1, 99], 10) == [1, 9]  # a status present never disappears
    for counts in ([2, 3, 5, 0, 1, 1, 19], [1, 1, 1, 1, 1, 1, 1], [10, 0, 0, 0, 0, 0, 0]):
        for width in (7, 40, 76, 116):
            cells = bar_widths(counts, width)
            assert sum(cells) == width
            assert all((c > 0) == (n > 0) for c, n in zip(cells, counts, strict=True))


def test_change_columns_share_the_width() -> None:
    assert fit_widths([10, 8, 5, 12], 100) == [10, 8, 5, 12]  # all fit: as they are
    assert fit_widths([60, 9, 11, 80], 70) == [25, 9, 11, 25]  # short ones keep their size
    assert sum(fit_widths([50, 50, 50, 50], 70)) <= 70


def test_signed_gap_in_french() -> None:
    assert signed(4.25) == "+4,25"
    assert signed(-8) == "−8"
    assert signed(0) == "0"


# --- the overview -------------------------------------------------------------------------------


async def test_overview_counts_statuses_per_strategy(sample_url: str) -> None:
    first, _second = epinay_reviews(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_screen(pilot, OverviewScreen(first.id))
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
        await open_screen(pilot, OverviewScreen(first.id))
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
        await open_screen(pilot, OverviewScreen(second.id))
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
        await open_screen(pilot, OverviewScreen(second.id))
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
        await open_screen(pilot, OverviewScreen(review.id))
        lines = await overview_lines(pilot)
        assert "Au total : 0/31 objectifs examinés." in lines
        assert "░ non examiné 10" in lines
        assert "Aucun objectif en retard sur sa trajectoire." in lines


async def test_overview_escape_help_and_missing_review(sample_url: str) -> None:
    first, _second = epinay_reviews(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_screen(pilot, OverviewScreen(first.id))
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "vue d'ensemble de la revue" in flat(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContractsScreen)
        await open_screen(pilot, OverviewScreen(uuid.uuid4()))
        assert "Cette revue n'existe plus." in flat(app)


# --- depuis la dernière revue -------------------------------------------------------------------


async def test_changes_since_last_review(sample_url: str) -> None:
    _first, second = epinay_reviews(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_screen(pilot, ChangesScreen(second.id))
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
        await open_screen(pilot, ChangesScreen(first.id))
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
        await open_screen(pilot, ChangesScreen(second.id))
        assert "Aucun changement depuis la revue précédente." in flat(app)
        await pilot.press("f1")
        await settle(pilot)
        assert "Ce qui a changé depuis la revue précédente" in flat(app)


# --- snapshots ----------------------------------------------------------------------------------


def _push(screen_factory):  # type: ignore[no-untyped-def]
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_screen(pilot, screen_factory())

    return run


@pytest.mark.parametrize("size", SIZES)
def test_overview_epinay_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    first, _second = epinay_reviews(sample_url)
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=_push(lambda: OverviewScreen(first.id))
    )


@pytest.mark.parametrize("size", SIZES)
def test_overview_trajectories_snapshot(
    snap_compare, db_url: str, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Scrolled to the indicators, so their table shows."""
    _first, second = trajectory_reviews(db_url, tmp_path)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_screen(pilot, OverviewScreen(second.id))
        label = pilot.app.screen.query_one("#overview-indicators-title")
        pilot.app.screen.query_one("#overview-scroll").scroll_to_widget(
            label, animate=False, top=True
        )
        await settle(pilot)

    assert snap_compare(make_app(db_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_changes_snapshot(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    _first, second = epinay_reviews(sample_url)
    assert snap_compare(
        make_app(sample_url), terminal_size=size, run_before=_push(lambda: ChangesScreen(second.id))
    )
