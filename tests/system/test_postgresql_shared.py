"""One PostgreSQL database shared by several circonscriptions (migration 0010, row-level
security), with real roles each connecting as itself through revue's own Store and CLI: an
administrator owning the database, two circonscriptions' roles A and B and a DSDEN reader."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import pytest

from revue.cli.main import main
from revue.domain.errors import RevueError
from revue.formats.exchange import read_exchange
from revue.services.demo import demo_files
from revue.services.imports import import_files
from revue.store.db import WAITING_TO_WRITE, set_wait_notice, write_session
from revue.store.store import Store
from tests.helpers import CLAIRE, EPI, EPINAY, PAUL, WAIT_LIMIT, generated_reviews
from tests.postgres import Server

psycopg = pytest.importorskip(
    "psycopg", reason="PostgreSQL tests skipped: psycopg is not installed (the postgresql extra)"
)

A = "Thionville 1"
B = "Épinay-sur-Seine"
#: The tables a circonscription's role must see nothing of in the other's data.
PRIVATE = (
    "contracts",
    "objectives",
    "reviews",
    "objective_reviews",
    "indicator_values",
    "avenants",
    "review_snapshots",
    "accompaniments",
    "accompaniment_schools",
    "history",
    "store_key",
    "known_keys",
    "academic_projects",
)


@dataclass
class Shared:
    server: Server
    database: str
    admin: str
    a: str
    b: str
    dsden: str

    def url(self, role: str) -> str:
        return self.server.url(self.database, user=role)

    def sql(self, role: str, query: str, *params: object) -> list[tuple[object, ...]]:
        with psycopg.connect(
            host="127.0.0.1", port=self.server.port, user=role, dbname=self.database
        ) as conn:
            cursor = conn.execute(query, params or None)  # type: ignore[arg-type]
            return list(cursor.fetchall()) if cursor.description else [(cursor.rowcount,)]

    def count(self, role: str, table: str) -> int:
        return int(self.sql(role, f"SELECT count(*) FROM {table}")[0][0])  # type: ignore[call-overload]


def _cli(*args: str) -> int:
    return main(list(args))


@pytest.fixture
def shared(pg_server: Server, capsys: pytest.CaptureFixture[str]) -> Iterator[Shared]:
    """An administrator's database (revue's schema made by it), closed to the public; roles A
    and B granted their circonscriptions, a DSDEN role granted dsden; A holds the samples, a
    review with an avenant and a frozen snapshot, both logs and a signed export (its key)."""
    tag = uuid.uuid4().hex[:8]
    roles = [f"{who}_{tag}" for who in ("admin", "circa", "circb", "dsden")]
    pg_server.execute(*(f"CREATE ROLE {role} LOGIN" for role in roles))
    database = pg_server.new_database()
    pg_server.execute(
        f"ALTER DATABASE {database} OWNER TO {roles[0]}",
        f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC",
    )
    place = Shared(pg_server, database, *roles)
    admin = place.url(place.admin)
    Store.open(admin).close()
    for role, scope in ((place.a, A), (place.b, B)):
        assert (
            _cli("--db", admin, "admin", "grant", role, "--as", "circonscription",
                 "--circonscription", scope)
            == 0
        )  # fmt: skip
    assert _cli("--db", admin, "admin", "grant", place.dsden, "--as", "dsden") == 0
    capsys.readouterr()
    url = place.url(place.a)
    store = Store.open(url)
    try:
        _done, errors = import_files(store, list(demo_files()))
        assert not errors
        store.merge_versions(read_exchange(CLAIRE))
        store.merge_versions(read_exchange(PAUL))
        store.export_exchange(None, dt.datetime(2019, 7, 1))  # makes A's signing key
    finally:
        store.close()
    generated_reviews(url)
    yield place
    pg_server.drop_database(database)
    pg_server.execute(*(f"DROP ROLE {role}" for role in roles))


def test_every_table_of_revue_has_an_owner_and_both_policies(shared: Shared) -> None:
    """A table added by a later migration without them would be open to every role granted
    it (docs/developpement.md, « A new table »)."""
    from revue.store.models import Base

    tables = sorted(t.name for t in Base.metadata.sorted_tables)
    secured = shared.sql(
        shared.admin,
        "SELECT c.relname, c.relrowsecurity, "
        "EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'owner'"
        "        AND a.attnotnull AND NOT a.attisdropped), "
        "ARRAY(SELECT p.polname::text FROM pg_policy p WHERE p.polrelid = c.oid ORDER BY 1) "
        "FROM pg_class c WHERE c.relkind = 'r' "
        "AND c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%s) ORDER BY 1",
        tables,
    )
    assert secured == [(t, True, True, ["revue_circonscription", "revue_dsden"]) for t in tables]


def test_each_circonscription_sees_and_writes_only_its_own(shared: Shared) -> None:
    held = {table: shared.count(shared.a, table) for table in PRIVATE}
    assert all(held[t] for t in ("contracts", "reviews", "accompaniments", "history"))
    assert held["store_key"] == 1 and held["review_snapshots"] == 1
    assert all(shared.count(shared.b, table) == 0 for table in PRIVATE)

    store = Store.open(shared.url(shared.b))
    try:
        assert store.list_contracts() == []
        assert store.list_accompaniments() == ([], 0)
        assert store.log_authors() == []
    finally:
        store.close()

    # B cannot change or delete A's rows (it does not see them) nor write a row as A's
    assert shared.sql(shared.b, "UPDATE contracts SET title = 'pris'") == [(0,)]
    assert shared.sql(shared.b, "DELETE FROM accompaniments") == [(0,)]
    assert shared.sql(shared.b, "DELETE FROM history") == [(0,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        shared.sql(
            shared.b,
            "INSERT INTO schools (id, uai, name, commune, network, priority, fictitious, owner) "
            "VALUES (%s, '0570001A', 'École volée', '', '', '', false, %s)",
            uuid.uuid4(),
            A,
        )
    assert {table: shared.count(shared.a, table) for table in PRIVATE} == held

    # the same contract, the same projet académique, the same accompaniments (same ids, the
    # exchange crossed) in B: no collision, each its own copy
    store = Store.open(shared.url(shared.b))
    try:
        _done, errors = import_files(store, list(demo_files()))
        assert not errors
        report = store.merge_versions(read_exchange(CLAIRE))
        assert report is not None
        entry = store.list_accompaniments(limit=1)[0][0]
        store.update_accompaniment(entry.id, replace(entry.content, notes="Seulement chez B."))
        assert [c.id for c in store.list_contracts()] == [EPI, "thionville1-2016-2020"]
    finally:
        store.close()
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        shared.sql(shared.b, "UPDATE contracts SET owner = %s", A)  # give its rows to A
    owners = shared.sql(shared.admin, "SELECT owner, count(*) FROM contracts GROUP BY owner")
    assert sorted(owners) == sorted([(A, 2), (B, 2)])
    mine = Store.open(shared.url(shared.a))
    try:
        assert mine.get_accompaniment(entry.id)[0].content.notes != "Seulement chez B."
    finally:
        mine.close()
    assert {table: shared.count(shared.a, table) for table in PRIVATE} == held


def test_the_dsden_reads_every_circonscription_never_notes_or_authors(
    shared: Shared, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(shared.url(shared.b))
    try:
        import_files(store, [EPINAY])
        store.merge_versions(read_exchange(PAUL))
    finally:
        store.close()
    dsden = shared.dsden
    assert shared.count(dsden, "contracts") == 3
    assert shared.count(dsden, "reviews") == shared.count(shared.a, "reviews")
    total = shared.count(shared.a, "accompaniments") + shared.count(shared.b, "accompaniments")
    assert shared.count(dsden, "accompaniments") == total
    by_owner = shared.sql(
        dsden, "SELECT owner, count(*) FROM accompaniments GROUP BY owner ORDER BY owner"
    )
    assert sorted(owner for owner, _n in by_owner) == sorted([A, B])
    for secret in (
        "SELECT notes FROM accompaniments",
        "SELECT author FROM accompaniments",
        "SELECT participants FROM accompaniments",
        "SELECT content FROM history",
        "SELECT private_key FROM store_key",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            shared.sql(dsden, secret)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        shared.sql(dsden, "DELETE FROM contracts")

    store = Store.open(shared.url(dsden))
    try:
        assert [c.id for c in store.list_contracts()].count(EPI) == 2  # A's and B's
        assert store.list_reviews(EPI)
        with pytest.raises(RevueError, match="n'a pas le droit de lire"):
            store.list_accompaniments()
    finally:
        store.close()
    # one circonscription at a time: its session names it (PGOPTIONS, or the URL's options)
    one = shared.url(dsden) + "?options=" + quote("-c revue.owner=" + A.replace(" ", "\\ "))
    store = Store.open(one)
    try:
        assert [c.id for c in store.list_contracts()] == [EPI, "thionville1-2016-2020"]
        assert len(store.list_reviews(EPI)) == shared.count(shared.a, "reviews")
    finally:
        store.close()
    capsys.readouterr()
    assert _cli("--db", one, "bilan", EPI, "--format", "md") == 0
    assert "Bilan" in capsys.readouterr().out
    capsys.readouterr()
    exported = tmp_path / "echange.json"
    assert _cli("--db", shared.url(dsden), "exchange", "export", "-o", str(exported)) == 1
    assert "n'a pas le droit" in capsys.readouterr().err
    assert not exported.exists()


def _two_of_a_and_one_of_b(
    shared: Shared,
) -> tuple[dict[str, Store], dict[str, threading.Event]]:
    """Stores open as A (twice: "a", "a2") and as B ("b"), each with an event set when it is
    told it waits for the write lock."""
    stores = {
        who: Store.open(shared.url(role))
        for who, role in (("a", shared.a), ("a2", shared.a), ("b", shared.b))
    }
    told: dict[str, threading.Event] = {who: threading.Event() for who in stores}
    for who, store in stores.items():
        set_wait_notice(
            store.engine,
            lambda message, who=who: told[who].set() if message == WAITING_TO_WRITE else None,
        )
    return stores, told


def test_a_write_of_one_circonscription_never_waits_for_another(shared: Shared) -> None:
    """A holds its write lock: B writes at once (told nothing); a second writer of A waits
    for it (told once), and goes on when A is done."""
    stores, told = _two_of_a_and_one_of_b(shared)
    finished = threading.Event()
    failures: list[BaseException] = []

    def second_writer_of_a() -> None:
        try:
            with write_session(stores["a2"].engine) as session:
                session.execute(__import__("sqlalchemy").text("SELECT 1"))
            finished.set()
        except BaseException as exc:  # reported by the test, below
            failures.append(exc)

    try:
        with write_session(stores["a"].engine):
            import_files(stores["b"], [EPINAY])  # a whole import by B while A holds its lock
            assert not told["b"].is_set()
            assert [c.id for c in stores["b"].list_contracts()] == [EPI]
            waiter = threading.Thread(target=second_writer_of_a)
            waiter.start()
            assert told["a2"].wait(WAIT_LIMIT), "A's second writer did not wait for the first"
            assert not finished.is_set()
        waiter.join(WAIT_LIMIT)
        assert finished.is_set(), failures
    finally:
        for store in stores.values():
            store.close()


def test_a_laptop_copied_in_for_one_circonscription_and_back(
    shared: Shared, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    laptop = f"sqlite:///{tmp_path / 'portable.sqlite3'}"
    store = Store.open(laptop)
    try:
        import_files(store, [EPINAY])
        store.merge_versions(read_exchange(CLAIRE))
        laptop_log = store.list_accompaniments()[1]
    finally:
        store.close()
    admin = shared.url(shared.admin)
    # without --owner: refused (the rows would belong to no circonscription)
    assert _cli("store", "copy", "--from", laptop, "--to", admin) == 1
    assert "--owner NOM" in capsys.readouterr().err
    assert _cli("store", "copy", "--from", laptop, "--to", admin, "--owner", B) == 0
    assert f"(circonscription « {B} »)" in capsys.readouterr().out
    store = Store.open(shared.url(shared.b))
    try:
        assert [c.id for c in store.list_contracts()] == [EPI]
        assert store.list_accompaniments()[1] == laptop_log
    finally:
        store.close()
    assert shared.count(shared.a, "contracts") == 2  # A's untouched
    # B already has data: a second copy for B is refused, nothing changed
    assert _cli("store", "copy", "--from", laptop, "--to", admin, "--owner", B) == 1
    assert f"contient déjà des données de la circonscription « {B} »" in capsys.readouterr().err

    # and back: only B's rows; without --owner the admin's copy of a shared base is refused
    back = f"sqlite:///{tmp_path / 'retour.sqlite3'}"
    assert _cli("store", "copy", "--from", admin, "--to", back) == 1
    assert "base partagée entre circonscriptions" in capsys.readouterr().err
    assert _cli("store", "copy", "--from", admin, "--to", back, "--owner", B) == 0
    store = Store.open(back)
    try:
        assert [c.id for c in store.list_contracts()] == [EPI]
        assert store.list_accompaniments()[1] == laptop_log
    finally:
        store.close()
    # a circonscription's role cannot copy another's rows
    other = f"sqlite:///{tmp_path / 'autre.sqlite3'}"
    assert _cli("store", "copy", "--from", shared.url(shared.b), "--to", other, "--owner", A) == 1
    assert f"ne voit que les données de la circonscription « {B} »" in capsys.readouterr().err


def test_backups_and_checks_of_a_role_touch_only_its_rows(
    shared: Shared, capsys: pytest.CaptureFixture[str]
) -> None:
    url_a, url_b = shared.url(shared.a), shared.url(shared.b)
    store = Store.open(url_b)
    try:
        import_files(store, [EPINAY])
        store.merge_versions(read_exchange(PAUL))
    finally:
        store.close()
    held_a = {table: shared.count(shared.a, table) for table in PRIVATE}
    held_b = {table: shared.count(shared.b, table) for table in PRIVATE}
    assert _cli("--db", url_a, "check") == 0
    assert "intègre" in capsys.readouterr().out

    assert _cli("--db", url_a, "backup", "create") == 0
    name = capsys.readouterr().out.split("Sauvegarde faite : ")[1].split(" ")[0]
    shared.sql(shared.a, "DELETE FROM contracts")  # A loses its contracts (and their reviews)
    shared.sql(shared.a, "DELETE FROM accompaniments")
    store = Store.open(url_b)  # B keeps working meanwhile
    try:
        entry = store.list_accompaniments(limit=1)[0][0]
        store.update_accompaniment(entry.id, replace(entry.content, notes="Écrit par B après."))
    finally:
        store.close()
    assert shared.count(shared.a, "contracts") == 0
    assert _cli("--db", url_a, "backup", "restore", name) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert {table: shared.count(shared.a, table) for table in PRIVATE} == held_a
    after_b = {table: shared.count(shared.b, table) for table in PRIVATE}
    assert after_b == {**held_b, "history": after_b["history"]}
    assert after_b["history"] > held_b["history"]  # B's edit kept, with its history
    store = Store.open(url_b)
    try:
        assert store.get_accompaniment(entry.id)[0].content.notes == "Écrit par B après."
    finally:
        store.close()

    # a check sees only its own circonscription's rows: A's frozen snapshot altered on the
    # server is A's problem, not B's
    shared.sql(
        shared.admin, "UPDATE review_snapshots SET content = content || ' ' WHERE owner = %s", A
    )
    assert _cli("--db", url_b, "check") == 0
    assert "intègre" in capsys.readouterr().out
    assert _cli("--db", url_a, "check") == 1
    assert "n'est plus une preuve" in capsys.readouterr().out

    # the administrator's backup of the whole shared database would lose whose rows are whose
    assert _cli("--db", shared.url(shared.admin), "backup", "create") == 1
    said = capsys.readouterr().err
    assert "base partagée entre circonscriptions" in said and "pg_dump" in said


def test_the_administrators_check_reads_each_circonscription_apart(
    shared: Shared, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same contract and reviews in two circonscriptions (the same ids: they derive from
    the contract's slug): the administrator's check over the whole database checks each
    one's rows on their own, and names the circonscription of each problem."""
    url_b, admin = shared.url(shared.b), shared.url(shared.admin)
    store = Store.open(url_b)
    try:
        import_files(store, list(demo_files()))
    finally:
        store.close()
    generated_reviews(url_b)
    assert _cli("--db", admin, "check") == 0
    assert "intègre" in capsys.readouterr().out
    shared.sql(
        shared.admin, "UPDATE review_snapshots SET content = content || ' ' WHERE owner = %s", B
    )
    assert _cli("--db", admin, "check") == 1
    out = capsys.readouterr().out
    altered = [line for line in out.splitlines() if "empreinte SHA-256" in line]
    assert len(altered) == shared.count(shared.b, "review_snapshots") == 1, out
    assert all(f"« {B} »" in line and A not in line for line in altered), out
    assert _cli("--db", shared.url(shared.a), "check") == 0  # A's own rows are sound
    assert "intègre" in capsys.readouterr().out


