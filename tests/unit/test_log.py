"""The accompaniment log in the store: counts per school year, and merging between laptops."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revue.domain.contract import ComputedCount, stable_uuid
from revue.domain.errors import ConflictError
from revue.domain.log import Content, LogFilter, School
from revue.store.store import Store

OBJ = str(stable_uuid("thionville1-2016-2020", "objective", "axe2-pilotage-o1"))


def entry(day: dt.date, **kw: object) -> Content:
    base = {
        "date": day,
        "author": "Claire Martin",
        "modality": "collective",
        "initiative": "team",
        "schools": ("0570001A",),
        "theme": "Lecture",
        "notes": "",
    }
    base.update(kw)
    return Content(**base)  # type: ignore[arg-type]


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    a = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    b = Store.open(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    yield a, b
    a.close()
    b.close()


def test_counts_respect_school_year_boundaries(store: Store) -> None:
    store.add_accompaniment(entry(dt.date(2019, 8, 31)))
    store.add_accompaniment(entry(dt.date(2019, 9, 1)))
    store.add_accompaniment(entry(dt.date(2019, 9, 2), initiative="ien"))
    store.add_accompaniment(
        entry(dt.date(2019, 10, 1), modality="individual", initiative="teacher")
    )
    linked = store.add_accompaniment(entry(dt.date(2020, 8, 31), objectives=(OBJ,)))
    team = ComputedCount(modality="collective", initiative="team")
    assert store.count_computed(team, stable_uuid("x"), "2018-2019") == 1
    assert store.count_computed(team, stable_uuid("x"), "2019-2020") == 2
    assert (
        store.count_computed(
            ComputedCount(modality="individual", initiative="teacher"),
            stable_uuid("x"),
            "2019-2020",
        )
        == 1
    )
    mine = ComputedCount(initiative="team", linked_to_objective=True)
    assert (
        store.count_computed(
            mine, stable_uuid("thionville1-2016-2020", "objective", "axe2-pilotage-o1"), "2019-2020"
        )
        == 1
    )
    store.set_deleted(linked.id, True)
    assert store.count_computed(team, stable_uuid("x"), "2019-2020") == 1


def test_many_counts_at_once_match_one_by_one(store: Store) -> None:
    obj = uuid.UUID(OBJ)
    store.add_accompaniment(entry(dt.date(2019, 1, 10), theme="ÉVALUATIONS de CP"))
    store.add_accompaniment(entry(dt.date(2019, 11, 10), theme="Lecture", objectives=(OBJ,)))
    store.add_accompaniment(
        entry(dt.date(2020, 2, 1), theme="évaluation", objectives=(OBJ,), initiative="ien")
    )
    filters = {
        "all": ComputedCount(),
        "theme": ComputedCount(theme="évaluation"),  # accents and case folded
        "linked": ComputedCount(linked_to_objective=True),
        "linked-team": ComputedCount(initiative="team", linked_to_objective=True),
    }
    years = ["2018-2019", "2019-2020"]
    many = store.count_computed_many([(k, f, obj) for k, f in filters.items()], years)
    assert many == {
        (k, y): store.count_computed(f, obj, y) for k, f in filters.items() for y in years
    }
    assert many[("theme", "2018-2019")] == 1 and many[("linked", "2019-2020")] == 2
    assert many[("linked-team", "2019-2020")] == 1


def test_counts_by_kind_of_many_objectives_at_once(store: Store) -> None:
    """What the bilan shows under each objective: its linked entries of the school year by
    modality and initiative, for every objective in one statement; an entry linked to two
    objectives counts for each, a deleted one or one of another year for none."""
    obj, other, none = uuid.UUID(OBJ), stable_uuid("c", "objective", "o2"), stable_uuid("n")
    both = (OBJ, str(other))
    store.add_accompaniment(entry(dt.date(2019, 9, 1), objectives=both))
    store.add_accompaniment(entry(dt.date(2020, 8, 31), objectives=(OBJ,), initiative="ien"))
    store.add_accompaniment(
        entry(dt.date(2019, 12, 1), objectives=(OBJ,), modality="individual", initiative="ien")
    )
    store.add_accompaniment(entry(dt.date(2019, 8, 31), objectives=both))  # the year before
    gone = store.add_accompaniment(entry(dt.date(2020, 1, 5), objectives=both))
    store.set_deleted(gone.id, True)
    assert store.counts_by_kind([obj, other, none], "2019-2020") == {
        obj: {("collective", "team"): 1, ("collective", "ien"): 1, ("individual", "ien"): 1},
        other: {("collective", "team"): 1},
        none: {},
    }
    assert store.counts_by_kind([other], "2018-2019") == {other: {("collective", "team"): 1}}


def test_filters_and_search(store: Store) -> None:
    store.add_accompaniment(entry(dt.date(2019, 1, 10), theme="Numération", notes="CP"))
    store.add_accompaniment(
        entry(dt.date(2019, 2, 10), author="Paul Durand", notes="Lecture à voix haute")
    )
    store.add_accompaniment(entry(dt.date(2019, 10, 10)))
    assert store.list_accompaniments(LogFilter(school_year="2018-2019"))[1] == 2
    assert store.list_accompaniments(LogFilter(author="Paul Durand"))[1] == 1
    assert store.list_accompaniments(LogFilter(text="voix"))[1] == 1
    assert store.list_accompaniments(LogFilter(text="numération"))[1] == 1
    assert store.list_accompaniments(LogFilter(school="0570001A"))[1] == 3


def test_a_count_no_longer_wanted_stops_and_the_store_reads_on(store: Store) -> None:
    """The log screen's count of a filter replaced by a newer one is stopped where it is
    (None), on both engines; a count still wanted is exact; the connection reads on."""
    import time

    from revue.domain.log import Version
    from revue.store.log import _stoppable

    store.merge_versions(
        [
            Version.first(entry(dt.date(2019, 1, 1) + dt.timedelta(days=n % 300), notes=f"n{n}"))
            for n in range(6_000)
        ]
    )
    flt = LogFilter(text="n1")
    wanted = store.count_accompaniments(flt)
    assert wanted == 1 + 10 + 100 + 1000  # n1, n10…n19, n100…n199, n1000…n1999
    assert store.count_accompaniments(flt, cancelled=lambda: False) == wanted
    assert store.count_accompaniments(flt, cancelled=lambda: True) is None  # not even begun
    calls: list[int] = []

    def after_it_began() -> bool:  # False when asked before running, True ever after
        calls.append(1)
        return len(calls) > 1

    got = store.count_accompaniments(flt, cancelled=after_it_began)
    if store.engine.dialect.name == "sqlite":  # 6,000 rows: several progress handler calls
        assert got is None
    else:  # the watcher's first look comes after 50 ms: the count may have finished
        assert got in (None, wanted)
    assert store.count_accompaniments(flt) == wanted  # no handler left on the connection
    if store.engine.dialect.name == "postgresql":  # a long statement is cancelled at once
        from sqlalchemy.exc import DBAPIError

        with store.engine.connect() as conn:
            raw = conn.connection.driver_connection
            start = time.monotonic()
            with pytest.raises(DBAPIError), _stoppable(raw, lambda: True):
                conn.exec_driver_sql("SELECT pg_sleep(30)")
            assert time.monotonic() - start < 10


def test_delete_can_be_undone(store: Store) -> None:
    v = store.add_accompaniment(entry(dt.date(2019, 1, 10)))
    store.set_deleted(v.id, True)
    assert store.list_accompaniments()[1] == 0
    store.set_deleted(v.id, False)
    assert store.list_accompaniments()[1] == 1


def test_schools(store: Store) -> None:
    assert store.save_schools([School("0570001A", "École A", "Thionville")]) == (1, 0)
    assert store.save_schools(
        [School("0570001A", "École A bis", "Thionville"), School("0570002B", "École B")]
    ) == (1, 1)
    assert [s.name for s in store.list_schools()] == ["École A bis", "École B"]


def test_merge_is_idempotent_and_overlaps_add_nothing_twice(two: tuple[Store, Store]) -> None:
    a, b = two
    for day in range(1, 4):
        a.add_accompaniment(entry(dt.date(2019, 1, day)))
    first = b.merge_versions(a.export_versions())
    assert (first.added, first.updated, first.unchanged, first.conflicts) == (3, 0, 0, 0)
    again = b.merge_versions(a.export_versions())
    assert (again.added, again.unchanged) == (0, 3)
    a.add_accompaniment(entry(dt.date(2019, 1, 9)))
    overlap = b.merge_versions(a.export_versions())
    assert (overlap.added, overlap.unchanged) == (1, 3)
    assert b.list_accompaniments()[1] == 4


def test_update_and_deletion_travel(two: tuple[Store, Store]) -> None:
    a, b = two
    v = a.add_accompaniment(entry(dt.date(2019, 1, 1)))
    b.merge_versions(a.export_versions())
    a.update_accompaniment(v.id, entry(dt.date(2019, 1, 1), notes="complété"))
    report = b.merge_versions(a.export_versions())
    assert report.updated == 1
    assert b.get_accompaniment(v.id)[0].content.notes == "complété"
    # B's newer version does not go back when A's older file comes again
    b.set_deleted(v.id, True)
    assert a.merge_versions(b.export_versions()).updated == 1
    assert a.list_accompaniments()[1] == 0
    assert b.merge_versions(a.export_versions()).unchanged == 1


def test_conflict_both_ways_keeps_both_and_converges(two: tuple[Store, Store]) -> None:
    a, b = two
    v = a.add_accompaniment(entry(dt.date(2019, 1, 1)))
    b.merge_versions(a.export_versions())
    a.update_accompaniment(v.id, entry(dt.date(2019, 1, 1), notes="version A"))
    b.update_accompaniment(v.id, entry(dt.date(2019, 1, 1), notes="version B"))
    assert b.merge_versions(a.export_versions()).conflicts == 1
    assert a.merge_versions(b.export_versions()).conflicts == 1
    shown_a, others_a = a.get_accompaniment(v.id)
    shown_b, others_b = b.get_accompaniment(v.id)
    assert shown_a.version == shown_b.version  # same pick on both laptops
    assert {shown_a.content.notes, others_a[0].content.notes} == {"version A", "version B"}
    assert [o.version for o in others_a] == [o.version for o in others_b]
    # importing again is not a new conflict
    assert b.merge_versions(a.export_versions()).unchanged == 1
    # an entry in conflict is settled before it changes: an edit of one version would make the
    # laptops show different versions
    for change in (
        lambda: a.update_accompaniment(v.id, entry(dt.date(2019, 1, 1), notes="C")),
        lambda: a.set_deleted(v.id, True),
    ):
        with pytest.raises(ConflictError, match="choisissez d'abord celle à garder"):
            change()
    assert a.get_accompaniment(v.id) == (shown_a, others_a)
    # resolve on A; B follows
    keep = next(x for x in [shown_a, *others_a] if x.content.notes == "version B")
    a.resolve_conflict(v.id, keep.version)
    assert a.list_conflicts() == []
    assert b.merge_versions(a.export_versions()).updated == 1
    assert b.get_accompaniment(v.id)[0].content.notes == "version B"
    assert b.list_conflicts() == []


def _key(version) -> tuple[object, str]:  # type: ignore[no-untyped-def]
    return version.id, version.version


edits = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(["add", "edit", "delete", "sync"]),
        st.integers(min_value=0, max_value=5),
        st.text(max_size=8),
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits)
def test_random_edits_then_exchanges_converge(
    tmp_path_factory: pytest.TempPathFactory,
    empty_store_file: Path,
    script: list[tuple[str, str, int, str]],
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    for name in ("a", "b"):  # two new laptops' stores, without running the migrations each time
        shutil.copy(empty_store_file, folder / f"{name}.sqlite3")
    stores = {
        "a": Store.open(f"sqlite:///{folder / 'a.sqlite3'}"),
        "b": Store.open(f"sqlite:///{folder / 'b.sqlite3'}"),
    }
    try:
        made: set[tuple[object, str]] = set()  # every version created on either laptop
        for who, op, n, text in script:
            store, other = stores[who], stores["b" if who == "a" else "a"]
            entries = store.list_accompaniments(LogFilter(include_deleted=True), limit=1000)[0]
            if op == "add" or not entries:
                made.add(_key(store.add_accompaniment(entry(dt.date(2019, 1, 1 + n), notes=text))))
            elif op in ("edit", "delete"):
                target = entries[n % len(entries)]
                heads = [target, *store.get_accompaniment(target.id)[1]]
                if len(heads) > 1:  # settled first: a change would make the laptops differ
                    with pytest.raises(ConflictError):
                        store.update_accompaniment(target.id, target.content)
                    target = store.resolve_conflict(target.id, heads[n % len(heads)].version)
                    made.add(_key(target))
                if op == "edit":
                    made.add(
                        _key(
                            store.update_accompaniment(
                                target.id, dataclasses.replace(target.content, notes=text)
                            )
                        )
                    )
                else:
                    made.add(_key(store.set_deleted(target.id, True)))
            else:
                other.merge_versions(store.export_versions())
        # exchanges in both orders, twice: every laptop ends with the same log
        stores["a"].merge_versions(stores["b"].export_versions())
        stores["b"].merge_versions(stores["a"].export_versions())
        stores["a"].merge_versions(stores["b"].export_versions())
        state = {}
        for name, store in stores.items():
            state[name] = sorted(
                (v.id, v.version, tuple(sorted(o.version for o in others)))
                for v in store.export_versions()
                for _, others in [store.get_accompaniment(v.id)]
            )
        assert state["a"] == state["b"]
        # nothing is lost: every version made is a head, or an ancestor of a head
        known = set()
        for head in stores["a"].export_versions():
            known.add((head.id, head.version))
            known.update((head.id, ancestor) for ancestor in head.ancestors)
        assert made <= known
    finally:
        for store in stores.values():
            store.close()


def test_computed_indicators_feed_the_walk(sample_url: str) -> None:
    from revue.domain.review import ReviewKind
    from revue.formats.exchange import read_exchange
    from tests.helpers import SAMPLES

    store = Store.open(sample_url)
    try:
        store.merge_versions(read_exchange(SAMPLES / "echange-claire-martin-2018-2019.json"))
        store.merge_versions(read_exchange(SAMPLES / "echange-paul-durand-2018-2019.json"))
        review = store.create_review("thionville1-2016-2020", "2018-2019", ReviewKind.ANNUAL)
        walk = store.load_walk(review.id)
        # collective + team in 2018-2019: c1, c4, c6 (31 August), p1, p4 — not p5 (2 September)
        assert walk.values["axe2-equipes-o1-demandes"] == 5
        assert walk.values["axe2-equipes-o1-ien"] == 2  # c3, p3
        assert walk.values["axe2-pilotage-o1-sollicitations"] == 1  # p1 (team, linked)
        assert walk.values["axe2-carriere-o1-demandes"] == 2  # c2, p2
        assert walk.history["axe2-equipes-o1-demandes"] == {"2016-2017": 0, "2017-2018": 0}
    finally:
        store.close()


def test_text_search_ignores_case_and_accents_and_takes_percent_and_underscore_literally(
    store: Store,
) -> None:
    for notes in (
        "Réussite à 50 % des élèves",
        "Réussite à 5000 élèves",
        "fichier eval_CP",
        "fichier evalxCP",
        "FLUENCE en CE1",
    ):
        store.add_accompaniment(entry(dt.date(2019, 1, 10), notes=notes))

    def found(text: str) -> list[str]:
        flt = LogFilter(text=text)
        rows = store.page_of_accompaniments(flt, limit=10)
        assert store.count_accompaniments(flt) == len(rows)
        return sorted(v.content.notes for v in rows)

    assert found("50 %") == ["Réussite à 50 % des élèves"]
    assert (
        found("ELEVES")
        == found("élèves")
        == found("eleves")
        == ["Réussite à 50 % des élèves", "Réussite à 5000 élèves"]
    )
    assert found("eval_") == ["fichier eval_CP"]
    assert found("fluence") == ["FLUENCE en CE1"]
    assert found("lecture") == sorted(  # the theme is searched too
        [
            "Réussite à 50 % des élèves",
            "Réussite à 5000 élèves",
            "fichier eval_CP",
            "fichier evalxCP",
            "FLUENCE en CE1",
        ]
    )


# --- what the entry form reads and shows ----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("90", 90),
        ("1h30", 90),
        ("1 h 30", 90),
        ("1\u00a0h\u00a030", 90),
        ("1,5 h", 90),
        ("1.5h", 90),
        ("90 min", 90),
        ("90min", 90),
        ("90 minutes", 90),
        ("45 mn", 45),
        ("2 h", 120),
        ("2 heures", 120),
        ("1 heure 30", 90),
        ("1:30", 90),
        ("1h05", 65),
        ("1 h 30 min", 90),
        ("0,25 h", 15),
        (" 1H30 ", 90),
        ("", None),
        ("   ", None),
    ],
)
def test_durations_as_people_write_them(typed: str, minutes: int | None) -> None:
    from revue.domain.parsing import parse_duration

    assert parse_duration(typed) == minutes


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("beaucoup", "n'est pas une durée"),
        ("1h75", "de 0 à 59"),
        ("1,01 h", "nombre entier de minutes"),
        ("90,5", "minutes entières"),
        ("1,5", "minutes entières"),
        ("0", "durée nulle"),
        ("-5", "n'est pas une durée"),
        ("h30", "n'est pas une durée"),
        ("1h30h", "n'est pas une durée"),
        ("\u0661\u0662", "n'est pas une durée"),  # Arabic-Indic digits: not read as 12
        ("9" * 5000, "n'est pas une durée"),
    ],
)
def test_anything_else_is_refused_with_a_reason(typed: str, reason: str) -> None:
    from revue.domain.parsing import NotADuration, parse_duration

    with pytest.raises(NotADuration, match=reason):
        parse_duration(typed)


def test_participants_are_whole_numbers_and_words_are_refused() -> None:
    from revue.domain.parsing import NotACount, parse_count

    assert parse_count("8") == 8
    assert parse_count("1 250") == 1250
    assert parse_count("1\u202f250") == 1250
    assert parse_count("") is None
    for bad in ("beaucoup", "8 personnes", "8,5", "-3", "0", "²", "12 34", "9" * 40):
        with pytest.raises(NotACount):
            parse_count(bad)


def test_what_the_duration_field_says_it_understood() -> None:
    from revue.domain.log import duration_text, duration_understood

    nb = "\u00a0"
    assert duration_understood(45) == f"45{nb}min"
    assert duration_understood(90) == f"1{nb}h{nb}30 = 90{nb}min"
    assert duration_understood(65) == f"1{nb}h{nb}05 = 65{nb}min"
    assert duration_understood(120) == f"2{nb}h = 120{nb}min"
    assert duration_understood(9082) == f"151{nb}h{nb}22 = 9\u202f082{nb}min"
    assert duration_text(60) == f"1{nb}h"


def test_completion_matches_word_starts_accent_blind_then_fuzzy() -> None:
    from revue.app.screens.log import best_choice

    choices = ["0579901A École des Tilleuls · Thionville", "0579907G École Pasteur · Yutz"]
    assert best_choice("Past", choices) == choices[1]
    assert best_choice("0579901", choices) == choices[0]
    assert best_choice("ecole pa", choices) == choices[1]  # accents and case ignored
    assert best_choice("yutz", choices) == choices[1]  # the commune
    assert best_choice("tllls", choices) == choices[0]  # fuzzy
    assert best_choice("zzzz", choices) is None
    assert best_choice("t", choices) is None  # under two letters: nothing proposed


def test_network_names_come_from_the_schools_and_the_entries(store: Store) -> None:
    store.save_schools(
        [
            School("0570001A", "École A", network="Réseau Yutz"),
            School("0570002B", "École B", network="Réseau Côte des Roses"),
            School("0570003C", "École C", network="Réseau Yutz"),
            School("0570004D", "École D"),
        ]
    )
    store.add_accompaniment(entry(dt.date(2019, 1, 10), schools=(), network="Réseau Élargi"))
    assert store.network_names() == ["Réseau Côte des Roses", "Réseau Élargi", "Réseau Yutz"]


def test_the_log_columns_fit_the_terminal() -> None:
    from revue.app.screens.log.table import column_spec, short_school_name

    for width in (80, 100, 120, 160):
        spec = column_spec(width)
        keys = [key for key, _label, _w in spec]
        assert {"date", "where", "modality", "initiative", "theme"} <= set(keys)
        assert sum(w + 2 for *_, w in spec) + 2 <= width, width
    assert "author" not in [k for k, _l, _w in column_spec(80)]
    assert "author" in [k for k, _l, _w in column_spec(120)]
    assert short_school_name("École élémentaire des Tilleuls") == "des Tilleuls"
    assert short_school_name("Groupe scolaire Pasteur") == "Pasteur"
    assert short_school_name("École") == "École"


def test_a_new_entry_written_through_the_tables_is_stored_as_the_orm_stores_it(
    store: Store,
) -> None:
    """add_accompaniment writes its rows through the tables (one round trip under the lock on
    PostgreSQL); the entry, its links and its first version in history are those the ORM path
    (Log._write, which edits and merges use) stores for the same new entry."""
    from sqlalchemy import select

    from revue.domain.log import Version
    from revue.store.db import write_session
    from revue.store.models import (
        AccompanimentObjectiveRow,
        AccompanimentRow,
        AccompanimentSchoolRow,
        HistoryRow,
    )

    content = entry(
        dt.date(2021, 3, 1),
        schools=("0570001A", "0570002B"),
        objectives=(OBJ,),
        notes="élève « X »\nsuite",
        duration_minutes=90,
        network="Réseau Nord",
    )
    fast = store.add_accompaniment(content)
    slow = Version.first(content)
    with write_session(store.engine) as session:
        store.log._write(session, slow, [], None)

    def stored(ident: uuid.UUID) -> list[object]:
        with store.session() as session:
            row = session.execute(
                select(AccompanimentRow.__table__).where(AccompanimentRow.id == ident)
            ).one()
            links = [
                sorted(
                    session.scalars(
                        select(t.uai if t is AccompanimentSchoolRow else t.objective_id).where(
                            t.accompaniment_id == ident
                        )
                    )
                )
                for t in (AccompanimentSchoolRow, AccompanimentObjectiveRow)
            ]
            history = session.execute(
                select(
                    HistoryRow.kind,
                    HistoryRow.review_id,
                    HistoryRow.author,
                    HistoryRow.note,
                    HistoryRow.content,
                ).where(HistoryRow.item_id == ident)
            ).all()
        values = {k: v for k, v in row._mapping.items() if k not in {"id", "version", "updated_at"}}
        return [values, links, history]

    assert stored(fast.id) == stored(slow.id)
    assert stored(fast.id)[1] == [["0570001A", "0570002B"], [uuid.UUID(OBJ)]]
    assert store.get_accompaniment(fast.id)[0] == fast
    [first] = store.accompaniment_history(fast.id)
    assert first.content == content.as_dict() and first.author == store.log.history.author


def test_rows_written_through_the_tables_too_long_are_refused_in_french() -> None:
    """Rows written through the tables (insert_rows) get the refusal a session's flush gives
    (both engines alike, before anything is sent)."""
    from revue.domain.errors import InputError
    from revue.store.db import refuse_too_long
    from revue.store.models import AccompanimentSchoolRow

    table = AccompanimentSchoolRow.__table__
    refuse_too_long(table, [{"accompaniment_id": uuid.uuid4(), "uai": "0570001A"}])
    refuse_too_long(table, [])
    with pytest.raises(InputError) as refused:
        refuse_too_long(table, [{"accompaniment_id": uuid.uuid4(), "uai": "057000199Z"}])
    assert refused.value.field == "uai"
    assert str(refused.value).endswith(
        "« 057000199Z » est trop long (10 caractères, au plus 8) : rien n'a été modifié"
    )
