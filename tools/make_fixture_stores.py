"""Writes tests/fixtures/store-NNNN.sqlite3: a small store made at each earlier schema version.

Each holds the Épinay contract; from 0002 on, a review with a status, a value, evidence and an
avenant. tests/test_upgrades.py opens each with the current revue and checks everything is
there. Run from the project root when a migration is added: python tools/make_fixture_stores.py
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from revue.domain import stable_uuid
from revue.formats.contract_toml import load_document
from revue.store.db import MIGRATIONS
from revue.store.models import (
    AvenantChangeRow,
    AvenantRow,
    EvidenceRow,
    IndicatorValueRow,
    ObjectiveReviewRow,
    ReviewRow,
)
from revue.store.store import _contract_to_row

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EPINAY = ROOT / "sample_data" / "contrat-epinay-2018-2020.toml"
REVIEW = uuid.UUID("00000000-0000-4000-8000-000000000001")


def make(version: str) -> Path:
    path = FIXTURES / f"store-{version}.sqlite3"
    path.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, version)
    contract, _ = load_document(EPINAY)
    with Session(engine) as session, session.begin():
        session.add(_contract_to_row(contract))  # type: ignore[arg-type]
    if version >= "0002":
        first = contract.objectives[0]
        objective = stable_uuid(contract.id, "objective", first.id)
        with Session(engine) as session, session.begin():
            session.add(ReviewRow(id=REVIEW, contract_id=stable_uuid(contract.id),
                                  school_year="2018-2019", kind="mi-parcours"))
            session.flush()
            session.add(ObjectiveReviewRow(review_id=REVIEW, objective_id=objective,
                                           status="en-cours", analysis="Analyse d'avant"))
            session.add(IndicatorValueRow(review_id=REVIEW, value=91.5, indicator_id=stable_uuid(
                contract.id, "indicator", first.indicators[0].id)))
            session.add(EvidenceRow(review_id=REVIEW, objective_id=objective,
                                    date=dt.date(2019, 3, 12), text="Preuve d'avant",
                                    source="visite"))
            avenant = AvenantRow(contract_id=stable_uuid(contract.id), review_id=REVIEW,
                                 number=1, date=dt.date(2019, 6, 20), reason="Motif d'avant")
            avenant.changes.append(AvenantChangeRow(
                position=0, kind="indicator-target", objective_slug=first.id,
                target_slug=first.indicators[0].id, before={"value": 100, "year": "2019-2020"},
                after={"value": 95, "year": "2019-2020"}))
            session.add(avenant)
    engine.dispose()
    return path


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for version in ("0001", "0002"):
        print(make(version))
