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
from collections.abc import Callable
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
ACADEMIE_STORE = CACHE / "academie.sqlite3"
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


def make_contract(
    n: int,
    rng: random.Random,
    *,
    ident: str | None = None,
    strategies: int = STRATEGIES,
    per_strategy: int = OBJECTIVES_PER_STRATEGY,
) -> Contract:
    contract = Contract(
        id=ident or contract_id(n),
        kind=DocumentKind.CONTRAT,
        title=f"Contrat de la circonscription {n}",
        circonscription=f"Circonscription {n}",
        academie="Académie d'essai",
        departement="Département d'essai",
        ien=f"IEN {n}",
        start_date=dt.date(2018, 9, 1),
        end_date=dt.date(2022, 8, 31),
    )
    for s in range(strategies):
        contract.sections.append(
            Section(
                id=f"s{s}",
                level="Stratégie",
                code=str(s + 1),
                title=f"Stratégie {s + 1} de la circonscription {n}",
            )
        )
        for o in range(per_strategy):
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
    rng: random.Random,
    count: int,
    uais: list[str],
    objectives: list[str],
    *,
    authors: list[str] | None = None,
    words: Callable[[], int] = lambda: 30,
) -> list[Version]:
    """``count`` entries by ``authors`` (the department's conseillers by default) in the
    schools ``uais``, linked to 0–2 of ``objectives``, with notes of ``words()`` words."""
    authors = authors or [f"Conseiller {n:02d} (fictif)" for n in range(AUTHORS)]
    out = []
    for _ in range(count):
        day = dt.date(2018, 9, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        content = Content(
            date=day,
            author=rng.choice(authors),
            modality=rng.choice(["collective", "individual"]),
            initiative=rng.choice(["team", "ien", "teacher"]),
            schools=tuple(sorted({rng.choice(uais) for _ in range(rng.randint(1, 2))})),
            theme=rng.choice(THEMES),
            objectives=tuple(sorted({rng.choice(objectives) for _ in range(rng.randint(0, 2))})),
            duration_minutes=rng.choice([None, 60, 90, 120, 180]),
            participants=rng.choice([None, 1, 6, 12, 25]),
            notes=_sentence(rng, words()),
        )
        out.append(Version.first(content, id=uuid.UUID(int=rng.getrandbits(128), version=4)))
    return out


def _new_store(path: Path) -> Store:
    """An empty store at ``path``, replacing the one there and its companion files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    return Store.open(f"sqlite:///{path}", author="Banc d'essai")


def build(path: Path, seed: int) -> Path:
    """Write the store at ``path`` (replacing it) and the exchange file beside it."""
    rng = random.Random(seed)
    started = time.perf_counter()
    store = _new_store(path)
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
        entries = make_accompaniments(
            rng, ACCOMPANIMENTS + NEW_IN_EXCHANGE, [s.uai for s in schools], objectives
        )
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


# --- the académie-size store (issue 18) --------------------------------------------------------

#: 300 circonscriptions, each with its own contract, 20 schools, 5 conseillers and 2,000
#: accompaniments linked to its schools and its contract's objectives.
ACADEMIE_CONTRACTS, ACADEMIE_SCHOOLS, ACADEMIE_AUTHORS = 300, 20, 5
ACADEMIE_PER_CIRCONSCRIPTION = 2_000
ACADEMIE_YEARS = YEARS
#: (strategies, objectives per strategy): most contracts are smaller than the department
#: benchmark's 120 objectives; contract 0 is that size (the walk is measured on it).
ACADEMIE_SIZES = [(2, 6), (3, 6), (3, 8), (4, 8), (4, 10), (5, 10), (4, 15)]
#: Accompaniments written per transaction.
ACADEMIE_BATCH = 50_000


def academie_contract_id(n: int) -> str:
    return f"ac-{n:03d}-2018-2022"


def academie_uai(circonscription: int, school: int) -> str:
    return f"{circonscription:04d}{school:03d}A"


def fill_reviews_bulk(store: Store, contract: Contract, rng: random.Random) -> None:
    """The same review data as :func:`fill_reviews` (status, analysis, adjustments, values,
    a few evidence items), written with revue's bulk insert helper in one transaction."""
    from revue.store.db import insert_many

    reviews = [store.create_review(contract.id, year, ReviewKind.ANNUAL) for year in YEARS]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    records, values, evidence = [], [], []
    for review, year in zip(reviews, YEARS, strict=True):
        for objective in contract.objectives:
            oid = stable_uuid(contract.id, "objective", objective.id)
            records.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "review_id": review.id,
                    "objective_id": oid,
                    "status": rng.choice(list(Status)).value,
                    "analysis": _sentence(rng, 40),
                    "adjustments": _sentence(rng, 10),
                    "updated_at": now,
                    "actions_done": [],
                }
            )
            values += [
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "review_id": review.id,
                    "indicator_id": stable_uuid(contract.id, "indicator", indicator.id),
                    "value": round(rng.uniform(30, 95), 1),
                    "updated_at": now,
                }
                for indicator in objective.indicators
                if indicator.computed is None
            ]
        for _ in range(8):
            objective = rng.choice(contract.objectives)
            evidence.append(
                {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "review_id": review.id,
                    "objective_id": stable_uuid(contract.id, "objective", objective.id),
                    "date": dt.date(int(year[:4]), 9, 1) + dt.timedelta(days=rng.randrange(300)),
                    "text": _sentence(rng, 12),
                    "source": rng.choice(list(EvidenceSource)).value,
                    "file_path": "",
                    "created_at": now,
                }
            )
    with write_session(store.engine) as session:
        insert_many(session, ObjectiveReviewRow.__table__, records)
        insert_many(session, IndicatorValueRow.__table__, values)
        insert_many(session, EvidenceRow.__table__, evidence)


