"""PostgreSQL: one writer at a time, opening and upgrading one revue at a time, and the server's
errors in French.

SQLite's writers start with ``BEGIN IMMEDIATE``: the write lock is taken before the first
read, so what a writer reads (the version an edit started from, the entries a merge already
holds) cannot change before it commits, and the store's stale-edit checks hold. PostgreSQL has
no such statement; revue gives every write transaction the same rule by taking a transaction-
level advisory lock (:data:`WRITE_LOCK`) as its first statement. Under PostgreSQL's default
isolation (READ COMMITTED) each statement sees what was committed before it started, so once a
writer holds the lock it sees every earlier write, and no other writer commits until it is
done. Readers never wait. The lock is released by COMMIT or ROLLBACK, and by the server when a
connection dies: a killed revue never leaves it taken.

Why an advisory lock rather than row locks or version columns: the writers' checks read many
rows (an entry's heads, its history, a review's records) and a merge reads thousands; row locks
would have to name each of them in every writer, and version columns would need a schema
change and a retry loop in every caller. One lock per database keeps the code of both engines
the same, and costs what SQLite's single writer costs (docs/performance.md).

In a database shared by several circonscriptions (migration 0010, docs/postgresql.md) the
write lock is per circonscription: a writer takes the database's key *shared* and its own
scope's key (:data:`SCOPE_LOCKS`, the hash of its scope) exclusively (:func:`take_write_lock`),
so that 300 circonscriptions never wait for each other, while two writers of one
circonscription still take turns. Rows of two scopes never meet (every key and every
reference includes the owner), so the stale-edit and merge guarantees hold scope by scope. A
role without a scope (the database's owner: a migration, a whole-database copy or restoration,
or the one circonscription of a database of its own) takes the database's key exclusively and
waits for every writer of every scope, as before.

Opening takes a second key (:data:`OPEN_LOCK`) around reading the schema version and migrating,
inside the migration's own transaction (PostgreSQL's DDL is transactional): simultaneous first
opens of an empty database take turns, the second finds the schema made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, text

#: revue's advisory lock keys (locks are per database: two stores on one server never wait for
#: each other). 0x7265767565 is "revue" in ASCII; the last digit tells the two locks apart.
WRITE_LOCK = 0x72657675650001
OPEN_LOCK = 0x72657675650002
#: The first half of the two-key form of a circonscription's write lock ("revu"); the second
#: half is the hash of its scope.
SCOPE_LOCKS = 0x72657675

#: Why the owner of a shared database does not write through revue's ordinary commands.
ADMIN_DOES_NOT_WRITE = (
    "ce rôle n'est celui d'aucune circonscription de cette base partagée entre "
    "circonscriptions (c'est son propriétaire, ou la DSDEN, qui ne fait que lire) : il n'écrit "
    "pas lui-même dans les données ; connectez-vous avec le rôle d'une circonscription (revue "
    "admin list les montre), ou copiez pour elle avec revue store copy --owner NOM ; rien n'a "
    "été modifié"
)

#: SQLSTATE codes and what they mean for the user.
_REASONS = {
    "55P03": "les données sont occupées par un autre programme",  # lock_not_available
    "57014": "les données sont occupées par un autre programme",  # query_canceled (timeout)
    "40P01": "deux écritures se sont bloquées mutuellement",  # deadlock_detected
    "40001": "deux écritures se sont croisées",  # serialization_failure
    "53100": "le disque du serveur est plein",  # disk_full
    "53200": "mémoire insuffisante sur le serveur",  # out_of_memory
    "53300": "le serveur a trop de connexions ouvertes",  # too_many_connections
    "57P01": "le serveur de base de données s'est arrêté",  # admin_shutdown
    "57P03": "le serveur de base de données démarre ou s'arrête",  # cannot_connect_now
    "25006": "la base de données est en lecture seule (serveur de secours ?)",
    "42501": "ce rôle n'a pas le droit de lire ou d'écrire ces données sur le serveur",
    "28000": "connexion refusée par le serveur (utilisateur ou méthode d'authentification)",
    "28P01": "mot de passe refusé par le serveur",
    "3D000": "cette base de données n'existe pas sur le serveur",
    "22001": "une valeur dépasse la longueur permise",  # string_data_right_truncation
    "XX001": "les données du serveur sont abîmées",  # data_corrupted
}
_BUSY = {"55P03", "57014"}


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a psycopg error (or of an SQLAlchemy error around one), if any."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlstate", None)
    return code if isinstance(code, str) else None


def is_postgresql_error(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None) or exc
    return type(orig).__module__.startswith("psycopg")


def pg_reason(exc: BaseException) -> str:
    """What a PostgreSQL error means, in French: never the server's English message."""
    code = sqlstate(exc) or _connection_code(exc)
    if code in _REASONS:
        return _REASONS[code]
    if code == "TLS":
        return "connexion chiffrée (TLS) impossible : certificat ou réglage sslmode"
    if code is None:  # no answer from the server: refused connection, network
        return "le serveur de base de données ne répond pas (adresse, port ou réseau)"
    return f"erreur de la base de données (code {code})"


