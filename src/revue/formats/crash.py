"""An unexpected error (a bug in revue): a French sentence for the user, and a report for the
developers that holds no personal data.

The report names the exception's type (never its message, which may quote a note or a
teacher's name), revue's and Python's versions, and the traceback's frames as
``file:line in function`` (no source lines, no local variables; files inside revue, the
standard library or an installed package are named from there, without the folder above, so
that no user name in a home folder path appears). It is written 0600 in revue's state folder
(0700; under Linux ``~/.local/state/revue/``), where the last :data:`KEEP` reports are kept.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import platform
import re
import stat
import sys
import sysconfig
import traceback
from pathlib import Path

import platformdirs

from revue import __version__
from revue.formats.fileio import make_private, private_folder, write_text_atomically

#: How many reports are kept; the oldest go first.
KEEP = 20
#: How many chained exceptions (``raise … from``, errors while handling errors) are reported.
CHAIN = 5
_NAME = re.compile(r"^erreur-\d{8}-\d{6}-\d{6}\.txt$")


def reports_folder() -> Path:
    """revue's state folder: where error reports go."""
    return Path(platformdirs.user_state_dir("revue", appauthor=False))


def _roots() -> list[tuple[Path, str]]:
    """Folders a frame's file is named from, most specific first, with the name shown."""
    import revue

    paths = sysconfig.get_paths()
    roots = [(Path(revue.__file__).parent, "revue")]
    roots += [(Path(paths[key]), "") for key in ("purelib", "platlib") if key in paths]
    roots += [(Path(paths[key]), "python") for key in ("stdlib", "platstdlib") if key in paths]
    return roots


def _where(filename: str) -> str:
    """A frame's file without the folders above revue, the packages or Python's library."""
    path = Path(filename)
    for root, shown in _roots():
        try:
            relative = path.relative_to(root)
        except ValueError:
            continue
        return str(Path(shown) / relative) if shown else str(relative)
    if filename.startswith("<"):  # <frozen …>, <string>
        return filename
    return f"…/{path.name}"


def _chain(error: BaseException) -> list[BaseException]:
    """The error and the ones it came from, the first cause first (as Python prints them)."""
    out: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in out and len(out) < CHAIN:
        out.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return list(reversed(out))


def _kind(error: BaseException) -> str:
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    extra = []
    number = getattr(error, "errno", None)
    if isinstance(number, int) and number in errno.errorcode:
        extra.append(errno.errorcode[number])
    code = getattr(getattr(error, "orig", None) or error, "sqlite_errorname", None)
    if isinstance(code, str):
        extra.append(code)
    return f"{name} ({', '.join(extra)})" if extra else name


def report_text(error: BaseException, *, now: dt.datetime | None = None) -> str:
    """The report: no message, no source line, no variable; only types and places."""
    now = now or dt.datetime.now()
    lines = [
        f"revue {__version__} — rapport d'erreur inattendue",
        f"date : {now:%Y-%m-%d %H:%M:%S}",
        f"Python {platform.python_version()} ({sys.platform}, {platform.machine()})",
        "",
    ]
    for number, link in enumerate(_chain(error)):
        if number:
            lines.append("… pendant le traitement de l'erreur ci-dessus :")
        lines.append(f"exception : {_kind(link)}")
        frames = traceback.StackSummary.extract(
            traceback.walk_tb(link.__traceback__), lookup_lines=False, capture_locals=False
        )
        lines.extend(f"  {_where(f.filename)}:{f.lineno} in {f.name}" for f in frames)
        lines.append("")
    return "\n".join(lines)


def write_report(error: BaseException) -> Path | None:
    """Write the report of ``error`` (0600, in a 0700 folder) and keep the last :data:`KEEP`;
    None when it could not be written (the sentence says so)."""
    now = dt.datetime.now()
    folder = reports_folder()
    target = folder / f"erreur-{now:%Y%m%d-%H%M%S-%f}.txt"
    try:
        private_folder(folder)
        make_private(folder)
        write_text_atomically(target, report_text(error, now=now), private=True)
        _rotate(folder)
    except OSError:
        return None
    return target


def _rotate(folder: Path) -> None:
    uid = os.getuid()
    reports = []
    for path in folder.iterdir():
        if not _NAME.match(path.name):
            continue
        info = path.lstat()
        if stat.S_ISREG(info.st_mode) and info.st_uid == uid:
            reports.append(path)
    for old in sorted(reports)[:-KEEP]:
        old.unlink(missing_ok=True)


def crash_message(error: BaseException, report: Path | None, *, reason: str | None = None) -> str:
    """What the user reads: French, no traceback, where the report is. ``reason``: what a
    database error means, when it is one (:func:`revue.store.db.sqlite_reason`)."""
    where = (
        f"Un rapport sans vos données (ni notes ni noms, seulement les endroits du programme "
        f"en cause) est dans {report} : joignez-le à votre signalement."
        if report is not None
        else "Le rapport d'erreur n'a pas pu être écrit."
    )
    what = (
        f"erreur de la base de données ({reason})"
        if reason
        else f"erreur inattendue de revue ({type(error).__name__})"
    )
    return f"{what} : l'opération en cours n'a pas abouti ; ce qui était enregistré l'est toujours. {where}"
