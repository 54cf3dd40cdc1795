"""Histories of review records and accompaniments, and the snapshots frozen at closing.

Writers call ``_keep_base_*`` before a change (so that data written before histories existed
keeps its state as a first version) and ``_keep_*`` after it, in the same transaction: the
version is there exactly when the change is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from revue.domain.contract import stable_uuid
from revue.domain.errors import NotFoundError
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
from revue.domain.log import content_from_dict
from revue.store.db import read_session, write_session
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


class HistoryQueries:
    """Mixed into :class:`revue.store.store.Store`."""

    engine: Engine
    #: Who makes the changes this store writes (the configured user).
    author: str

    # --- writing versions -----------------------------------------------------------------

    def _last_version(
        self, session: Session, kind: str, item_id: uuid.UUID, review_id: uuid.UUID | None
    ) -> HistoryRow | None:
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

    def _keep_version(
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
        last = None if new else self._last_version(session, kind, item_id, review_id)
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

    def _keep_base_objective(
        self, session: Session, review_id: uuid.UUID, objective_uuid: uuid.UUID
    ) -> None:
        """Before a change to an objective's record with no versions yet, keep its state as
        it was (it is read before the change, so this cannot wait for _keep_version)."""
        if self._last_version(session, OBJECTIVE, objective_uuid, review_id) is not None:
            return
        state = objective_states(session, review_id, [objective_uuid]).get(objective_uuid)
        if state is not None and not is_empty_objective_state(state):
            self._add_base(session, OBJECTIVE, objective_uuid, review_id, state)

    def _keep_objective(
        self, session: Session, review_id: uuid.UUID, objective_uuid: uuid.UUID, note: str = ""
    ) -> None:
        session.flush()
        state = objective_states(session, review_id, [objective_uuid]).get(objective_uuid)
        if state is not None:
            self._keep_version(session, OBJECTIVE, objective_uuid, review_id, state, note=note)

    # --- reading and restoring ------------------------------------------------------------

    @staticmethod
    def _entries(
        session: Session, kind: str, item_id: uuid.UUID, review_id: uuid.UUID | None
    ) -> list[HistoryEntry]:
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

    def _objective_uuid(
        self, session: Session, review_id: uuid.UUID, objective_slug: str
    ) -> uuid.UUID:
        slug = session.scalar(
            select(ContractRow.slug)
            .join(ReviewRow, ReviewRow.contract_id == ContractRow.id)
            .where(ReviewRow.id == review_id)
        )
        if slug is None:
            raise NotFoundError("cette revue n'existe plus")
        return stable_uuid(slug, OBJECTIVE, objective_slug)

    def objective_history(self, review_id: uuid.UUID, objective_slug: str) -> list[HistoryEntry]:
        """Every version of one objective's record in a review, oldest first."""
        with read_session(self.engine) as session:
            oid = self._objective_uuid(session, review_id, objective_slug)
            return self._entries(session, OBJECTIVE, oid, review_id)

    def restore_objective(
        self, review_id: uuid.UUID, objective_slug: str, entry_id: uuid.UUID
    ) -> None:
        """Put an objective's record back as it was in one of its versions (itself recorded as
        a new version, so a restore can be undone the same way)."""
        with write_session(self.engine) as session:
            self._open_review(session, review_id)  # type: ignore[attr-defined]
            oid = self._objective_uuid(session, review_id, objective_slug)
            row = session.get(HistoryRow, entry_id)
            if row is None or row.item_id != oid or row.review_id != review_id:
                raise NotFoundError("cette version n'existe plus")
            self._keep_base_objective(session, review_id, oid)
            content = row.content
            record = session.scalar(
                select(ObjectiveReviewRow).where(
                    ObjectiveReviewRow.review_id == review_id,
                    ObjectiveReviewRow.objective_id == oid,
                )
            )
            if record is None:
                record = ObjectiveReviewRow(review_id=review_id, objective_id=oid)
                session.add(record)
            record.status = content.get("status")
            record.analysis = content.get("analysis", "")
            record.adjustments = content.get("adjustments", "")
            record.actions_done = list(content.get("actions_done", []))
            indicators = dict(
                session.execute(
                    select(IndicatorRow.slug, IndicatorRow.id).where(
                        IndicatorRow.objective_id == oid
                    )
                ).all()
            )
            wanted = content.get("values", {})
            for slug, iid in indicators.items():
                existing = session.scalar(
                    select(IndicatorValueRow).where(
                        IndicatorValueRow.review_id == review_id,
                        IndicatorValueRow.indicator_id == iid,
                    )
                )
                if slug not in wanted and existing is not None:
                    session.delete(existing)
                elif slug in wanted:
                    if existing is None:
                        existing = IndicatorValueRow(review_id=review_id, indicator_id=iid)
                        session.add(existing)
                    existing.value = wanted[slug]
            session.execute(
                delete(EvidenceRow).where(
                    EvidenceRow.review_id == review_id, EvidenceRow.objective_id == oid
                )
            )
            for item in content.get("evidence", []):
                session.add(
                    EvidenceRow(
                        id=uuid.UUID(item["id"]),
                        review_id=review_id,
                        objective_id=oid,
                        date=dt.date.fromisoformat(item["date"]),
                        text=item["text"],
                        source=item["source"],
                        file_path=item.get("file_path", ""),
                    )
                )
            self._keep_objective(
                session, review_id, oid, note=f"restauration de la version du {_local(row.at)}"
            )

    def accompaniment_history(self, accompaniment_id: uuid.UUID) -> list[HistoryEntry]:
        """Every version of an entry, oldest first. An entry received by exchange and not
        changed since has no history row: its one version is the entry as it arrived."""
        with read_session(self.engine) as session:
            entries = self._entries(session, ACCOMPANIMENT, accompaniment_id, None)
            if entries:
                return entries
            found = self._load(session, [accompaniment_id])  # type: ignore[attr-defined]
            if accompaniment_id not in found or found[accompaniment_id][0].received_at is None:
                return []
            row, version = found[accompaniment_id]
            return [
                HistoryEntry(
                    id=accompaniment_id,
                    at=row.received_at,
                    author=version.content.author,
                    note=RECEIVED_NOTE,
                    content=version.content.as_dict(),
                )
            ]

    def restore_accompaniment(self, accompaniment_id: uuid.UUID, entry_id: uuid.UUID) -> None:
        """Make an earlier version of an entry its current one: a new version that travels in
        exchanges like any edit."""
        with read_session(self.engine) as session:
            row = session.get(HistoryRow, entry_id)
            if row is None or row.item_id != accompaniment_id or row.kind != ACCOMPANIMENT:
                raise NotFoundError("cette version n'existe plus")
            content, at = row.content, row.at
        self.update_accompaniment(  # type: ignore[attr-defined]
            accompaniment_id,
            content_from_dict(content),
            note=f"restauration de la version du {_local(at)}",
        )

    # --- snapshots ------------------------------------------------------------------------

    def _freeze(self, session: Session, review: ReviewRow) -> Snapshot:
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
            "version": 1,
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
        text = canonical_json(data)
        row = ReviewSnapshotRow(
            review_id=review.id,
            taken_at=review.closed_at or _now(),
            sha256=sha256_of(text),
            content=text,
        )
        session.add(row)
        return Snapshot(taken_at=row.taken_at, sha256=row.sha256, content=text)

    def review_snapshot(self, review_id: uuid.UUID) -> Snapshot | None:
        """The snapshot taken when the review was last closed (None if it is not closed)."""
        with read_session(self.engine) as session:
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

    def snapshot_problems(self) -> list[str]:
        """Snapshots whose text no longer matches their SHA-256 (French, for ``revue check``)."""
        problems: list[str] = []
        with read_session(self.engine) as session:
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
        return problems
