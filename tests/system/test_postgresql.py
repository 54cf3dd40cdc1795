"""Two revue processes at once, on SQLite and on PostgreSQL (each test runs on both, see
tests/conftest.py: BOTH_ENGINES): 20 rounds of each case of issue 18, 0 losses, 0 raw errors.

- two processes save the same accompaniment at the same moment, both from the same version:
  one save wins, the other is kept beside it as a conflict (never silently replaced);
- two processes merge overlapping exchanges at the same moment: both succeed, each entry once;
- two processes open the same new (empty) store at the same moment: both succeed.

The processes are real (multiprocessing, spawned), released together by a barrier each round.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

import pytest

from revue.domain.log import Content, Version
from revue.store.schema import SCHEMA_HEAD
from revue.store.store import Store
from tests.postgres import Server

ROUNDS = 20
#: Seconds a round may take before the test gives up on a stuck worker.
ROUND_LIMIT = 120


def _content(notes: str, theme: str = "Lecture au CP") -> Content:
    return Content(
        date=dt.date(2019, 1, 10),
        author="Claire Martin",
        modality="collective",
        initiative="team",
        schools=("0579901A",),
        theme=theme,
        notes=notes,
    )


# --- the workers (run in their own processes) ---------------------------------------------


def _save_worker(url: str, who: str, ids: list[uuid.UUID], barrier: Any, out: Any) -> None:
    problems: list[str] = []
    try:
        store = Store.open(url, author=who)
        try:
            for n, ident in enumerate(ids):
                base, _conflicts = store.get_accompaniment(ident)
                barrier.wait(ROUND_LIMIT)  # both have read the same version
                try:
                    store.save_edit(ident, base, _content(f"{who}, tour {n}"))
                except Exception:
                    problems.append(traceback.format_exc())
        finally:
            store.close()
    except Exception:
        problems.append(traceback.format_exc())
    out.put((who, problems))


def _merge_worker(url: str, who: str, rounds: list[list[Version]], barrier: Any, out: Any) -> None:
    problems: list[str] = []
    try:
        store = Store.open(url)
        try:
            for versions in rounds:
                barrier.wait(ROUND_LIMIT)
                try:
                    store.merge_versions(versions)
                except Exception:
                    problems.append(traceback.format_exc())
        finally:
            store.close()
    except Exception:
        problems.append(traceback.format_exc())
    out.put((who, problems))


def _open_worker(urls: list[str], who: str, barrier: Any, out: Any) -> None:
    problems: list[str] = []
    for url in urls:
        barrier.wait(ROUND_LIMIT)
        try:
            Store.open(url).close()
        except Exception:
            problems.append(traceback.format_exc())
    out.put((who, problems))


def _run_two(target: Any, args_a: tuple[Any, ...], args_b: tuple[Any, ...]) -> list[str]:
    """Run ``target`` in two spawned processes with a shared barrier; every problem reported."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    out = context.Queue()
    workers = [
        context.Process(target=target, args=(*args, barrier, out)) for args in (args_a, args_b)
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=ROUND_LIMIT * ROUNDS) for _ in workers]
    for worker in workers:
        worker.join(ROUND_LIMIT)
        assert worker.exitcode == 0
    return [problem for _who, problems in results for problem in problems]


# --- the cases -------------------------------------------------------------------------------