def test_admin_grant_list_revoke_and_bad_input(
    shared: Shared, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = shared.url(shared.admin)
    assert _cli("--db", admin, "admin", "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert f"{shared.a}\tcirconscription\t{A}" in listed
    assert f"{shared.b}\tcirconscription\t{B}" in listed
    assert any(line.startswith(f"{shared.dsden}\tdsden\t") for line in listed)

    refusals = {
        ("grant", shared.b, "--as", "circonscription"): "précisez laquelle avec --circonscription",
        ("grant", shared.b, "--as", "dsden", "--circonscription", A): "ne va qu'avec --as",
        ("grant", shared.b, "--as", "circonscription", "--circonscription", " "): "est vide",
        ("grant", "personne_xyz", "--as", "circonscription", "--circonscription", A): (
            "le rôle « personne_xyz » n'existe pas"
        ),
        ("revoke", "personne_xyz"): "le rôle « personne_xyz » n'existe pas",
    }
    for args, words in refusals.items():
        assert _cli("--db", admin, "admin", *args) == 1, args
        said = capsys.readouterr().err
        assert words in said and "rien n'a été modifié" in said, (args, said)
    assert _cli("--db", admin, "admin", "list") == 0
    assert capsys.readouterr().out.splitlines() == listed  # nothing changed

    laptop = f"sqlite:///{tmp_path / 'portable.sqlite3'}"
    assert _cli("--db", laptop, "admin", "grant", shared.b, "--as", "dsden") == 1
    assert "seulement pour une base PostgreSQL" in capsys.readouterr().err

    assert _cli("--db", admin, "admin", "revoke", shared.b) == 0
    capsys.readouterr()
    assert _cli("--db", admin, "admin", "list") == 0
    assert not any(line.startswith(f"{shared.b}\t") for line in capsys.readouterr().out.split("\n"))
    with pytest.raises(RevueError):
        Store.open(shared.url(shared.b)).close()


def test_the_owner_of_the_shared_database_does_not_write_through_revue(
    shared: Shared, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its rows would be nobody's, and a change by id could touch several circonscriptions'
    copies of one contract: an import by the owner is refused, nothing written."""
    held = shared.sql(shared.admin, "SELECT owner, count(*) FROM contracts GROUP BY owner")
    assert _cli("--db", shared.url(shared.admin), "contract", "import", str(EPINAY)) == 1
    said = capsys.readouterr().err
    assert "n'est celui d'aucune circonscription" in said and "rien n'a été modifié" in said
    # naming a circonscription for its session does not make it one
    one = shared.url(shared.admin) + "?options=" + quote("-c revue.owner=" + B.replace(" ", "\\ "))
    assert _cli("--db", one, "contract", "import", str(EPINAY)) == 1
    assert "n'est celui d'aucune circonscription" in capsys.readouterr().err
    assert shared.sql(shared.admin, "SELECT owner, count(*) FROM contracts GROUP BY owner") == held


def test_0010_goes_down_to_0009_and_up_again(
    shared: Shared, pg_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """Down refuses a database shared by two circonscriptions, changing nothing; on a database
    of one owner it removes the owner, the keys and the policies, and up puts them back."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from revue.store.db import _alembic_config

    def constraints(database: str) -> list[tuple[object, ...]]:
        query = (
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        with psycopg.connect(
            host="127.0.0.1", port=pg_server.port, user="revue_test", dbname=database
        ) as conn:
            return list(conn.execute(query).fetchall())

    store = Store.open(shared.url(shared.b))
    try:
        import_files(store, [EPINAY])
    finally:
        store.close()
    config = _alembic_config()
    engine = create_engine(shared.url(shared.admin))
    try:
        before = constraints(shared.database)
        refused = pytest.raises(RuntimeError, match="contient les données de 2 circonscriptions")
        with refused, engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0009")
        assert constraints(shared.database) == before

        # a database of one circonscription (its own rows, owner ''): down and up again
        single = pg_server.new_database()
        pg_server.execute(f"ALTER DATABASE {single} OWNER TO {shared.admin}")
        one = pg_server.url(single, user=shared.admin)
        store = Store.open(one)
        try:
            import_files(store, list(demo_files()))
            contracts = store.list_contracts()
        finally:
            store.close()
        generated_reviews(one)
        made = constraints(single)
        assert any("(id, owner)" in definition for _t, _n, definition in made)
        single_engine = create_engine(one)
        try:
            with single_engine.begin() as conn:
                config.attributes["connection"] = conn
                command.downgrade(config, "0009")
            with single_engine.connect() as conn:
                assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                    "0009"
                )
                assert not conn.execute(
                    text(
                        "SELECT count(*) FROM information_schema.columns "
                        "WHERE column_name = 'owner' AND table_schema = 'public'"
                    )
                ).scalar()
                assert conn.execute(text("SELECT to_regclass('revue_scopes')")).scalar() is None
                assert not conn.execute(
                    text("SELECT count(*) FROM pg_policies WHERE schemaname = 'public'")
                ).scalar()
            assert not any("owner" in definition for _t, _n, definition in constraints(single))
            # roles granted access the 0009 way (one database per circonscription) keep it
            with single_engine.begin() as conn:
                for statement in (
                    f"GRANT CONNECT ON DATABASE {single} TO {shared.b}, {shared.dsden}",
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                    f"TO {shared.b}",
                    f"GRANT SELECT ON contracts, reviews TO {shared.dsden}",
                ):
                    conn.execute(text(statement))
            with single_engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        finally:
            single_engine.dispose()
        assert constraints(single) == made
        for role in (shared.b, shared.dsden):
            with psycopg.connect(
                host="127.0.0.1", port=pg_server.port, user=role, dbname=single
            ) as conn:
                assert conn.execute("SELECT count(*) FROM contracts").fetchone() == (2,), role
        store = Store.open(one)
        try:
            assert store.list_contracts() == contracts
            assert store.list_reviews(EPI)
        finally:
            store.close()
        # sharing it afterwards: its rows are nobody's, and the administrator is told so
        assert (
            _cli("--db", one, "admin", "grant", shared.a, "--as", "circonscription",
                 "--circonscription", A)
            == 0
        )  # fmt: skip
        told = capsys.readouterr().out
        assert "Attention : " in told and "ne sont à aucune circonscription" in told, told
        store = Store.open(pg_server.url(single, user=shared.a))
        try:
            assert store.list_contracts() == []
        finally:
            store.close()
        pg_server.drop_database(single)
    finally:
        engine.dispose()


def test_0010_goes_down_and_up_on_sqlite_without_changing_anything(tmp_path: Path) -> None:
    import sqlite3

    from alembic import command
    from sqlalchemy import create_engine

    from revue.store.db import _alembic_config

    path = tmp_path / "revue.sqlite3"
    url = f"sqlite:///{path}"
    store = Store.open(url)
    try:
        import_files(store, [EPINAY])
        contracts = store.list_contracts()
    finally:
        store.close()

    def schema() -> list[tuple[str, str]]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
            ).fetchall()
        finally:
            conn.close()

    def version() -> str:
        conn = sqlite3.connect(path)
        try:
            return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
        finally:
            conn.close()

    head = schema()
    engine = create_engine(url)
    config = _alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0010")
        shape = schema()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0009")
        assert (schema(), version()) == (shape, "0009")
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        assert (schema(), version()) == (head, "0011")
    finally:
        engine.dispose()
    store = Store.open(url)
    try:
        assert store.list_contracts() == contracts
    finally:
        store.close()


def test_new_entries_take_their_circonscription_s_lock_in_one_pipeline(shared: Shared) -> None:
    """add_accompaniment sends its whole transaction at once (db.write_rows) under the same
    lock as take_write_lock: B adds while A holds its lock, A's second writer waits (told) and
    adds after; each entry is its circonscription's; the owner of the database is refused."""
    from revue.domain.errors import NotFoundError
    from revue.domain.log import Content

    def entry(notes: str) -> Content:
        return Content(
            date=dt.date(2021, 3, 1),
            author="Claire Martin",
            modality="collective",
            initiative="team",
            notes=notes,
        )

    stores, told = _two_of_a_and_one_of_b(shared)
    added: list[object] = []
    try:
        with write_session(stores["a"].engine):
            b_entry = stores["b"].add_accompaniment(entry("de B"))
            assert not told["b"].is_set()
            waiter = threading.Thread(
                target=lambda: added.append(stores["a2"].add_accompaniment(entry("de A")))
            )
            waiter.start()
            assert told["a2"].wait(WAIT_LIMIT), "A's second writer did not wait for the first"
            assert added == []
        waiter.join(WAIT_LIMIT)
        assert len(added) == 1
        owners = dict(shared.sql(shared.admin, "SELECT notes, owner FROM accompaniments "
                                 "WHERE notes IN ('de A', 'de B')"))  # fmt: skip
        assert owners == {"de A": A, "de B": B}
        with pytest.raises(NotFoundError):  # A does not see B's entry
            stores["a"].get_accompaniment(b_entry.id)
    finally:
        for store in stores.values():
            store.close()
    admin = Store.open(shared.url(shared.admin))
    try:
        before = shared.count(shared.admin, "accompaniments")
        with pytest.raises(RevueError, match="n'est celui d'aucune circonscription"):
            admin.add_accompaniment(entry("de personne"))
        assert shared.count(shared.admin, "accompaniments") == before
    finally:
        admin.close()
