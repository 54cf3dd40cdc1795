"""Where revue keeps its data: the default location, the file a URL names, and that file and
its folder created private.

Kept free of the rest of the store (``db`` and ``backup`` both import it), and cheap to import:
the CLI imports it at start-up, so SQLAlchemy is only imported when a URL is looked at.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

APP_NAME = "revue"
ENV_DB = "REVUE_DB"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_url() -> str:
    """``--db`` wins, then ``REVUE_DB``, then a SQLite file in the user's data folder."""
    return os.environ.get(ENV_DB) or f"sqlite:///{data_dir() / 'revue.sqlite3'}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory stores."""
    from sqlalchemy.engine import make_url  # not at start-up (see the module's docstring)

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def prepare_private_file(path: Path) -> None:
    """Create the store's folder (0700) and file (0600) before SQLite does, whatever the umask.

    SQLite gives its -wal and -shm files the permissions of the database file.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077 and path.stat().st_uid == os.getuid():
        os.chmod(path, 0o600)
