"""The user's settings: a small TOML file in the platformdirs config folder."""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import platformdirs
import tomli_w

from revue.domain.errors import InputError
from revue.formats.fileio import write_text_atomically

ENV_CONFIG = "REVUE_CONFIG"


@dataclass
class Config:
    #: Who uses this laptop: the default author of new accompaniments and of exchange exports.
    user: str = ""


def config_path() -> Path:
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("revue", appauthor=False)) / "config.toml"


def load_config() -> Config:
    path = config_path()
    if not path.exists():
        return Config()
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
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, tomli_w.dumps(asdict(config)))
    return path


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