#: libpq's (English) words for a failed connection, which carries no SQLSTATE.
_CONNECTION_WORDS = (
    ("permission denied", "42501"),  # no CONNECT right on the database
    ("password authentication failed", "28P01"),
    ("no password supplied", "28P01"),
    ("no pg_hba.conf entry", "28000"),
    ("role", "28000"),  # 'role "x" does not exist'
    ("database", "3D000"),  # 'database "x" does not exist'
    ("ssl", "TLS"),
    ("certificate", "TLS"),
)


def _connection_code(exc: BaseException) -> str | None:
    words = str(getattr(exc, "orig", None) or exc).lower()
    if "does not exist" not in words and "failed" not in words and "ssl" not in words:
        return None
    return next((code for word, code in _CONNECTION_WORDS if word in words), None)


def pg_known(exc: BaseException) -> bool:
    """An error of the server or of the user's rights (as opposed to a bug in revue)."""
    return sqlstate(exc) in _REASONS


def pg_busy(exc: BaseException) -> bool:
    return sqlstate(exc) in _BUSY


def take_lock(
    conn: Connection,
    key: int,
    *,
    wait_seconds: float,
    tell: Callable[[], None],
) -> None:
    """Take the transaction-level advisory lock ``key`` on ``conn`` (inside its transaction):
    at once when it is free, else ``tell()`` once and wait up to ``wait_seconds`` (then
    PostgreSQL raises *lock_not_available*, SQLSTATE 55P03)."""
    if conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar():
        return
    tell()
    milliseconds = max(1, int(wait_seconds * 1000))
    conn.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    conn.execute(text("SET LOCAL lock_timeout = 0"))


#: The writer's scope: its circonscription (revue_scope(), migration 0010), else the
#: administrator's ``revue.owner`` setting (``store copy --owner``), else none.
_SCOPE = "coalesce(revue_scope(), nullif(current_setting('revue.owner', true), ''))"


#: A database shared by circonscriptions: one of them at least is recorded by name.
_SHARED = "EXISTS (SELECT 1 FROM revue_scopes WHERE kind = 'circonscription' AND scope <> '')"


def take_write_lock(
    conn: Connection,
    *,
    wait_seconds: float,
    tell: Callable[[], None],
    whole: bool = False,
) -> None:
    """Take revue's write lock for this transaction (see the module): the scope's own, under
    the database's key held shared, or the database's key alone, exclusively, for a writer
    without a scope. At once when free (one round trip), else ``tell()`` once and wait up to
    ``wait_seconds`` (then *lock_not_available*, SQLSTATE 55P03).

    A role of no circonscription in a database shared by circonscriptions is the
    administrator (or the DSDEN, which only reads): its rows would belong to no
    circonscription, or to the one its session names, and a row it changed by its id could be
    the same contract or entry of several (the policies do not hold the owner back). Refused
    (:class:`ValueError`, a French message), unless ``whole`` (``revue admin``, which writes
    only roles and rights; ``store copy``, which checks the owners itself)."""
    scope, taken, shared = conn.execute(
        text(
            f"SELECT q.scope, CASE WHEN q.scope IS NULL THEN pg_try_advisory_xact_lock(:key) "
            "ELSE pg_try_advisory_xact_lock_shared(:key) "
            "AND pg_try_advisory_xact_lock(:scopes, hashtext(q.scope)) END, "
            f"revue_scope() IS NULL AND {_SHARED} "
            f"FROM (SELECT {_SCOPE} AS scope) q"
        ),
        {"key": WRITE_LOCK, "scopes": SCOPE_LOCKS},
    ).one()
    if shared and not whole:
        raise ValueError(ADMIN_DOES_NOT_WRITE)
    if taken:
        return
    tell()
    milliseconds = max(1, int(wait_seconds * 1000))
    conn.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))
    if scope is None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
    else:  # taking again what the try took is harmless: both go at the transaction's end
        conn.execute(
            text(
                "SELECT pg_advisory_xact_lock_shared(:key), "
                "pg_advisory_xact_lock(:scopes, hashtext(:scope))"
            ),
            {"key": WRITE_LOCK, "scopes": SCOPE_LOCKS, "scope": scope},
        )
    conn.execute(text("SET LOCAL lock_timeout = 0"))


def write_lock_statements(cursor: Any) -> list[tuple[str, list[Any] | None]]:
    """The statements that take revue's write lock as :func:`take_write_lock` does, waiting
    for it (within the transaction's ``lock_timeout``), for a transaction sent whole in one
    pipeline (``db.write_rows``). ``cursor`` (psycopg's, inside the transaction) is first asked
    the writer's scope: one round trip, before the lock. The owner of a shared database is
    refused (:class:`ValueError`, a French message)."""
    cursor.execute(
        f"SELECT q.scope, revue_scope() IS NULL AND {_SHARED} FROM (SELECT {_SCOPE} AS scope) q"
    )
    scope, shared = cursor.fetchone()
    if shared:
        raise ValueError(ADMIN_DOES_NOT_WRITE)
    if scope is None:
        return [("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])]
    return [
        (
            "SELECT pg_advisory_xact_lock_shared(%s), pg_advisory_xact_lock(%s, hashtext(%s))",
            [WRITE_LOCK, SCOPE_LOCKS, scope],
        )
    ]


def is_postgresql(bind: Any) -> bool:
    return bool(bind.dialect.name == "postgresql")
