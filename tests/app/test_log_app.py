"""Pilot and snapshot tests of the accompaniment log: entry, filters, undo, conflicts, exchange."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from revue.app.factory import make_app
from revue.app.screens.log import (
    CompletingInput,
    ConflictsScreen,
    EntryScreen,
    ExchangeScreen,
    LogScreen,
)
from revue.app.widgets.choice import Choice
from revue.domain.log import Content, LogFilter
from revue.formats.exchange import read_exchange
from revue.store.store import Store
from tests.helpers import CLAIRE, LOG_TODAY, SIZES, flat, open_log, settle, shown, until


def text_keys(text: str) -> list[str]:
    """The keys that type ``text`` (what the key counts leave out)."""
    return list(text)


async def press_counted(pilot, counted: list[str], *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Press navigation (or choice) keys, counting them."""
    counted.extend(keys)
    await pilot.press(*keys)


async def new_entry(pilot) -> EntryScreen:  # type: ignore[no-untyped-def]
    await pilot.press("n")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, EntryScreen)
    await until(pilot, lambda: form.query_one("#e-author", Input).value, "the repeated defaults")
    return form


def saved(url: str, **where: object) -> list[Content]:
    store = Store.open(url)
    try:
        rows, _ = store.list_accompaniments(LogFilter(**where))  # type: ignore[arg-type]
    finally:
        store.close()
    return [r.content for r in rows]


async def test_a_typical_entry_takes_few_keystrokes(log_url: str) -> None:
    """The date and the notes changed, the rest repeated from the last entry."""
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        before = log.query_one(DataTable).row_count
        keys = ["n"]
        form = await new_entry(pilot)
        assert form.focused is form.query_one("#e-date", Input)  # the first field
        await pilot.press(*text_keys("13/03/2019"))  # the date is selected: typing replaces it
        chain = form.focus_chain
        tabs = chain.index(form.query_one("#e-notes")) - chain.index(form.query_one("#e-date"))
        await press_counted(pilot, keys, *["tab"] * tabs)
        note = "Conseil de cycle : lecture"
        await pilot.press(*text_keys(note))
        await press_counted(pilot, keys, "ctrl+s")
        await settle(pilot)
        assert len(keys) <= 12, keys
        assert isinstance(app.screen, LogScreen)
        assert log.query_one(DataTable).row_count == before + 1
    (content,) = saved(log_url, text="Conseil de cycle")
    assert content.date == dt.date(2019, 3, 13) and content.author and content.notes == note


