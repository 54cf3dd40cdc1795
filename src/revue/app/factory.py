"""The one place the app is built, for the CLI and for the tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from revue.app.app import RevueApp
from revue.store.db import StoreError, set_wait_notice
from revue.store.store import Store


def make_app(
    db_url: str,
    *,
    today: dt.date | None = None,
    notice: Callable[[str], None] | None = None,
) -> RevueApp:
    """Open the store at ``db_url`` (migrating it if needed) and build the app on it.

    ``today`` fixes the date forms start from (tests and snapshots); by default, the real one.
    ``notice`` is told if opening waits for another revue (the CLI prints it before the app
    starts); once the app runs, a write that waits for another program is a notification. A SQLite file too damaged to open gives an app that offers its latest good
    backup; any other refusal (a newer revue's store, a symbolic link…) is raised, explained.
    """
    try:
        store = Store.open(db_url, notice=notice)
    except StoreError as exc:
        if not exc.damaged:
            raise
        return RevueApp(None, today=today, url=db_url, damage=str(exc))
    app = RevueApp(store, today=today)
    set_wait_notice(store.engine, app.tell_waiting)  # a write waiting its turn: a notification
    return app
