"""The log's queries of one circonscription in a PostgreSQL database shared by 300 (migration
0010, row-level security), with and without the owner-led indexes.

    python benchmarks/shared_scopes.py [--db URL] [--entries 600000] [--scopes 300] [--rounds 3]

``--db``: a database of its own (its superuser or owner's URL; its log is replaced); without it a
throw-away server is started on localhost (tests/postgres.py). The log gets ``--entries``
accompaniments spread over ``--scopes`` circonscriptions and four school years; a role of one
circonscription then runs, under its policies, the log's count for a school year, its first
page (newest first) and the change marker the screens poll, each with EXPLAIN ANALYZE, once
with the indexes and once without them (dropped inside a transaction rolled back). Prints the
server's execution times (median of the rounds) beside the CPU reference of benchmarks/run.py.
Not a test; writes nothing but the database.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import reference_ms  # noqa: E402

QUERIES = {
    "log count, one school year": (
        "SELECT count(*) FROM accompaniments WHERE deleted IS false "
        "AND date BETWEEN '2018-09-01' AND '2019-08-31'"
    ),
    "log first page (200, newest first)": (
        "SELECT id FROM accompaniments WHERE deleted IS false ORDER BY date DESC, id LIMIT 200"
    ),
    "change marker (count, newest update)": (
        "SELECT count(*), max(updated_at) FROM accompaniments"
    ),
}
INDEXES = ("ix_accompaniments_owner_date", "ix_accompaniments_owner_updated_at")


def fill(conn: object, entries: int, scopes: int) -> None:
    conn.execute(  # type: ignore[attr-defined]
        "DO $$ BEGIN CREATE ROLE bench_scope LOGIN; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO bench_scope")  # type: ignore[attr-defined]
    conn.execute(  # type: ignore[attr-defined]
        "INSERT INTO revue_scopes VALUES ('bench_scope', 'c17', 'circonscription') "
        "ON CONFLICT (role) DO NOTHING"
    )
    conn.execute("TRUNCATE accompaniments CASCADE")  # type: ignore[attr-defined]
    conn.execute(  # type: ignore[attr-defined]
        """
        INSERT INTO accompaniments (id, date, author, network, modality, initiative, theme,
            duration_minutes, participants, notes, follow_up, deleted, version, parents,
            ancestors, conflicts, updated_at, search_text, owner)
        SELECT gen_random_uuid(), date '2016-09-01' + (g %% 1460), 'Auteur ' || (g %% 7), '',
            'visite', 'ien', 'thème', 60, 3, 'notes', '', false, md5(g::text), '[]', '[]',
            '[]', now() - (g || ' seconds')::interval, 'theme notes', 'c' || (g %% %s)
        FROM generate_series(1, %s) g
        """,
        (scopes, entries),
    )
    conn.execute("VACUUM ANALYZE accompaniments")  # type: ignore[attr-defined]


def timed(conn: object, query: str) -> tuple[float, str]:
    rows = conn.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {query}").fetchall()  # type: ignore[attr-defined]
    plan = "\n".join(r[0] for r in rows)
    found = re.search(r"Execution Time: ([0-9.]+) ms", plan)
    assert found, plan
    scans = re.findall(r"(\w[\w ]* Scan(?: Backward)?(?: using \w+)?(?: on \w+)?)", plan)
    return float(found.group(1)), "; ".join(scans)


def measure(url_kwargs: dict[str, object], rounds: int) -> None:
    import psycopg

    results: dict[tuple[str, bool], list[float]] = {}
    plans: dict[tuple[str, bool], str] = {}
    with psycopg.connect(**url_kwargs) as conn:  # type: ignore[arg-type]
        for _ in range(rounds):
            for with_indexes in (True, False):
                if not with_indexes:
                    for name in INDEXES:
                        conn.execute(f"DROP INDEX {name}")  # type: ignore[arg-type]
                conn.execute("SET LOCAL ROLE bench_scope")
                for label, query in QUERIES.items():
                    ms, plan = timed(conn, query)
                    results.setdefault((label, with_indexes), []).append(ms)
                    plans[(label, with_indexes)] = plan
                conn.rollback()  # the indexes are back
    reference = statistics.median(reference_ms() for _ in range(5))
    print(f"CPU reference (benchmarks/run.py): {reference:.0f} ms")
    print("| query | with the owner indexes | without | plan with / without |")
    print("| --- | ---: | ---: | --- |")
    for label in QUERIES:
        on = statistics.median(results[(label, True)])
        off = statistics.median(results[(label, False)])
        print(
            f"| {label} | {on:.1f} ms ({on / reference:.3f}×) | {off:.1f} ms "
            f"({off / reference:.3f}×) | {plans[(label, True)]} / {plans[(label, False)]} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--entries", type=int, default=600_000)
    parser.add_argument("--scopes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import psycopg
    from sqlalchemy.engine import make_url

    from revue.store.store import Store

    server = None
    url = args.db
    if url is None:
        from tests.postgres import Server

        folder = Path(tempfile.mkdtemp(prefix="revue-bench-pg-"))
        folder.chmod(0o711)
        server = Server.start(folder / "server")
        server.execute("CREATE DATABASE bench")
        url = server.url("bench")
    try:
        Store.open(url).close()
        parsed = make_url(url)
        kwargs: dict[str, object] = {
            "host": parsed.host,
            "port": parsed.port or 5432,
            "user": parsed.username,
            "dbname": parsed.database,
        }
        with psycopg.connect(**kwargs, autocommit=True) as conn:  # type: ignore[arg-type]
            fill(conn, args.entries, args.scopes)
        measure(kwargs, args.rounds)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
