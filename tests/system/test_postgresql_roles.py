"""``revue admin grant|revoke`` with real PostgreSQL roles, each connecting as itself: a
circonscription's own database is closed to the other circonscriptions, a colleague granted
``circonscription`` reads and writes it, a DSDEN role granted ``dsden`` reads contracts, reviews
and counts but never notes, participants, authors or history."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from revue.cli.main import main
from revue.domain.errors import RevueError
from revue.formats.exchange import read_exchange
from revue.services.demo import demo_files
from revue.services.imports import import_files
from revue.store.store import Store
from tests.helpers import CLAIRE, EPI, PAUL, generated_reviews
from tests.postgres import Server

psycopg = pytest.importorskip(
    "psycopg", reason="PostgreSQL tests skipped: psycopg is not installed (the postgresql extra)"
)


@dataclass
class Department:
    server: Server
    database: str
    other_database: str
    owner: str
    other_owner: str
    colleague: str
    dsden: str

    def url(self, role: str, database: str | None = None) -> str:
        return self.server.url(database or self.database, user=role)

    def sql(self, role: str, query: str) -> list[tuple[object, ...]]:
        with psycopg.connect(
            host="127.0.0.1", port=self.server.port, user=role, dbname=self.database
        ) as conn:
            return list(conn.execute(query).fetchall())  # type: ignore[arg-type]


@pytest.fixture
def department(pg_server: Server) -> Iterator[Department]:
    """Two circonscriptions' databases, each owned by its role and closed to others, the first
    filled (samples, reviews, both logs); a colleague's and a DSDEN role, granted nothing."""
    tag = uuid.uuid4().hex[:8]
    roles = [f"{who}_{tag}" for who in ("thionville", "epinay", "collegue", "dsden")]
    pg_server.execute(*(f"CREATE ROLE {role} LOGIN" for role in roles))
    databases = [pg_server.new_database(), pg_server.new_database()]
    for database, owner in zip(databases, roles[:2], strict=True):
        pg_server.execute(
            f"ALTER DATABASE {database} OWNER TO {owner}",
            f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC",
        )
    place = Department(pg_server, *databases, *roles)
    url = place.url(place.owner)
    store = Store.open(url)
    try:
        _done, errors = import_files(store, list(demo_files()))
        assert not errors
        store.merge_versions(read_exchange(CLAIRE))
        store.merge_versions(read_exchange(PAUL))
    finally:
        store.close()
    generated_reviews(url)
    yield place
    for database in databases:
        pg_server.drop_database(database)
    pg_server.execute(*(f"DROP ROLE {role}" for role in roles))


def test_a_circonscription_cannot_open_another_one_s_store(
    department: Department, capsys: pytest.CaptureFixture[str]
) -> None:
    other = department.url(department.other_owner, department.other_database)
    assert (
        main(
            [
                "--db",
                department.url(department.other_owner, department.database),
                "contract",
                "list",
            ]
        )
        == 1
    )
    said = capsys.readouterr().err
    assert "connexion refusée" in said or "pas le droit" in said, said
    Store.open(other).close()  # its own, it can


def test_a_colleague_granted_circonscription_reads_and_writes(
    department: Department, capsys: pytest.CaptureFixture[str]
) -> None:
    owner_url = department.url(department.owner)
    assert (
        main(["--db", owner_url, "admin", "grant", department.colleague, "--as", "circonscription"])
        == 0
    )
    assert "peut maintenant lire et écrire" in capsys.readouterr().out
    store = Store.open(department.url(department.colleague))
    try:
        before = store.list_accompaniments(limit=1)[1]
        current = store.list_accompaniments(limit=1)[0][0]
        store.update_accompaniment(
            current.id, replace(current.content, notes="Complété par la collègue.")
        )
        assert store.list_accompaniments(limit=1)[1] == before
        assert store.get_accompaniment(current.id)[0].content.notes == "Complété par la collègue."
    finally:
        store.close()
    assert main(["--db", owner_url, "admin", "revoke", department.colleague]) == 0
    with pytest.raises(RevueError):
        Store.open(department.url(department.colleague)).close()


def test_the_dsden_reads_contracts_reviews_and_counts_never_notes_or_authors(
    department: Department, capsys: pytest.CaptureFixture[str]
) -> None:
    owner_url = department.url(department.owner)
    dsden = department.dsden
    with pytest.raises(psycopg.OperationalError):  # nothing before it is granted
        department.sql(dsden, "SELECT count(*) FROM contracts")
    assert main(["--db", owner_url, "admin", "grant", dsden, "--as", "dsden"]) == 0
    capsys.readouterr()

    assert department.sql(dsden, "SELECT count(*) FROM contracts") == [(2,)]
    assert department.sql(dsden, "SELECT count(*) FROM review_snapshots") == [(1,)]
    assert department.sql(dsden, "SELECT count(*) FROM accompaniments") == [(12,)]
    counted = department.sql(
        dsden, "SELECT modality, count(*) FROM accompaniments GROUP BY modality ORDER BY 1"
    )
    assert sum(int(n) for _m, n in counted) == 12  # type: ignore[call-overload]
    for secret in (
        "SELECT notes FROM accompaniments",
        "SELECT author FROM accompaniments",
        "SELECT participants FROM accompaniments",
        "SELECT follow_up FROM accompaniments",
        "SELECT conflicts FROM accompaniments",
        "SELECT search_text FROM accompaniments",
        "SELECT * FROM accompaniments",
        "SELECT content FROM history",
        "SELECT private_key FROM store_key",
        "SELECT name FROM known_keys",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            department.sql(dsden, secret)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        department.sql(dsden, "DELETE FROM contracts")

    # through revue: the contracts and the bilan's data, and a French refusal for the log
    assert main(["--db", department.url(dsden), "contract", "list"]) == 0
    assert EPI in capsys.readouterr().out
    assert main(["--db", department.url(dsden), "bilan", EPI, "--format", "md"]) == 0, (
        capsys.readouterr().err
    )
    assert "Bilan" in capsys.readouterr().out
    store = Store.open(department.url(dsden))
    try:
        assert [c.id for c in store.list_contracts()] == [EPI, "thionville1-2016-2020"]
        assert store.list_reviews(EPI)
        with pytest.raises(RevueError, match="n'a pas le droit de lire"):
            store.list_accompaniments()
    finally:
        store.close()

    assert main(["--db", owner_url, "admin", "revoke", dsden]) == 0
    with pytest.raises(psycopg.OperationalError):
        department.sql(dsden, "SELECT count(*) FROM contracts")


def test_admin_refuses_a_role_that_does_not_exist(
    department: Department, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "--db",
                department.url(department.owner),
                "admin",
                "grant",
                "personne_xyz",
                "--as",
                "dsden",
            ]
        )
        == 1
    )
    assert "le rôle « personne_xyz » n'existe pas sur le serveur" in capsys.readouterr().err
