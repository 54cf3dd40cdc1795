"""The one place the app is built, for the CLI and for the tests."""

from __future__ import annotations

from revue.app.app import RevueApp
from revue.store.store import Store


def make_app(db_url: str) -> RevueApp:
    """Open the store at ``db_url`` (migrating it if needed) and build the app on it."""
    return RevueApp(Store.open(db_url))
