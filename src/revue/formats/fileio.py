"""Writing files the user asked for: all or nothing, never writable by others.

Two kinds of files leave revue. Those that can name people (exchange files, the settings,
backups, error reports) are ``private``: 0600, whatever the umask. The others (bilans,
contract exports) get the usual permissions, 0666 less the umask, but are never group- or
world-writable even under a umask of 000: nobody else may change a document that will be
sent to the DSDEN.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

#: The permissions of a private file and of a private folder.
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
#: Never granted to a file revue writes: writing by the group or by others.
NEVER = 0o022


def current_umask() -> int:
    umask = os.umask(0o077)
    os.umask(umask)
    return umask


def file_mode(*, private: bool) -> int:
    """The permissions a new file gets: 0600 when private, else 0666 less the umask and never
    writable by the group or others."""
    return PRIVATE_FILE if private else 0o666 & ~current_umask() & ~NEVER


def private_folder(folder: Path) -> Path:
    """Create ``folder`` (and the missing folders above it) 0700 whatever the umask.

    A folder that already exists is left as it is, unless it is revue's own (the caller says
    so by calling :func:`make_private` on it): a folder the user chose is theirs.
    """
    missing = []
    current = folder
    while not current.exists() and not current.is_symlink() and current != current.parent:
        missing.append(current)
        current = current.parent
    for created in reversed(missing):
        with suppress(FileExistsError):  # another process made it meanwhile: fine
            created.mkdir(mode=PRIVATE_FOLDER)
            os.chmod(created, PRIVATE_FOLDER)  # mkdir's mode is less the umask
    return folder


def make_private(folder: Path) -> None:
    """Make an existing folder of revue's own 0700 if it is a real folder of this user's
    (never through a symbolic link, never someone else's)."""
    info = folder.lstat()
    if (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and stat.S_IMODE(info.st_mode) != PRIVATE_FOLDER
    ):
        os.chmod(folder, PRIVATE_FOLDER)


@contextmanager
def atomic_target(path: Path, *, private: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` on success.

    An error or Ctrl-C never leaves a half-written file under the target name. The file is
    created 0600 and gets its final permissions (:func:`file_mode`) before it takes the
    target's name, so it is never readable by others, not even for a moment. A symbolic link
    at ``path`` is replaced by the file, never followed.
    """
    path = path.expanduser()
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, file_mode(private=private))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """The rename is on disk too (a power cut right after leaves the new file, not none)."""
    with suppress(OSError):  # not every system can open a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_text_atomically(path: Path, content: str, *, private: bool = False) -> None:
    """Write ``content`` to ``path`` all or nothing; ``private`` for a file that can name
    people (0600 whatever the umask)."""
    with (
        atomic_target(path, private=private) as tmp,
        tmp.open("w", encoding="utf-8", newline="\n") as handle,
    ):
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
