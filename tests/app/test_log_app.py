"""Pilot and snapshot tests of the accompaniment log: entry, filters, undo, conflicts, exchange."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable, Input, Select, TextArea

from revue.app.factory import make_app
from revue.app.screens.log import ConflictsScreen, EntryScreen, ExchangeScreen, LogScreen
from revue.domain.log import LogFilter
from revue.formats.exchange import read_exchange
from revue.store.store import Store
from tests.helpers import CLAIRE, LOG_TODAY, open_log, settle, shown, until


async def test_a_typical_entry_takes_few_keystrokes(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        before = log.query_one(DataTable).row_count
        keys = ["n"]
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen)
        note = "Conseil de cycle : lecture"
        await pilot.press(*note)  # the notes have the focus; the rest repeats the last entry
        keys += ["ctrl+s"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(keys) <= 15
        assert isinstance(app.screen, LogScreen)
        assert log.query_one(DataTable).row_count == before + 1
    store = Store.open(log_url)
    rows, _ = store.list_accompaniments(LogFilter(text="Conseil de cycle"))
    store.close()
    assert len(rows) == 1
    content = rows[0].content
    assert content.date == LOG_TODAY and content.author and content.notes == note


async def test_entry_with_school_completion_and_bad_input(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_log(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        schools = screen.query_one("#e-schools", Input)
        schools.value = ""
        schools.focus()
        await pilot.press(*"Pasteur")
        await until(pilot, lambda: bool(schools._suggestion), "a suggestion for « Pasteur »")
        await pilot.press("right")  # accept the suggestion
        assert schools.value.startswith("0579907G École élémentaire Pasteur")
        screen.query_one("#e-date", Input).value = "31/02/2019"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "invalide" in shown(app)
        screen.query_one("#e-date", Input).value = "01/04/2019"
        screen.query_one("#e-modality", Select).value = "individual"
        screen.query_one("#e-initiative", Select).value = "teacher"
        screen.query_one("#e-notes", TextArea).text = "Visite conseil"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
    store = Store.open(log_url)
    rows, _ = store.list_accompaniments(LogFilter(school="0579907G", modality="individual"))
    store.close()
    assert [r.content.date for r in rows] == [dt.date(2019, 4, 1)]


async def test_filters_search_delete_and_undo(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        table = log.query_one(DataTable)
        assert table.row_count == 11
        log.query_one("#f-year", Select).value = "2018-2019"
        await settle(pilot)
        assert table.row_count == 10  # 2 September 2019 is the next school year
        log.query_one("#f-initiative", Select).value = "ien"
        await settle(pilot)
        assert table.row_count == 3
        log.query_one("#f-initiative", Select).value = Select.NULL
        await pilot.press("slash", *"fluence")
        await settle(pilot)
        assert table.row_count == 2
        table.focus()
        await pilot.press("delete")
        await settle(pilot)
        assert table.row_count == 1
        await pilot.press("u")
        await settle(pilot)
        assert table.row_count == 2
    store = Store.open(log_url)
    assert store.list_accompaniments()[1] == 11
    store.close()


async def test_conflict_is_resolved_from_the_app(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        assert "1 conflit(s)" in shown(app)
        log.query_one(DataTable).focus()
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        text = shown(app)
        assert "Version 1" in text and "Version 2" in text
        await pilot.press("2")
        await settle(pilot)
        assert "Aucun conflit" in shown(app)
    store = Store.open(log_url)
    assert store.list_conflicts() == []
    store.close()


async def test_an_entry_in_conflict_is_settled_before_it_is_edited(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        store = Store.open(log_url)
        ((current, _),) = store.list_conflicts()
        store.close()
        table = log.query_one(DataTable)
        table.focus()
        table.move_cursor(row=next(i for i, v in enumerate(log.rows) if v.id == current.id))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)  # not the entry form
        assert "choisissez" in " ".join(str(n.message) for n in app._notifications)
    store = Store.open(log_url)
    assert [v.version for v, _ in store.list_conflicts()] == [current.version]
    store.close()


async def test_exchange_import_and_export_from_the_app(sample_url: str, tmp_path: Path) -> None:
    app = make_app(sample_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        log.query_one(DataTable).focus()
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ExchangeScreen)
        app.screen.query_one(Input).value = str(CLAIRE)
        await pilot.press("enter")
        await settle(pilot)
        # Claire's key is new here: who and the fingerprint are shown, and asked about
        assert "Claire Martin (CPC, fictive)" in shown(app) and "empreinte" in shown(app)
        await pilot.press("enter")  # « Accepter et importer » has the focus
        await settle(pilot)
        assert "ajoutés : 6, mis à jour : 0, inchangés : 0, conflits : 0" in shown(app)
        await pilot.press("escape")
        await settle(pilot)
        assert log.query_one(DataTable).row_count == 6
        await pilot.press("x")
        await settle(pilot)
        target = tmp_path / "sortie.json"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert "6 accompagnement(s) écrit(s)" in shown(app)
    assert len(read_exchange(target)) == 6


async def test_sorting_by_a_column(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        table = log.query_one(DataTable)
        assert table.get_row_at(0)[0] == "02/09/2019"  # newest first
        await pilot.click("#log", offset=(1, 0))  # the Date header: oldest first
        await settle(pilot)
        assert table.get_row_at(0)[0] == "20/09/2018"
        log.sort = ("theme", False)
        log.load()
        await settle(pilot)
        themes = [table.get_row_at(i)[5] for i in range(table.row_count)]
        assert themes == sorted(themes, key=str.lower) or themes == sorted(themes)


async def test_configured_user_writes_new_entries(log_url: str) -> None:
    from revue.formats.config import Config, save_config

    save_config(Config(user="Agnès Roux (IEN, fictive)"))
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_log(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#e-author", Input).value == "Agnès Roux (IEN, fictive)"


async def test_a_long_log_loads_its_next_rows_as_the_cursor_moves_down(sample_url: str) -> None:
    from revue.app.screens import log as log_screen
    from revue.domain.log import Content, Version

    store = Store.open(sample_url)
    store.merge_versions(
        [
            Version.first(
                Content(
                    date=dt.date(2018, 9, 3) + dt.timedelta(days=n),
                    author="Claire",
                    modality="collective",
                    initiative="team",
                    schools=("0570001A",),
                    theme=f"Thème {n}",
                )
            )
            for n in range(150)
        ]
    )
    store.close()
    app = make_app(sample_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        table = log.query_one(DataTable)
        assert table.row_count == log_screen.PAGE
        assert "150 accompagnements" in shown(app) and "la suite vient en descendant" in shown(app)
        table.focus()
        table.move_cursor(row=log_screen.PAGE - 1)
        await settle(pilot)
        assert table.row_count == 2 * log_screen.PAGE
        table.move_cursor(row=2 * log_screen.PAGE - 1)
        await settle(pilot)
        assert table.row_count == 150
        assert "affichés" not in shown(app)
        assert log.rows[-1].content.theme == "Thème 0"  # the oldest, last
