"""Pilot tests of the review walk on the Épinay sample, asserting on the store afterwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from textual.widgets import Input, Select, Static, TextArea

from revue.app.factory import make_app
from revue.app.screens.reviews import ReviewsScreen
from revue.app.screens.walk import WalkScreen
from revue.app.widgets.choice import Checklist, Choice
from revue.domain.review import ReviewKind, Status
from revue.store.store import Store
from tests.helpers import EPI, palette_search, saved_label, settle, shown, until


def make_review(url: str, year: str = "2018-2019", kind: ReviewKind = ReviewKind.ANNUAL):
    store = Store.open(url)
    try:
        return store.create_review(EPI, year, kind)
    finally:
        store.close()


async def open_walk(pilot, review_id) -> WalkScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(WalkScreen(review_id))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WalkScreen)
    return screen


async def test_start_a_review_from_the_contract(sample_url: str) -> None:
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReviewsScreen)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one("#year", Choice).value = "2018-2019"
        await pilot.click("#create")
        await settle(pilot)
        assert isinstance(app.screen, WalkScreen)
        assert "0/31 objectifs examinés" in shown(app)
    store = Store.open(sample_url)
    reviews = store.list_reviews(EPI)
    store.close()
    assert [(r.school_year, r.kind) for r in reviews] == [("2018-2019", ReviewKind.ANNUAL)]


async def test_whole_midterm_review_from_the_app(sample_url: str) -> None:
    """The June evening: start the évaluation à mi-parcours from the contract, walk all 31
    objectives (values, status, evidence, analysis), record an avenant revising a target,
    close the review — then read everything back from the store."""
    from revue.app.screens.avenant import AvenantScreen

    statuses = list(Status)
    # Two objectives are typed key by key (as the user does); the others' fields are set
    # whole, which sends the screen the same Changed messages in far fewer steps.
    by_hand = (0, 30)
    app = make_app(sample_url, today=dt.date(2019, 6, 20))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "r")  # open Épinay, then its reviews
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one("#year", Choice).value = "2018-2019"
        app.screen.query_one("#kind", Choice).value = ReviewKind.MIDTERM.value
        await pilot.click("#create")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen) and screen.walk is not None
        review_id = screen.review_id
        for number, objective in enumerate(screen.walk.objectives):
            assert f"Objectif {number + 1}/31" in shown(app)
            typed = number in by_hand
            value, analysis = f"{50 + number},5", f"Analyse {number}"
            status = statuses[number % 6]
            indicators = []
            for position, indicator in enumerate(screen._indicator_ids):
                if indicator is None:  # counted in the log
                    continue
                indicators.append(indicator)
                field = screen.query_one(f"#value-{position}", Input)
                if typed:
                    field.focus()
                    await pilot.press(*value)
                else:
                    field.value = value
            screen.query_one("#status", Choice).action_choose(statuses.index(status) + 1)
            area = screen.query_one("#analysis", TextArea)
            area.focus()
            if typed:
                await pilot.press(*analysis)
            else:
                area.text = analysis

            def taken_in(  # type: ignore[no-untyped-def]
                objective=objective,
                indicators=indicators,
                analysis=analysis,
                status=status,
                expected=50 + number + 0.5,
            ):
                record = screen.record(objective.id)
                return (
                    record.analysis == analysis
                    and record.status is status
                    and all(screen.walk.values.get(i) == expected for i in indicators)
                )

            # the screen has taken in every change before F6 moves on (and writes them)
            await until(pilot, taken_in, f"objective {number + 1}'s changes")
            if number % 10 == 0:
                screen.query_one("#evidence-date", Input).value = "15/03/2019"
                screen.query_one("#evidence-text", Input).value = f"Preuve {number}"
                await pilot.click("#evidence-add")
                await pilot.pause()
            await pilot.press("f6")  # works while typing in the analysis
            await pilot.pause()
        assert "31/31 objectifs examinés" in shown(app)
        await pilot.press("escape")  # back to the reviews
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        avenant = app.screen
        assert isinstance(avenant, AvenantScreen)
        first = avenant.walk.objectives[0]
        avenant.query_one("#av-objective", Select).value = first.id
        avenant.query_one("#av-kind", Select).value = "indicator-target"
        await settle(pilot)
        avenant.query_one("#av-value", Input).value = "95"
        await pilot.click("#av-add")
        avenant.query_one("#av-reason", TextArea).text = "Cible révisée à mi-parcours"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("c")  # close the review
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert "clôturée" in shown(app)
    store = Store.open(sample_url)
    walk = store.load_walk(review_id)
    store.close()
    assert walk.review.closed and walk.review.kind is ReviewKind.MIDTERM
    assert walk.examined == 31
    for number, objective in enumerate(walk.objectives):
        record = walk.records[objective.id]
        assert record.status is statuses[number % 6]
        assert record.analysis == f"Analyse {number}"
        for indicator in objective.indicators:
            assert walk.values[indicator.id] == 50 + number + 0.5
        assert len(record.evidence) == (1 if number % 10 == 0 else 0)
    target = walk.targets[walk.objectives[0].indicators[0].id]
    assert (target.initial_value, target.value, target.avenant) == (100, 95, 1)


async def test_typing_is_kept_when_the_app_quits(sample_url: str) -> None:
    review = make_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_walk(pilot, review.id)
        screen.query_one("#analysis", TextArea).focus()
        await pilot.press(*"Texte tapé juste avant de fermer")
        app.exit()  # no pause: the save timer has not fired yet
    store = Store.open(sample_url)
    walk = store.load_walk(review.id)
    store.close()
    assert walk.records[walk.objectives[0].id].analysis == "Texte tapé juste avant de fermer"


async def test_bad_input_gets_a_message_in_place_and_nothing_is_lost(sample_url: str) -> None:
    review = make_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_walk(pilot, review.id)
        value = screen.query_one("#value-0", Input)
        value.focus()
        await pilot.press(*"quatre")
        await until(pilot, lambda: "« quatre » n'est pas un nombre" in shown(app), "the message")
        assert value.value == "quatre"
        screen.query_one("#evidence-date", Input).value = "15/10/2020"
        screen.query_one("#evidence-text", Input).value = "Visite de classe"
        await pilot.click("#evidence-add")
        await pilot.pause()
        assert "dans l'année scolaire 2018-2019" in shown(app)
        assert screen.query_one("#evidence-text", Input).value == "Visite de classe"
        screen.query_one("#evidence-date", Input).value = "30/02/2019"
        screen.query_one("#evidence-text", Input).focus()
        await pilot.press("enter")  # Enter in a field of the form adds too
        await pilot.pause()
        assert "invalide" in shown(app)
        screen.query_one("#evidence-date", Input).value = "12/02/2019"
        screen.query_one("#evidence-path", Input).value = "/nulle/part/compte-rendu.pdf"
        await pilot.press("enter")
        await pilot.pause()
        assert "fichier introuvable" in shown(app)
    store = Store.open(sample_url)
    walk = store.load_walk(review.id)
    store.close()
    first = walk.objectives[0]
    assert walk.values.get(first.indicators[0].id) is None
    evidence = walk.records[first.id].evidence
    assert [(e.date, e.file_path) for e in evidence] == [
        (dt.date(2019, 2, 12), "/nulle/part/compte-rendu.pdf")
    ]


async def test_next_not_yet_examined_and_copy_forward(sample_url: str) -> None:
    first = make_review(sample_url, "2018-2019")
    store = Store.open(sample_url)
    objectives = store.load_walk(first.id).objectives
    for objective in objectives[:3]:
        store.save_record(first.id, objective.id, status=Status.IN_PROGRESS, analysis="Déjà vu")
    second = store.create_review(EPI, "2019-2020", ReviewKind.ANNUAL)
    store.save_record(second.id, objectives[0].id, status=Status.REACHED)
    store.save_record(second.id, objectives[1].id, status=Status.REACHED)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_walk(pilot, second.id)
        await pilot.press("f7")
        await pilot.pause()
        assert screen.index == 2
        assert "examen annuel 2018-2019 : en cours" in shown(app)
        await pilot.press("f8")
        await settle(pilot)
        assert screen.query_one("#analysis", TextArea).text == "Déjà vu"
        await pilot.press("f7")
        await pilot.pause()
        assert screen.index == 3
    store = Store.open(sample_url)
    walk = store.load_walk(second.id)
    store.close()
    assert walk.records[objectives[2].id].status is Status.IN_PROGRESS
    assert walk.records[objectives[2].id].analysis == "Déjà vu"


async def test_closed_review_is_read_only_and_reopening_is_recorded(sample_url: str) -> None:
    review = make_review(sample_url)
    store = Store.open(sample_url)
    store.close_review(review.id)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_walk(pilot, review.id)
        assert "clôturée, lecture seule" in shown(app)
        assert screen.query_one("#value-0", Input).disabled
        assert screen.query_one("#analysis", TextArea).read_only
        await pilot.press("escape")
        await settle(pilot)
        app.push_screen(ReviewsScreen(EPI))
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        app.screen.query_one("#reason", Input).value = "Une preuve oubliée"
        await pilot.press("enter")
        await settle(pilot)
        assert "ouverte" in shown(app)
    store = Store.open(sample_url)
    assert not store.get_review(review.id).closed
    assert [(a, n) for _, a, n in store.review_events(review.id)] == [
        ("closed", ""),
        ("reopened", "Une preuve oubliée"),
    ]
    store.close()


async def test_close_from_the_reviews_screen(sample_url: str) -> None:
    review = make_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ReviewsScreen(EPI))
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
        assert "clôturée" in shown(app)
    store = Store.open(sample_url)
    assert store.get_review(review.id).closed
    store.close()


async def test_palette_jumps_to_an_objective_in_the_walk(sample_url: str) -> None:
    review = make_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_walk(pilot, review.id)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "directeurs formés")
        await pilot.press("enter")
        await settle(pilot)
        assert "directeurs formés" in screen.walk.objectives[screen.index].text
        saved = screen.query_one("#walk-saved", Static)
        assert saved is not None


async def test_actions_carried_out_are_ticked_and_reach_the_bilan(sample_url: str) -> None:
    from revue.bilan.markdown import render_markdown
    from revue.services.bilan import build_bilan

    store = Store.open(sample_url)
    review = store.create_review("thionville1-2016-2020", "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_walk(pilot, review.id)
        actions = screen.query_one("#actions", Checklist)
        assert len(actions.labels) == 3  # the first objective's three actions
        # focus starts on the field right after the actions: Shift+Tab, then its number
        await pilot.press("shift+tab", "2")
        await settle(pilot)
        assert actions.has_focus
    store = Store.open(sample_url)
    try:
        walk = store.load_walk(review.id)
        first = walk.objectives[0]
        assert walk.records[first.id].actions_done == [first.actions[1].id]
        markdown = render_markdown(build_bilan(store, "thionville1-2016-2020"))
    finally:
        store.close()
    assert "à l'initiative de l'IEN dans le cadre du PPCR — réalisée" in markdown
    assert "à la demande des équipes pédagogiques dans le cadre du PPCR — non réalisée" in markdown


@pytest.mark.parametrize("trouble", ["disque plein", "lecture seule"])
async def test_full_disk_or_read_only_folder_keeps_the_edit_and_saves_it_later(
    sample_url: str, trouble: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk refuses writes: a clear message, the text stays on screen, the screen does not
    close, nothing is corrupted; once the disk accepts writes again, the text is saved."""
    from sqlalchemy import event

    from revue.app.widgets import autosave

    monkeypatch.setattr(autosave, "RETRY_EVERY", 0.3)
    review = make_review(sample_url)
    app = make_app(sample_url)

    def refuse_writes(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        if trouble == "disque plein":  # SQLite's own "database or disk is full"
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages}")
        else:
            cursor.execute("PRAGMA query_only = 1")
        cursor.close()

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_walk(pilot, review.id)
        engine = app.store.engine  # type: ignore[attr-defined]
        event.listen(engine, "connect", refuse_writes)
        engine.dispose()
        long_text = "Constat détaillé des visites. " * 800
        area = screen.query_one("#analysis", TextArea)
        area.focus()
        area.insert(long_text)

        def status() -> str:
            return saved_label(screen)

        # the save is tried after SAVE_DELAY of quiet, by the writer thread (not a worker
        # settle waits for): wait for its verdict
        await until(pilot, lambda: "non enregistré" in status(), "the failed save's marker")
        await settle(pilot)
        assert "non enregistré" in status()
        assert area.text == long_text
        await pilot.press("escape")  # leaving would lose it: the screen stays
        await settle(pilot)
        assert app.screen is screen
        check = Store.open(sample_url)
        try:
            walk = check.load_walk(review.id)
            assert walk.records.get(walk.objectives[0].id) is None
        finally:
            check.close()
        event.remove(engine, "connect", refuse_writes)
        engine.dispose()
        await until(  # retried every RETRY_EVERY
            pilot,
            lambda: "Enregistré" in status() and "non" not in status(),
            "« ✓ Enregistré » once the disk accepts writes",
        )
        await settle(pilot)
        assert "Enregistré" in status()
    store = Store.open(sample_url)
    try:
        walk = store.load_walk(review.id)
        assert walk.records[walk.objectives[0].id].analysis == long_text
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        store.close()


