"""Who may read and write revue's data on a PostgreSQL server (``revue admin``).

Two setups (docs/postgresql.md):

- **one database shared by many circonscriptions** (migration 0010): every row has an owner,
  the circonscription it belongs to, and PostgreSQL's row-level security shows each role only
  what ``revue_scopes`` says it may see. ``revue admin grant ROLE --as circonscription
  --circonscription NOM`` records ROLE → NOM: the role reads and writes only NOM's rows, and
  whatever it writes is NOM's (the server fills and checks the owner);
- **one database per circonscription**, owned by its own role: ``--circonscription`` is left
  out, the role shares the database's own rows (scope '').

And in both:

- ``dsden``: the DSDEN reads contracts, projets académiques, reviews (records, values,
  evidence, avenants, frozen snapshots), schools, and of the accompaniment log only what
  counts need (date, network, modality, initiative, theme, duration, links to schools and
  objectives, the circonscription): never the notes, the follow-up, the number of
  participants, the authors, the history (which holds past notes), the conflicts (whole
  versions) or the keys; of every circonscription of the database, or of the one its session
  names (``PGOPTIONS='-c revue.owner=NOM'``, migration 0010).

Privileges are PostgreSQL's own (table and column grants, row-level security policies),
checked by the server for every statement, whatever program connects. All the statements of
one command are one transaction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from revue.domain.errors import RevueError
from revue.domain.french import some_of
from revue.store.db import read_session, write_session
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
    "owner",
)
KINDS = ("circonscription", "dsden")


def _quote(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def _database(engine: Engine) -> str:
    return _quote(engine, str(engine.url.database))


#: The longest circonscription name revue accepts as a scope.
SCOPE_LENGTH = 100


@dataclass(frozen=True)
class Access:
    """One role's access, as ``revue admin list`` shows it."""

    role: str
    kind: str
    #: The circonscription whose rows the role sees ('' : the database's own rows); for a
    #: DSDEN reader, every circonscription's.
    scope: str


def _postgresql_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise RevueError(
            "revue admin : seulement pour une base PostgreSQL (sur un portable, les données "
            "n'ont qu'un propriétaire) ; rien n'a été modifié"
        )


def check_scope(scope: str) -> str:
    """The circonscription's name as a scope, or a French refusal."""
    name = scope.strip()
    if not name:
        raise RevueError("--circonscription : le nom est vide ; rien n'a été modifié")
    if len(name) > SCOPE_LENGTH:
        raise RevueError(
            f"--circonscription : le nom est trop long ({len(name)} caractères, au plus "
            f"{SCOPE_LENGTH}) ; rien n'a été modifié"
        )
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise RevueError(
            "--circonscription : le nom contient un caractère de contrôle ; rien n'a été modifié"
        )
    return name


def shared_scopes(connection: Connection) -> list[str]:
    """The circonscriptions a shared database holds (rows or roles), '' left out: empty for a
    database of one circonscription."""
    found = set(
        connection.scalars(
            text("SELECT DISTINCT scope FROM revue_scopes WHERE kind = :k"), {"k": KINDS[0]}
        )
    )
    found |= set(connection.scalars(text("SELECT DISTINCT owner FROM contracts")))
    found |= set(connection.scalars(text("SELECT DISTINCT owner FROM accompaniments")))
    return sorted(s for s in found if s)


def grant(engine: Engine, role: str, kind: str, scope: str | None = None) -> Access:
    """Give the existing ``role`` the ``kind`` of access (see the module) to this store; for a
    circonscription's role, to the rows of ``scope`` (None: the database's own rows, in a
    database of one circonscription)."""
    _postgresql_only(engine)
    if kind not in KINDS:
        raise RevueError(f"type d'accès inconnu « {kind} » : circonscription ou dsden")
    if kind == "dsden" and scope is not None:
        raise RevueError(
            "--circonscription ne va qu'avec --as circonscription : la DSDEN lit toutes les "
            "circonscriptions ; rien n'a été modifié"
        )
    name = check_scope(scope) if scope is not None else None
    who = _quote(engine, role)
    tables = [t.name for t in Base.metadata.sorted_tables]
    with write_session(engine, whole=True) as session:
        if not session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
            raise RevueError(
                f"le rôle « {role} » n'existe pas sur le serveur : créez-le d'abord "
                "(CREATE ROLE … LOGIN, voir docs/postgresql.md) ; rien n'a été modifié"
            )
        if session.scalar(
            text("SELECT rolname = current_user FROM pg_roles WHERE rolname = :r"), {"r": role}
        ):
            raise RevueError(
                f"« {role} » est le rôle avec lequel vous êtes connecté (le propriétaire des "
                "données) : il voit déjà tout ; rien n'a été modifié"
            )
        if kind == "circonscription" and name is None:
            shared = shared_scopes(session.connection())
            if shared:
                raise RevueError(
                    "cette base est partagée entre circonscriptions ("
                    + some_of(shared)
                    + ") : précisez laquelle avec --circonscription NOM ; rien n'a été modifié"
                )
        access = Access(role, kind, (name or "") if kind == "circonscription" else role)
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
        session.execute(
            text(
                "INSERT INTO revue_scopes (role, scope, kind) VALUES (:r, :s, :k) "
                "ON CONFLICT (role) DO UPDATE SET scope = EXCLUDED.scope, kind = EXCLUDED.kind"
            ),
            {"r": role, "s": access.scope, "k": kind},
        )
        _name_readers(engine, session)
    return access


