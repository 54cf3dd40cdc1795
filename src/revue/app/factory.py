"""The one place the app is built, for the CLI and for the tests."""

from __future__ import annotations

import datetime as dt

from revue.app.app import RevueApp
from revue.store.store import Store


def make_app(db_url: str, *, today: dt.date | None = None) -> RevueApp:
    """Open the store at ``db_url`` (migrating it if needed) and build the app on it.

    ``today`` fixes the date forms start from (tests and snapshots); by default, the real one.
    """
    return RevueApp(Store.open(db_url), today=today)
