"""Writes fictitious bilan TOML files of several circonscriptions, to try the DSDEN's
consolidation (revue department consolidate, docs/departement.md) and to test and measure it.

Everything in them is fictitious: circonscriptions (« Circonscription fictive … »), contracts,
values, the projet académique (« Projet académique fictif »); each file says so in its first
line and in its contract's title. The files are made by building the bilan model
(revue.domain.bilan.Bilan) and writing it with revue's own TOML writer
(revue.bilan.data.render_toml), so they follow the format exactly.

Each objective serves one objective of a fictitious projet académique (with codes « 1.1 »…,
so that the axes can be filtered): the links are in the model, and the writer writes them.

Run from the project root:

    python tools/fictitious_bilans.py DOSSIER                      # 6 circonscriptions, 2 years
    python tools/fictitious_bilans.py DOSSIER --circonscriptions 100 --years 3

The same arguments give the same files (a fixed seed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import uuid
from pathlib import Path

from revue.bilan.data import render_toml
from revue.domain.bilan import (
    AcademicLink,
    AvenantLine,
    Bilan,
    ChangeLine,
    ContractFacts,
    IndicatorLine,
    ObjectiveBilan,
    StrategyBilan,
)
from revue.domain.contract import DocumentKind
from revue.domain.history import Snapshot, canonical_json, sha256_of
from revue.domain.review import ReviewKind, ReviewSummary, Status, Synthesis

MARK = "# Bilan FICTIF écrit par tools/fictitious_bilans.py : aucune donnée réelle.\n"
ACADEMIE = "Créteil"
DEPARTEMENT = "Département fictif"
PROJECT = {"id": "pa-fictif", "title": "Projet académique fictif (exemple)"}
#: (id, code, title) of the fictitious projet's objectives
PA_OBJECTIVES = [
    ("pa-fictif-lire", "1.1", "Lire, écrire, compter : consolider les fondamentaux"),
    ("pa-fictif-evaluer", "1.2", "S'appuyer sur les évaluations"),
    ("pa-fictif-inclure", "2.1", "Une école inclusive"),
    ("pa-fictif-former", "2.2", "Former et accompagner les équipes"),
    ("pa-fictif-climat", "3.1", "Un climat scolaire serein"),
]
#: Each contract's objectives: (strategy, text, PA objective index, indicators) where an
#: indicator is (slug, label, unit, direction, baseline, target)
OBJECTIVES: list[tuple[str, str, int, list[tuple[str, str, str, str, float, float]]]] = [
    (
        "Stratégie 1 · Les apprentissages fondamentaux",
        "Réduire la non-réponse aux évaluations nationales",
        1,
        [
            ("tentative", "Taux de tentative aux évaluations nationales", "%", "higher", 85, 98),
            ("non-reponse", "Taux de non-réponse aux évaluations nationales", "%", "lower", 9, 3),
        ],
    ),
    (
        "Stratégie 1 · Les apprentissages fondamentaux",
        "Améliorer la fluence en lecture au CE1",
        0,
        [("fluence", "Part des élèves de CE1 lecteurs fluides", "%", "higher", 60, 80)],
    ),
    (
        "Stratégie 2 · L'école inclusive",
        "Mieux articuler les aides aux élèves à besoins particuliers",
        2,
        [("equipes-suivi", "Nombre d'équipes de suivi tenues", "réunions", "higher", 40, 60)],
    ),
    (
        "Stratégie 2 · L'école inclusive",
        "Former les équipes aux gestes professionnels de la différenciation",
        3,
        [("formes", "Nombre d'enseignants formés", "enseignants", "higher", 20, 80)],
    ),
    (
        "Stratégie 3 · Le climat scolaire",
        "Baisser le nombre de faits établissement",
        4,
        [("faits", "Nombre de faits établissement", "faits", "lower", 30, 15)],
    ),
    ("Stratégie 3 · Le climat scolaire", "Faire vivre les conseils d'élèves", 4, []),
]
NAMES = [
    "Les Tilleuls",
    "Val-Fleuri",
    "Les Coteaux",
    "Bois-Joli",
    "La Rivière",
    "Les Vergers",
    "Mont-Clair",
    "Les Prés",
]
STATUSES = [Status.IN_PROGRESS, Status.REACHED, Status.PARTLY, Status.NOT_REACHED, None]


def circonscription_name(index: int) -> str:
    base = NAMES[index % len(NAMES)]
    suffix = f" {index // len(NAMES) + 1}" if index >= len(NAMES) else ""
    return f"Circonscription fictive {base}{suffix}"


def _slug(index: int) -> str:
    return f"fictive-{index + 1:03d}"


def _value(rng: random.Random, baseline: float, target: float, progress: float, unit: str) -> float:
    value = baseline + (target - baseline) * progress + rng.uniform(-3, 3)
    return round(value, 1) if unit == "%" else float(max(0, round(value)))


def build_bilan(index: int, years: list[str], year: str, *, closed: bool, seed: int) -> Bilan:
    """The fictitious bilan of circonscription ``index`` for ``year``'s review."""
    rng = random.Random(f"{seed}-{index}-{year}")
    start = int(years[0][:4])
    contract = ContractFacts(
        id=f"{_slug(index)}-{years[0][:4]}-{years[-1][5:]}",
        kind=DocumentKind.CONTRAT,
        title=f"Contrat fictif de la {circonscription_name(index).lower()} (exemple)",
        circonscription=circonscription_name(index),
        start_date=dt.date(start, 9, 1),
        end_date=dt.date(int(years[-1][5:]), 6, 30),
        academie=ACADEMIE,
        departement=DEPARTEMENT,
        ien="IEN fictif",
        academic_project=PROJECT["title"],
        academic_project_id=PROJECT["id"],
    )
    position = years.index(year)
    final = position == len(years) - 1
    strategies: dict[str, StrategyBilan] = {}
    for number, (strategy, text, pa, indicators) in enumerate(OBJECTIVES, start=1):
        lines = []
        for slug, label, unit, direction, baseline, target in indicators:
            values = {
                y: _value(rng, baseline, target, (k + 1) / len(years), unit)
                for k, y in enumerate(years[: position + 1])
                if rng.random() > 0.1
            }
            expected = baseline + (target - baseline) * (position + 1) / len(years)
            observed = values.get(year)
            gap = None if observed is None else round(observed - expected, 1)
            late = gap is not None and (gap < -2 if direction == "higher" else gap > 2)
            lines.append(
                IndicatorLine(
                    id=f"o{number}-{slug}",
                    label=label,
                    unit=unit,
                    direction=direction,
                    baseline=baseline,
                    baseline_year=f"{start - 1}-{start}",
                    initial_target=target,
                    initial_target_year=years[-1],
                    target=target,
                    target_year=years[-1],
                    target_avenant=None,
                    values=values,
                    expected=round(expected, 1),
                    gap=gap,
                    off_track=late,
                    computed=False,
                )
            )
        objective = ObjectiveBilan(
            number=number,
            id=f"o{number}",
            path=[strategy],
            text=text,
            initial_text=None,
            status=rng.choice(STATUSES),
            actions=[("Action fictive", rng.random() > 0.5)],
            indicators=lines,
            accompaniments=[("collective", "team", rng.randint(0, 12))],
            evidence=[],
            analysis="Analyse fictive.",
            adjustments="",
            academic_links=[
                AcademicLink(PA_OBJECTIVES[pa][0], PA_OBJECTIVES[pa][2], PA_OBJECTIVES[pa][1])
            ],
        )
        strategies.setdefault(strategy, StrategyBilan(strategy, strategy[:12])).objectives.append(
            objective
        )
    objectives = [o for s in strategies.values() for o in s.objectives]
    review = ReviewSummary(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"revue-fictif/{index}/{year}"),
        contract_id=contract.id,
        school_year=year,
        kind=ReviewKind.FINAL if final else ReviewKind.ANNUAL,
        closed=closed,
        examined=sum(1 for o in objectives if o.status is not None),
        total=len(objectives),
    )
    avenants = []
    if index % 3 == 1 and position > 0:
        avenants.append(
            AvenantLine(
                1,
                dt.date(start + 1, 6, 20),
                "Cible révisée (fictif)",
                [
                    ChangeLine(
                        "indicator-target",
                        "cible",
                        "o5",
                        "Baisser le nombre de faits établissement",
                        "o5-faits",
                        {"value": 15, "year": years[-1]},
                        {"value": 18, "year": years[-1]},
                        "15",
                        "18",
                    )
                ],
            )
        )
    written = dt.date(int(year[5:]), 6, 30)
    bilan = Bilan(
        contract=contract,
        review=review,
        reviews=[review],
        strategies=list(strategies.values()),
        avenants=avenants,
        synthesis=Synthesis(
            "Points forts fictifs.", "Vigilance fictive.", "Perspectives fictives."
        ),
        written_on=written,
        years=years[: position + 1],
        covered_years=[year],
        source="frozen" if closed else "live",
    )
    if closed:
        # A fictitious fingerprint, of what the bilan says (not of revue's frozen content,
        # whose shape may change: the files stay the same from one revue to the next).
        said = {
            "fictif": True,
            "contract": contract.id,
            "review": [year, review.kind.value],
            "objectives": [
                [o.number, o.status.value if o.status else None, [i.values for i in o.indicators]]
                for o in objectives
            ],
        }
        text = canonical_json(said)
        bilan.snapshot = Snapshot(
            taken_at=dt.datetime(written.year, written.month, written.day - 1, 17, 0),
            sha256=sha256_of(text),
            content=text,
        )
    return bilan