def _name_readers(engine: Engine, session: Session) -> None:
    """The DSDEN's policy on every table made to name the DSDEN roles recorded (migration
    0010: a policy for the roles, not a test of the role on every row, keeps the
    circonscriptions' queries on their indexes); the database owner when there is none."""
    readers = session.scalars(
        text("SELECT role FROM revue_scopes WHERE kind = 'dsden' ORDER BY role")
    ).all()
    named = ", ".join(_quote(engine, str(r)) for r in readers) or "CURRENT_USER"
    for table in Base.metadata.sorted_tables:
        session.execute(
            text(f"ALTER POLICY revue_dsden ON {_quote(engine, table.name)} TO {named}")
        )


def unowned_rows(engine: Engine) -> int:
    """How many contracts and accompaniments belong to no circonscription (owner '': written
    before the database was shared): no circonscription's role sees them."""
    _postgresql_only(engine)
    with read_session(engine) as session:
        return sum(
            int(session.scalar(text(f"SELECT count(*) FROM {table} WHERE owner = ''")) or 0)
            for table in ("contracts", "accompaniments")
        )


def list_access(engine: Engine) -> list[Access]:
    """The roles ``revue admin grant`` gave access to, by name."""
    _postgresql_only(engine)
    with read_session(engine) as session:
        rows = session.execute(
            text("SELECT role, kind, scope FROM revue_scopes ORDER BY role")
        ).all()
    return [Access(str(role), str(kind), str(scope)) for role, kind, scope in rows]


def revoke(engine: Engine, role: str) -> None:
    """Take back every access ``revue admin grant`` gave ``role`` to this store (its
    circonscription's record too)."""
    _postgresql_only(engine)
    who = _quote(engine, role)
    tables = [t.name for t in Base.metadata.sorted_tables]
    with write_session(engine, whole=True) as session:
        if not session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
            raise RevueError(
                f"le rôle « {role} » n'existe pas sur le serveur ; rien n'a été modifié"
            )
        for statement in [
            *_revocations(engine, who, tables),
            f"REVOKE CONNECT ON DATABASE {_database(engine)} FROM {who}",
            f"REVOKE USAGE ON SCHEMA public FROM {who}",
        ]:
            session.execute(text(statement))
        session.execute(text("DELETE FROM revue_scopes WHERE role = :r"), {"r": role})
        _name_readers(engine, session)


def _revocations(engine: Engine, who: str, tables: list[str]) -> list[str]:
    every = ", ".join(_quote(engine, t) for t in [*tables, "alembic_version"])
    columns = ", ".join(_quote(engine, c) for c in DSDEN_LOG_COLUMNS)
    return [
        f"REVOKE ALL ON {every} FROM {who}",
        f"REVOKE SELECT ({columns}) ON accompaniments FROM {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {who}",
    ]


def owners_read(connection: Connection) -> list[str]:
    """The circonscriptions ('' for the rows of a database that belongs to one) whose
    contracts, projets académiques or frozen reviews this role reads: its own only, for a
    circonscription's role; all of them for the database's owner."""
    if connection.dialect.name != "postgresql":
        return []
    return sorted(
        connection.scalars(
            text(
                "SELECT owner FROM contracts UNION SELECT owner FROM academic_projects "
                "UNION SELECT owner FROM review_snapshots"
            )
        )
    )


def each_owner(session: Session, check: Callable[[Session], list[str]]) -> list[str]:
    """``check`` (French lines) on the rows this session's role reads; where it reads those of
    several circonscriptions (the database's owner checking the whole shared database), on
    each one's rows apart, each line naming its circonscription: rows of two circonscriptions
    may have the same ids (they derive from slugs), and a check over both would join one's
    rows with the other's.

    Apart means through temporary views named like revue's tables, which PostgreSQL looks up
    before the tables, showing the rows of the owner a transaction setting names; they go
    with the session's transaction. A table the role reads only some columns of (the DSDEN's
    log) keeps no view: no check reads it."""
    connection = session.connection()
    owners = owners_read(connection)
    if len(owners) <= 1:
        return check(session)
    schema = connection.scalar(text("SELECT current_schema()"))
    quote = connection.dialect.identifier_preparer.quote
    readable = connection.scalars(
        text(
            "SELECT t FROM unnest(CAST(:tables AS text[])) AS t "
            "WHERE has_table_privilege(format('%I.%I', current_schema(), t), 'SELECT')"
        ),
        {"tables": [table.name for table in Base.metadata.sorted_tables]},
    ).all()
    for name in readable:
        connection.exec_driver_sql(
            f"CREATE TEMPORARY VIEW {quote(name)} AS SELECT * FROM {quote(schema)}.{quote(name)} "
            "WHERE owner = current_setting('revue.checked_owner')"
        )
    lines: list[str] = []
    for owner in owners:
        connection.execute(
            text("SELECT set_config('revue.checked_owner', :owner, true)"), {"owner": owner}
        )
        session.expunge_all()  # the rows of the one before, of the same ids
        whose = f"circonscription « {owner} »" if owner else "données sans circonscription"
        lines += [f"{whose} : {line}" for line in check(session)]
    return lines