def academie_accompaniments(
    rng: random.Random, n: int, count: int, objectives: list[str]
) -> list[Version]:
    """``count`` entries of circonscription ``n``: its conseillers, its schools, its
    contract's objectives."""
    authors = [f"Conseiller {n:03d}-{a} (fictif)" for a in range(ACADEMIE_AUTHORS)]
    schools = [academie_uai(n, s) for s in range(ACADEMIE_SCHOOLS)]
    return make_accompaniments(
        rng, count, schools, objectives, authors=authors, words=lambda: rng.randint(8, 40)
    )


def write_received(store: Store, versions: list[Version]) -> None:
    """Write ``versions`` as entries received new, exactly as ``Store.merge_versions`` writes
    them (its bulk writer, one transaction), without what a merge does around the writing
    that says nothing here: looking for known versions (there are none), the backup."""
    from revue.domain.history import RECEIVED_NOTE

    def who(v: Version) -> tuple[str, str]:  # a trusted caller's versions: merge_versions
        return v.content.author, RECEIVED_NOTE

    with write_session(store.engine, bulk=True) as session:
        store.log._write_many(session, [(v, []) for v in versions], [], who, signed=who)


def build_academie(path: Path, seed: int) -> Path:
    """Write the académie-size store at ``path`` (replacing it): 300 contracts, 6,000
    schools, 4 years of reviews on every contract, 600,000 accompaniments."""
    rng = random.Random(seed)
    started = time.perf_counter()
    store = _new_store(path)
    try:
        store.save_schools(
            [
                School(
                    uai=academie_uai(n, s),
                    name=f"École {n}-{s} (fictive)",
                    commune=f"Ville {n}",
                    fictitious=True,
                )
                for n in range(ACADEMIE_CONTRACTS)
                for s in range(ACADEMIE_SCHOOLS)
            ]
        )
        pending: list[Version] = []
        written = 0
        for n in range(ACADEMIE_CONTRACTS):
            strategies, per_strategy = (4, 30) if n == 0 else rng.choice(ACADEMIE_SIZES)
            contract = make_contract(
                n,
                rng,
                ident=academie_contract_id(n),
                strategies=strategies,
                per_strategy=per_strategy,
            )
            store.save_contract(contract)
            fill_reviews_bulk(store, contract, rng)
            objectives = [
                str(stable_uuid(contract.id, "objective", o.id)) for o in contract.objectives
            ]
            pending += academie_accompaniments(rng, n, ACADEMIE_PER_CIRCONSCRIPTION, objectives)
            if len(pending) >= ACADEMIE_BATCH or n == ACADEMIE_CONTRACTS - 1:
                write_received(store, pending)
                written += len(pending)
                pending = []
            print(
                f"\rcontrats : {n + 1}/{ACADEMIE_CONTRACTS}, accompagnements : {written}",
                end="",
                flush=True,
            )
        print()
    finally:
        store.close()
    print(
        f"{path} écrit en {time.perf_counter() - started:.0f} s "
        f"({path.stat().st_size / 1e6:.0f} Mo)"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, help="default: benchmarks/.cache/NAME.sqlite3")
    parser.add_argument(
        "--academie",
        action="store_true",
        help="the académie-size store instead (300 contracts, 600,000 accompaniments)",
    )
    args = parser.parse_args()
    if args.academie:
        build_academie(args.out or ACADEMIE_STORE, args.seed)
    else:
        build(args.out or CACHE / "departement.sqlite3", args.seed)


if __name__ == "__main__":
    main()
