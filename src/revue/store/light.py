"""What the first screen needs, with SQLAlchemy Core only: the contract list and the change
marker, read before any ORM mapper is configured (docs/performance.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine, text

from revue.domain import ContractSummary, DocumentKind


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