def school_years(first: int, count: int) -> list[str]:
    return [f"{first + k}-{first + k + 1}" for k in range(count)]


def write_bilans(
    folder: Path,
    *,
    circonscriptions: int = 6,
    years: int = 2,
    first: int = 2018,
    seed: int = 19,
    complete: bool = False,
) -> list[Path]:
    """Write one bilan per circonscription and year into ``folder``; unless ``complete``, the
    last circonscription has no bilan for the last year and the one before it a provisional
    one (what a DSDEN sees in June). Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    all_years = school_years(first, years)
    written = []
    for index in range(circonscriptions):
        for year in all_years:
            last = year == all_years[-1] and not complete
            if last and index == circonscriptions - 1 and circonscriptions > 2:
                continue  # not sent yet
            closed = not (last and index == circonscriptions - 2 and circonscriptions > 2)
            bilan = build_bilan(index, all_years, year, closed=closed, seed=seed)
            path = folder / f"bilan-{_slug(index)}-{year}.toml"
            path.write_text(MARK + render_toml(bilan), encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="dossier où écrire les bilans")
    parser.add_argument("--circonscriptions", type=int, default=6)
    parser.add_argument("--years", type=int, default=2, help="années scolaires (depuis 2018)")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args(argv)
    files = write_bilans(
        args.folder, circonscriptions=args.circonscriptions, years=args.years, seed=args.seed
    )
    print(f"{len(files)} bilans fictifs écrits dans {args.folder}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