def test_two_processes_saving_the_same_entry_lose_nothing(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        ids = [store.add_accompaniment(_content(f"Départ {n}")).id for n in range(ROUNDS)]
    finally:
        store.close()

    problems = _run_two(_save_worker, (db_url, "Claire", ids), (db_url, "Paul", ids))

    assert problems == []
    store = Store.open(db_url)
    try:
        for n, ident in enumerate(ids):
            current, conflicts = store.get_accompaniment(ident)
            kept = {current.content.notes, *(c.content.notes for c in conflicts)}
            # both saves are there: one shown, the other in conflict beside it
            assert kept == {f"Claire, tour {n}", f"Paul, tour {n}"}, (n, kept)
    finally:
        store.close()


def test_two_overlapping_merges_at_once_add_each_entry_once(db_url: str) -> None:
    rounds: list[list[Version]] = []
    made: list[Version] = []
    for n in range(ROUNDS):  # each round's file holds every entry so far: the files overlap
        made += [Version.first(_content(f"Entrée {n}-{k}", theme=f"Thème {n}")) for k in range(10)]
        rounds.append(list(made))

    problems = _run_two(_merge_worker, (db_url, "a", rounds), (db_url, "b", rounds))

    assert problems == []
    store = Store.open(db_url)
    try:
        shown, total = store.list_accompaniments(limit=10 * ROUNDS + 10)
        assert total == 10 * ROUNDS
        assert sorted(v.content.notes for v in shown) == sorted(v.content.notes for v in made)
        assert store.conflict_ids() == set()
    finally:
        store.close()


@pytest.fixture
def new_stores(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> list[str]:
    """ROUNDS addresses of new, empty stores on this test's engine."""
    if db_url.startswith("postgresql"):
        server: Server = request.getfixturevalue("pg_server")
        names = [server.new_database() for _ in range(ROUNDS)]
        for name in names:
            request.addfinalizer(lambda name=name: server.drop_database(name))
        return [server.url(name) for name in names]
    return [f"sqlite:///{tmp_path / f'neuf-{n}' / 'revue.sqlite3'}" for n in range(ROUNDS)]


def test_two_processes_opening_a_new_store_at_once_both_succeed(new_stores: list[str]) -> None:
    problems = _run_two(_open_worker, (new_stores, "a"), (new_stores, "b"))

    assert problems == []
    for url in new_stores:
        store = Store.open(url)
        try:
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
                    (SCHEMA_HEAD,)
                ]
            assert store.list_contracts() == []
        finally:
            store.close()


# --- the same validation on both engines ------------------------------------------------


def test_a_uai_too_long_is_refused_the_same_way_on_both_engines(
    store: Store, tmp_path: Path
) -> None:
    from revue.domain.errors import InputError, RevueError
    from revue.domain.log import School
    from revue.formats.schools_csv import read_schools
    from tests.helpers import table_counts

    before = table_counts(store)
    # through the schools file: refused with its line and field
    csv = tmp_path / "ecoles.csv"
    csv.write_text(
        "Identifiant_de_l_etablissement;Nom_etablissement\n0579901AB;École trop longue\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as refused:
        read_schools(csv)
    assert "ligne 2" in str(refused.value) and "UAI" in str(refused.value)
    # straight to the store (any other caller): refused by revue, in French, before SQL runs
    with pytest.raises(InputError) as too_long:
        store.save_schools([School(uai="0579901AB", name="École trop longue")])
    assert str(too_long.value) == (
        "champ «\u00a0uai\u00a0» : « 0579901AB » est trop long (9 caractères, au plus 8) : "
        "rien n'a été modifié"
    )
    # an accompaniment naming it: refused by the entry's own check
    with pytest.raises(RevueError, match="UAI invalide"):
        store.add_accompaniment(
            Content(
                date=dt.date(2019, 1, 10),
                author="Claire Martin",
                modality="collective",
                initiative="team",
                schools=("0579901AB",),
                theme="Lecture",
            )
        )
    assert table_counts(store) == before


def test_a_server_that_refuses_is_explained_in_french(
    pg_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    from revue.cli.main import main

    cases = {
        pg_server.url("absente"): "cette base de données n'existe pas sur le serveur",
        pg_server.url("postgres", user="personne"): "connexion refusée par le serveur",
        pg_server.url("postgres").replace(f":{pg_server.port}/", ":1/"): "ne répond pas",
        pg_server.url("postgres") + "?sslmode=require": "connexion chiffrée (TLS) impossible",
    }
    for url, reason in cases.items():
        assert main(["--db", url, "contract", "list"]) == 1
        said = capsys.readouterr().err
        assert reason in said and "rien n'a été modifié" in said, said
        assert "FATAL" not in said and "Traceback" not in said


# --- a new entry waits for another write ---------------------------------------------------


def _holding_a_write(store: Store) -> tuple[threading.Event, threading.Thread]:
    """A write of this store held open in a thread (a long merge) until the event is set."""
    from revue.store.db import write_session

    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_session(store.engine):
            holding.set()
            release.wait(ROUND_LIMIT)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(ROUND_LIMIT)
    return release, holder


def test_a_new_entry_waits_for_another_write_says_so_once_and_is_saved(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """add_accompaniment sends its whole transaction at once (PostgreSQL: one pipeline with
    the lock); while another write holds the lock it waits, tells the notice once after the
    first wait, and is saved when the other is done."""
    from revue.store import db

    monkeypatch.setattr(db, "FIRST_WAIT_MS", 100)
    told: list[str] = []
    store = Store.open(db_url, notice=told.append)
    try:
        release, holder = _holding_a_write(store)
        saved: list[Version] = []
        writer = threading.Thread(
            target=lambda: saved.append(store.add_accompaniment(_content("x")))
        )
        try:
            writer.start()
            deadline = time.monotonic() + ROUND_LIMIT
            while not told and time.monotonic() < deadline:
                time.sleep(0.01)
            assert told == [db.WAITING_TO_WRITE] and saved == []  # told, still waiting
        finally:
            release.set()
            holder.join(ROUND_LIMIT)
        writer.join(ROUND_LIMIT)
        assert len(saved) == 1 and told == [db.WAITING_TO_WRITE]
        assert store.get_accompaniment(saved[0].id)[0] == saved[0]
    finally:
        store.close()


def test_a_new_entry_that_waits_too_long_fails_in_french_and_writes_nothing(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revue.domain.errors import RevueError
    from revue.store import db

    monkeypatch.setattr(db, "FIRST_WAIT_MS", 100)
    monkeypatch.setattr(db, "WRITE_WAIT_LIMIT", 0.5)
    store = Store.open(db_url)
    try:
        release, holder = _holding_a_write(store)
        try:
            with pytest.raises(RevueError) as refused:
                store.add_accompaniment(_content("trop tard"))
        finally:
            release.set()
            holder.join(ROUND_LIMIT)
        message = str(refused.value)
        assert "occupées par un autre programme" in message and "rien n'a été modifié" in message
        assert store.list_accompaniments()[1] == 0
        store.add_accompaniment(_content("à son tour"))
        assert store.list_accompaniments()[1] == 1
    finally:
        store.close()