async def test_palette_finds_an_objective_by_any_word_of_its_text(sample_url: str) -> None:
    """Thionville's objectives have short titles: a word of the text alone (« reseau »,
    without its accent) finds the objective; nothing found is said in French."""
    from textual.command import CommandList

    from revue.app.palette import NO_MATCH

    store = Store.open(sample_url)
    review = store.create_review("thionville1-2016-2020", "2018-2019", ReviewKind.ANNUAL)
    store.close()
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_walk(pilot, review.id)
        await screen.go_to_objective(screen.walk.objectives[-1].id)
        await settle(pilot)
        await pilot.press("ctrl+p")
        await palette_search(pilot, "RESEAU dispositif")
        await pilot.press("enter")
        await settle(pilot)
        objective = screen.walk.objectives[screen.index]
        assert screen.index == 0 and "(école, réseau, dispositif" in objective.text
        assert "réseau" not in objective.title  # found by its text, not its short title
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query(CommandList), "the palette")
        palette = app.screen
        palette.query_one(Input).insert_text_at_cursor("zzzqqq")
        await until(pilot, lambda: NO_MATCH in shown(app), "the French no-match line")
        assert "No matches" not in shown(app)
        described = {b.binding.description for b in palette.active_bindings.values()}
        assert "Fermer la palette" in described and "Exit the command palette" not in described


