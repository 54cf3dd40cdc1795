"""The log's safety in the app: an edit never overwrites what arrived meanwhile, a received entry
linked to an absent contract's objective can be edited, the import dialog asks before trusting
a key, and hostile files end in a French refusal, never a traceback."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static, TextArea

from revue.app.factory import make_app
from revue.app.screens.log import EntryScreen, ExchangeScreen, LogScreen
from revue.domain.log import Content, Version
from revue.formats.exchange import read_exchange
from revue.formats.signing import short_fingerprint
from revue.store.store import Store
from tests import hostile_exchanges as hostile
from tests.helpers import LOG_TODAY, open_log, settle, shown, table_counts, until

COLLEAGUE = "Claire Martin (CPC, fictive)"


def _entry(notes: str, **kw: object) -> Content:
    base: dict[str, object] = {
        "date": dt.date(2019, 1, 10),
        "author": COLLEAGUE,
        "modality": "collective",
        "initiative": "team",
        "schools": ("0579901A",),
        "theme": "Lecture au CP",
        "notes": notes,
    }
    base.update(kw)
    return Content(**base)  # type: ignore[arg-type]


def colleague_files(url: str, tmp_path: Path) -> tuple[uuid.UUID, Path]:
    """A colleague logs an entry and sends it (imported into the store at ``url``), then adds
    to it on her laptop: the second file, not imported yet, updates the entry."""
    colleague = Store.open(f"sqlite:///{tmp_path / 'collegue.sqlite3'}", author=COLLEAGUE)
    try:
        first = colleague.add_accompaniment(_entry("Observation en classe."))
        sent = tmp_path / "premier.json"
        sent.write_text(colleague.export_exchange(None, dt.datetime(2019, 1, 11)).text)
        colleague.update_accompaniment(
            first.id, _entry("Observation en classe. Ajout de la collègue.")
        )
        update = tmp_path / "mise-a-jour.json"
        update.write_text(colleague.export_exchange(None, dt.datetime(2019, 1, 12)).text)
    finally:
        colleague.close()
    store = Store.open(url)
    try:
        exchange = read_exchange(sent)
        assert store.import_exchange(exchange, accept=set(exchange.signers())).added == 1
    finally:
        store.close()
    return first.id, update


async def open_entry(pilot, log: LogScreen, entry_id: uuid.UUID) -> EntryScreen:  # type: ignore[no-untyped-def]
    table = log.query_one(DataTable)
    table.focus()
    table.move_cursor(row=next(i for i, v in enumerate(log.rows) if v.id == entry_id))
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, EntryScreen)
    return screen


def assert_both_kept(url: str, entry_id: uuid.UUID, mine: str) -> None:
    store = Store.open(url)
    try:
        current, conflicts = store.get_accompaniment(entry_id)
    finally:
        store.close()
    notes = {current.content.notes, *(c.content.notes for c in conflicts)}
    assert notes == {"Observation en classe. Ajout de la collègue.", mine}


async def test_an_open_form_never_undoes_an_update_merged_meanwhile(
    sample_url: str, tmp_path: Path
) -> None:
    entry_id, update = colleague_files(sample_url, tmp_path)
    app = make_app(sample_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        form = await open_entry(pilot, log, entry_id)
        other = Store.open(sample_url)  # meanwhile, another window merges the update
        try:
            report = other.import_exchange(read_exchange(update))
        finally:
            other.close()
        assert report.line() == "ajoutés : 0, mis à jour : 1, inchangés : 0, conflits : 0"
        notes = form.query_one("#e-notes", TextArea)
        notes.text = "Observation en classe. Mon ajout."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # it stays open to say what happened
        said = " ".join(str(form.query_one("#e-error", Static).render()).split())
        assert "sa version est gardée" in said and "« c »" in said
        await pilot.press("ctrl+s")  # now only closes
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        await until(pilot, lambda: "1 conflit(s)" in shown(app), "the conflict in the log")
    assert_both_kept(sample_url, entry_id, "Observation en classe. Mon ajout.")


async def test_an_entry_linked_to_an_absent_contract_can_be_edited(
    sample_url: str,
) -> None:
    absent = str(uuid.uuid5(uuid.NAMESPACE_URL, "revue-test/objectif-d-un-autre-contrat"))
    received = Version.first(_entry("Reçu.", objectives=(absent,)))
    store = Store.open(sample_url)
    try:
        store.merge_versions([received])
    finally:
        store.close()
    app = make_app(sample_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        form = await open_entry(pilot, log, received.id)
        assert form.query_one("#e-objectives", Input).value == ""
        assert "contrat absent" in str(form.query_one("#e-absent", Static).render())
        form.query_one("#e-notes", TextArea).text = "Reçu. Complété ici."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen), shown(app)
    store = Store.open(sample_url)
    try:
        current, _ = store.get_accompaniment(received.id)
    finally:
        store.close()
    assert current.content.notes == "Reçu. Complété ici."
    assert current.content.objectives == (absent,)  # the link kept as it was


async def _import(pilot, path: Path) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ExchangeScreen)
    pilot.app.screen.query_one(Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_import_dialog_asks_before_trusting_a_new_key(
    sample_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "nouvelle.json"
    path.write_bytes(hostile.by_name()["nouvelle-collegue"].data)
    app = make_app(sample_url, today=LOG_TODAY)
    store = Store.open(sample_url)
    before = table_counts(store)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        log.query_one(DataTable).focus()
        await _import(pilot, path)
        text = " ".join(shown(app).split())
        assert hostile.STRANGER_NAME in text
        assert short_fingerprint(hostile.STRANGER.fingerprint) in text
        app.screen.query_one("#x-refuse").press()
        await settle(pilot)
        assert "Fichier non importé" in shown(app)
        assert table_counts(store) == before
        await pilot.press("enter")  # the path again
        await settle(pilot)
        assert "Accepter et importer" in shown(app)
        await pilot.press("enter")  # accept: the button has the focus
        await settle(pilot)
        assert "ajoutés : 1" in shown(app)
    store.close()


@pytest.mark.parametrize(
    "name", ["cycle", "duree-enorme", "surrogat", "echappement", "signature-fausse", "profond"]
)
async def test_hostile_files_end_in_a_french_refusal_in_the_app(
    name: str, sample_url: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(hostile.by_name()[name].data)
    store = Store.open(sample_url)
    before = table_counts(store)
    app = make_app(sample_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        log.query_one(DataTable).focus()
        await _import(pilot, path)
        text = shown(app)
        assert "Refusé —" in text and "Traceback" not in text and "Error" not in text
        assert "Les données n'ont pas été modifiées." in text
    assert table_counts(store) == before
    store.close()


async def test_the_export_dialog_proposes_a_file_named_after_its_author_and_date(
    log_url: str,
) -> None:
    from revue.formats.config import Config, save_config

    save_config(Config(user="Agnès Roux (IEN, fictive)"))
    app = make_app(log_url, today=LOG_TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        log = await open_log(pilot)
        log.query_one(DataTable).focus()
        await pilot.press("x")
        await settle(pilot)
        value = app.screen.query_one(Input).value
        assert value.endswith("echange-agnes-roux-ien-fictive-2019-03-14.json")
        await pilot.press("enter")
        await settle(pilot)
        text = " ".join(shown(app).split())
        assert "12 accompagnement(s) écrit(s)" in text
        assert "empreinte" in text
    assert len(read_exchange(Path(value))) == 12  # the conflict's two versions
