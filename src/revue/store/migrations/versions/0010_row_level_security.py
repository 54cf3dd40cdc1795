"""one shared PostgreSQL database for many circonscriptions: an owner on every row, row-level
security

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:00:00

PostgreSQL only (a laptop's SQLite store has one owner: there the revision changes nothing but
the version). docs/postgresql.md describes the setup; in short:

- ``revue_scopes(role, scope, kind)``: which circonscription (``scope``) a PostgreSQL role
  writes for (``kind`` 'circonscription'), or that it is the DSDEN's reader ('dsden'); each
  role reads only its own row (``revue admin grant`` fills it, the database owner reads all);
- ``revue_scope()``: the circonscription of ``current_user`` (NULL if it has none);
  ``revue_default_owner()``: the scope, else the session's ``revue.owner`` setting (the
  administrator's ``store copy --owner``), else '' (the rows of a database that belongs to
  one circonscription);
- a column ``owner text NOT NULL DEFAULT revue_default_owner()`` on every revue table (the
  models do not know it: no code path of revue sets it, the server does); existing rows get '';
- every primary key, unique constraint and foreign key gains ``owner`` as its last column:
  two circonscriptions may hold the same contract slug, the same projet académique, the same
  school, the same accompaniment (ids are derived from slugs, and exchanges cross), each their
  own signing key and trusted colleagues, and a row can only refer to a row of its own owner.
  ``owner`` goes last so that a lookup by id alone (the owner of a database, who is not
  subject to the policies) still uses the index;
- two indexes led by ``owner`` on the log (date, update time: the list and the change marker
  a screen polls), where a circonscription's filter would otherwise read every circonscription's
  entries of the period (docs/performance.md);
- ``ENABLE ROW LEVEL SECURITY`` (not FORCE: the database owner, who migrates, copies and backs
  up the whole database, is not subject to it) with two policies on each table: a
  circonscription's role reads and writes only rows whose owner is its scope (``WITH CHECK``:
  it cannot write a row for another one), a DSDEN reader reads every row (its column grants,
  revue.store.grants, keep notes, participants, authors, history, conflicts and keys out),
  or only those of the circonscription its session names in ``revue.owner``.
  The DSDEN's policy names its roles (``TO``, kept up to date by ``revue admin grant`` and
  ``revoke``; the database owner when there is none) rather than asking, row by row, whether
  the current role reads everything: a circonscription's queries then have one condition,
  ``owner = <its scope>``, that the indexes serve (with an ``OR`` they did not: measured in
  docs/performance.md).

Roles granted access before this revision (one database per circonscription) keep it: each is
recorded with the scope '' (the database's own rows), as a circonscription's role if it may
insert contracts, else as a DSDEN reader.

The downgrade undoes all of it; it refuses, changing nothing, a database that holds the rows
of more than one owner (they could not share the keys of version 0009).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: The tables that get no owner: Alembic's own, and the scopes themselves.
_NOT_OWNED = ("alembic_version", "revue_scopes")
#: Indexes led by the owner, for the log's filters under the policies.
_OWNER_INDEXES = {
    "ix_accompaniments_owner_date": ("accompaniments", ("owner", "date")),
    "ix_accompaniments_owner_updated_at": ("accompaniments", ("owner", "updated_at")),
}
#: The DSDEN's rows: every circonscription's, or the one its session names in ``revue.owner``
#: (``PGOPTIONS='-c revue.owner=…'``: a bilan of one circonscription's contract when two have
#: contracts of the same id).
_ONE = "owner = coalesce(nullif(current_setting('revue.owner', true), ''), owner)"
_ON_DELETE = {"c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT", "r": "RESTRICT"}


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def _quote(name: str) -> str:
    return str(op.get_bind().dialect.identifier_preparer.quote(name))


def _columns(names: list[str]) -> str:
    return ", ".join(_quote(n) for n in names)


def _owned_tables(conn: sa.Connection) -> list[str]:
    rows = conn.execute(
        sa.text(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' "
            "AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname"
        )
    ).scalars()
    return [name for name in rows if name not in _NOT_OWNED]


@dataclass(frozen=True)
class _Key:
    """A primary key (``p``), unique constraint (``u``) or foreign key (``f``) of a table."""

    name: str
    type: str
    table: str
    columns: list[str]
    target: str | None
    target_columns: list[str]
    on_delete: str


def _constraints(conn: sa.Connection, tables: list[str]) -> list[_Key]:
    """The primary keys, unique constraints and foreign keys of ``tables``, column names in
    order (no expression: revue's constraints are plain columns)."""
    rows = conn.execute(
        sa.text(
            """
            SELECT con.conname, con.contype, t.relname,
                   ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n
                         ORDER BY k.i)::text[],
                   r.relname,
                   ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                         JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n
                         ORDER BY k.i)::text[],
                   con.confdeltype
            FROM pg_constraint con
            JOIN pg_class t ON t.oid = con.conrelid
            LEFT JOIN pg_class r ON r.oid = con.confrelid
            WHERE con.contype IN ('p', 'u', 'f')
              AND t.relnamespace = current_schema()::regnamespace
            ORDER BY t.relname, con.conname
            """
        )
    ).all()
    keys = [
        _Key(str(n), str(k), str(t), list(c), None if r is None else str(r), list(rc), str(d))
        for n, k, t, c, r, rc, d in rows
    ]
    return [key for key in keys if key.table in tables]


def _with_owner(columns: list[str], add: bool) -> list[str]:
    plain = [c for c in columns if c != "owner"]
    return [*plain, "owner"] if add else plain


def _rekey(conn: sa.Connection, tables: list[str], *, add: bool) -> None:
    """Every key of ``tables`` rebuilt with ``owner`` as its last column (``add``) or without
    it, under the same names."""
    keys = _constraints(conn, tables)
    foreign = [k for k in keys if k.type == "f"]
    for key in foreign:
        conn.execute(sa.text(f"ALTER TABLE {_quote(key.table)} DROP CONSTRAINT {_quote(key.name)}"))
    for key in keys:
        if key.type == "f":
            continue
        table, name = _quote(key.table), _quote(key.name)
        kind = "PRIMARY KEY" if key.type == "p" else "UNIQUE"
        columns = _columns(_with_owner(key.columns, add))
        conn.execute(sa.text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
        conn.execute(sa.text(f"ALTER TABLE {table} ADD CONSTRAINT {name} {kind} ({columns})"))
    for key in foreign:
        own = _with_owner(key.columns, add)
        theirs = _with_owner(key.target_columns, add)
        action = _ON_DELETE.get(key.on_delete, "NO ACTION")
        if action == "SET NULL" and add:  # only the reference is cleared, never the owner
            action = f"SET NULL ({_columns(_with_owner(key.columns, False))})"
        conn.execute(
            sa.text(
                f"ALTER TABLE {_quote(key.table)} ADD CONSTRAINT {_quote(key.name)} "
                f"FOREIGN KEY ({_columns(own)}) REFERENCES {_quote(str(key.target))} "
                f"({_columns(theirs)}) ON DELETE {action}"
            )
        )


def _functions(conn: sa.Connection) -> None:
    conn.execute(
        sa.text(
            """
            CREATE TABLE revue_scopes (
                role name PRIMARY KEY,
                scope text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('circonscription', 'dsden'))
            )
            """
        )
    )
    conn.execute(sa.text("ALTER TABLE revue_scopes ENABLE ROW LEVEL SECURITY"))
    conn.execute(
        sa.text(
            "CREATE POLICY revue_own_scope ON revue_scopes FOR SELECT USING (role = current_user)"
        )
    )
    conn.execute(sa.text("GRANT SELECT ON revue_scopes TO PUBLIC"))
    conn.execute(
        sa.text(
            """
            CREATE FUNCTION revue_scope() RETURNS text LANGUAGE sql STABLE AS $$
                SELECT scope FROM revue_scopes
                WHERE role = current_user AND kind = 'circonscription'
            $$
            """
        )
    )
    conn.execute(
        sa.text(
            """
            CREATE FUNCTION revue_default_owner() RETURNS text LANGUAGE sql STABLE AS $$
                SELECT coalesce(
                    revue_scope(), nullif(current_setting('revue.owner', true), ''), ''
                )
            $$
            """
        )
    )


def _grantees(conn: sa.Connection) -> list[tuple[str, str]]:
    """The roles granted access before (one database per circonscription), with their kind."""
    rows = conn.execute(
        sa.text(
            """
            SELECT grantee, bool_or(privilege_type = 'INSERT')
            FROM information_schema.role_table_grants
            WHERE table_schema = current_schema() AND table_name = 'contracts'
              AND grantee NOT IN (current_user, 'PUBLIC')
              AND grantee <> (SELECT tableowner FROM pg_tables
                              WHERE schemaname = current_schema() AND tablename = 'contracts')
            GROUP BY grantee
            """
        )
    ).all()
    return [(str(role), "circonscription" if writes else "dsden") for role, writes in rows]


def upgrade() -> None:
    if not _postgresql():
        return
    conn = op.get_bind()
    tables = _owned_tables(conn)
    _functions(conn)
    for role, kind in _grantees(conn):
        conn.execute(
            sa.text("INSERT INTO revue_scopes (role, scope, kind) VALUES (:r, :s, :k)"),
            {"r": role, "s": "" if kind == "circonscription" else role, "k": kind},
        )
    for table in tables:
        quoted = _quote(table)
        conn.execute(sa.text(f"ALTER TABLE {quoted} ADD COLUMN owner text NOT NULL DEFAULT ''"))
        conn.execute(
            sa.text(f"ALTER TABLE {quoted} ALTER COLUMN owner SET DEFAULT revue_default_owner()")
        )
    dsden = [role for role, kind in _grantees(conn) if kind == "dsden"]
    readers = ", ".join(_quote(role) for role in dsden) or "CURRENT_USER"
    _rekey(conn, tables, add=True)
    for name, (table, columns) in _OWNER_INDEXES.items():
        conn.execute(sa.text(f"CREATE INDEX {name} ON {_quote(table)} ({_columns(list(columns))})"))
    for table in tables:
        quoted = _quote(table)
        conn.execute(sa.text(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY"))
        conn.execute(
            sa.text(
                f"CREATE POLICY revue_circonscription ON {quoted} "
                "USING (owner = (SELECT revue_scope())) "
                "WITH CHECK (owner = (SELECT revue_scope()))"
            )
        )
        conn.execute(
            sa.text(f"CREATE POLICY revue_dsden ON {quoted} FOR SELECT TO {readers} USING ({_ONE})")
        )


def downgrade() -> None:
    if not _postgresql():
        return
    conn = op.get_bind()
    tables = _owned_tables(conn)
    for table in tables:
        owners = conn.execute(
            sa.text(f"SELECT count(DISTINCT owner) FROM {_quote(table)}")
        ).scalar()
        if owners and owners > 1:
            raise RuntimeError(
                f"la table {table} contient les données de {owners} circonscriptions : "
                "revenir au schéma 0009 les mêlerait ; rien n'a été modifié"
            )
    for table in tables:
        quoted = _quote(table)
        conn.execute(sa.text(f"DROP POLICY revue_circonscription ON {quoted}"))
        conn.execute(sa.text(f"DROP POLICY revue_dsden ON {quoted}"))
        conn.execute(sa.text(f"ALTER TABLE {quoted} DISABLE ROW LEVEL SECURITY"))
    for name in _OWNER_INDEXES:
        conn.execute(sa.text(f"DROP INDEX {name}"))
    _rekey(conn, tables, add=False)
    for table in tables:
        conn.execute(sa.text(f"ALTER TABLE {_quote(table)} DROP COLUMN owner"))
    conn.execute(sa.text("DROP FUNCTION revue_default_owner()"))
    conn.execute(sa.text("DROP FUNCTION revue_scope()"))
    conn.execute(sa.text("DROP TABLE revue_scopes"))
