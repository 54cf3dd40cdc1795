"""The bilan as data (TOML, format « revue-bilan » version 2), documented in
docs/format-bilan.md, so that a DSDEN can consolidate the bilans of many circonscriptions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import tomli_w

from revue.bilan.model import Bilan, ObjectiveBilan
from revue.bilan.rows import coverage_lines
from revue.domain.bilan import AcademicLink

BILAN_FORMAT = "revue-bilan"
BILAN_VERSION = 2


def _clean(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if v is not None and v != "" and v != [] and v != {}}


def _objective(objective: ObjectiveBilan, strategy: str) -> dict[str, Any]:
    return _clean(
        {
            "number": objective.number,
            "id": objective.id,
            "strategy": strategy,
            "text": objective.text,
            "initial_text": objective.initial_text,
            "status": objective.status.value if objective.status else "non-examine",
            "actions": [{"what": what, "done": done} for what, done in objective.actions],
            "off_track": objective.off_track,
            "accompaniments": {f"{m}-{i}": n for m, i, n in objective.accompaniments},
            "evidence": [{"date": d, "source": source} for d, source in objective.evidence],
            "analysis": objective.analysis,
            "adjustments": objective.adjustments,
            "academic_links": [_link(link) for link in objective.academic_links],
            "indicators": [
                _clean(
                    {
                        "id": line.id,
                        "label": line.label,
                        "unit": line.unit,
                        "direction": line.direction,
                        "computed": line.computed,
                        "baseline": line.baseline,
                        "baseline_year": line.baseline_year,
                        "initial_target": line.initial_target,
                        "initial_target_year": line.initial_target_year,
                        "target": line.target,
                        "target_year": line.target_year,
                        "target_avenant": line.target_avenant,
                        "values": dict(line.values),
                        "expected": line.expected,
                        "gap": line.gap,
                        "off_track": line.off_track,
                    }
                )
                for line in objective.indicators
            ],
        }
    )


def render_toml(bilan: Bilan) -> str:
    c = bilan.contract
    counts: dict[str, int] = {}
    for objective in bilan.objectives:
        key = objective.status.value if objective.status else "non-examine"
        counts[key] = counts.get(key, 0) + 1
    document = _clean(
        {
            "format": BILAN_FORMAT,
            "format_version": BILAN_VERSION,
            "written_on": bilan.written_on,
            "contract": _clean(
                {
                    "id": c.id,
                    "kind": c.kind.value,
                    "title": c.title,
                    "circonscription": c.circonscription,
                    "academie": c.academie,
                    "departement": c.departement,
                    "ien": c.ien,
                    "start_date": c.start_date,
                    "end_date": c.end_date,
                    "signature_date": c.signature_date,
                    "academic_project": _clean(
                        {"id": c.academic_project_id, "title": c.academic_project}
                    )
                    if c.academic_project
                    else None,
                    "parties": [
                        _clean(
                            {
                                "name": p.name,
                                "representative": p.representative,
                                "representative_title": p.representative_title,
                            }
                        )
                        for p in c.parties
                    ],
                }
            ),
            "review": {
                "school_year": bilan.review.school_year,
                "kind": bilan.review.kind.value,
                "closed": bilan.review.closed,
                "provisional": bilan.provisional,
                "source": bilan.source,
                "examined": bilan.review.examined,
                "objectives": bilan.review.total,
                **(
                    {
                        "snapshot_sha256": bilan.snapshot.sha256,
                        "snapshot_taken_at": bilan.snapshot.taken_at.replace(
                            microsecond=0, tzinfo=dt.UTC
                        ),
                    }
                    if bilan.snapshot
                    else {}
                ),
            },
            "summary": dict(sorted(counts.items())),
            "years": bilan.years,
            "log_covers": bilan.covered_years,
            "synthesis": _clean(
                {
                    "strengths": bilan.synthesis.strengths,
                    "vigilance": bilan.synthesis.vigilance,
                    "perspectives": bilan.synthesis.perspectives,
                }
            ),
            "avenants": [
                {
                    "number": a.number,
                    "date": a.date,
                    "reason": a.reason,
                    "changes": [
                        _clean(
                            {
                                "kind": change.kind,
                                "objective": change.objective_id,
                                "target": change.target_id,
                                "before": _clean(dict(change.before)),
                                "after": _clean(dict(change.after)),
                            }
                        )
                        for change in a.changes
                    ],
                }
                for a in bilan.avenants
            ],
            "midterms": [
                {
                    "school_year": m.school_year,
                    "closed": m.closed,
                    "examined": m.examined,
                    "objectives": m.total,
                    "off_track": [o.id for o in m.off_track],
                }
                for m in bilan.midterms
            ],
            "objectives": [_objective(o, s.title) for s in bilan.strategies for o in s.objectives],
            "academic_coverage": _coverage(bilan),
        }
    )
    return tomli_w.dumps(document, multiline_strings=True)


def _link(link: AcademicLink) -> dict[str, Any]:
    return _clean({"id": link.key, "code": link.code, "title": link.title})


def _coverage(bilan: Bilan) -> list[dict[str, Any]]:
    """Each objective of the projet académique with the ids of the contract objectives that
    serve it (an empty list: served by none)."""
    ids = {o.number: o.id for o in bilan.objectives}
    return [
        {
            **_link(line.link),
            "part": not line.is_objective,
            "objectives": [ids[n] for n in line.objectives],
        }
        for line in coverage_lines(bilan)
        if line.link.key
    ]
