"""What several test modules share: sample paths, the screen readers, waiting for the app, and
the data the app and snapshot tests build. Fixtures live in tests/conftest.py; no test module
imports another test module, only this one."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from textual import events
from textual.keys import _character_to_key
from textual.widgets import DataTable, Input, Select

from revue.app.screens.avenant import AvenantScreen
from revue.app.screens.log import LogScreen
from revue.domain.avenant import Avenant, AvenantChange
from revue.domain.log import Content, Version
from revue.domain.review import EvidenceSource, ReviewKind, ReviewSummary, Status
from revue.formats.exchange import dump_exchange
from revue.formats.signing import SigningKey
from revue.services.demo import sample_data_dir
from revue.services.imports import import_files
from revue.store.models import HistoryRow
from revue.store.store import Store

SAMPLES = sample_data_dir()
EPINAY = SAMPLES / "contrat-epinay-2018-2020.toml"
THIONVILLE = SAMPLES / "projet-thionville1-2016-2020.toml"
ACADEMIC = SAMPLES / "projet-academique-nancy-metz.toml"
CLAIRE = SAMPLES / "echange-claire-martin-2018-2019.json"
PAUL = SAMPLES / "echange-paul-durand-2018-2019.json"
SCHOOLS = SAMPLES / "ecoles-thionville1-fictives.csv"

EPI = "epinay-2018-2020"
TESTS = Path(__file__).parent
GOLDEN = TESTS / "golden"
FIXTURES = TESTS / "fixtures"

#: Seconds a test waits for something the app does in the background before it fails.
WAIT_LIMIT = 30.0

#: The two terminal sizes every screen is snapshot at.
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


# --- reading the store ----------------------------------------------------------------------


def table_counts(store: Store) -> dict[str, int]:
    """Rows per table: 'the store is exactly as before' is checked with this."""
    from sqlalchemy import func

    from revue.store.models import Base

    with store.session() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


# --- reading the screen, waiting for the app ------------------------------------------------


def shown(app) -> str:  # type: ignore[no-untyped-def]
    """All the text currently painted on the screen, line by line."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def flat(app) -> str:  # type: ignore[no-untyped-def]
    """The screen's text with every run of blanks (non-breaking ones too) made one space."""
    return " ".join(shown(app).split())


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the store's workers finish and the screen catch up with what they posted.

    An exclusive worker replaced by a newer one (a reload while loading) ends cancelled:
    that is expected, the newer one is waited for."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(  # type: ignore[no-untyped-def]
    pilot, predicate: Callable[[], object], what: str, timeout: float = WAIT_LIMIT
) -> None:
    """Let the app run (``pilot.pause()``, which lets timers, workers and threads' posted
    messages through) until ``predicate()`` holds. Never a fixed sleep: a fast machine goes on
    at once, a loaded one gets up to ``timeout`` seconds, after which the test fails saying
    what it waited for. A predicate that raises NoMatches (a widget not mounted yet) is false."""
    from textual.css.query import NoMatches

    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except NoMatches:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f} s for {what}; the screen shows:\n{shown(pilot.app)}")
        await pilot.pause()


def saved_label(screen) -> str:  # type: ignore[no-untyped-def]
    """What the walk's or the synthesis's save marker says (« ✓ Enregistré », « … saisie »…)."""
    from textual.widgets import Static

    return str(screen.query_one("#walk-saved", Static).render())


