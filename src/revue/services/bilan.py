"""The bilan of a review: read from the store, then written in one of the registered formats
(used by the CLI and the app).

A closed review's bilan is the one frozen when it was closed (snapshot version 2): nothing done
later (an avenant, a log entry, another review) changes it. An older snapshot (version 1) holds
the review's records, synthesis and avenants only: the rest is rebuilt as of the closing (see
:func:`rebuild_from_v1` and docs/format-bilan.md). An open review's bilan is read from the live
store and says it is provisional.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revue.bilan.model import Bilan, pick_review
from revue.bilan.writers import WRITERS
from revue.domain.avenant import apply_avenants
from revue.domain.bilan import thaw
from revue.domain.errors import RevueError
from revue.domain.french import local_time
from revue.domain.history import Snapshot
from revue.domain.review import (
    Evidence,
    EvidenceSource,
    ObjectiveReview,
    ReviewSummary,
    Status,
    Synthesis,
    Walk,
)

if TYPE_CHECKING:
    from revue.store.store import Store


def build_bilan(
    store: Store,
    contract_id: str,
    review: str | None = None,
    *,
    written_on: dt.date | None = None,
) -> Bilan:
    """Gather the bilan of ``contract_id`` as of one of its reviews (the last by default;
    ``review`` is ``2018-2019/annuel``, see :func:`revue.bilan.model.pick_review`).
    ``written_on`` dates an open review's provisional bilan (today by default); a closed
    review's bilan is dated by its closing."""
    summary = pick_review(store.list_reviews(contract_id), review)
    snapshot = store.review_snapshot(summary.id) if summary.closed else None
    if snapshot is not None:
        return frozen_bilan(store, summary, snapshot)
    return store.reviews.live_bilan(summary.id, written_on or dt.date.today())


def frozen_bilan(store: Store, summary: ReviewSummary, snapshot: Snapshot) -> Bilan:
    """The bilan of a closed review, from its snapshot."""
    try:
        data: Any = json.loads(snapshot.content)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise RevueError(f"{summary.title} : le relevé figé est illisible (lancez « revue check »)")
    if isinstance(data.get("bilan"), dict):
        try:
            bilan = thaw(data["bilan"])
        except RevueError as exc:
            raise RevueError(f"{summary.title} : {exc}") from None
        bilan.snapshot = snapshot
        return bilan
    return rebuild_from_v1(store, summary, snapshot, data)


def rebuild_from_v1(
    store: Store, summary: ReviewSummary, snapshot: Snapshot, data: dict[str, Any]
) -> Bilan:
    """A closed review frozen by an older revue (snapshot version 1: records, synthesis and
    the avenants recorded in that review), rebuilt as of its closing as far as the data
    allows: the records (statuses, values typed, actions, evidence, analyses) and the synthesis
    are the frozen ones; the contract is revised only by the avenants recorded in this review
    or an earlier one; the mid-term section lists the reviews up to this one. Not guaranteed:
    the accompaniment counts and the values of earlier reviews are read from the store as it
    now is."""

    def as_closed(walk: Walk, reviews: list[ReviewSummary]) -> Walk:
        earlier = {r.id for r in reviews}
        avenants = [a for a in walk.avenants if a.review_id is None or a.review_id in earlier]
        contract, targets = apply_avenants(walk.initial, avenants)
        records, frozen_values = _records(data)
        computed = {i.id for o in contract.objectives for i in o.indicators if i.computed}
        values = {
            i.id: walk.values.get(i.id) if i.id in computed else frozen_values.get(i.id)
            for o in contract.objectives
            for i in o.indicators
        }
        return dataclasses.replace(
            walk,
            contract=contract,
            objectives=list(contract.objectives_in_order()),
            sections={s.id: s for s in contract.sections},
            records=records,
            values=values,
            targets=targets,
            avenants=avenants,
        )

    frozen = data.get("synthesis") or {}
    bilan = store.reviews.live_bilan(
        summary.id,
        local_time(snapshot.taken_at).date(),
        adjust=as_closed,
        synthesis=Synthesis(
            strengths=str(frozen.get("strengths") or ""),
            vigilance=str(frozen.get("vigilance") or ""),
            perspectives=str(frozen.get("perspectives") or ""),
        ),
    )
    bilan.snapshot = snapshot
    bilan.source = "rebuilt"
    return bilan


def _records(data: dict[str, Any]) -> tuple[dict[str, ObjectiveReview], dict[str, float]]:
    """The records and the indicator values of a version-1 snapshot."""
    records: dict[str, ObjectiveReview] = {}
    values: dict[str, float] = {}
    for item in data.get("objectives") or []:
        slug = str(item.get("objective", ""))
        for indicator, value in (item.get("values") or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                values[str(indicator)] = float(value)
        records[slug] = ObjectiveReview(
            objective_id=slug,
            status=Status(item["status"]) if item.get("status") else None,
            analysis=str(item.get("analysis") or ""),
            adjustments=str(item.get("adjustments") or ""),
            evidence=[
                Evidence(
                    id=uuid.UUID(e["id"]),
                    objective_id=slug,
                    date=dt.date.fromisoformat(e["date"]),
                    text=str(e.get("text") or ""),
                    source=EvidenceSource(e["source"]),
                    file_path=str(e.get("file_path") or ""),
                )
                for e in item.get("evidence") or []
            ],
            actions_done=[str(a) for a in item.get("actions_done") or []],
        )
    return records, values


def export_bilan(
    store: Store, contract_id: str, review: str | None, key: str, path: Path | None = None
) -> Path:
    """Write the bilan of ``contract_id`` in the format ``key`` of
    :data:`revue.bilan.writers.WRITERS` to ``path`` (by default ``bilan-ID-ANNÉE.ext`` in the
    current folder), all or nothing; returns the path written."""
    writer = WRITERS[key]
    bilan = build_bilan(store, contract_id, review)
    target = (
        path if path is not None else Path(writer.file_name(contract_id, bilan.review.school_year))
    )
    writer.write(bilan, target)
    return target
