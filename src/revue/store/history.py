"""Histories of review records, syntheses and accompaniments, and the snapshots frozen at
closing: :class:`History`, which the store holds and hands to its reviews and its log.

Writers call ``keep_base_objective`` before a change (so that data written before histories
existed keeps its state as a first version) and ``keep_version`` / ``keep_objective`` after it,
in the same session: the version is there exactly when the change is.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from revue.domain.bilan import thaw
from revue.domain.errors import RevueError
from revue.domain.french import local_time
from revue.domain.history import (
    BASE_NOTE,
    COALESCE_WINDOW,
    RECEIVED_NOTE,
    HistoryEntry,
    Snapshot,
    canonical_json,
    extends,
    is_empty_objective_state,
    sha256_of,
)
from revue.store.models import (
    AvenantRow,
    ContractRow,
    EvidenceRow,
    HistoryRow,
    IndicatorRow,
    IndicatorValueRow,
    ObjectiveReviewRow,
    ObjectiveRow,
    ReviewRow,
    ReviewSnapshotRow,
)

OBJECTIVE = "objective"
ACCOMPANIMENT = "accompaniment"
SNAPSHOT_FORMAT = "revue-revue-figee"
#: Version 1: the review's records, synthesis and avenants. Version 2 adds ``bilan``: the whole
#: bilan as it was at closing, which a closed review's bilan is read from.
SNAPSHOT_VERSION = 2


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _local(at: dt.datetime) -> str:
    return f"{local_time(at):%d/%m/%Y à %H:%M}"


#: Who wrote an accompaniment received by exchange, and when it arrived.
Received = tuple[str, dt.datetime]


def base_version(
    kind: str,
    item_id: uuid.UUID,
    review_id: uuid.UUID | None,
    content: dict[str, Any],
    now: dt.datetime,
    *,
    received: Received | None = None,
) -> dict[str, Any]:
    """The history row that keeps an item's state from before its first recorded change, just
    before the version that changes it: an accompaniment received by exchange as it arrived
    (``received``), anything else as written before histories existed."""
    author, at, note = (
        ("", now - dt.timedelta(milliseconds=1), BASE_NOTE)
        if received is None
        else (*received, RECEIVED_NOTE)
    )
    return {
        "id": uuid.uuid4(),
        "kind": kind,
        "item_id": item_id,
        "review_id": review_id,
        "at": at,
        "author": author,
        "note": note,
        "content": content,
    }


def objective_states(
    session: Session, review_id: uuid.UUID, objective_ids: list[uuid.UUID] | None = None
) -> dict[uuid.UUID, dict[str, Any]]:
    """The record of each objective of the review (all of the contract's, or those given),
    as plain JSON-ready dicts: status, values by indicator slug, actions done, evidence,
    analysis and adjustments. A fixed number of queries whatever the number of objectives."""
    contract_id = session.scalar(select(ReviewRow.contract_id).where(ReviewRow.id == review_id))
    objectives = select(ObjectiveRow.id).where(ObjectiveRow.contract_id == contract_id)
    if objective_ids is not None:
        objectives = objectives.where(ObjectiveRow.id.in_(objective_ids))
    ids = list(session.scalars(objectives.order_by(ObjectiveRow.position)))
    states: dict[uuid.UUID, dict[str, Any]] = {
        oid: {
            "status": None,
            "values": {},
            "actions_done": [],
            "evidence": [],
            "analysis": "",
            "adjustments": "",
        }
        for oid in ids
    }
    indicators = session.execute(
        select(IndicatorRow.id, IndicatorRow.objective_id, IndicatorRow.slug)
        .where(IndicatorRow.objective_id.in_(ids))
        .order_by(IndicatorRow.position)
    ).all()
    values = dict(
        session.execute(
            select(IndicatorValueRow.indicator_id, IndicatorValueRow.value).where(
                IndicatorValueRow.review_id == review_id,
                IndicatorValueRow.indicator_id.in_([i for i, _, _ in indicators]),
            )
        ).all()
    )
    for iid, oid, slug in indicators:
        states[oid]["values"][slug] = values.get(iid)
    for row in session.scalars(
        select(ObjectiveReviewRow).where(
            ObjectiveReviewRow.review_id == review_id, ObjectiveReviewRow.objective_id.in_(ids)
        )
    ):
        state = states[row.objective_id]
        state["status"] = row.status
        state["analysis"] = row.analysis
        state["adjustments"] = row.adjustments
        state["actions_done"] = sorted(row.actions_done or [])
    for ev in session.scalars(
        select(EvidenceRow)
        .where(EvidenceRow.review_id == review_id, EvidenceRow.objective_id.in_(ids))
        .order_by(EvidenceRow.date, EvidenceRow.created_at, EvidenceRow.id)
    ):
        states[ev.objective_id]["evidence"].append(
            {
                "id": str(ev.id),
                "date": ev.date.isoformat(),
                "text": ev.text,
                "source": ev.source,
                "file_path": ev.file_path,
            }
        )
    return states


class History:
    """Writes and reads versions and snapshots inside the caller's session (its transaction):
    it opens none itself. ``author`` is who the versions name for the changes made through the
    store (the configured user)."""

    def __init__(self, author: str) -> None:
        self.author = author

    # --- writing versions -----------------------------------------------------------------

    @staticmethod
    def last_version(
        session: Session, kind: str, item_id: uuid.UUID, review_id: uuid.UUID | None
    ) -> HistoryRow | None:
        """The item's newest version, if it has any."""
        return session.scalars(
            select(HistoryRow)
            .where(
                HistoryRow.kind == kind,
                HistoryRow.item_id == item_id,
                HistoryRow.review_id == review_id,
            )
            .order_by(HistoryRow.at.desc())
            .limit(1)
        ).first()

    def version_row(
        self,
        kind: str,
        item_id: uuid.UUID,
        review_id: uuid.UUID | None,
        content: dict[str, Any],
        at: dt.datetime,
    ) -> dict[str, Any]:
        """The history row of a new item's first version, as :meth:`keep_version` writes it
        with ``new=True`` (by :attr:`author`, no note), for a write through the table."""
        return {
            "id": uuid.uuid4(),
            "kind": kind,
            "review_id": review_id,
            "item_id": item_id,
            "at": at,
            "author": self.author,
            "note": "",
            "content": content,
        }

    def keep_version(
        self,
        session: Session,
        kind: str,
        item_id: uuid.UUID,
        review_id: uuid.UUID | None,
        content: dict[str, Any],
        *,
        author: str | None = None,
        note: str = "",
        new: bool = False,
        base: dict[str, Any] | None = None,
        received: Received | None = None,
    ) -> None:
        """Keep ``content`` as the item's newest version (``new``: the item was just created,
        so it has no versions yet and there is nothing to look up). ``base``: the item's
        state before this change, kept first if the item has no versions yet (data written
        before histories existed, or an accompaniment as ``received`` by exchange)."""
        author = self.author if author is None else author
        last = None if new else self.last_version(session, kind, item_id, review_id)
        if last is None and base is not None:
            last = self._add_base(session, kind, item_id, review_id, base, received=received)
        now = _now()
        if last is not None:
            if last.content == content:
                return
            if (
                not note
                and not last.note
                and last.author == author
                and now - last.at < COALESCE_WINDOW
                and extends(last.content, content)
            ):
                last.content = content
                last.at = max(now, last.at)
                return
            now = max(now, last.at + dt.timedelta(microseconds=1))
        session.add(
            HistoryRow(
                kind=kind,
                item_id=item_id,
                review_id=review_id,
                at=now,
                author=author,
                note=note,
                content=content,
            )
        )

    @staticmethod
    def _add_base(
        session: Session,
        kind: str,
        item_id: uuid.UUID,
        review_id: uuid.UUID | None,
        content: dict[str, Any],
        *,
        received: Received | None = None,
    ) -> HistoryRow:
        row = HistoryRow(
            **base_version(kind, item_id, review_id, content, _now(), received=received)
        )
        session.add(row)
        return row

    def keep_base_objective(
        self, session: Session, review_id: uuid.UUID, objective_uuid: uuid.UUID
    ) -> None:
        """Before a change to an objective's record with no versions yet, keep its state as
        it was (it is read before the change, so this cannot wait for keep_version)."""
        if self.last_version(session, OBJECTIVE, objective_uuid, review_id) is not None:
            return
        state = objective_states(session, review_id, [objective_uuid]).get(objective_uuid)
        if state is not None and not is_empty_objective_state(state):
            self._add_base(session, OBJECTIVE, objective_uuid, review_id, state)

    def keep_objective(
        self, session: Session, review_id: uuid.UUID, objective_uuid: uuid.UUID, note: str = ""
    ) -> None:
        """Keep the objective's record as it now is (after the change) as its newest version."""
        session.flush()
        state = objective_states(session, review_id, [objective_uuid]).get(objective_uuid)
        if state is not None:
            self.keep_version(session, OBJECTIVE, objective_uuid, review_id, state, note=note)

    # --- reading --------------------------------------------------------------------------

    @staticmethod
    def entries(
        session: Session, kind: str, item_id: uuid.UUID, review_id: uuid.UUID | None
    ) -> list[HistoryEntry]:
        """Every version of one item, oldest first."""
        rows = session.scalars(
            select(HistoryRow)
            .where(
                HistoryRow.kind == kind,
                HistoryRow.item_id == item_id,
                HistoryRow.review_id == review_id,
            )
            .order_by(HistoryRow.at)
        ).all()
        return [
            HistoryEntry(id=r.id, at=r.at, author=r.author, note=r.note, content=r.content)
            for r in rows
        ]

    # --- snapshots ------------------------------------------------------------------------

    @staticmethod
    def freeze(
        session: Session, review: ReviewRow, bilan: dict[str, Any] | None = None
    ) -> Snapshot:
        """Take the snapshot of a review being closed: its records, synthesis and avenants
        and (version 2) ``bilan``, its whole bilan as frozen content
        (:func:`revue.domain.bilan.frozen_content`), as canonical JSON, with their SHA-256."""
        session.flush()
        contract = session.get(ContractRow, review.contract_id)
        assert contract is not None
        slugs = dict(
            session.execute(
                select(ObjectiveRow.id, ObjectiveRow.slug).where(
                    ObjectiveRow.contract_id == contract.id
                )
            ).all()
        )
        states = objective_states(session, review.id)
        avenants = session.scalars(
            select(AvenantRow).where(AvenantRow.review_id == review.id).order_by(AvenantRow.number)
        ).all()
        data = {
            "format": SNAPSHOT_FORMAT,
            "version": 1 if bilan is None else SNAPSHOT_VERSION,
            "contract": contract.slug,
            "school_year": review.school_year,
            "kind": review.kind,
            "closed_at": review.closed_at.isoformat() if review.closed_at else None,
            "synthesis": {
                "strengths": review.strengths,
                "vigilance": review.vigilance,
                "perspectives": review.perspectives,
            },
            "objectives": [{"objective": slugs[oid], **state} for oid, state in states.items()],
            "avenants": [
                {
                    "number": a.number,
                    "date": a.date.isoformat(),
                    "reason": a.reason,
                    "changes": [
                        {
                            "kind": c.kind,
                            "objective": c.objective_slug,
                            "target": c.target_slug,
                            "before": c.before,
                            "after": c.after,
                        }
                        for c in a.changes
                    ],
                }
                for a in avenants
            ],
        }
        if bilan is not None:
            data["bilan"] = bilan
        text = canonical_json(data)
        row = ReviewSnapshotRow(
            review_id=review.id,
            taken_at=review.closed_at or _now(),
            sha256=sha256_of(text),
            content=text,
        )
        session.add(row)
        return Snapshot(taken_at=row.taken_at, sha256=row.sha256, content=text)

    @staticmethod
    def snapshot(session: Session, review_id: uuid.UUID) -> Snapshot | None:
        """The snapshot taken when the review was last closed (None if it is not closed)."""
        review = session.get(ReviewRow, review_id)
        if review is None or review.closed_at is None:
            return None
        row = session.scalars(
            select(ReviewSnapshotRow)
            .where(ReviewSnapshotRow.review_id == review_id)
            .order_by(ReviewSnapshotRow.taken_at.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return Snapshot(taken_at=row.taken_at, sha256=row.sha256, content=row.content)

    @staticmethod
    def snapshot_problems(session: Session) -> list[str]:
        """Snapshots whose text no longer matches their SHA-256 (French, for ``revue check``)."""
        problems: list[str] = []
        for row, year, kind, slug in session.execute(
            select(ReviewSnapshotRow, ReviewRow.school_year, ReviewRow.kind, ContractRow.slug)
            .join(ReviewRow, ReviewRow.id == ReviewSnapshotRow.review_id)
            .join(ContractRow, ContractRow.id == ReviewRow.contract_id)
        ).all():
            if sha256_of(row.content) != row.sha256:
                problems.append(
                    f"{slug}, revue {kind} {year} : le relevé figé du "
                    f"{row.taken_at:%d/%m/%Y} ne correspond plus à son empreinte SHA-256"
                )
                continue
            unreadable = frozen_bilan_problem(row.content)
            if unreadable:
                problems.append(
                    f"{slug}, revue {kind} {year} : le bilan figé du "
                    f"{row.taken_at:%d/%m/%Y} ne peut pas être lu ({unreadable})"
                )
        return problems


def frozen_bilan_problem(content: str) -> str | None:
    """Why the bilan frozen in a snapshot's ``content`` cannot be read (French), or None (a
    version-1 snapshot holds no bilan: it is rebuilt, see docs/format-bilan.md)."""
    try:
        data = json.loads(content)
    except ValueError:
        return "texte JSON illisible"
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        return "ce n'est pas un relevé de revue"
    if data.get("version") == 1:
        return None
    if "bilan" not in data or not isinstance(data["bilan"], dict):
        return "le bilan manque"
    try:
        thaw(data["bilan"])
    except RevueError as exc:
        return str(exc)
    return None


def restoration_note(at: dt.datetime) -> str:
    """The note of a version that puts back the one of ``at``."""
    return f"restauration de la version du {_local(at)}"
