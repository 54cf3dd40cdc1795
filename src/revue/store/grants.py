"""Who may read and write a circonscription's store on a PostgreSQL server (``revue admin``).

Each circonscription has its own database (docs/postgresql.md), owned by its own role: nobody
else connects to it. ``revue admin grant`` then gives other, existing roles access to it:

- ``circonscription``: a colleague of the circonscription reads and writes everything revue
  keeps there, as the owner does (but cannot change the tables themselves);
- ``dsden``: the DSDEN reads contracts, projets académiques, reviews (records, values,
  evidence, avenants, frozen snapshots), schools, and of the accompaniment log only what
  counts need (date, network, modality, initiative, theme, duration, links to schools and
  objectives): never the notes, the follow-up, the number of participants, the authors, the
  history (which holds past notes), the conflicts (whole versions) or the keys.

Privileges are PostgreSQL's own (table and column grants), checked by the server for every
statement, whatever program connects. All grants of one command are one transaction.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from revue.domain.errors import RevueError
from revue.store.db import write_session
from revue.store.models import Base

#: What the DSDEN reads whole.
DSDEN_TABLES = (
    "alembic_version",
    "academic_projects",
    "contracts",
    "sections",
    "objectives",
    "indicators",
    "actions",
    "reviews",
    "review_events",
    "objective_reviews",
    "indicator_values",
    "evidence",
    "avenants",
    "avenant_changes",
    "review_snapshots",
    "schools",
    "accompaniment_schools",
    "accompaniment_objectives",
)
#: The columns of the log the DSDEN reads (counts by year, school, objective, modality…).
DSDEN_LOG_COLUMNS = (
    "id",
    "date",
    "network",
    "modality",
    "initiative",
    "theme",
    "duration_minutes",
    "deleted",
    "updated_at",
)
KINDS = ("circonscription", "dsden")


def _quote(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def _database(engine: Engine) -> str:
    return _quote(engine, str(engine.url.database))


def grant(engine: Engine, role: str, kind: str) -> None:
    """Give the existing ``role`` the ``kind`` of access (see the module) to this store."""
    if engine.dialect.name != "postgresql":
        raise RevueError("revue admin : seulement pour une base PostgreSQL")
    if kind not in KINDS:
        raise RevueError(f"type d'accès inconnu « {kind} » : circonscription ou dsden")
    who = _quote(engine, role)
    tables = [t.name for t in Base.metadata.sorted_tables]
    with write_session(engine) as session:
        if not session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
            raise RevueError(
                f"le rôle « {role} » n'existe pas sur le serveur : créez-le d'abord "
                "(CREATE ROLE … LOGIN, voir docs/postgresql.md) ; rien n'a été modifié"
            )
        statements = _revocations(engine, who, tables)
        statements += [
            f"GRANT CONNECT ON DATABASE {_database(engine)} TO {who}",
            f"GRANT USAGE ON SCHEMA public TO {who}",
        ]
        if kind == "circonscription":
            every = ", ".join(_quote(engine, t) for t in [*tables, "alembic_version"])
            statements += [
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON {every} TO {who}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
            ]
        else:
            whole = ", ".join(_quote(engine, t) for t in DSDEN_TABLES)
            columns = ", ".join(_quote(engine, c) for c in DSDEN_LOG_COLUMNS)
            statements += [
                f"GRANT SELECT ON {whole} TO {who}",
                f"GRANT SELECT ({columns}) ON accompaniments TO {who}",
            ]
        for statement in statements:
            session.execute(text(statement))


def revoke(engine: Engine, role: str) -> None:
    """Take back every access ``revue admin grant`` gave ``role`` to this store."""
    if engine.dialect.name != "postgresql":
        raise RevueError("revue admin : seulement pour une base PostgreSQL")
    who = _quote(engine, role)
    tables = [t.name for t in Base.metadata.sorted_tables]
    with write_session(engine) as session:
        for statement in [
            *_revocations(engine, who, tables),
            f"REVOKE CONNECT ON DATABASE {_database(engine)} FROM {who}",
            f"REVOKE USAGE ON SCHEMA public FROM {who}",
        ]:
            session.execute(text(statement))


def _revocations(engine: Engine, who: str, tables: list[str]) -> list[str]:
    every = ", ".join(_quote(engine, t) for t in [*tables, "alembic_version"])
    columns = ", ".join(_quote(engine, c) for c in DSDEN_LOG_COLUMNS)
    return [
        f"REVOKE ALL ON {every} FROM {who}",
        f"REVOKE SELECT ({columns}) ON accompaniments FROM {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {who}",
    ]
