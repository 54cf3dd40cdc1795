"""The user's settings: a small TOML file in the platformdirs config folder.

The file names the user: it is private (0600, in a 0700 folder), whatever the umask.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import platformdirs
import tomli_w

from revue.domain.errors import InputError
from revue.formats.fileio import (
    PRIVATE_FILE,
    make_private,
    private_folder,
    write_text_atomically,
)

ENV_CONFIG = "REVUE_CONFIG"


@dataclass
class Config:
    #: Who uses this laptop: the default author of new accompaniments and of exchange exports.
    user: str = ""


def config_folder() -> Path:
    """revue's own settings folder (made 0700 when revue writes there)."""
    return Path(platformdirs.user_config_dir("revue", appauthor=False))


def config_path() -> Path:
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override)
    return config_folder() / "config.toml"


def load_config() -> Config:
    path = config_path()
    if not path.exists():
        return Config()
    _tighten(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise InputError(
            f"réglages illisibles ({exc}) ; corrigez ou supprimez le fichier", file=str(path)
        ) from None
    known = {f.name for f in fields(Config)}
    values = {k: v for k, v in data.items() if k in known and isinstance(v, str)}
    return Config(**values)


def save_config(config: Config) -> Path:
    path = config_path()
    private_folder(path.parent)
    if path.parent == config_folder():  # revue's own folder (not one REVUE_CONFIG chose)
        make_private(path.parent)
    write_text_atomically(path, tomli_w.dumps(asdict(config)), private=True)
    return path


def _tighten(path: Path) -> None:
    """A settings file an earlier revue left readable by others becomes 0600."""
    try:
        info = path.lstat()
        if (
            stat.S_ISREG(info.st_mode)
            and info.st_uid == os.getuid()
            and stat.S_IMODE(info.st_mode) & ~PRIVATE_FILE
        ):
            os.chmod(path, PRIVATE_FILE)
    except OSError:  # read-only disk and the like: reading still works
        pass


def default_author() -> str:
    """Who is using revue: the configured user, else the system login, else ""."""
    try:
        user = load_config().user
    except InputError:
        user = ""
    if user:
        return user
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""