async def test_the_focused_field_stands_out_in_every_theme(sample_url: str) -> None:
    """The focused compact field's background differs clearly from the others', whatever the
    theme (Textual's own mark is a 5 % tint)."""
    from revue.app.widgets.choice import Choice

    review = make_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_walk(pilot, review.id)
        focused = screen.query_one("#value-0", Input)
        other = screen.query_one("#value-1", Input)
        status = screen.query_one("#status", Choice)
        for theme in sorted(app.available_themes):
            app.theme = theme
            focused.focus()
            await pilot.pause()
            assert focused.has_focus
            seen, unseen = focused.background_colors[1], other.background_colors[1]
            distance = sum(abs(a - b) for a, b in zip(seen.rgb, unseen.rgb, strict=True))
            assert distance > 40, (theme, seen.hex, unseen.hex)
            status.focus()
            await pilot.pause()
            distance = sum(
                abs(a - b)
                for a, b in zip(
                    status.background_colors[1].rgb, other.background_colors[1].rgb, strict=True
                )
            )
            assert distance > 40, (theme, "status row")


async def test_the_walk_keeps_its_objects_out_of_full_collections_while_open(
    sample_url: str,
) -> None:
    """Once the walk is shown, what it holds is frozen out of the garbage collector's full
    passes (revue.app.memory); leaving it gives them back to the collector; moving still
    works meanwhile."""
    import gc

    review = make_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert gc.get_freeze_count() == 0  # start-up does not pay for a full collection
        walk = await open_walk(pilot, review.id)
        assert walk.walk is not None
        assert gc.get_freeze_count() > 0  # the walk's widgets and data, and all else alive
        await pilot.press("f6")
        await settle(pilot)
        assert walk.index == 1
        app.pop_screen()
        await settle(pilot)
        assert gc.get_freeze_count() == 0
    assert gc.get_freeze_count() == 0


