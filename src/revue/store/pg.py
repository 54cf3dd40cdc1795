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


def write_lock_statements(cursor: Any) -> list[tuple[str, list[Any] | None]]:
    """The statements that take revue's write lock, waiting for it (within the transaction's
    ``lock_timeout``), for a transaction sent whole in one pipeline (``db.write_rows``).
    ``cursor`` (psycopg's, inside the transaction, before the lock) may be asked what the
    lock depends on; here it is one key for the whole database, so nothing is asked."""
    return [("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])]


def is_postgresql(bind: Any) -> bool:
    return bool(bind.dialect.name == "postgresql")
