"""The tables and lines every bilan format shows in the same words."""

from __future__ import annotations

import datetime as dt

from revue.bilan.model import Bilan, ObjectiveBilan
from revue.domain.bilan import CoverageLine
from revue.domain.contract import DocumentKind
from revue.domain.french import date, local_time, number, quantity, signed, with_year
from revue.domain.log import INITIATIVE_LABELS, MODALITY_LABELS
from revue.domain.review import ReviewKind
from revue.domain.schoolyear import school_year_start


def document_title(bilan: Bilan) -> str:
    """What the document is: « Bilan de l'examen annuel 2018-2019 », « Évaluation à
    mi-parcours 2019-2020 », « Bilan final du contrat 2018-2020 » (« du projet de
    circonscription » for a projet)."""
    review = bilan.review
    if review.kind is ReviewKind.MIDTERM:
        return f"Évaluation à mi-parcours {review.school_year}"
    what = (
        "du projet de circonscription"
        if bilan.contract.kind is DocumentKind.PROJET
        else "du contrat"
    )
    if review.kind is ReviewKind.FINAL:
        period = f"{bilan.contract.start_date.year}-{bilan.contract.end_date.year}"
        return f"Bilan final {what} {period}"
    return f"Bilan de l'examen annuel {review.school_year}"


def document_kind(bilan: Bilan) -> str:
    """« contrat » or « projet de circonscription »."""
    return "projet de circonscription" if bilan.contract.kind is DocumentKind.PROJET else "contrat"


def review_line(bilan: Bilan) -> str:
    """The review the bilan rests on, its state and progress."""
    review = bilan.review
    state = (
        "clôturée" if review.closed else f"en cours — bilan provisoire du {date(bilan.written_on)}"
    )
    return f"{review.title} ({state}, {review.examined}/{review.total} objectifs examinés)"


def at_time(at: dt.datetime) -> str:
    """A UTC time of the store as the reader's local time with its offset: « 12/03/2019 à
    14:05 (UTC+01:00) »."""
    local = local_time(at)
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return f"{date(local.date())} à {local:%H:%M} ({zone})"


def snapshot_line(bilan: Bilan) -> str | None:
    """The frozen record a closed review's bilan cites: its date and SHA-256."""
    snapshot = bilan.snapshot
    if snapshot is None:
        return None
    rebuilt = (
        " (relevé d'une version antérieure : bilan reconstitué)"
        if bilan.source == "rebuilt"
        else ""
    )
    return (
        f"relevé figé à la clôture le {at_time(snapshot.taken_at)}, "
        f"empreinte SHA-256 {snapshot.sha256}{rebuilt}"
    )


def indicator_table(objective: ObjectiveBilan, year: str) -> list[list[str]]:
    """Header then one row per indicator: initial value, initial and revised targets, the
    value observed each year, the gap to this year's trajectory, the direction."""
    years = sorted({y for line in objective.indicators for y in line.values}, key=school_year_start)
    rows = [
        [
            "Indicateur",
            "Valeur initiale",
            "Cible initiale",
            "Cible révisée",
            *(f"Constaté {y}" for y in years),
            f"Écart {year}",
            "Sens",
        ]
    ]
    for line in objective.indicators:
        revised = (
            f"{with_year(line.target, line.unit, line.target_year)} "
            f"(avenant n° {line.target_avenant})"
            if line.target_avenant
            else "—"
        )
        rows.append(
            [
                line.label + (" (journal)" if line.computed else ""),
                with_year(line.baseline, line.unit, line.baseline_year),
                with_year(line.initial_target, line.unit, line.initial_target_year),
                revised,
                *(quantity(line.values.get(y), line.unit) for y in years),
                signed(line.gap) + (" (en retard)" if line.off_track else ""),
                "↑ mieux" if line.direction == "higher" else "↓ mieux",
            ]
        )
    return rows


def accompaniments_line(objective: ObjectiveBilan, year: str) -> str:
    parts = [
        f"{MODALITY_LABELS.get(m, m)}s à l'initiative de l'{INITIATIVE_LABELS.get(i, i)} :"
        f" {number(n)}"
        for m, i, n in objective.accompaniments
    ]
    return f"Accompagnements {year} rattachés à cet objectif : " + " ; ".join(parts)


def actions_lines(objective: ObjectiveBilan) -> list[str]:
    return [
        f"{action} — {'réalisée' if done else 'non réalisée'}" for action, done in objective.actions
    ]


def evidence_line(objective: ObjectiveBilan) -> str:
    return "Éléments de preuve cités : " + " ; ".join(
        f"{date(d)} ({source})" for d, source in objective.evidence
    )


def links_line(objective: ObjectiveBilan) -> str | None:
    """« Rattaché au projet académique : 1.1 Lire… ; 2.3 … » (None when it has no link)."""
    if not objective.academic_links:
        return None
    return "Rattaché au projet académique : " + " ; ".join(
        link.named for link in objective.academic_links
    )


def coverage_rows(bilan: Bilan) -> list[list[str]]:
    """The projet académique's objectives and the contract's objectives that serve each, with
    their status: a header, then a row per projet objective (« aucun » when none serves it)."""
    by_number = {o.number: o for o in bilan.objectives}
    rows = [["Projet académique", f"Objectifs du {document_kind(bilan)} et leur statut"]]
    for line in coverage_lines(bilan):
        served = [by_number[n] for n in line.objectives if n in by_number]
        rows.append(
            [
                line.link.label,
                " ; ".join(
                    f"n° {o.number} ({o.status.label if o.status else 'non examiné'})"
                    for o in served
                )
                or "aucun",
            ]
        )
    return rows


def coverage_lines(bilan: Bilan) -> list[CoverageLine]:
    """What the coverage table lists: the projet's objectives, and the parts (axes…) that an
    objective cites directly; only the parts when the projet is known by its parts alone."""
    if any(line.is_objective for line in bilan.coverage):
        return [line for line in bilan.coverage if line.is_objective or line.objectives]
    return list(bilan.coverage)


def coverage_line(bilan: Bilan) -> str:
    """« 3 objectifs du projet académique sur 7 sont servis par le contrat. »"""
    objectives = [line for line in bilan.coverage if line.is_objective]
    lines = objectives or bilan.coverage
    served = sum(1 for line in lines if line.objectives)
    what, participle = ("objectifs", "servi") if objectives else ("parties", "servie")
    verb = f"est {participle}" if served < 2 else f"sont {participle}s"
    return (
        f"{quantity(served, what)} du projet académique sur {len(lines)} {verb} "
        f"par le {document_kind(bilan)}."
    )
