"""Where revue keeps its data by default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "revue"
ENV_DB = "REVUE_DB"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_url() -> str:
    """``--db`` wins, then ``REVUE_DB``, then a SQLite file in the user's data folder."""
    return os.environ.get(ENV_DB) or f"sqlite:///{data_dir() / 'revue.sqlite3'}"
