"""What the first screen needs, with SQLAlchemy Core only, and the store as the app holds it.

The ORM and the models take about a tenth of a second to import, a third of what revue adds to
a bare Textual app's start-up (docs/performance.md). The contract list and the change marker
are read here with plain SQL; the rest of the store is imported on first use, or ahead of it in
a worker thread (the app's integrity check, half a second after start).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text

from revue.domain import ContractSummary, DocumentKind

if TYPE_CHECKING:
    from revue.store.store import Store


def contract_summaries(engine: Engine) -> list[ContractSummary]:
    """Every contract, newest first, with its number of objectives."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.id, c.slug, c.title, c.kind, c.circonscription, c.start_date, "
            "c.end_date, (SELECT count(*) FROM objectives o WHERE o.contract_id = c.id) "
            "FROM contracts c ORDER BY c.start_date DESC, c.slug")).all()
    return [
        ContractSummary(
            uuid=_uuid(ident), id=slug, title=title, kind=DocumentKind(kind),
            circonscription=circonscription, start_date=_date(start), end_date=_date(end),
            objective_count=count)
        for ident, slug, title, kind, circonscription, start, end, count in rows
    ]


def change_marker(engine: Engine) -> tuple[object, ...]:
    """Changes when contracts or accompaniments are added, replaced or edited, by this process
    or another one (a CLI import while the app is open): screens poll it."""
    with engine.connect() as conn:
        contracts = conn.execute(text(
            "SELECT count(*), max(imported_at) FROM contracts")).one()
        log = conn.execute(text(
            "SELECT count(*), max(updated_at) FROM accompaniments")).one()
    return (*contracts, *log)


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class StoreHandle:
    """The store as the app holds it: the contract list and the change marker answered at once
    with Core SQL; anything else by the whole :class:`~revue.store.store.Store`, made on first
    use."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._store: Store | None = None
        self._lock = threading.Lock()

    def full(self) -> Store:
        with self._lock:
            if self._store is None:
                from revue.store.store import Store

                self._store = Store(self.engine, self.url)
            return self._store

    def list_contracts(self) -> list[ContractSummary]:
        return contract_summaries(self.engine)

    def change_marker(self) -> tuple[object, ...]:
        return change_marker(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.full(), name)
