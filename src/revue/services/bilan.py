"""The bilan of a review: read from the store, then written in one of the registered formats
(used by the CLI and the app)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from revue.bilan.model import Bilan, assemble_bilan, pick_review
from revue.bilan.writers import WRITERS
from revue.domain.contract import stable_uuid
from revue.domain.text import scrubbed

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
    ``review`` is ``2018-2019/annuel``, see :func:`revue.bilan.model.pick_review`)."""
    reviews = store.list_reviews(contract_id)
    summary = pick_review(reviews, review)
    walk = store.load_walk(summary.id)
    year = summary.school_year
    accompaniments = {
        objective.id: store.counts_by_kind(
            stable_uuid(walk.contract.id, "objective", objective.id), year
        )
        for objective in walk.objectives
    }
    # Any stored text can be written: control characters (older data) are dropped.
    return scrubbed(
        assemble_bilan(
            walk,
            reviews,
            summary,
            synthesis=store.get_synthesis(summary.id),
            snapshot=store.review_snapshot(summary.id),
            accompaniments=accompaniments,
            written_on=written_on or dt.date.today(),
        )
    )


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
