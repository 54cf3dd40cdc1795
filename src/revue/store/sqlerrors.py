"""SQLite's errors in French: what reaches the user is never SQLite's English message.

Free of SQLAlchemy (an SQLAlchemy error is read through its ``orig``), so that the backups,
which use :mod:`sqlite3` directly, can say what went wrong too.
"""

from __future__ import annotations

#: SQLite's primary result codes (``sqlite_errorcode & 0xFF``) and what they mean for the user.
_REASONS = {
    3: "accès refusé au fichier de données",
    5: "les données sont occupées par un autre programme",
    6: "les données sont occupées par un autre programme",
    7: "mémoire insuffisante",
    8: "le fichier ou le dossier des données est en lecture seule",
    10: "erreur de lecture ou d'écriture sur le disque",
    11: "le fichier de données est abîmé",
    13: "le disque est plein (libérez de la place)",
    14: "le fichier de données est inaccessible",
    26: "ce fichier n'est pas un fichier de données",
}
#: The same, recognised from SQLite's (English) message when there is no code.
_WORDS = (
    ("full", 13),
    ("readonly", 8),
    ("read-only", 8),
    ("read only", 8),
    ("locked", 5),
    ("busy", 5),
    ("unable to open", 14),
    ("i/o", 10),
    ("malformed", 11),
    ("not a database", 26),
)


def _code(exc: BaseException) -> int | None:
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _REASONS:
        return code & 0xFF
    words = str(orig).lower()
    return next((number for word, number in _WORDS if word in words), None)


def sqlite_reason(exc: BaseException) -> str:
    """What a SQLite (or SQLAlchemy) error means, in French: never SQLite's English message,
    at most its error code's name (``SQLITE_PROTOCOL``) when the error is not a known one."""
    code = _code(exc)
    if code is not None:
        return _REASONS[code]
    orig = getattr(exc, "orig", None) or exc
    name = getattr(orig, "sqlite_errorname", None) or type(orig).__name__
    return f"erreur de la base de données ({name})"


def is_busy(exc: BaseException) -> bool:
    """The write lock is taken by another connection (SQLITE_BUSY, SQLITE_LOCKED)."""
    return _code(exc) == 5