@pytest.mark.parametrize("size", SIZES)
async def test_an_entry_changing_date_school_modality_and_theme_takes_12_keys(
    log_url: str, size: tuple[int, int]
) -> None:
    """Keys per entry beyond the text: ≤ 12 for an entry that changes the date, one school,
    the modality and the theme (the issue's measure), counted at both sizes."""
    app = make_app(log_url, today=LOG_TODAY)
    keys: list[str] = []
    async with app.run_test(size=size) as pilot:
        log = await open_log(pilot)
        await press_counted(pilot, keys, "n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EntryScreen)
        await until(pilot, lambda: form.query_one("#e-author", Input).value, "the defaults")
        last = form.query_one("#e-modality", Choice).value
        await pilot.press(*text_keys("19/03/2019"))
        await press_counted(pilot, keys, "tab", "tab")  # the author, the schools
        await pilot.press(*text_keys("Paste"))  # selected on Tab: typing replaces
        schools = form.query_one("#e-schools", Input)
        await until(
            pilot,
            lambda: form.query_one("#e-schools", CompletingInput).proposal,
            "a proposal for « Paste »",
        )
        await press_counted(pilot, keys, "right")  # takes the proposal
        assert schools.value.startswith("0579907G École élémentaire Pasteur")
        await press_counted(pilot, keys, "tab", "tab")  # the réseau, the modality
        other = "2" if last == "collective" else "1"
        await press_counted(pilot, keys, other)
        await press_counted(pilot, keys, "tab", "tab")  # the initiative, the theme
        await pilot.press(*text_keys("Fluence au CE1"))
        await press_counted(pilot, keys, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        # The saved entry is in the table at once, under the cursor, and counted.
        table = log.query_one(DataTable)
        assert log.rows[table.cursor_row].content.theme == "Fluence au CE1"
        assert "12 accompagnements" in shown(app)
        assert table.has_focus
    assert len(keys) <= 12, keys
    (content,) = saved(log_url, text="Fluence au CE1")
    assert content.date == dt.date(2019, 3, 19)
    assert content.schools == ("0579907G",)
    assert content.modality == ("individual" if last == "collective" else "collective")


async def test_the_form_opens_at_its_top_with_the_defaults_at_80x24(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        form = await new_entry(pilot)
        assert form.focused is form.query_one("#e-date", Input)
        text = flat(app)
        for seen in (
            "14/03/2019",
            "Écoles",
            "Victor-Hugo",
            "Modalité",
            "● individuel",
            "Initiative",
            "● enseignant",
            "Thème",
            "Notes",
            "Enregistrer (Ctrl+S)",
        ):
            assert seen in text, seen
        # every field is on screen: none is below the fold
        scroll = form.query_one(".ef-form")
        assert scroll.max_scroll_y == 0


async def test_a_refused_date_gets_the_cursor_and_its_message_beside_it(log_url: str) -> None:
    """At 80×24: « 31/02/2019 » then Ctrl+S: the date has the cursor, the message is under
    it; the date typed next replaces it (nothing goes into the notes)."""
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        form = await new_entry(pilot)
        await pilot.press("tab", *["tab"] * 9)  # to the notes, as in the issue
        await pilot.press(*text_keys("Visite"))
        form.query_one("#e-date", Input).value = "31/02/2019"
        await pilot.press("ctrl+s")
        await pilot.pause()
        date = form.query_one("#e-date", Input)
        assert form.focused is date
        note = form.query_one("#e-date-note", Static)
        assert note.display and "31/02/2019 n'existe pas" in str(note.render())
        assert note.region.y == date.region.y + 1  # under the date, not at the foot
        assert note.region.y < 24
        await pilot.press(*text_keys("28/02/2019"))
        assert date.value == "28/02/2019"
        assert not note.display  # corrected: the message goes
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
    (content,) = saved(log_url, text="Visite")
    assert (content.date, content.notes) == (dt.date(2019, 2, 28), "Visite")


@pytest.mark.parametrize(
    ("typed", "minutes", "understood"),
    [
        ("90", 90, "1 h 30 = 90 min"),
        ("1h30", 90, "1 h 30 = 90 min"),
        ("1 h 30", 90, "1 h 30 = 90 min"),
        ("1,5 h", 90, "1 h 30 = 90 min"),
        ("90 min", 90, "1 h 30 = 90 min"),
        ("2 h", 120, "2 h = 120 min"),
        ("45", 45, "45 min"),
    ],
)
async def test_the_duration_says_what_it_understood(
    log_url: str, typed: str, minutes: int, understood: str
) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        form = await new_entry(pilot)
        form.query_one("#e-duration", Input).focus()
        await pilot.press(*text_keys(typed))  # typed key by key: nothing is dropped
        assert form.query_one("#e-duration", Input).value == typed
        beside = " ".join(str(form.query_one("#e-duration-note", Static).render()).split())
        assert beside == f"✓ {understood}"
        form.query_one("#e-notes", TextArea).text = f"Durée {typed}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
    (content,) = saved(log_url, text=f"Durée {typed}")
    assert content.duration_minutes == minutes


async def test_words_and_mangled_numbers_are_refused_in_place(log_url: str) -> None:
    """« beaucoup » in participants, « 1h75 » in the duration: kept as typed, refused beside
    the field, the cursor put in it; nothing saved until corrected."""
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        form = await new_entry(pilot)
        form.query_one("#e-notes", TextArea).text = "Chiffres"
        participants = form.query_one("#e-participants", Input)
        participants.focus()
        await pilot.press(*text_keys("beaucoup"))
        assert participants.value == "beaucoup"  # typed, not dropped
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.focused is participants and participants.value == "beaucoup"
        beside = str(form.query_one("#e-participants-note", Static).render())
        assert "beaucoup" in beside and "chiffres" in beside
        duration = form.query_one("#e-duration", Input)
        duration.value = "1h75"
        participants.value = "8"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.focused is duration and duration.value == "1h75"
        assert "de 0 à 59" in str(form.query_one("#e-duration-note", Static).render())
        assert app.screen is form
        assert saved(log_url, text="Chiffres") == []
        await pilot.press(*text_keys("1h15"))  # selected: typing replaces it
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
    (content,) = saved(log_url, text="Chiffres")
    assert (content.duration_minutes, content.participants) == (75, 8)


async def test_a_duration_over_a_day_is_asked_about(log_url: str) -> None:
    """9082 (« 90 » and « 8 » run together) is not saved without a word: the first Ctrl+S asks,
    a second one confirms."""
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        form = await new_entry(pilot)
        form.query_one("#e-notes", TextArea).text = "Longue durée"
        duration = form.query_one("#e-duration", Input)
        duration.value = "9082"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and form.focused is duration
        beside = " ".join(str(form.query_one("#e-duration-note", Static).render()).split())
        assert "151 h 22 = 9 082 min" in beside and "Ctrl+S pour confirmer" in beside
        assert saved(log_url, text="Longue durée") == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        # a week and more is refused outright
        form = await new_entry(pilot)
        form.query_one("#e-notes", TextArea).text = "Trop longue"
        form.query_one("#e-duration", Input).value = "200 h"
        for _ in range(2):
            await pilot.press("ctrl+s")
            await pilot.pause()
        assert app.screen is form
        assert "plus d'une semaine" in str(form.query_one("#e-duration-note", Static).render())
    assert [c.duration_minutes for c in saved(log_url, text="Longue durée")] == [9082]
    assert saved(log_url, text="Trop longue") == []


async def test_completion_is_drawn_beside_what_is_typed(log_url: str) -> None:
    """« Till » proposes the Tilleuls school after an arrow, never over the typed text;
    the réseau completes from the schools file."""
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_log(pilot)
        form = await new_entry(pilot)
        schools = form.query_one("#e-schools", CompletingInput)
        schools.focus()
        await pilot.press(*text_keys("Till"))
        await until(pilot, lambda: schools.proposal, "a proposal for « Till »")
        line = next(row for row in shown(app).splitlines() if "Écoles" in row)
        assert "Till  → 0579901A École élémentaire des Tilleuls" in line
        await pilot.press("right")
        assert schools.value == "0579901A École élémentaire des Tilleuls (fictive) · Thionville"
        await pilot.press(*text_keys(", 05799"))  # the start of a UAI: drawn after it, faded
        await until(pilot, lambda: schools.proposal, "a proposal for « 05799 »")
        assert "→" not in schools._suggestion
        network = form.query_one("#e-network", CompletingInput)
        network.focus()
        await pilot.press(*text_keys("yu"))
        await until(pilot, lambda: network.proposal, "a réseau for « yu »")
        await pilot.press("enter")
        assert network.value == "Réseau Yutz"


async def test_the_last_entry_arriving_late_leaves_what_was_typed(log_url: str) -> None:
    """The repeated defaults come from a background read: keys typed before it ends (a fast
    typist, a burst) keep what they chose and typed."""
    store = Store.open(log_url)
    try:
        last = store.last_accompaniment()
    finally:
        store.close()
    assert last is not None
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        form = await new_entry(pilot)
        modality = form.query_one("#e-modality", Choice)
        other = "1" if last.content.modality == "individual" else "2"
        modality.focus()
        await pilot.press(other)
        theme = form.query_one("#e-theme", Input)
        theme.value = "Mon thème"
        form.query_one("#e-initiative", Choice).value = "ien"  # not chosen by the user
        form.post_message(EntryScreen.Defaults(last, ""))  # as if it arrived only now
        await settle(pilot)
        assert modality.value != last.content.modality
        assert theme.value == "Mon thème"
        assert form.query_one("#e-initiative", Choice).value == last.content.initiative


async def test_right_takes_the_proposal_even_before_it_is_drawn(log_url: str) -> None:
    """Typed fast, → can come before the proposal is worked out in the background: it takes
    the same one; on a school already chosen it does nothing."""
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        form = await new_entry(pilot)
        schools = form.query_one("#e-schools", CompletingInput)
        schools.focus()
        await pilot.pause()
        schools.value = "Paste"
        schools.cursor_position = len(schools.value)
        schools.action_cursor_right()  # at once: no proposal drawn yet
        chosen = "0579907G École élémentaire Pasteur (fictive) · Thionville"
        assert schools.value == chosen
        schools.action_cursor_right()
        assert schools.value == chosen


async def test_the_school_field_refuses_an_unknown_school_beside_it(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        form = await new_entry(pilot)
        form.query_one("#e-schools", Input).value = "Tilleuls"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.focused is form.query_one("#e-schools")
        note = " ".join(str(form.query_one("#e-schools-note", Static).render()).split())
        assert "« Tilleuls » inconnue" in note and "0579901A" in note
        form.query_one("#e-schools", Input).value = ""
        form.query_one("#e-network", Input).value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "au moins une école ou un réseau" in str(
            form.query_one("#e-schools-note", Static).render()
        )
        form.query_one("#e-network", Input).value = "Réseau Yutz"
        form.query_one("#e-initiative", Choice).focus()
        await pilot.press("2")  # IEN
        form.query_one("#e-notes", TextArea).text = "Réunion de réseau"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
    (content,) = saved(log_url, text="Réunion de réseau")
    assert (content.schools, content.network, content.initiative) == ((), "Réseau Yutz", "ien")


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


async def test_the_log_at_80x24_labelled_filters_needed_columns_footer(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        log = await open_log(pilot)
        table = log.query_one(DataTable)
        assert table.has_focus  # the cursor is in the table, not on a filter
        lines = shown(app).splitlines()
        text = flat(app)
        for label in ("Année", "Modalité", "Initiative", "Auteur", "École", "Objectif"):
            assert f"{label} tou" in text, label  # « Année toutes », « Auteur tous »…
        header = lines[table.region.y]
        for column in ("Date", "École / réseau", "Modalité", "Initiative", "Thème"):
            assert column in header, column
        assert header.rstrip().endswith("Thème")  # nothing cut off at the right
        assert max(len(line.rstrip()) for line in lines) <= 80
        footer = lines[-1]
        assert "x Exporter" in footer and "n Nouveau" in footer and "f1 Aide" in footer
        # The school list: one line per school.
        school = log.query_one("#f-school", Select)
        school.focus()
        await pilot.press("enter")
        await pilot.pause()
        listed = [
            line for line in shown(app).splitlines() if "(fictive)" in line and "0579" in line
        ]
        assert len(listed) == 8, listed
        await pilot.press("escape")


async def test_the_log_shows_the_author_and_duration_when_wide(log_url: str) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        table = log.query_one(DataTable)
        header = shown(app).splitlines()[table.region.y]
        for column in ("Date", "Auteur", "École / réseau", "Modalité", "Thème", "Durée"):
            assert column in header, column
        assert "1 h 30" in shown(app)  # durations in hours and minutes


async def test_the_export_name_carries_the_author_and_the_date(log_url: str) -> None:
    from revue.formats.config import Config, save_config

    save_config(Config(user="Claire Martin"))
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExchangeScreen)
        path = app.screen.query_one("#x-path", Input)
        await until(pilot, lambda: path.value, "the proposed file name")
        assert path.value.endswith("echange-claire-martin-2019-03-14.json")


async def test_without_a_configured_user_the_export_name_has_the_last_author(
    log_url: str,
) -> None:
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_log(pilot)
        await pilot.press("x")
        await settle(pilot)
        path = app.screen.query_one("#x-path", Input)
        await until(pilot, lambda: path.value, "the proposed file name")
        store = Store.open(log_url)
        try:
            last = store.last_accompaniment()
        finally:
            store.close()
        assert last is not None
        assert path.value.endswith("-2019-03-14.json")
        assert "echange-" + last.content.author.split()[0].lower() in path.value