async def palette_search(pilot, text: str, *, by_hand: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Enter ``text`` into the open command palette and wait until its search is over and a
    hit is highlighted (so that Enter runs it and a snapshot shows the final list).

    The text goes in at once, as a paste would: one change, one search. Typed ``by_hand``,
    key by key, the palette starts a search per key (0.3 s each with a long query)."""
    from textual.command import CommandInput, CommandList, CommandPalette

    await until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), "the palette")
    palette = pilot.app.screen
    if by_hand:
        await pilot.press(*text)
    else:
        palette.query_one(CommandInput).insert_text_at_cursor(text)

    def done() -> bool:
        commands = palette.query_one(CommandList)
        return (
            palette.query_one(Input).value == text
            and not any(w.node is palette and not w.is_finished for w in pilot.app.workers)
            and commands.option_count > 0
            and commands.highlighted is not None
            and not palette._show_busy
        )

    await until(pilot, done, f"the palette's hits for {text!r}")


def run_keys(*keys: str):  # type: ignore[no-untyped-def]
    """A snapshot's run_before: press keys one at a time, letting the workers finish after each."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


# --- the reviews list and the walk (their snapshots) -----------------------------------


def closed_and_open_reviews(url: str):  # type: ignore[no-untyped-def]
    """Two reviews: 2018-2019 with work on the first objective and closed, 2019-2020 open."""
    store = Store.open(url)
    try:
        first = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
        objective = store.load_walk(first.id).objectives[0]
        store.save_record(
            first.id,
            objective.id,
            status=Status.IN_PROGRESS,
            analysis="Les tentatives progressent ; la non-réponse reste forte en CE1.",
        )
        store.save_value(first.id, objective.indicators[0].id, 91)
        store.save_value(first.id, objective.indicators[1].id, 6.5)
        store.add_evidence(
            first.id,
            objective.id,
            dt.date(2019, 3, 12),
            "Résultats des évaluations de CP",
            EvidenceSource.NATIONAL,
        )
        store.close_review(first.id)
        second = store.create_review(EPI, "2019-2020", ReviewKind.ANNUAL)
        return first, second
    finally:
        store.close()


def run_push(screen_factory):  # type: ignore[no-untyped-def]
    """A snapshot's run_before: push the screen the factory makes, once the app is idle."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys()(pilot)
        pilot.app.push_screen(screen_factory())
        await run_keys()(pilot)

    return run


# --- the overview and the changes screens (app/test_review_screens.py, their snapshots) --


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


async def open_review_screen(pilot, screen) -> None:  # type: ignore[no-untyped-def]
    """Push the overview or the changes screen and wait until it shows its data, its tables
    filled and sized (a screenshot taken before would show an empty table)."""
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot)
    # The data arrives from a worker (settle waits for it): the title says « Chargement… »
    # until then, and the screen shows either its tables or a message. A DataTable sizes
    # itself when the app is next idle, and the changes screen rebuilds its table when its
    # width settles: wait until three looks in a row find every shown table filled and sized.
    tables = list(screen.query(DataTable))

    def loaded() -> bool:
        return not any(
            str(title.render()).startswith("Chargement") for title in screen.query(".screen-title")
        )

    def ready() -> bool:
        return loaded() and all(
            t.virtual_size.height > 0 and t.row_count > 0 for t in tables if t.display
        )

    looks = 0

    def steady() -> bool:
        nonlocal looks
        looks = looks + 1 if ready() else 0
        return looks >= 3

    await until(pilot, steady, "the screen's data and its tables filled and sized")
    for table in tables:  # paint them afresh: a row drawn before the width settled stays blank
        table._clear_caches()
        table.refresh(layout=True)
    await settle(pilot)


def run_open(screen_factory):  # type: ignore[no-untyped-def]
    """A snapshot's run_before: open the screen the factory makes, its tables filled."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_review_screen(pilot, screen_factory())

    return run


def trajectory_reviews(url: str, tmp_path: Path) -> tuple[ReviewSummary, ReviewSummary]:
    """The small contract reviewed in 2018-2019 and 2019-2020, the second one with
    "Taux de tentative" off track (82 % for 90 % expected), a status « non atteint », and an
    avenant (recorded at the mi-parcours) that revises the non-response target to 3 %."""
    path = tmp_path / "trajectoires.toml"
    path.write_text(TRAJECTORIES, encoding="utf-8")
    store = Store.open(url)
    try:
        _done, errors = import_files(store, [path])
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


# --- the avenant screen (app/test_avenant_screen.py, its snapshots) -----------------------


AVENANT_TODAY = dt.date(2019, 6, 20)


FIRST = "s1-p1-c1-o1"  # "Une amélioration des résultats aux évaluations nationales…"


TENTATIVE = "s1-p1-c1-o1-tentative"  # its first indicator: 100 % in 2019-2020


def avenant_review(
    url: str, kind: ReviewKind = ReviewKind.MIDTERM, *, closed: bool = False
) -> ReviewSummary:
    store = Store.open(url)
    try:
        created = store.create_review(EPI, "2018-2019", kind)
        if closed:
            store.close_review(created.id)
        return created
    finally:
        store.close()


async def open_avenant(
    pilot,
    review_id: uuid.UUID,  # type: ignore[no-untyped-def]
    results: list[bool | None] | None = None,
) -> AvenantScreen:
    await settle(pilot)
    screen = AvenantScreen(review_id, today=AVENANT_TODAY)
    pilot.app.push_screen(screen, results.append if results is not None else None)
    await settle(pilot)
    return screen


async def choose_change(
    pilot,
    screen: AvenantScreen,  # type: ignore[no-untyped-def]
    objective: str,
    kind: str,
) -> None:
    screen.query_one("#av-objective", Select).value = objective
    screen.query_one("#av-kind", Select).value = kind
    await settle(pilot)


async def add_change(pilot) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+N: the same as the button, which ignores a second click within its press effect."""
    await pilot.press("ctrl+n")
    await settle(pilot)


# --- the history screen --------------------------------------------------------------


def review_with_versions(url: str):  # type: ignore[no-untyped-def]
    """A review whose first objective went through three versions, at fixed times."""
    store = Store.open(url, author="Anne Inspectrice")
    try:
        review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
        objective = store.load_walk(review.id).objectives[0]
        store.save_record(
            review.id,
            objective.id,
            status=Status.IN_PROGRESS,
            analysis="Analyse soignée du premier trimestre.",
        )
        store.save_value(review.id, objective.indicators[0].id, 91)
        store.save_record(review.id, objective.id, analysis="")  # wiped by mistake
        with store.session() as session:
            rows = session.scalars(select(HistoryRow).order_by(HistoryRow.at)).all()
            for n, row in enumerate(rows):
                row.at = dt.datetime(2019, 6, 12, 18, 30 + n)
            session.commit()
        return review, objective
    finally:
        store.close()


# --- the recovery screen -------------------------------------------------------------


def store_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def wreck(path: Path, how: str) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if how == "page":  # the file opens, the quick check fails
        data = bytearray(path.read_bytes())
        data[8192:16384] = b"\xff" * 8192
        path.write_bytes(bytes(data))
    else:  # not even a database any more
        path.write_bytes(b"\x00garbage" * 4096)


# --- the synthesis screen ------------------------------------------------------------


def final_review(url: str):  # type: ignore[no-untyped-def]
    store = Store.open(url)
    try:
        return store.create_review(EPI, "2019-2020", ReviewKind.FINAL)
    finally:
        store.close()


# --- the accompaniment log -----------------------------------------------------------


LOG_TODAY = dt.date(2019, 3, 14)


async def open_log(pilot) -> LogScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("j")
    await settle(pilot)
    assert isinstance(pilot.app.screen, LogScreen)
    return pilot.app.screen


# --- keys typed in one burst ----------------------------------------------------------


#: A key that is not a character, as Pilot names them.
NAMED = {
    "tab",
    "shift+tab",
    "enter",
    "escape",
    "f5",
    "f6",
    "f7",
    "f8",
    "f9",
    "ctrl+s",
    "ctrl+j",
    "space",
    "end",
}


def burst(app, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Every key into the App's queue at once, with no pause between them."""
    for key in keys:
        if key in NAMED:
            event = events.Key(key, {"space": " ", "ctrl+j": "\n"}.get(key))
        else:
            assert len(key) == 1, key
            event = events.Key(key if key.isalnum() else _character_to_key(key), key)
        event.set_sender(app)
        app.post_message(event)


def typed(text: str) -> list[str]:
    return list(text)


async def through(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until every key of the burst went through, then for the workers."""
    await until(pilot, lambda: pilot.app.keys_pending == 0, "the burst's keys")
    await settle(pilot)


def one_objective_keys() -> tuple[list[str], list[str]]:
    """The keys of one objective of the Épinay sample's first: two values, a status, an
    evidence item, the analysis, the adjustments, F6. Also the navigation keys alone."""
    navigation: list[str] = []

    def nav(*keys: str) -> list[str]:
        navigation.extend(keys)
        return list(keys)

    keys = (
        typed("87,5 %")
        + nav("tab")
        + typed("2,5")
        + nav("tab", "3")  # the status: 3 = atteint
        + nav("tab")
        + typed("15/03/2019")
        + nav("tab", "c")  # the source: c = conseil de cycle
        + nav("tab")
        + typed("Tableaux de CE1 vus en conseil")
        + nav("enter")  # adds the evidence item
        + nav("tab", "tab")  # the file field, then the analysis
        + typed("Les résultats progressent.")
        + nav("tab")
        + typed("Poursuivre en CE2.")
        + nav("f6")
    )
    return keys, navigation


def stored_one_objective(url: str, review_id: object):  # type: ignore[no-untyped-def]
    """The review's walk read back from the store, after :func:`one_objective_keys` were
    typed in its first objective: checks that objective's values, status and evidence item,
    and returns the walk and that objective's record for the test's own checks."""
    store = Store.open(url)
    try:
        walk = store.load_walk(review_id)  # type: ignore[arg-type]
    finally:
        store.close()
    first = walk.objectives[0]
    record = walk.records[first.id]
    assert walk.values[first.indicators[0].id] == 87.5
    assert walk.values[first.indicators[1].id] == 2.5
    assert record.status is Status.REACHED
    assert [(e.date, e.source, e.text) for e in record.evidence] == [
        (dt.date(2019, 3, 15), EvidenceSource.CYCLE_COUNCIL, "Tableaux de CE1 vus en conseil")
    ]
    return walk, record


# --- the bilan -----------------------------------------------------------------------


SENTINEL = "Mme Zéphyrine Sentinelle"


WRITTEN = dt.date(2020, 6, 30)


def generated_reviews(url: str) -> None:
    """A mid-term review of 2018-2019 with an avenant, then the final review of 2019-2020."""
    store = Store.open(url)
    try:
        midterm = store.create_review(EPI, "2018-2019", ReviewKind.MIDTERM)
        walk = store.load_walk(midterm.id)
        first = walk.objectives[0]
        for number, objective in enumerate(walk.objectives):
            store.save_record(
                midterm.id,
                objective.id,
                status=list(Status)[number % 6],
                analysis=f"Analyse de mi-parcours n° {number + 1} : en cours.",
            )
        store.save_value(midterm.id, first.indicators[0].id, 88)
        store.save_value(midterm.id, first.indicators[1].id, 7.5)
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
                    )
                ],
            ),
        )
        store.close_review(midterm.id)
        final = store.create_review(EPI, "2019-2020", ReviewKind.FINAL)
        store.save_record(
            final.id,
            first.id,
            status=Status.PARTLY,
            analysis="Progrès nets ; la non-réponse baisse.",
            adjustments="Poursuivre l'analyse des items *non réussis*.",
        )
        store.save_value(final.id, first.indicators[0].id, 93.5)
        store.save_value(final.id, first.indicators[1].id, 4)
        store.add_evidence(
            final.id,
            first.id,
            dt.date(2020, 1, 20),
            f"Compte rendu de visite chez {SENTINEL}",
            EvidenceSource.VISIT,
        )
        store.save_synthesis(
            final.id,
            strengths="Une culture de l'évaluation partagée.",
            vigilance="La non-réponse en CE1.",
            perspectives="Étendre les conseils de cycle 3.",
        )
        store.add_accompaniment(
            Content(
                date=dt.date(2019, 11, 5),
                author=SENTINEL,
                modality="collective",
                initiative="team",
                schools=("0930001A",),
                theme="Évaluations",
                objectives=(str(objective_key(first.id)),),
                notes=f"Rencontre avec {SENTINEL}, enseignante de CE1.",
            )
        )
    finally:
        store.close()


def objective_key(slug: str):  # type: ignore[no-untyped-def]
    from revue.domain.contract import stable_uuid

    return stable_uuid(EPI, "objective", slug)


# --- a large exchange file (system/test_crash.py, system/test_concurrency.py) ---------


ENTRIES = 3000


def write_exchange(path: Path) -> None:
    """A large exchange file signed by a key no store knows yet: import it with --trust."""
    versions = [
        Version.first(
            Content(
                date=dt.date(2019, 1, 1) + dt.timedelta(days=n % 300),
                author="Claire Martin",
                modality="collective",
                initiative="team",
                schools=("0570001A",),
                theme=f"Thème {n}",
                notes="x" * 200,
            )
        )
        for n in range(ENTRIES)
    ]
    path.write_text(
        dump_exchange(
            versions,
            author="Claire Martin",
            exported_at=dt.datetime(2019, 6, 1),
            key=SigningKey.from_seed_text("tests/claire-martin"),
            name="Claire Martin",
        ),
        encoding="utf-8",
    )


# --- file permissions (tests/unit/test_file_modes.py, tests/system/test_store_safety.py) ---


@contextmanager
def umask(value: int) -> Iterator[None]:
    """Run the body with the process's umask set to ``value``, then put the old one back."""
    import os

    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    """The permission bits of ``path`` (not following a symbolic link)."""
    import stat

    return stat.S_IMODE(path.lstat().st_mode)
