"""Writes tests/fixtures/store-NNNN.sqlite3: a small store made at each earlier schema version.

Each fixture is the previous one, migrated to its version, plus data of the kind that version
introduced: 0001 the Épinay contract; 0002 a review with a status, a value, evidence and an
avenant; 0003 an accompaniment; 0004 a synthesis; 0005 an action
carried out; 0006 a version in the accompaniment's history; 0007 nothing new (its migration
fills the search text of the accompaniment); 0008 a projet académique in its two tables; 0009
nothing new (its migration turns that projet into one document; 0010 changes nothing on
SQLite: the owner of each row is PostgreSQL's). Data
is written with SQL of that version (the ORM models follow the newest schema). tests/test_upgrades.py opens each with the current revue and checks that
everything is there. Run from the project root when a migration is added:
python tools/make_fixture_stores.py
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from revue.domain.contract import stable_uuid
from revue.formats.contract_toml import load_document
from revue.store.db import MIGRATIONS
from revue.store.store import _contract_to_row

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EPINAY = ROOT / "sample_data" / "contrat-epinay-2018-2020.toml"
REVIEW = uuid.UUID("00000000-0000-4000-8000-000000000001")


def _hex(value: uuid.UUID) -> str:
    return value.hex  # how SQLAlchemy's Uuid type stores keys in SQLite


def make(version: str, previous: str | None) -> Path:
    path = FIXTURES / f"store-{version}.sqlite3"
    path.unlink(missing_ok=True)
    if previous:
        shutil.copy(FIXTURES / f"store-{previous}.sqlite3", path)
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, version)
    contract, _ = load_document(EPINAY)
    first = contract.objectives[0]
    objective = _hex(stable_uuid(contract.id, "objective", first.id))
    with engine.begin() as conn:
        if version == "0001":
            with Session(bind=conn) as session:
                session.add(_contract_to_row(contract))  # type: ignore[arg-type]
                session.flush()
        elif version == "0002":
            cid = _hex(stable_uuid(contract.id))
            conn.execute(
                text(
                    "INSERT INTO reviews (id, contract_id, school_year, kind, created_at) "
                    "VALUES (:id, :c, '2018-2019', 'mi-parcours', '2019-06-01 10:00:00')"
                ),
                {"id": _hex(REVIEW), "c": cid},
            )
            conn.execute(
                text(
                    "INSERT INTO objective_reviews (id, review_id, objective_id, status, analysis, "
                    "adjustments, updated_at) VALUES (:id, :r, :o, 'en-cours', 'Analyse d''avant', "
                    "'', '2019-06-01 10:00:00')"
                ),
                {"id": uuid.uuid4().hex, "r": _hex(REVIEW), "o": objective},
            )
            conn.execute(
                text(
                    "INSERT INTO indicator_values (id, review_id, indicator_id, value, updated_at) "
                    "VALUES (:id, :r, :i, 91.5, '2019-06-01 10:00:00')"
                ),
                {
                    "id": uuid.uuid4().hex,
                    "r": _hex(REVIEW),
                    "i": _hex(stable_uuid(contract.id, "indicator", first.indicators[0].id)),
                },
            )
            conn.execute(
                text(
                    "INSERT INTO evidence (id, review_id, objective_id, date, text, source, file_path,"
                    " created_at) VALUES (:id, :r, :o, '2019-03-12', 'Preuve d''avant', 'visite', '',"
                    " '2019-06-01 10:00:00')"
                ),
                {"id": uuid.uuid4().hex, "r": _hex(REVIEW), "o": objective},
            )
            avenant = uuid.uuid4().hex
            conn.execute(
                text(
                    "INSERT INTO avenants (id, contract_id, review_id, number, date, reason, "
                    "created_at) VALUES (:id, :c, :r, 1, '2019-06-20', 'Motif d''avant', "
                    "'2019-06-20 10:00:00')"
                ),
                {"id": avenant, "c": cid, "r": _hex(REVIEW)},
            )
            conn.execute(
                text(
                    "INSERT INTO avenant_changes (id, avenant_id, position, kind, objective_slug, "
                    "target_slug, before, after) VALUES (:id, :a, 0, 'indicator-target', :o, :i, "
                    ":before, :after)"
                ),
                {
                    "id": uuid.uuid4().hex,
                    "a": avenant,
                    "o": first.id,
                    "i": first.indicators[0].id,
                    "before": '{"value": 100, "year": "2019-2020"}',
                    "after": '{"value": 95, "year": "2019-2020"}',
                },
            )
        elif version == "0003":
            import datetime as dt

            from revue.domain.log import Content, legacy_version_of

            content = Content(
                date=dt.date(2019, 1, 10),
                author="Claire Martin (fictive)",
                modality="collective",
                initiative="team",
                schools=("0579901A",),
                theme="Lecture",
                notes="Note d'avant",
            )
            entry = uuid.UUID("00000000-0000-4000-8000-000000000002").hex
            conn.execute(
                text(
                    "INSERT INTO accompaniments (id, date, author, network, modality, initiative, "
                    "theme, notes, follow_up, deleted, version, parents, ancestors, conflicts, "
                    "updated_at) VALUES (:id, '2019-01-10', 'Claire Martin (fictive)', '', "
                    "'collective', 'team', 'Lecture', 'Note d''avant', '', 0, :v, '[]', '[]', '[]', "
                    "'2019-01-10 18:00:00')"
                ),
                {"id": entry, "v": legacy_version_of(content, [])},
            )
            conn.execute(
                text(
                    "INSERT INTO accompaniment_schools (accompaniment_id, uai) "
                    "VALUES (:id, '0579901A')"
                ),
                {"id": entry},
            )
        elif version == "0004":
            conn.execute(
                text("UPDATE reviews SET strengths = 'Points forts d''avant' WHERE id = :id"),
                {"id": _hex(REVIEW)},
            )
        elif version == "0005":
            conn.execute(
                text("UPDATE objective_reviews SET actions_done = :done WHERE review_id = :id"),
                {"done": '["action-d-avant"]', "id": _hex(REVIEW)},
            )
        elif version == "0006":
            entry = uuid.UUID("00000000-0000-4000-8000-000000000002").hex
            conn.execute(
                text(
                    "INSERT INTO history (id, kind, review_id, item_id, at, author, note, content) "
                    "VALUES (:id, 'accompaniment', NULL, :item, '2019-01-10 18:00:00.000000', "
                    "'Claire Martin (fictive)', 'reçu par échange', :content)"
                ),
                {
                    "id": uuid.uuid4().hex,
                    "item": entry,
                    "content": '{"notes": "Note d\'avant", "theme": "Lecture"}',
                },
            )
        elif version == "0008":  # a projet académique in the two tables 0009 replaces
            pa, axis = uuid.uuid4().hex, uuid.uuid4().hex
            conn.execute(
                text(
                    "INSERT INTO academic_projects (id, slug, title, academie, period, "
                    "imported_at) VALUES (:id, 'pa-avant', 'Projet académique d''avant', "
                    "'Créteil', '2018-2022', '2019-01-10 18:00:00.000000')"
                ),
                {"id": pa},
            )
            conn.execute(
                text(
                    "INSERT INTO academic_axes (id, project_id, position, code, title, text) "
                    "VALUES (:id, :pa, 0, '1', 'Axe d''avant', 'Orientations d''avant')"
                ),
                {"id": axis, "pa": pa},
            )
            conn.execute(
                text(
                    "INSERT INTO academic_objectives (id, axis_id, position, code, title, levers, "
                    "criteria) VALUES (:id, :axis, 0, '1.1', 'Objectif d''avant', "
                    "'[\"Levier d''avant\"]', '[\"Critère d''avant\"]')"
                ),
                {"id": uuid.uuid4().hex, "axis": axis},
            )
    engine.dispose()
    return path


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    previous = None
    for version in ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009"):
        if not (FIXTURES / f"store-{version}.sqlite3").exists():
            print(make(version, previous))
        previous = version