async def test_a_move_keeps_the_collector_off_until_the_objective_is_painted(
    sample_url: str,
) -> None:
    """From a move until the screen has painted the objective, Python's cyclic collector is
    off (revue.app.memory.pause_until_painted, as Textual does while scrolling); then on
    again, and what the move allocated is collected as usual."""
    import gc

    review = make_review(sample_url)
    app = make_app(sample_url)
    async with app.run_test(size=(120, 40)) as pilot:
        walk = await open_walk(pilot, review.id)
        await settle(pilot)
        assert gc.isenabled()
        await walk.action_next()  # the move is made, the paint still to come
        assert walk.index == 1
        assert not gc.isenabled()
        await settle(pilot)
        assert gc.isenabled()
        for _ in range(3):  # moves in a row: one pause at a time, ended by the last paint
            await pilot.press("f6")
        await settle(pilot)
        assert walk.index == 4
        assert gc.isenabled()
    assert gc.isenabled()


def test_a_pause_of_the_collector_ends_even_without_a_paint() -> None:
    """A pause ends with the paint, or after LONGEST_PAUSE seconds if none comes, once;
    overlapping pauses end with the last one; a collector already off is left alone."""
    import gc

    from revue.app.memory import pause_until_painted, release

    class Refreshing:
        def __init__(self, scheduled: bool = True) -> None:
            self.scheduled = scheduled
            self.after: list[Any] = []
            self.timers: list[Any] = []

        def call_after_refresh(self, callback: Any) -> bool:
            self.after.append(callback)
            return self.scheduled

        def set_timer(self, delay: float, callback: Any) -> None:
            self.timers.append(callback)

    first, second = Refreshing(), Refreshing()
    try:
        pause_until_painted(first)
        pause_until_painted(second)
        assert not gc.isenabled()
        first.after[0]()  # painted
        first.timers[0]()  # its timer later: nothing more
        assert not gc.isenabled()  # the second pause still runs
        second.timers[0]()  # no paint came: the timer ends it
        assert gc.isenabled()
        second.after[0]()
        assert gc.isenabled()

        pause_until_painted(Refreshing(scheduled=False))  # the app is closing
        assert gc.isenabled()

        pause_until_painted(Refreshing())
        release()  # the walk or the app closed before its paint
        assert gc.isenabled()

        gc.disable()
        off = Refreshing()
        pause_until_painted(off)
        assert not off.after and not off.timers
        assert not gc.isenabled()
    finally:
        gc.enable()
