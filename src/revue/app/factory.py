"""The one place the app is built, for the CLI and for the tests."""

from __future__ import annotations

import datetime as dt

from revue.app.app import RevueApp
from revue.store.db import StoreError, sqlite_path
from revue.store.store import Store


def make_app(db_url: str, *, today: dt.date | None = None) -> RevueApp:
    """Open the store at ``db_url`` (migrating it if needed) and build the app on it.

    ``today`` fixes the date forms start from (tests and snapshots); by default, the real one.
    A SQLite file too damaged to open gives an app that offers its latest good backup.
    """
    try:
        store = Store.open(db_url)
    except StoreError as exc:
        path = sqlite_path(db_url)
        if (
            path is None
            or not path.exists()
            or path.stat().st_size == 0
            or ("plus récente" in str(exc))
        ):
            raise
        return RevueApp(None, today=today, url=db_url, damage=str(exc))
    return RevueApp(store, today=today)
