"""Build a department-size revue store, reproducibly, through revue's own store layer.

30 contracts of 120 objectives with 3 indicators each (one in four objectives also counts an
indicator in the accompaniment log), 4 school years of annual reviews on every contract (status,
analysis and a value per indicator for each objective), 10,000 evidence items, 60,000
accompaniments of 40 conseillers in 300 schools, and an exchange file of 10,000 more.

Contracts go through ``Store.save_contract``, accompaniments through ``Store.merge_versions``
(as they arrive in real life, from exchange files), schools through ``Store.save_schools``.
Review records are written with the store's models in one ``write_session`` per review: the
per-field methods the walk uses (one transaction each, fsync'd) would take an hour for 57,600
fields, which says nothing about the app.

    python benchmarks/make_store.py [--seed 2026] [--out benchmarks/.cache/departement.sqlite3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import uuid
from pathlib import Path

from revue.domain.contract import (
    ComputedCount,
    Contract,
    Direction,
    DocumentKind,
    Indicator,
    Objective,
    Section,
    stable_uuid,
)
from revue.domain.log import Content, School, Version
from revue.domain.review import EvidenceSource, ReviewKind, Status
from revue.formats.exchange import dump_exchange
from revue.formats.signing import SigningKey
from revue.store.db import write_session
from revue.store.models import EvidenceRow, IndicatorValueRow, ObjectiveReviewRow
from revue.store.store import Store

HERE = Path(__file__).parent
CACHE = HERE / ".cache"
CONTRACTS, STRATEGIES, OBJECTIVES_PER_STRATEGY, INDICATORS = 30, 4, 30, 3
YEARS = ["2018-2019", "2019-2020", "2020-2021", "2021-2022"]
ACCOMPANIMENTS, EVIDENCE, NEW_IN_EXCHANGE = 60_000, 10_000, 10_000
SCHOOLS, AUTHORS = 300, 40
THEMES = [
    "Lecture",
    "Écriture",
    "Mathématiques",
    "Évaluations nationales",
    "Numérique",
    "Entrée dans le métier",
    "Maternelle",
    "Inclusion",
    "Climat scolaire",
    "Sciences",
]
WORDS = (
    "les élèves progressent en lecture fluence compréhension conseil de cycle équipe "
    "pédagogique observation de classe outils évaluations différenciation projet d'école "
    "formation continue accompagnement mathématiques calcul mental résolution de problèmes"
)


def contract_id(n: int) -> str:
    return f"circ-{n:02d}-2018-2022"


def make_contract(n: int, rng: random.Random) -> Contract:
    contract = Contract(
        id=contract_id(n),
        kind=DocumentKind.CONTRAT,
        title=f"Contrat de la circonscription {n}",
        circonscription=f"Circonscription {n}",
        academie="Académie d'essai",
        departement="Département d'essai",
        ien=f"IEN {n}",
        start_date=dt.date(2018, 9, 1),
        end_date=dt.date(2022, 8, 31),
    )
    for s in range(STRATEGIES):
        contract.sections.append(
            Section(
                id=f"s{s}",
                level="Stratégie",
                code=str(s + 1),
                title=f"Stratégie {s + 1} de la circonscription {n}",
            )
        )
        for o in range(OBJECTIVES_PER_STRATEGY):
            objective = Objective(
                id=f"s{s}-o{o}",
                section=f"s{s}",
                text=f"Objectif {s + 1}.{o + 1} : " + _sentence(rng, 14),
            )
            for i in range(INDICATORS):
                computed = (
                    ComputedCount(modality="collective", linked_to_objective=True)
                    if i == 2 and o % 4 == 0
                    else None
                )
                objective.indicators.append(
                    Indicator(
                        id=f"s{s}-o{o}-i{i}",
                        label=f"Indicateur {i + 1} " + _sentence(rng, 4),
                        unit="%" if computed is None else "actions",
                        baseline_value=None if computed else round(rng.uniform(30, 70), 1),
                        baseline_year=None if computed else "2017-2018",
                        target_value=round(rng.uniform(60, 95), 1) if computed is None else 12.0,
                        target_year="2021-2022",
                        direction=Direction.HIGHER,
                        computed=computed,
                    )
                )
            contract.objectives.append(objective)
    return contract


def _sentence(rng: random.Random, words: int) -> str:
    vocabulary = WORDS.split()
    return " ".join(rng.choice(vocabulary) for _ in range(words))


def fill_reviews(
    store: Store,
    contract: Contract,
    rng: random.Random,
    evidence_left: list[int],
    evidence_per_review: int,
) -> None:
    for year in YEARS:
        review = store.create_review(contract.id, year, ReviewKind.ANNUAL)
        start = int(year[:4])
        with write_session(store.engine) as session:
            for objective in contract.objectives:
                oid = stable_uuid(contract.id, "objective", objective.id)
                session.add(
                    ObjectiveReviewRow(
                        review_id=review.id,
                        objective_id=oid,
                        status=rng.choice(list(Status)).value,
                        analysis=_sentence(rng, 40),
                        adjustments=_sentence(rng, 10),
                    )
                )
                for indicator in objective.indicators:
                    if indicator.computed is None:
                        session.add(
                            IndicatorValueRow(
                                review_id=review.id,
                                indicator_id=stable_uuid(contract.id, "indicator", indicator.id),
                                value=round(rng.uniform(30, 95), 1),
                            )
                        )
            for _ in range(min(evidence_per_review, evidence_left[0])):
                objective = rng.choice(contract.objectives)
                session.add(
                    EvidenceRow(
                        review_id=review.id,
                        objective_id=stable_uuid(contract.id, "objective", objective.id),
                        date=dt.date(start, 9, 1) + dt.timedelta(days=rng.randrange(300)),
                        text=_sentence(rng, 12),
                        source=rng.choice(list(EvidenceSource)).value,
                    )
                )
                evidence_left[0] -= 1


def make_accompaniments(
    rng: random.Random, count: int, schools: list[School], objectives: list[str]
) -> list[Version]:
    authors = [f"Conseiller {n:02d} (fictif)" for n in range(AUTHORS)]
    out = []
    for _ in range(count):
        day = dt.date(2018, 9, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        content = Content(
            date=day,
            author=rng.choice(authors),
            modality=rng.choice(["collective", "individual"]),
            initiative=rng.choice(["team", "ien", "teacher"]),
            schools=tuple(sorted({rng.choice(schools).uai for _ in range(rng.randint(1, 2))})),
            theme=rng.choice(THEMES),
            objectives=tuple(sorted({rng.choice(objectives) for _ in range(rng.randint(0, 2))})),
            duration_minutes=rng.choice([None, 60, 90, 120, 180]),
            participants=rng.choice([None, 1, 6, 12, 25]),
            notes=_sentence(rng, 30),
        )
        out.append(Version.first(content, id=uuid.UUID(int=rng.getrandbits(128), version=4)))
    return out


def build(path: Path, seed: int) -> Path:
    """Write the store at ``path`` (replacing it) and the exchange file beside it."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    started = time.perf_counter()
    store = Store.open(f"sqlite:///{path}", author="Banc d'essai")
    try:
        schools = [
            School(uai=f"0{n:06d}X", name=f"École {n} (fictive)", commune="Ville", fictitious=True)
            for n in range(SCHOOLS)
        ]
        store.save_schools(schools)
        evidence_left = [EVIDENCE]
        per_review = -(-EVIDENCE // (CONTRACTS * len(YEARS)))
        objectives: list[str] = []
        for n in range(CONTRACTS):
            contract = make_contract(n, rng)
            store.save_contract(contract)
            fill_reviews(store, contract, rng, evidence_left, per_review)
            objectives += [
                str(stable_uuid(contract.id, "objective", o.id)) for o in contract.objectives
            ]
            print(f"\rcontrats : {n + 1}/{CONTRACTS}", end="", flush=True)
        print()
        entries = make_accompaniments(rng, ACCOMPANIMENTS + NEW_IN_EXCHANGE, schools, objectives)
        for start in range(0, ACCOMPANIMENTS, 10_000):
            store.merge_versions(entries[start : start + 10_000])
            print(f"\raccompagnements : {start + 10_000}/{ACCOMPANIMENTS}", end="", flush=True)
        print()
        exchange = path.with_name("echange-10000.json")
        exchange.write_text(
            dump_exchange(
                entries[ACCOMPANIMENTS:],
                author=None,
                exported_at=dt.datetime(2022, 6, 30),
                key=SigningKey.from_seed_text("benchmarks/conseillers"),
                name="Conseillers du département (fictifs)",
            ),
            encoding="utf-8",
        )
    finally:
        store.close()
    # The backups taken before each merge are not part of the department's data.
    backups = path.parent / "sauvegardes"
    for backup in backups.glob("*.sqlite3"):
        backup.unlink()
    print(
        f"{path} écrit en {time.perf_counter() - started:.0f} s "
        f"({path.stat().st_size / 1e6:.0f} Mo)"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=CACHE / "departement.sqlite3")
    args = parser.parse_args()
    build(args.out, args.seed)


if __name__ == "__main__":
    main()
