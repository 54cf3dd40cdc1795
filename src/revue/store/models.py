"""The store's tables (SQLAlchemy 2.x typed ORM).

Keys are UUIDs so that data made on different laptops can later be merged; the UUIDs of what a
contract file defines are derived from its slugs (:func:`revue.domain.stable_uuid`), so the same
file gives the same keys everywhere. Every change of these classes needs an Alembic migration in
``revue/store/migrations/versions``; ``tests/test_store.py`` checks they agree.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}
    #: Every model here is mapped to a plain Table (SQLAlchemy types ``__table__`` as the
    #: more general FromClause); bulk writes need the Table (its name, its columns' types).
    __table__: ClassVar[Table]


class AcademicProjectRow(Base):
    """A projet académique: its whole tree is ``document`` (``revue.domain.academic``'s plain
    data), ``source`` the text of the file it was imported from, written back on export."""

    __tablename__ = "academic_projects"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    academie: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[str] = mapped_column(String(32), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[str] = mapped_column(Text, default="")


class ContractRow(Base):
    __tablename__ = "contracts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    circonscription: Mapped[str] = mapped_column(Text)
    academie: Mapped[str] = mapped_column(Text, default="")
    departement: Mapped[str] = mapped_column(Text, default="")
    ien: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    signature_date: Mapped[dt.date | None] = mapped_column(Date)
    signature_place: Mapped[str] = mapped_column(Text, default="")
    preamble: Mapped[str] = mapped_column(Text, default="")
    academic_project_slug: Mapped[str | None] = mapped_column(String(64))
    academic_project_title: Mapped[str | None] = mapped_column(Text)
    parties: Mapped[list[Any]] = mapped_column(default=list)
    articles: Mapped[list[Any]] = mapped_column(default=list)
    lists: Mapped[list[Any]] = mapped_column(default=list)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    sections: Mapped[list[SectionRow]] = relationship(
        back_populates="contract",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SectionRow.position",
    )
    objectives: Mapped[list[ObjectiveRow]] = relationship(
        back_populates="contract",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ObjectiveRow.position",
    )


class SectionRow(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("contract_id", "slug"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64))
    #: Place in the document (depth-first, shared with objectives).
    position: Mapped[int]
    level: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(32), default="")
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    lists: Mapped[list[Any]] = mapped_column(default=list)

    contract: Mapped[ContractRow] = relationship(back_populates="sections")
    parent: Mapped[SectionRow | None] = relationship(remote_side=[id])


class ObjectiveRow(Base):
    __tablename__ = "objectives"
    __table_args__ = (
        UniqueConstraint("contract_id", "slug"),
        Index("ix_objectives_contract_position", "contract_id", "position"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    section_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64))
    #: Place in the document (depth-first, shared with sections): the order of the review walk.
    position: Mapped[int]
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    criteria: Mapped[list[Any]] = mapped_column(default=list)
    academic_links: Mapped[list[Any]] = mapped_column(default=list)

    contract: Mapped[ContractRow] = relationship(back_populates="objectives")
    section: Mapped[SectionRow | None] = relationship()
    indicators: Mapped[list[IndicatorRow]] = relationship(
        back_populates="objective",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="IndicatorRow.position",
    )
    actions: Mapped[list[ActionRow]] = relationship(
        back_populates="objective",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ActionRow.position",
    )


class IndicatorRow(Base):
    __tablename__ = "indicators"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    objective_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_year: Mapped[str | None] = mapped_column(String(9))
    target_value: Mapped[float | None] = mapped_column(Float)
    target_year: Mapped[str | None] = mapped_column(String(9))
    direction: Mapped[str] = mapped_column(String(8))
    #: For counts taken from the accompaniment log: the filter (see ComputedCount).
    computed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")

    objective: Mapped[ObjectiveRow] = relationship(back_populates="indicators")


class ActionRow(Base):
    __tablename__ = "actions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    objective_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(Text, default="")
    due: Mapped[str] = mapped_column(Text, default="")

    objective: Mapped[ObjectiveRow] = relationship(back_populates="actions")


# --- reviews (migration 0002) ---------------------------------------------------------------


class ReviewRow(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("contract_id", "school_year", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    school_year: Mapped[str] = mapped_column(String(9))
    kind: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    # The synthesis written for the bilan (migration 0004).
    strengths: Mapped[str] = mapped_column(Text, default="", server_default="")
    vigilance: Mapped[str] = mapped_column(Text, default="", server_default="")
    perspectives: Mapped[str] = mapped_column(Text, default="", server_default="")


class ReviewEventRow(Base):
    """Closing and reopening a review, kept as a record."""

    __tablename__ = "review_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    action: Mapped[str] = mapped_column(String(16))  # "closed" | "reopened"
    note: Mapped[str] = mapped_column(Text, default="")


class ObjectiveReviewRow(Base):
    __tablename__ = "objective_reviews"
    __table_args__ = (UniqueConstraint("review_id", "objective_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    review_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    objective_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str | None] = mapped_column(String(24))
    analysis: Mapped[str] = mapped_column(Text, default="")
    adjustments: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    #: Ids of the objective's actions marked as carried out (migration 0005).
    actions_done: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")


class IndicatorValueRow(Base):
    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("review_id", "indicator_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    review_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    indicator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class EvidenceRow(Base):
    __tablename__ = "evidence"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    objective_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))
    file_path: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class AvenantRow(Base):
    __tablename__ = "avenants"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    review_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL")
    )
    number: Mapped[int]
    date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    changes: Mapped[list[AvenantChangeRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="AvenantChangeRow.position"
    )


class AvenantChangeRow(Base):
    __tablename__ = "avenant_changes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    avenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("avenants.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(24))
    objective_slug: Mapped[str] = mapped_column(String(64))
    target_slug: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- accompaniment log (migration 0003) -------------------------------------------------------


class SchoolRow(Base):
    __tablename__ = "schools"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uai: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(Text)
    commune: Mapped[str] = mapped_column(Text, default="")
    network: Mapped[str] = mapped_column(Text, default="")  # réseau, e.g. "REP+ Jean-Vilar"
    priority: Mapped[str] = mapped_column(String(8), default="")  # "", "REP", "REP+"
    fictitious: Mapped[bool] = mapped_column(default=False)


class AccompanimentRow(Base):
    """One accompaniment logged by a conseiller; versions chain by content hash so that
    exchanges between laptops can tell an update from a conflict."""

    __tablename__ = "accompaniments"
    __table_args__ = (
        Index("ix_accompaniments_date", "date"),
        # The log's filters and counts by date, without reading each match (migration 0011).
        Index("ix_accompaniments_deleted_date", "deleted", "date"),
        # The few entries in conflict, found without reading the whole log (migration 0006;
        # partial on PostgreSQL too since migration 0011).
        Index(
            "ix_accompaniments_in_conflict",
            "date",
            sqlite_where=text("json_array_length(conflicts) > 0"),
            postgresql_where=text("json_array_length(conflicts) > 0"),
        ),
        # The change marker screens poll reads the newest update time (migration 0006).
        Index("ix_accompaniments_updated_at", "updated_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(Text)
    network: Mapped[str] = mapped_column(Text, default="")
    modality: Mapped[str] = mapped_column(String(16))
    initiative: Mapped[str] = mapped_column(String(16))
    theme: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int | None]
    participants: Mapped[int | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    deleted: Mapped[bool] = mapped_column(default=False)
    #: sha256 of this version (content and parents), its parents, and every version it
    #: descends from: an exchange compares these to tell an update from a conflict.
    version: Mapped[str] = mapped_column(String(64))
    parents: Mapped[list[Any]] = mapped_column(default=list)
    ancestors: Mapped[list[Any]] = mapped_column(default=list)
    #: Versions made elsewhere that neither descend from nor precede this one, kept whole until
    #: someone picks (same shape as an exchange file entry).
    conflicts: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    #: When the entry arrived new by an exchange (migration 0007). Such an entry has no history
    #: row until it changes: its first version is this row, by its author, at this time.
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    #: Theme and notes folded (no case, no accents: revue.domain.french.fold), what the log's search
    #: looks through (migration 0007).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: For a version received signed (migration 0008): the fingerprint of the key that signed
    #: it and the signature, relayed as they are when this store exports the entry. None for a
    #: version made here (signed when exported) or received unsigned.
    signer: Mapped[str | None] = mapped_column(String(64), default=None)
    signature: Mapped[str | None] = mapped_column(String(128), default=None)


class AccompanimentSchoolRow(Base):
    __tablename__ = "accompaniment_schools"

    accompaniment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accompaniments.id", ondelete="CASCADE"), primary_key=True
    )
    uai: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class AccompanimentObjectiveRow(Base):
    """Link to an objective by its stable key (the contract may not be on every laptop)."""

    __tablename__ = "accompaniment_objectives"

    accompaniment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accompaniments.id", ondelete="CASCADE"), primary_key=True
    )
    objective_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)


# --- signed exchanges (migration 0008) -------------------------------------------------------


class StoreKeyRow(Base):
    """This store's own Ed25519 key, made the first time it is needed. One row. It lives in
    the store (private, 0600) so that a backup restored keeps the same key, and it is never
    written to an exchange file: only its public half is."""

    __tablename__ = "store_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    private_key: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class KnownKeyRow(Base):
    """A colleague's public key, accepted once (trust on first use) under the name it came
    with. ``removed_at``: no longer trusted (files it signs are refused), kept to relay the
    versions it signed before."""

    __tablename__ = "known_keys"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    name: Mapped[str] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


# --- history and frozen snapshots (migration 0006) --------------------------------------------


class HistoryRow(Base):
    """One version of an item as it stood after a change: who made it, when, and the content.

    ``kind`` is ``"objective"`` (one objective's record in a review: status, values, analysis,
    adjustments, actions done, evidence; ``review_id`` set) or ``"accompaniment"``.
    """

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_item", "kind", "item_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16))
    review_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[uuid.UUID]
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    author: Mapped[str] = mapped_column(Text, default="")
    #: What happened, for the reader: "", "restauration", "fusion : …".
    note: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class ReviewSnapshotRow(Base):
    """The review as it stood when it was closed, frozen, with the SHA-256 of that text."""

    __tablename__ = "review_snapshots"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    sha256: Mapped[str] = mapped_column(String(64))
    #: Canonical JSON (sorted keys, UTF-8): the bytes the SHA-256 is computed on.
    content: Mapped[str] = mapped_column(Text)
