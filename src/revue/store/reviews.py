"""Reviews, their records per objective, indicator values, evidence and avenants.

Every write is one short transaction, so the walk can save each change as it is made. A closed
review refuses writes until it is explicitly reopened (and the reopening is recorded). Each
change to a record or a synthesis is kept as a version by the store's :class:`History`, in the
same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from revue.domain.academic import AcademicProject
from revue.domain.avenant import (
    Avenant,
    AvenantChange,
    ChangeKind,
    Revision,
    added_action_id,
    apply_avenants,
)
from revue.domain.bilan import Bilan, assemble_bilan, frozen_content
from revue.domain.contract import Contract, stable_uuid
from revue.domain.errors import ConflictError, NotFoundError, RevueError, StaleEdit
from revue.domain.french import local_time
from revue.domain.history import HistoryEntry, Snapshot
from revue.domain.review import (
    ChangeLine,
    Evidence,
    EvidenceSource,
    ObjectiveReview,
    ReviewKind,
    ReviewSummary,
    Status,
    Synthesis,
    Walk,
    compare_walks,
)
from revue.domain.schoolyear import school_year_start, school_years_of_contract
from revue.domain.text import scrubbed
from revue.store.db import read_session, write_session
from revue.store.grants import each_owner
from revue.store.history import OBJECTIVE, History, restoration_note
from revue.store.log import Log
from revue.store.models import (
    AvenantChangeRow,
    AvenantRow,
    ContractRow,
    EvidenceRow,
    HistoryRow,
    IndicatorRow,
    IndicatorValueRow,
    ObjectiveReviewRow,
    ObjectiveRow,
    ReviewEventRow,
    ReviewRow,
)

_KIND_ORDER = {ReviewKind.ANNUAL: 0, ReviewKind.MIDTERM: 1, ReviewKind.FINAL: 2}


class ReviewClosedError(RevueError):
    """The review is closed: reopen it first."""


def _sort_key(year: str, kind: str) -> tuple[int, int]:
    return school_year_start(year), _KIND_ORDER[ReviewKind(kind)]


class Reviews:
    """The reviews of the store at ``engine`` (:class:`revue.store.store.Store` holds one and
    delegates to it). ``history`` keeps the versions of what they change, ``log`` counts what
    indicators take from the accompaniment log, ``get_contract`` and ``get_academic_project``
    read a contract and a projet académique (the store's)."""

    def __init__(
        self,
        engine: Engine,
        history: History,
        log: Log,
        get_contract: Callable[[str], Contract],
        get_academic_project: Callable[[str], AcademicProject | None],
    ) -> None:
        self.engine = engine
        self.history = history
        self.log = log
        self._get_contract = get_contract
        self._get_academic_project = get_academic_project

    # --- reviews --------------------------------------------------------------------------

    def _summary(self, session: Session, row: ReviewRow, contract_slug: str) -> ReviewSummary:
        total = (
            session.scalar(
                select(func.count())
                .select_from(ObjectiveRow)
                .where(ObjectiveRow.contract_id == row.contract_id)
            )
            or 0
        )
        examined = (
            session.scalar(
                select(func.count())
                .select_from(ObjectiveReviewRow)
                .where(
                    ObjectiveReviewRow.review_id == row.id, ObjectiveReviewRow.status.is_not(None)
                )
            )
            or 0
        )
        return ReviewSummary(
            id=row.id,
            contract_id=contract_slug,
            school_year=row.school_year,
            kind=ReviewKind(row.kind),
            closed=row.closed_at is not None,
            examined=examined,
            total=total,
        )

    def list_reviews(self, contract_slug: str) -> list[ReviewSummary]:
        """The contract's reviews, oldest first."""
        with read_session(self.engine) as session:
            rows = session.scalars(
                select(ReviewRow).join(ContractRow).where(ContractRow.slug == contract_slug)
            ).all()
            rows = sorted(rows, key=lambda r: _sort_key(r.school_year, r.kind))
            return [self._summary(session, row, contract_slug) for row in rows]

    def get_review(self, review_id: uuid.UUID) -> ReviewSummary:
        with read_session(self.engine) as session:
            row = session.get(ReviewRow, review_id)
            if row is None:
                raise NotFoundError("cette revue n'existe plus")
            slug = session.scalar(select(ContractRow.slug).where(ContractRow.id == row.contract_id))
            return self._summary(session, row, slug or "")

    def create_review(
        self, contract_slug: str, school_year: str, kind: ReviewKind
    ) -> ReviewSummary:
        """Start a review; the school year must fall within the contract's period."""
        contract = self._get_contract(contract_slug)
        years = school_years_of_contract(contract)
        if school_year not in years:
            raise RevueError(
                f"l'année scolaire {school_year} n'est pas dans la période du contrat "
                f"({', '.join(years)})"
            )
        with write_session(self.engine) as session:
            cid = stable_uuid(contract_slug)
            exists = session.scalar(
                select(ReviewRow.id).where(
                    ReviewRow.contract_id == cid,
                    ReviewRow.school_year == school_year,
                    ReviewRow.kind == kind.value,
                )
            )
            if exists is not None:
                raise ConflictError(f"il existe déjà une revue « {kind.label} {school_year} »")
            if kind is ReviewKind.MIDTERM:
                midterm = session.scalar(
                    select(ReviewRow.school_year).where(
                        ReviewRow.contract_id == cid, ReviewRow.kind == kind.value
                    )
                )
                if midterm is not None:
                    raise ConflictError(
                        f"ce contrat a déjà son évaluation à mi-parcours ({midterm}) : il n'y "
                        "en a qu'une par contrat. Pour cette année, choisissez l'examen annuel "
                        "(ou le bilan final la dernière année)."
                    )
            row = ReviewRow(
                id=uuid.uuid4(), contract_id=cid, school_year=school_year, kind=kind.value
            )
            session.add(row)
            session.flush()
            return self._summary(session, row, contract_slug)

    def _open_review(self, session: Session, review_id: uuid.UUID) -> ReviewRow:
        row = session.get(ReviewRow, review_id)
        if row is None:
            raise NotFoundError("cette revue n'existe plus")
        if row.closed_at is not None:
            raise ReviewClosedError(
                "cette revue est clôturée : elle se consulte mais ne se modifie plus "
                "(rouvrez-la d'abord si c'est nécessaire)"
            )
        return row

    def _contract_slug_for_write(self, session: Session, review_id: uuid.UUID) -> str:
        """The slug of the review's contract, once sure the review may be written."""
        review = self._open_review(session, review_id)
        return (
            session.scalar(select(ContractRow.slug).where(ContractRow.id == review.contract_id))
            or ""
        )

    def close_review(self, review_id: uuid.UUID, note: str = "") -> None:
        """Close the review and freeze it: its records and, since snapshot version 2, its
        whole bilan as it is now (the bilan of a closed review is read from that only)."""
        with write_session(self.engine) as session:
            row = self._open_review(session, review_id)
            closed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            # Read while this transaction holds the write lock: nothing can change meanwhile.
            bilan = self.live_bilan(review_id, local_time(closed_at).date())
            closed = dataclasses.replace(bilan.review, closed=True)
            bilan.review = closed
            bilan.reviews = [closed if r.id == review_id else r for r in bilan.reviews]
            bilan.midterms = [
                dataclasses.replace(m, closed=True)
                if m.school_year == closed.school_year and closed.kind is ReviewKind.MIDTERM
                else m
                for m in bilan.midterms
            ]
            row.closed_at = closed_at
            session.add(ReviewEventRow(review_id=review_id, action="closed", note=note))
            self.history.freeze(session, row, frozen_content(bilan))

    def live_bilan(
        self,
        review_id: uuid.UUID,
        written_on: dt.date,
        *,
        adjust: Callable[[Walk, list[ReviewSummary]], Walk] | None = None,
        synthesis: Synthesis | None = None,
    ) -> Bilan:
        """The bilan of the review from what the store holds now: what an open review's bilan
        shows, and what closing a review freezes. ``adjust`` changes the walk first (given the
        reviews up to this one) and ``synthesis`` replaces the stored one: the bilan of a
        review frozen by an older revue is rebuilt that way."""
        walk = self.load_walk(review_id)
        summary = walk.review
        reviews = self.list_reviews(summary.contract_id)
        reviews = reviews[: [r.id for r in reviews].index(review_id) + 1]
        if adjust is not None:
            walk = adjust(walk, reviews)
        contract = walk.contract
        ref = contract.academic_project
        academic = self._get_academic_project(ref.id) if ref and ref.id else None
        keys = {o.id: stable_uuid(contract.id, "objective", o.id) for o in walk.objectives}
        start = school_year_start(summary.school_year)
        years = [y for y in school_years_of_contract(contract) if school_year_start(y) <= start]
        by_key = self.log.counts_by_kind(list(keys.values()), summary.school_year)
        counts = {slug: by_key[key] for slug, key in keys.items()}
        # Any stored text can be written: control characters (older data) are dropped.
        return scrubbed(
            assemble_bilan(
                walk,
                reviews,
                summary,
                synthesis=synthesis or self.get_synthesis(review_id),
                accompaniments=counts,
                covered_years=self.log.covered_years(
                    list(keys.values()), {*years, summary.school_year}
                ),
                written_on=written_on,
                academic=academic,
            )
        )

    def reopen_review(self, review_id: uuid.UUID, reason: str) -> None:
        if not reason.strip():
            raise RevueError("indiquez pourquoi la revue est rouverte")
        with write_session(self.engine) as session:
            row = session.get(ReviewRow, review_id)
            if row is None:
                raise NotFoundError("cette revue n'existe plus")
            row.closed_at = None
            session.add(ReviewEventRow(review_id=review_id, action="reopened", note=reason.strip()))

    def get_synthesis(self, review_id: uuid.UUID) -> Synthesis:
        with read_session(self.engine) as session:
            row = session.get(ReviewRow, review_id)
            if row is None:
                raise NotFoundError("cette revue n'existe plus")
            return Synthesis(row.strengths, row.vigilance, row.perspectives)

    def save_synthesis(
        self, review_id: uuid.UUID, *, expected: Mapping[str, Any] | None = None, **fields: str
    ) -> None:
        """Save some of strengths / vigilance / perspectives; ``expected`` as for
        :meth:`save_record`."""
        unknown = set(fields) - {"strengths", "vigilance", "perspectives"}
        if unknown:
            raise ValueError(f"unknown fields {unknown}")
        with write_session(self.engine) as session:
            row = self._open_review(session, review_id)
            if expected:
                stored = {name: getattr(row, name) or "" for name in fields}
                _refuse_stale(stored, dict(fields), expected, lambda _name, v: v or "")

            def state() -> dict[str, str]:
                return {
                    "strengths": row.strengths,
                    "vigilance": row.vigilance,
                    "perspectives": row.perspectives,
                }

            before = state()
            for name, value in fields.items():
                setattr(row, name, value)
            self.history.keep_version(
                session,
                "synthesis",
                review_id,
                review_id,
                state(),
                base=before if any(before.values()) else None,
            )

    def review_events(self, review_id: uuid.UUID) -> list[tuple[dt.datetime, str, str]]:
        with read_session(self.engine) as session:
            rows = session.scalars(
                select(ReviewEventRow)
                .where(ReviewEventRow.review_id == review_id)
                .order_by(ReviewEventRow.at)
            ).all()
            return [(r.at, r.action, r.note) for r in rows]

    # --- one objective's record -----------------------------------------------------------

    def _record(
        self, session: Session, review_id: uuid.UUID, objective_uuid: uuid.UUID
    ) -> ObjectiveReviewRow:
        row = session.scalar(
            select(ObjectiveReviewRow).where(
                ObjectiveReviewRow.review_id == review_id,
                ObjectiveReviewRow.objective_id == objective_uuid,
            )
        )
        if row is None:
            row = ObjectiveReviewRow(review_id=review_id, objective_id=objective_uuid)
            session.add(row)
        return row

    def save_record(
        self,
        review_id: uuid.UUID,
        objective_id: str,
        *,
        expected: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        """Save some of status / analysis / adjustments / actions_done for one objective.

        ``expected`` holds, by field, the value the edit started from: when the stored one
        moved on meanwhile (and differs from the new one too), nothing is written and
        StaleEdit says what is stored instead."""
        allowed = {"status", "analysis", "adjustments", "actions_done"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown fields {unknown}")
        new = {name: _record_value(name, value) for name, value in fields.items()}
        with write_session(self.engine) as session:
            slug = self._contract_slug_for_write(session, review_id)
            oid = stable_uuid(slug, "objective", objective_id)
            self.history.keep_base_objective(session, review_id, oid)
            record = self._record(session, review_id, oid)
            if expected:
                stored = {name: _record_value(name, getattr(record, name)) for name in new}
                _refuse_stale(stored, new, expected, _record_value)
            for name, value in new.items():
                setattr(record, name, value)
            self.history.keep_objective(session, review_id, oid)

    def save_value(
        self,
        review_id: uuid.UUID,
        indicator_id: str,
        value: float | None,
        *,
        expected: Mapping[str, Any] | None = None,
    ) -> None:
        """Save this review's value of an indicator; ``expected`` (``{"value": …}``) as for
        :meth:`save_record`."""
        with write_session(self.engine) as session:
            slug = self._contract_slug_for_write(session, review_id)
            indicator_uuid = stable_uuid(slug, "indicator", indicator_id)
            oid = session.scalar(
                select(IndicatorRow.objective_id).where(IndicatorRow.id == indicator_uuid)
            )
            if oid is None:
                raise NotFoundError(f"aucun indicateur « {indicator_id} » dans ce contrat")
            self.history.keep_base_objective(session, review_id, oid)
            row = session.scalar(
                select(IndicatorValueRow).where(
                    IndicatorValueRow.review_id == review_id,
                    IndicatorValueRow.indicator_id == indicator_uuid,
                )
            )
            if expected:
                stored = {"value": None if row is None else row.value}
                _refuse_stale(stored, {"value": value}, expected, lambda _name, v: v)
            if row is None:
                row = IndicatorValueRow(review_id=review_id, indicator_id=indicator_uuid)
                session.add(row)
            row.value = value
            self.history.keep_objective(session, review_id, oid)

    def add_evidence(
        self,
        review_id: uuid.UUID,
        objective_id: str,
        date: dt.date,
        text: str,
        source: EvidenceSource,
        file_path: str = "",
    ) -> Evidence:
        if not text.strip():
            raise RevueError("le texte de l'élément de preuve est vide")
        with write_session(self.engine) as session:
            slug = self._contract_slug_for_write(session, review_id)
            oid = stable_uuid(slug, "objective", objective_id)
            self.history.keep_base_objective(session, review_id, oid)
            row = EvidenceRow(
                id=uuid.uuid4(),
                review_id=review_id,
                objective_id=oid,
                date=date,
                text=text.strip(),
                source=source.value,
                file_path=file_path.strip(),
            )
            session.add(row)
            self.history.keep_objective(session, review_id, oid)
            return Evidence(
                id=row.id,
                objective_id=objective_id,
                date=date,
                text=row.text,
                source=source,
                file_path=row.file_path,
            )

    def delete_evidence(self, review_id: uuid.UUID, evidence_id: uuid.UUID) -> None:
        with write_session(self.engine) as session:
            self._open_review(session, review_id)
            oid = session.scalar(
                select(EvidenceRow.objective_id).where(
                    EvidenceRow.id == evidence_id, EvidenceRow.review_id == review_id
                )
            )
            if oid is None:
                return
            self.history.keep_base_objective(session, review_id, oid)
            session.execute(
                delete(EvidenceRow).where(
                    EvidenceRow.id == evidence_id, EvidenceRow.review_id == review_id
                )
            )
            self.history.keep_objective(session, review_id, oid)

    def update_evidence(self, review_id: uuid.UUID, item: Evidence) -> Evidence:
        """Correct an evidence item in place (its date, text, source, file), kept in the
        objective's history; the item must still exist."""
        if not item.text.strip():
            raise RevueError("le texte de l'élément de preuve est vide")
        with write_session(self.engine) as session:
            self._open_review(session, review_id)
            row = session.scalar(
                select(EvidenceRow).where(
                    EvidenceRow.id == item.id, EvidenceRow.review_id == review_id
                )
            )
            if row is None:
                raise NotFoundError("cet élément de preuve n'existe plus (supprimé ailleurs ?)")
            self.history.keep_base_objective(session, review_id, row.objective_id)
            row.date = item.date
            row.text = item.text.strip()
            row.source = item.source.value
            row.file_path = item.file_path.strip()
            self.history.keep_objective(session, review_id, row.objective_id)
            return Evidence(
                id=row.id,
                objective_id=item.objective_id,
                date=row.date,
                text=row.text,
                source=item.source,
                file_path=row.file_path,
            )

    def put_back_evidence(self, review_id: uuid.UUID, item: Evidence) -> None:
        """Undo a deletion: the item comes back with its own id (nothing when it is there)."""
        with write_session(self.engine) as session:
            slug = self._contract_slug_for_write(session, review_id)
            oid = stable_uuid(slug, "objective", item.objective_id)
            there = session.scalar(select(EvidenceRow.id).where(EvidenceRow.id == item.id))
            if there is not None:
                return
            self.history.keep_base_objective(session, review_id, oid)
            session.add(
                EvidenceRow(
                    id=item.id,
                    review_id=review_id,
                    objective_id=oid,
                    date=item.date,
                    text=item.text,
                    source=item.source.value,
                    file_path=item.file_path,
                )
            )
            self.history.keep_objective(session, review_id, oid)

    def copy_forward(self, review_id: uuid.UUID, objective_id: str) -> ObjectiveReview | None:
        """Take over the previous review's status and analysis for one objective."""
        walk = self.load_walk(review_id)
        previous = walk.previous.get(objective_id)
        if previous is None:
            return None
        self.save_record(
            review_id, objective_id, status=previous.status, analysis=previous.analysis
        )
        return previous

    # --- one objective's history ----------------------------------------------------------

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
            return self.history.entries(session, OBJECTIVE, oid, review_id)

    def restore_objective(
        self,
        review_id: uuid.UUID,
        objective_slug: str,
        entry_id: uuid.UUID,
        *,
        expected: Mapping[str, Any] | None = None,
    ) -> None:
        """Put an objective's record back as it was in one of its versions (itself recorded as
        a new version, so a restore can be undone the same way). ``expected``: the record as
        the history was opened on; if someone saved another one since, nothing is restored."""
        with write_session(self.engine) as session:
            self._open_review(session, review_id)
            oid = self._objective_uuid(session, review_id, objective_slug)
            row = session.get(HistoryRow, entry_id)
            if row is None or row.item_id != oid or row.review_id != review_id:
                raise NotFoundError("cette version n'existe plus")
            self.history.keep_base_objective(session, review_id, oid)
            content = row.content
            record = session.scalar(
                select(ObjectiveReviewRow).where(
                    ObjectiveReviewRow.review_id == review_id,
                    ObjectiveReviewRow.objective_id == oid,
                )
            )
            if expected:
                stored = {
                    name: _record_value(name, getattr(record, name) if record else None)
                    for name in expected
                }
                if any(stored[n] != _record_value(n, v) for n, v in expected.items()):
                    raise StaleEdit(
                        {n: stored[n] for n in expected},
                        "l'objectif a été modifié ailleurs pendant que vous regardiez son "
                        "historique : rien n'a été rétabli ; rouvrez l'historique (F4) pour "
                        "voir la dernière version",
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
            self.history.keep_objective(session, review_id, oid, note=restoration_note(row.at))

    # --- snapshots ------------------------------------------------------------------------

    def review_snapshot(self, review_id: uuid.UUID) -> Snapshot | None:
        """The snapshot taken when the review was last closed (None if it is not closed)."""
        with read_session(self.engine) as session:
            return self.history.snapshot(session, review_id)

    def snapshot_problems(self) -> list[str]:
        """Snapshots whose text no longer matches their SHA-256 (French, for ``revue check``;
        each circonscription's apart when this role reads several: :func:`grants.each_owner`)."""
        with read_session(self.engine) as session:
            return each_owner(session, self.history.snapshot_problems)

    # --- the walk -------------------------------------------------------------------------

    def load_walk(self, review_id: uuid.UUID) -> Walk:
        summary = self.get_review(review_id)
        initial = self._get_contract(summary.contract_id)
        avenants = self.list_avenants(summary.contract_id)
        contract, targets = apply_avenants(initial, avenants)
        with read_session(self.engine) as session:
            reviews = session.scalars(
                select(ReviewRow).where(ReviewRow.contract_id == stable_uuid(contract.id))
            ).all()
            reviews = sorted(reviews, key=lambda r: _sort_key(r.school_year, r.kind))
            objective_slugs = dict(
                session.execute(
                    select(ObjectiveRow.id, ObjectiveRow.slug).where(
                        ObjectiveRow.contract_id == stable_uuid(contract.id)
                    )
                ).all()
            )
            indicator_slugs = {
                stable_uuid(contract.id, "indicator", i.id): i.id
                for o in initial.objectives
                for i in o.indicators
            }
            records = self._records(session, review_id, objective_slugs)
            index = [r.id for r in reviews].index(review_id)
            previous_row = reviews[index - 1] if index > 0 else None
            previous = (
                self._records(session, previous_row.id, objective_slugs) if previous_row else {}
            )
            values: dict[str, float | None] = {}
            history: dict[str, dict[str, float]] = {}
            year_of = {r.id: r.school_year for r in reviews}
            rank = {r.id: i for i, r in enumerate(reviews)}
            rows = session.execute(
                select(
                    IndicatorValueRow.review_id,
                    IndicatorValueRow.indicator_id,
                    IndicatorValueRow.value,
                ).where(IndicatorValueRow.review_id.in_(list(year_of)))
            ).all()
            for rid, iid, value in sorted(rows, key=lambda r: rank[r[0]]):
                slug = indicator_slugs.get(iid)
                if slug is None:
                    continue
                if rid == review_id:
                    values[slug] = value
                elif value is not None and rank[rid] < rank[review_id]:
                    history.setdefault(slug, {})[year_of[rid]] = value
        # Counts taken from the accompaniment log: this year's, and every earlier year's.
        review_start = school_year_start(summary.school_year)
        years = [
            y for y in school_years_of_contract(contract) if school_year_start(y) <= review_start
        ] or [summary.school_year]
        requests = [
            (indicator.id, indicator.computed, stable_uuid(contract.id, "objective", objective.id))
            for objective in contract.objectives
            for indicator in objective.indicators
            if indicator.computed is not None
        ]
        counts = self.log.count_computed_many(requests, years)
        for (indicator_id, year), count in counts.items():
            if year == summary.school_year:
                values[indicator_id] = float(count)
            else:
                history.setdefault(indicator_id, {})[year] = float(count)
        return Walk(
            review=summary,
            contract=contract,
            initial=initial,
            objectives=list(contract.objectives_in_order()),
            sections={s.id: s for s in contract.sections},
            records=records,
            values=values,
            history=history,
            previous=previous,
            previous_title=(
                f"{ReviewKind(previous_row.kind).label} {previous_row.school_year}"
                if previous_row
                else None
            ),
            targets=targets,
            avenants=avenants,
            previous_id=previous_row.id if previous_row else None,
        )

    def _records(
        self, session: Session, review_id: uuid.UUID, objective_slugs: dict[uuid.UUID, str]
    ) -> dict[str, ObjectiveReview]:
        out: dict[str, ObjectiveReview] = {}
        for row in session.scalars(
            select(ObjectiveReviewRow).where(ObjectiveReviewRow.review_id == review_id)
        ):
            slug = objective_slugs.get(row.objective_id)
            if slug is not None:
                out[slug] = ObjectiveReview(
                    objective_id=slug,
                    status=Status(row.status) if row.status else None,
                    analysis=row.analysis,
                    adjustments=row.adjustments,
                    actions_done=list(row.actions_done or []),
                )
        for ev in session.scalars(
            select(EvidenceRow)
            .where(EvidenceRow.review_id == review_id)
            .order_by(EvidenceRow.date, EvidenceRow.created_at)
        ):
            slug = objective_slugs.get(ev.objective_id)
            if slug is not None:
                out.setdefault(slug, ObjectiveReview(slug)).evidence.append(
                    Evidence(
                        id=ev.id,
                        objective_id=slug,
                        date=ev.date,
                        text=ev.text,
                        source=EvidenceSource(ev.source),
                        file_path=ev.file_path,
                    )
                )
        return out

    # --- avenants -------------------------------------------------------------------------

    def list_avenants(self, contract_slug: str) -> list[Avenant]:
        with read_session(self.engine) as session:
            rows = session.scalars(
                select(AvenantRow)
                .where(AvenantRow.contract_id == stable_uuid(contract_slug))
                .order_by(AvenantRow.number)
            ).all()
            return [
                Avenant(
                    number=row.number,
                    date=row.date,
                    reason=row.reason,
                    review_id=row.review_id,
                    changes=[
                        AvenantChange(
                            kind=ChangeKind(c.kind),
                            objective_id=c.objective_slug,
                            target_id=c.target_slug,
                            before=dict(c.before),
                            after=dict(c.after),
                        )
                        for c in row.changes
                    ],
                )
                for row in rows
            ]

    def record_avenant(self, review_id: uuid.UUID, avenant: Avenant) -> None:
        """Record an avenant and its changes, all or nothing, during an évaluation à
        mi-parcours that is still open."""
        summary = self.get_review(review_id)
        if summary.kind is not ReviewKind.MIDTERM:
            raise RevueError("un avenant s'enregistre pendant une évaluation à mi-parcours")
        if not avenant.reason.strip():
            raise RevueError("indiquez le motif de l'avenant")
        if not avenant.changes:
            raise RevueError("un avenant contient au moins une modification")
        for k, change in enumerate(avenant.changes, start=1):
            if change.kind is ChangeKind.ACTION_ADD and not change.target_id:
                change.target_id = added_action_id(change.objective_id, avenant.number, k)
        current, _ = apply_avenants(
            self._get_contract(summary.contract_id), self.list_avenants(summary.contract_id)
        )
        apply_avenants(current, [avenant])  # raises on a change that does not fit the contract
        with write_session(self.engine) as session:
            self._open_review(session, review_id)
            cid = stable_uuid(summary.contract_id)
            taken = session.scalar(
                select(AvenantRow.id).where(
                    AvenantRow.contract_id == cid, AvenantRow.number == avenant.number
                )
            )
            if taken is not None:
                raise ConflictError(f"l'avenant n° {avenant.number} existe déjà")
            row = AvenantRow(
                contract_id=cid,
                review_id=review_id,
                number=avenant.number,
                date=avenant.date,
                reason=avenant.reason.strip(),
            )
            for position, change in enumerate(avenant.changes):
                row.changes.append(
                    AvenantChangeRow(
                        position=position,
                        kind=change.kind,
                        objective_slug=change.objective_id,
                        target_slug=change.target_id,
                        before=dict(change.before),
                        after=dict(change.after),
                    )
                )
            session.add(row)

    def changes_since_last(self, review_id: uuid.UUID) -> list[ChangeLine]:
        """What changed between the previous review of the contract and this one."""
        walk = self.load_walk(review_id)
        if walk.previous_id is None:
            return []
        before = self.load_walk(walk.previous_id)
        return compare_walks(before, walk)

    def revised_contract(self, contract_slug: str) -> Revision:
        """The contract as signed, as revised by its avenants, and each indicator's target."""
        initial = self._get_contract(contract_slug)
        avenants = self.list_avenants(contract_slug)
        revised, targets = apply_avenants(initial, avenants)
        return Revision(initial=initial, revised=revised, targets=targets, avenants=avenants)

    def has_reviews(self, contract_slug: str) -> bool:
        with read_session(self.engine) as session:
            return (
                session.scalar(
                    select(ReviewRow.id)
                    .where(ReviewRow.contract_id == stable_uuid(contract_slug))
                    .limit(1)
                )
                is not None
            )


def _record_value(name: str, value: Any) -> Any:
    """A record field as stored: a status by its value, actions done sorted, texts as text."""
    if name == "status":
        return None if value is None else Status(value).value
    if name == "actions_done":
        return sorted(set(value or []))
    return value or ""


def _refuse_stale(
    stored: Mapping[str, Any],
    new: Mapping[str, Any],
    expected: Mapping[str, Any],
    normal: Callable[[str, Any], Any],
) -> None:
    """StaleEdit when a field's stored value is neither what the edit started from nor what
    it writes (then somebody else wrote it meanwhile)."""
    theirs = {
        name: stored[name]
        for name in new
        if name in expected
        and stored[name] != normal(name, expected[name])
        and stored[name] != new[name]
    }
    if theirs:
        raise StaleEdit(theirs)
