"""Writing files the user asked for: all or nothing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomically(path: Path, content: str) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``.

    An error or Ctrl-C never leaves a half-written file under the target name. The file gets
    the usual permissions (0666 less the umask), as any file the user saves would.
    """
    path = path.expanduser()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
