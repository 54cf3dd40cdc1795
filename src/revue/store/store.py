"""The store: every read and write of revue's data goes through :class:`Store`.

It hands out plain :mod:`revue.domain` objects, never ORM rows, so callers (CLI, app workers)
can keep them after the session is gone and pass them between threads.

The store reads and writes contracts and projets académiques itself and holds three
collaborators for the rest: :attr:`Store.reviews` (:class:`~revue.store.reviews.Reviews`),
:attr:`Store.log` (:class:`~revue.store.log.Log`) and :attr:`Store.history`
(:class:`~revue.store.history.History`), which both of the others use to keep versions inside
their transactions. Every public method of the reviews and the log is also a method of the
store, which delegates to them: callers need not know which part answers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from sqlalchemy import CursorResult, Engine, delete, func, select, text
from sqlalchemy.orm import Session, selectinload

from revue.domain.academic import (
    AcademicProject,
    AcademicProjectSummary,
    project_data,
    project_from_data,
)
from revue.domain.avenant import Avenant, ChangeKind, Revision, link_of
from revue.domain.contract import (
    AcademicProjectRef,
    Action,
    Article,
    ComputedCount,
    Contract,
    ContractSummary,
    Direction,
    DocumentKind,
    Indicator,
    LabelledList,
    Objective,
    Party,
    Section,
    stable_uuid,
)
from revue.domain.errors import ConflictError, NotFoundError
from revue.domain.history import COALESCE_WINDOW, HistoryEntry, Snapshot
from revue.domain.log import Content, KnownKey, LogFilter, MergeReport, Saved, School, Version
from revue.domain.review import (
    ChangeLine,
    Evidence,
    EvidenceSource,
    ObjectiveReview,
    ReviewKind,
    ReviewSummary,
    Synthesis,
    Walk,
)
from revue.formats.config import default_author
from revue.store.backup import Backup, backup_alongside, take_backup
from revue.store.catalog import CONTRACT_LIST, summaries
from revue.store.db import (
    checkpoint,
    open_engine,
    read_session,
    set_wait_notice,
    write_session,
)
from revue.store.grants import each_owner
from revue.store.history import History, restoration_note
from revue.store.log import Exported, Log
from revue.store.models import (
    AcademicProjectRow,
    AccompanimentRow,
    ActionRow,
    AvenantChangeRow,
    AvenantRow,
    ContractRow,
    HistoryRow,
    IndicatorRow,
    ObjectiveRow,
    ReviewRow,
    SectionRow,
)
from revue.store.paths import Notice, sqlite_path
from revue.store.reviews import Reviews

#: The history kind of a contract's versions written in the editor (content: its TOML text).
CONTRACT_HISTORY = "contract"

#: Why a contract with a review is no longer written in the editor.
LOCKED = (
    "le contrat « {slug} » a déjà des revues : ses objectifs, cibles, actions et rattachements "
    "ne changent plus que par avenant (dans la liste des revues, « a » sur une évaluation à "
    "mi-parcours)"
)


def _lists_in(lists: list[LabelledList]) -> list[dict[str, Any]]:
    return [{"label": li.label, "items": list(li.items)} for li in lists]


def _lists_out(raw: list[Any]) -> list[LabelledList]:
    return [LabelledList(label=li["label"], items=list(li["items"])) for li in raw]


if TYPE_CHECKING:
    from revue.formats.exchange import Exchange
    from revue.store.keys import Keys


class Store:
    """A revue store at a SQLAlchemy URL, migrated to the current schema when opened.

    ``author`` is who the histories name for the changes made through this store: the
    configured user (``revue config set user``), else the system login.
    """

    def __init__(self, engine: Engine, url: str, author: str | None = None) -> None:
        self.engine = engine
        self.url = url
        self.history = History(default_author() if author is None else author)
        self._keys: Keys | None = None
        self.log = Log(engine, self.history, self.backup_alongside, lambda: self.keys)
        self.reviews = Reviews(
            engine, self.history, self.log, self.get_contract, self.get_academic_project
        )

    @property
    def keys(self) -> Keys:
        """This store's signing key and the keys it trusts (revue.store.keys), loaded with the
        signing library on first use: start-up and most commands do not need them."""
        if self._keys is None:
            from revue.store.keys import Keys

            self._keys = Keys(self.engine, lambda: self.history.author)
        return self._keys

    @property
    def author(self) -> str:
        """Who the histories name for the changes made through this store."""
        return self.history.author

    @author.setter
    def author(self, author: str) -> None:
        self.history.author = author

    @classmethod
    def open(cls, url: str, author: str | None = None, *, notice: Notice | None = None) -> Store:
        """Open (create, upgrade) the store at ``url``; see :func:`revue.store.db.open_engine`.

        ``notice`` is told, in French, when revue waits: for another revue creating or
        upgrading the store, or for another program's write to finish before writing.
        """
        engine = open_engine(url, notice)
        set_wait_notice(engine, notice)
        return cls(engine, url, author)

    def close(self) -> None:
        """Let go of the store, its WAL copied back into the file: a copy of the ``.sqlite3``
        file alone then holds everything."""
        self.engine.dispose()
        checkpoint(self.engine)

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a server database."""
        return sqlite_path(self.url)

    def integrity_problems(self) -> str:
        """SQLite's quick check and foreign-key check: "" when all is well (or not SQLite)."""
        from revue.store.backup import integrity_problems

        return integrity_problems(self.path) if self.path is not None else ""

    def backup(self, reason: str) -> Backup | None:
        """Keep a copy of the store before a large change (SQLite stores only)."""
        return take_backup(self.path, reason) if self.path is not None else None

    @contextmanager
    def backup_alongside(self, reason: str) -> Iterator[None]:
        """A backup taken in a thread while the body writes under the lock it already holds
        (see :func:`revue.store.backup.backup_alongside`)."""
        if self.path is None:
            yield
            return
        with backup_alongside(self.path, reason):
            yield

    # --- projets académiques -----------------------------------------------------------------

    def list_academic_projects(self) -> list[AcademicProjectSummary]:
        with read_session(self.engine) as session:
            rows = session.scalars(select(AcademicProjectRow).order_by(AcademicProjectRow.slug))
            return [
                AcademicProjectSummary(
                    uuid=row.id,
                    id=row.slug,
                    title=row.title,
                    academie=row.academie,
                    period=row.period,
                    objective_count=len(_project_from_row(row).objectives()),
                )
                for row in rows
            ]

    def get_academic_project(self, slug: str) -> AcademicProject | None:
        with read_session(self.engine) as session:
            row = session.scalar(select(AcademicProjectRow).where(AcademicProjectRow.slug == slug))
            return None if row is None else _project_from_row(row)

    def academic_citations(self, slug: str) -> dict[str, dict[str, list[str]]]:
        """What the contracts attached to projet ``slug`` cite of it: contract id -> objective
        id -> keys, as signed and as added by avenant (a key an avenant later dropped is still
        cited by the contract as signed)."""
        with read_session(self.engine) as session:
            return _citations(session, slug)

    def link_problems(self) -> list[str]:
        """Every link of a contract objective (as signed or added by avenant) that names no
        item of the contract's projet académique, in French, for ``revue check`` (each
        circonscription's apart when this role reads several: :func:`grants.each_owner`)."""
        with read_session(self.engine) as session:
            return each_owner(session, _link_problems)

    def save_academic_project(self, project: AcademicProject, *, replace: bool = False) -> None:
        """Add a projet académique, all or nothing; with ``replace``, take the place of the one
        with the same id, unless that would remove an item a contract cites."""
        with write_session(self.engine) as session:
            existing = session.scalar(
                select(AcademicProjectRow.id).where(AcademicProjectRow.slug == project.id)
            )
            if existing is not None:
                if not replace:
                    raise ConflictError(
                        f"le projet académique « {project.id} » est déjà enregistré : relancez "
                        "avec --replace pour le remplacer"
                    )
                _refuse_lost_citations(session, project)
                session.execute(delete(AcademicProjectRow).where(AcademicProjectRow.id == existing))
                session.flush()
            session.add(
                AcademicProjectRow(
                    id=stable_uuid("pa", project.id),
                    slug=project.id,
                    title=project.title,
                    academie=project.academie,
                    period=project.period,
                    document=project_data(project),
                    source=project.source,
                )
            )

    # --- contracts -----------------------------------------------------------------------------

    def list_contracts(self) -> list[ContractSummary]:
        """Every contract, newest first, with its number of objectives: the query of
        :mod:`revue.store.catalog`, which ``revue contract list`` also runs without the ORM
        (the first screen needs no ORM mapper configured either: docs/performance.md)."""
        with self.engine.connect() as conn:
            return summaries(conn.execute(text(CONTRACT_LIST)).all())

    def contract_exists(self, slug: str) -> bool:
        with read_session(self.engine) as session:
            return (
                session.scalar(select(ContractRow.id).where(ContractRow.slug == slug)) is not None
            )

    def get_contract(self, slug: str) -> Contract:
        """The whole contract (5 queries whatever its size)."""
        with read_session(self.engine) as session:
            row = session.scalar(
                select(ContractRow)
                .where(ContractRow.slug == slug)
                .options(
                    selectinload(ContractRow.sections),
                    selectinload(ContractRow.objectives).selectinload(ObjectiveRow.indicators),
                    selectinload(ContractRow.objectives).selectinload(ObjectiveRow.actions),
                )
            )
            if row is None:
                raise NotFoundError(f"aucun contrat « {slug} » dans les données")
            return _contract_from_row(row)

    def save_contract(self, contract: Contract, *, replace: bool = False) -> None:
        """Add a contract, all or nothing; with ``replace``, take the place of the one with the
        same id (in the same transaction: if anything fails, the old one stays)."""
        with write_session(self.engine) as session:
            existing = session.scalar(select(ContractRow.id).where(ContractRow.slug == contract.id))
            if existing is not None:
                if not replace:
                    raise ConflictError(
                        f"le contrat « {contract.id} » est déjà enregistré : relancez avec "
                        "--replace pour le remplacer"
                    )
                if (
                    session.scalar(
                        select(ReviewRow.id).where(ReviewRow.contract_id == existing).limit(1)
                    )
                    is not None
                ):
                    raise ConflictError(
                        f"le contrat « {contract.id} » a déjà des revues : il ne se remplace plus ; "
                        "ses objectifs, cibles et actions changent par avenant, lors d'une "
                        "évaluation à mi-parcours"
                    )
                session.execute(delete(ContractRow).where(ContractRow.id == existing))
                session.flush()
            session.add(_contract_to_row(contract))

    def delete_contract(self, slug: str, *, with_reviews: bool = False) -> Backup | None:
        """Remove a contract with its reviews, avenants and history, after a backup (returned).
        A contract that has reviews is refused unless ``with_reviews``; accompaniments stay
        (they name objectives by their stable keys)."""
        if not self.contract_exists(slug):
            raise NotFoundError(f"aucun contrat « {slug} » dans les données")
        self._refuse_reviews(slug, with_reviews)
        made = self.backup("suppression")
        with write_session(self.engine) as session:
            self._refuse_reviews(slug, with_reviews, session)  # again, under the write lock
            session.execute(
                delete(HistoryRow).where(
                    HistoryRow.kind == CONTRACT_HISTORY, HistoryRow.item_id == stable_uuid(slug)
                )
            )
            found = session.execute(delete(ContractRow).where(ContractRow.slug == slug))
            assert isinstance(found, CursorResult)  # what a DELETE returns: it has the rowcount
            if found.rowcount == 0:
                raise NotFoundError(f"aucun contrat « {slug} » dans les données")
        return made

    def review_count(self, slug: str, session: Session | None = None) -> int:
        """How many reviews contract ``slug`` has (0 for an unknown contract)."""
        query = (
            select(func.count())
            .select_from(ReviewRow)
            .join(ContractRow, ContractRow.id == ReviewRow.contract_id)
            .where(ContractRow.slug == slug)
        )
        if session is not None:
            return session.scalar(query) or 0
        with read_session(self.engine) as reading:
            return reading.scalar(query) or 0

    def _refuse_reviews(
        self, slug: str, with_reviews: bool, session: Session | None = None
    ) -> None:
        count = self.review_count(slug, session)
        if count and not with_reviews:
            raise ConflictError(
                f"le contrat « {slug} » a {count} revue(s) : les supprimer avec lui demande une "
                "confirmation de plus (revue contract delete ID --with-reviews) ; une sauvegarde "
                "est faite avant"
            )

    def delete_academic_project(self, slug: str) -> Backup | None:
        """Remove a projet académique that no contract cites, after a backup (returned)."""
        if self.get_academic_project(slug) is None:
            raise NotFoundError(f"aucun projet académique « {slug} » dans les données")
        self._refuse_cited(slug)
        made = self.backup("suppression")
        with write_session(self.engine) as session:
            self._refuse_cited(slug, session)
            session.execute(delete(AcademicProjectRow).where(AcademicProjectRow.slug == slug))
        return made

    def citing_contracts(self, slug: str, session: Session | None = None) -> list[str]:
        """The ids of the contracts attached to projet académique ``slug``."""
        query = (
            select(ContractRow.slug)
            .where(ContractRow.academic_project_slug == slug)
            .order_by(ContractRow.slug)
        )
        if session is not None:
            return list(session.scalars(query))
        with read_session(self.engine) as reading:
            return list(reading.scalars(query))

    def _refuse_cited(self, slug: str, session: Session | None = None) -> None:
        citing = self.citing_contracts(slug, session)
        if citing:
            named = ", ".join(f"« {c} »" for c in citing)
            raise ConflictError(
                f"le projet académique « {slug} » ne se supprime pas : des contrats s'y "
                f"rattachent ({named}). Supprimez d'abord ces contrats, ou rattachez-les à un "
                "autre projet."
            )

    # --- the contract editor: every edit a version of the whole contract ----------------------

    def save_edited_contract(self, contract: Contract, *, note: str, new: bool = False) -> None:
        """Store a contract written in the app (``new``: it must not exist yet; else it takes
        the place of the stored one, refused once the contract has a review) and keep its
        canonical text as a version of the contract's history, all in one transaction.

        ``note`` says what changed (« objectif s1-o1 : cible »); the same author typing in the
        same field within ten minutes makes one version, as for review records."""
        from revue.formats.contract_text import checked

        _contract, text = checked(contract)  # what the import would accept, nothing else
        with write_session(self.engine) as session:
            existing = session.scalar(select(ContractRow).where(ContractRow.slug == contract.id))
            base: dict[str, Any] | None = None
            if existing is not None:
                if new:
                    raise ConflictError(
                        f"un contrat porte déjà l'identifiant « {contract.id} » : choisissez-en "
                        "un autre"
                    )
                self._refuse_edit(session, existing.id, contract.id)
                from revue.formats.contract_toml import dump_contract

                base = {"toml": dump_contract(_contract_from_row(existing))}
                existing_id = existing.id
                session.expunge_all()  # the rows read for the base go: new ones take their keys
                session.execute(delete(ContractRow).where(ContractRow.id == existing_id))
                session.flush()
            elif not new:
                raise NotFoundError(f"aucun contrat « {contract.id} » dans les données")
            session.add(_contract_to_row(_contract))
            self._keep_contract_version(session, contract.id, text, note, base)

    @staticmethod
    def _refuse_edit(session: Session, contract_uuid: uuid.UUID, slug: str) -> None:
        if (
            session.scalar(
                select(ReviewRow.id).where(ReviewRow.contract_id == contract_uuid).limit(1)
            )
            is not None
        ):
            raise ConflictError(LOCKED.format(slug=slug))

    def _keep_contract_version(
        self, session: Session, slug: str, text: str, note: str, base: dict[str, Any] | None
    ) -> None:
        item = stable_uuid(slug)
        last = self.history.last_version(session, CONTRACT_HISTORY, item, None)
        if last is None and base is not None and base["toml"] != text:
            self.history.keep_version(
                session, CONTRACT_HISTORY, item, None, base, note="version importée"
            )
            session.flush()
            last = self.history.last_version(session, CONTRACT_HISTORY, item, None)
        if last is not None:
            if last.content == {"toml": text}:
                return
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            if (
                note
                and last.note == note
                and last.author == self.author
                and now - last.at < COALESCE_WINDOW
            ):
                last.content = {"toml": text}
                last.at = max(now, last.at)
                return
        self.history.keep_version(session, CONTRACT_HISTORY, item, None, {"toml": text}, note=note)

    def contract_history(self, slug: str) -> list[HistoryEntry]:
        """The versions of a contract written in the app, oldest first."""
        with read_session(self.engine) as session:
            return History.entries(session, CONTRACT_HISTORY, stable_uuid(slug), None)

    def restore_contract_version(self, slug: str, entry_id: uuid.UUID) -> None:
        """Put a version of the contract back (a new version: the restore can be undone)."""
        from revue.formats.contract_text import contract_from_text

        entry = next((e for e in self.contract_history(slug) if e.id == entry_id), None)
        if entry is None:
            raise NotFoundError("cette version du contrat n'est plus dans l'historique")
        contract = contract_from_text(str(entry.content["toml"]))
        self.save_edited_contract(contract, note=restoration_note(entry.at))

    def change_marker(self) -> tuple[object, ...]:
        """Changes when contracts or accompaniments are added, replaced or edited, by this
        process or another one (a CLI import while the app is open): screens poll it."""
        contracts, log = ContractRow.__table__, AccompanimentRow.__table__
        # Each aggregate on its own: a count alone is counted from the smallest index, a
        # maximum alone read at the end of its index (together, SQLite read every entry of
        # the index: 0.15 s for an académie's 600,000). One statement, one round trip.
        query = select(
            select(func.count()).select_from(contracts).scalar_subquery(),
            select(func.max(contracts.c.imported_at)).scalar_subquery(),
            select(func.count()).select_from(log).scalar_subquery(),
            select(func.max(log.c.updated_at)).scalar_subquery(),
        )
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # The count on one core: PostgreSQL would count in three processes, taking
                # both cores of a small server from the app every two seconds.
                conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            return tuple(conn.execute(query).one())

    def session(self) -> Session:
        """A plain session, for tests that want to look at rows directly."""
        return Session(bind=self.engine)

    # --- reviews, their records, histories and avenants: revue.store.reviews.Reviews ---------

    def list_reviews(self, contract_slug: str) -> list[ReviewSummary]:
        return self.reviews.list_reviews(contract_slug)

    def get_review(self, review_id: uuid.UUID) -> ReviewSummary:
        return self.reviews.get_review(review_id)

    def create_review(
        self, contract_slug: str, school_year: str, kind: ReviewKind
    ) -> ReviewSummary:
        return self.reviews.create_review(contract_slug, school_year, kind)

    def close_review(self, review_id: uuid.UUID, note: str = "") -> None:
        self.reviews.close_review(review_id, note)

    def reopen_review(self, review_id: uuid.UUID, reason: str) -> None:
        self.reviews.reopen_review(review_id, reason)

    def get_synthesis(self, review_id: uuid.UUID) -> Synthesis:
        return self.reviews.get_synthesis(review_id)

    def save_synthesis(
        self, review_id: uuid.UUID, *, expected: Mapping[str, Any] | None = None, **fields: str
    ) -> None:
        self.reviews.save_synthesis(review_id, expected=expected, **fields)

    def review_events(self, review_id: uuid.UUID) -> list[tuple[dt.datetime, str, str]]:
        return self.reviews.review_events(review_id)

    def save_record(
        self,
        review_id: uuid.UUID,
        objective_id: str,
        *,
        expected: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        self.reviews.save_record(review_id, objective_id, expected=expected, **fields)

    def save_value(
        self,
        review_id: uuid.UUID,
        indicator_id: str,
        value: float | None,
        *,
        expected: Mapping[str, Any] | None = None,
    ) -> None:
        self.reviews.save_value(review_id, indicator_id, value, expected=expected)

    def add_evidence(
        self,
        review_id: uuid.UUID,
        objective_id: str,
        date: dt.date,
        text: str,
        source: EvidenceSource,
        file_path: str = "",
    ) -> Evidence:
        return self.reviews.add_evidence(review_id, objective_id, date, text, source, file_path)

    def delete_evidence(self, review_id: uuid.UUID, evidence_id: uuid.UUID) -> None:
        self.reviews.delete_evidence(review_id, evidence_id)

    def copy_forward(self, review_id: uuid.UUID, objective_id: str) -> ObjectiveReview | None:
        return self.reviews.copy_forward(review_id, objective_id)

    def objective_history(self, review_id: uuid.UUID, objective_slug: str) -> list[HistoryEntry]:
        return self.reviews.objective_history(review_id, objective_slug)

    def restore_objective(
        self,
        review_id: uuid.UUID,
        objective_slug: str,
        entry_id: uuid.UUID,
        *,
        expected: Mapping[str, Any] | None = None,
    ) -> None:
        self.reviews.restore_objective(review_id, objective_slug, entry_id, expected=expected)

    def review_snapshot(self, review_id: uuid.UUID) -> Snapshot | None:
        return self.reviews.review_snapshot(review_id)

    def snapshot_problems(self) -> list[str]:
        return self.reviews.snapshot_problems()

    def load_walk(self, review_id: uuid.UUID) -> Walk:
        return self.reviews.load_walk(review_id)

    def list_avenants(self, contract_slug: str) -> list[Avenant]:
        return self.reviews.list_avenants(contract_slug)

    def record_avenant(self, review_id: uuid.UUID, avenant: Avenant) -> None:
        """Record an avenant (``Reviews.record_avenant``); a link it adds must name an item of
        the contract's projet académique."""
        added = [c for c in avenant.changes if c.kind is ChangeKind.LINK_ADD]
        if added:
            contract = self.get_contract(self.get_review(review_id).contract_id)
            ref = contract.academic_project
            project = self.get_academic_project(ref.id) if ref and ref.id else None
            if project is None:
                raise ConflictError(
                    f"le contrat « {contract.id} » ne désigne aucun projet académique enregistré "
                    "(academic_project.id) : un rattachement ne peut pas s'y ajouter"
                )
            keys = project.codes()
            for change in added:
                if link_of(change) not in keys:
                    raise ConflictError(
                        f"« {link_of(change)} » n'est pas un objectif du projet académique "
                        f"« {project.id} »"
                    )
        self.reviews.record_avenant(review_id, avenant)

    def changes_since_last(self, review_id: uuid.UUID) -> list[ChangeLine]:
        return self.reviews.changes_since_last(review_id)

    def revised_contract(self, contract_slug: str) -> Revision:
        return self.reviews.revised_contract(contract_slug)

    def has_reviews(self, contract_slug: str) -> bool:
        return self.reviews.has_reviews(contract_slug)

    # --- schools, the log, entries' histories, exchanges: revue.store.log.Log ----------------

    def save_schools(self, schools: list[School]) -> tuple[int, int]:
        return self.log.save_schools(schools)

    def list_schools(self) -> list[School]:
        return self.log.list_schools()

    def schools_named(self, uais: Collection[str]) -> list[School]:
        return self.log.schools_named(uais)

    def network_names(self) -> list[str]:
        return self.log.network_names()

    def add_accompaniment(self, content: Content) -> Version:
        return self.log.add_accompaniment(content)

    def get_accompaniment(self, accompaniment_id: uuid.UUID) -> tuple[Version, list[Version]]:
        return self.log.get_accompaniment(accompaniment_id)

    def update_accompaniment(
        self, accompaniment_id: uuid.UUID, content: Content, note: str = ""
    ) -> Version:
        return self.log.update_accompaniment(accompaniment_id, content, note)

    def save_edit(
        self, accompaniment_id: uuid.UUID, base: Version | None, content: Content, note: str = ""
    ) -> Saved:
        return self.log.save_edit(accompaniment_id, base, content, note)

    def set_deleted(self, accompaniment_id: uuid.UUID, deleted: bool) -> Version:
        return self.log.set_deleted(accompaniment_id, deleted)

    def resolve_conflict(self, accompaniment_id: uuid.UUID, keep_version: str) -> Version:
        return self.log.resolve_conflict(accompaniment_id, keep_version)

    def accompaniment_history(self, accompaniment_id: uuid.UUID) -> list[HistoryEntry]:
        return self.log.accompaniment_history(accompaniment_id)

    def restore_accompaniment(
        self, accompaniment_id: uuid.UUID, entry_id: uuid.UUID, base: Version | None = None
    ) -> Saved:
        return self.log.restore_accompaniment(accompaniment_id, entry_id, base)

    def list_accompaniments(
        self, flt: LogFilter | None = None, *, limit: int = 200, offset: int = 0
    ) -> tuple[list[Version], int]:
        return self.log.list_accompaniments(flt, limit=limit, offset=offset)

    @overload
    def count_accompaniments(self, flt: LogFilter) -> int: ...
    @overload
    def count_accompaniments(
        self, flt: LogFilter, *, cancelled: Callable[[], bool]
    ) -> int | None: ...
    def count_accompaniments(
        self, flt: LogFilter, *, cancelled: Callable[[], bool] | None = None
    ) -> int | None:
        if cancelled is None:
            return self.log.count_accompaniments(flt)
        return self.log.count_accompaniments(flt, cancelled=cancelled)

    def page_of_accompaniments(
        self, flt: LogFilter, *, limit: int, offset: int = 0
    ) -> list[Version]:
        return self.log.page_of_accompaniments(flt, limit=limit, offset=offset)

    def count_computed(
        self, computed: ComputedCount, objective_id: uuid.UUID, school_year: str
    ) -> int:
        return self.log.count_computed(computed, objective_id, school_year)

    def count_computed_many(
        self, requests: list[tuple[str, ComputedCount, uuid.UUID]], years: list[str]
    ) -> dict[tuple[str, str], int]:
        return self.log.count_computed_many(requests, years)

    def counts_by_kind(
        self, objective_ids: Sequence[uuid.UUID], school_year: str
    ) -> dict[uuid.UUID, dict[tuple[str, str], int]]:
        return self.log.counts_by_kind(objective_ids, school_year)

    def conflict_ids(self) -> set[uuid.UUID]:
        return self.log.conflict_ids()

    def list_conflicts(self) -> list[tuple[Version, list[Version]]]:
        return self.log.list_conflicts()

    def log_authors(self) -> list[str]:
        return self.log.log_authors()

    def last_accompaniment(self) -> Version | None:
        return self.log.last_accompaniment()

    def objective_catalog(self) -> list[tuple[str, str, str]]:
        return self.log.objective_catalog()

    def export_versions(self, author: str | None = None) -> list[Version]:
        return self.log.export_versions(author)

    def merge_versions(self, incoming: Sequence[Version]) -> MergeReport:
        return self.log.merge_versions(incoming)

    def export_exchange(self, author: str | None, exported_at: dt.datetime) -> Exported:
        return self.log.export_exchange(author, exported_at)

    def import_exchange(
        self, exchange: Exchange, *, accept: Collection[str] = (), unsigned: bool = False
    ) -> MergeReport:
        return self.log.import_exchange(exchange, accept=accept, unsigned=unsigned)

    # --- signing keys: revue.store.keys.Keys ---------------------------------------------------

    def own_key(self) -> KnownKey:
        """This store's signing key (made the first time), as colleagues will see it."""
        return self.keys.listing()[0]

    def trusted_keys(self) -> list[KnownKey]:
        """This store's key first, then the colleagues' keys accepted here."""
        return self.keys.listing()

    def trust_file_keys(self, exchange: Exchange) -> list[str]:
        """Trust every key that signed the file (checked like an import); their names."""
        return self.keys.trust_file(exchange)

    def remove_trusted_key(self, fingerprint: str) -> KnownKey:
        return self.keys.remove(fingerprint)


def _project_from_row(row: AcademicProjectRow) -> AcademicProject:
    return project_from_data(
        dict(row.document),
        id=row.slug,
        title=row.title,
        academie=row.academie,
        period=row.period,
        source=row.source,
    )


def _link_problems(session: Session) -> list[str]:
    problems: list[str] = []
    refs = session.execute(
        select(ContractRow.slug, ContractRow.academic_project_slug).where(
            ContractRow.academic_project_slug.is_not(None)
        )
    ).all()
    for slug in sorted({pa for _, pa in refs if pa}):
        row = session.scalar(select(AcademicProjectRow).where(AcademicProjectRow.slug == slug))
        keys = _project_from_row(row).codes() if row is not None else set()
        for contract, objectives in _citations(session, slug).items():
            for objective, cited in objectives.items():
                for key in cited:
                    if key in keys:
                        continue
                    where = (
                        f"absent du projet académique « {slug} »"
                        if row is not None
                        else f"le projet académique « {slug} » n'est pas dans les données"
                    )
                    problems.append(
                        f"contrat « {contract} », objectif « {objective} » : "
                        f"rattachement à « {key} » — {where}"
                    )
    return problems


def _citations(session: Session, slug: str) -> dict[str, dict[str, list[str]]]:
    """Contract id -> objective id -> the keys of projet ``slug`` it cites (signed or added
    by avenant), for the contracts attached to that projet."""
    out: dict[str, dict[str, list[str]]] = {}
    rows = session.execute(
        select(ContractRow.slug, ObjectiveRow.slug, ObjectiveRow.academic_links)
        .join(ObjectiveRow, ObjectiveRow.contract_id == ContractRow.id)
        .where(ContractRow.academic_project_slug == slug)
        .order_by(ContractRow.slug, ObjectiveRow.position)
    ).all()
    for contract, objective, links in rows:
        if links:
            out.setdefault(contract, {})[objective] = [str(k) for k in links]
    added = session.execute(
        select(ContractRow.slug, AvenantChangeRow.objective_slug, AvenantChangeRow.after)
        .join(AvenantRow, AvenantRow.contract_id == ContractRow.id)
        .join(AvenantChangeRow, AvenantChangeRow.avenant_id == AvenantRow.id)
        .where(
            ContractRow.academic_project_slug == slug,
            AvenantChangeRow.kind == ChangeKind.LINK_ADD.value,
        )
        .order_by(ContractRow.slug, AvenantRow.number, AvenantChangeRow.position)
    ).all()
    for contract, objective, after in added:
        keys = out.setdefault(contract, {}).setdefault(objective, [])
        key = str(after.get("link", ""))
        if key and key not in keys:
            keys.append(key)
    return out


def _refuse_lost_citations(session: Session, project: AcademicProject) -> None:
    """ConflictError listing the contracts and objectives that cite an item the new version
    of ``project`` no longer has."""
    keys = project.codes()
    lost = [
        f"« {contract} », objectif « {objective} » → {', '.join(sorted(set(cited) - keys))}"
        for contract, objectives in _citations(session, project.id).items()
        for objective, cited in objectives.items()
        if set(cited) - keys
    ]
    if lost:
        raise ConflictError(
            f"le projet académique « {project.id} » ne se remplace pas : des contrats citent "
            "des objectifs absents du nouveau fichier (" + " ; ".join(lost) + "). Rétablissez "
            "ces objectifs dans le fichier, ou retirez d'abord ces liens par avenant."
        )


def _contract_to_row(contract: Contract) -> ContractRow:
    cid = stable_uuid(contract.id)
    ref = contract.academic_project
    row = ContractRow(
        id=cid,
        slug=contract.id,
        kind=contract.kind.value,
        title=contract.title,
        circonscription=contract.circonscription,
        academie=contract.academie,
        departement=contract.departement,
        ien=contract.ien,
        start_date=contract.start_date,
        end_date=contract.end_date,
        signature_date=contract.signature_date,
        signature_place=contract.signature_place,
        preamble=contract.preamble,
        academic_project_slug=ref.id if ref else None,
        academic_project_title=ref.title if ref else None,
        parties=[
            {
                "name": p.name,
                "representative": p.representative,
                "representative_title": p.representative_title,
            }
            for p in contract.parties
        ],
        articles=[{"title": a.title, "text": a.text} for a in contract.articles],
        lists=_lists_in(contract.lists),
    )
    sections: dict[str, SectionRow] = {}
    for position, item in enumerate(contract.in_tree_order()):
        if isinstance(item, Section):
            section = SectionRow(
                id=stable_uuid(contract.id, "section", item.id),
                parent=sections[item.parent] if item.parent else None,
                slug=item.id,
                position=position,
                level=item.level,
                code=item.code,
                title=item.title,
                text=item.text,
                lists=_lists_in(item.lists),
            )
            sections[item.id] = section
            row.sections.append(section)
            continue
        oid = stable_uuid(contract.id, "objective", item.id)
        objective = ObjectiveRow(
            id=oid,
            section=sections[item.section] if item.section else None,
            slug=item.id,
            position=position,
            title=item.title,
            text=item.text,
            criteria=list(item.criteria),
            academic_links=list(item.academic_links),
        )
        for i_pos, ind in enumerate(item.indicators):
            objective.indicators.append(
                IndicatorRow(
                    id=stable_uuid(contract.id, "indicator", ind.id),
                    slug=ind.id,
                    position=i_pos,
                    label=ind.label,
                    unit=ind.unit,
                    source=ind.source,
                    baseline_value=ind.baseline_value,
                    baseline_year=ind.baseline_year,
                    target_value=ind.target_value,
                    target_year=ind.target_year,
                    direction=ind.direction.value,
                    computed=None
                    if ind.computed is None
                    else {
                        "modality": ind.computed.modality,
                        "initiative": ind.computed.initiative,
                        "theme": ind.computed.theme,
                        "linked_to_objective": ind.computed.linked_to_objective,
                    },
                    note=ind.note,
                )
            )
        for a_pos, act in enumerate(item.actions):
            objective.actions.append(
                ActionRow(
                    id=stable_uuid(contract.id, "action", act.id),
                    slug=act.id,
                    position=a_pos,
                    what=act.what,
                    who=act.who,
                    due=act.when,
                )
            )
        row.objectives.append(objective)
    return row


def _contract_from_row(row: ContractRow) -> Contract:
    slug_of = {s.id: s.slug for s in row.sections}
    contract = Contract(
        id=row.slug,
        kind=DocumentKind(row.kind),
        title=row.title,
        circonscription=row.circonscription,
        academie=row.academie,
        departement=row.departement,
        ien=row.ien,
        start_date=row.start_date,
        end_date=row.end_date,
        signature_date=row.signature_date,
        signature_place=row.signature_place,
        preamble=row.preamble,
        academic_project=(
            AcademicProjectRef(title=row.academic_project_title, id=row.academic_project_slug)
            if row.academic_project_title is not None
            else None
        ),
        parties=[Party(**p) for p in row.parties],
        articles=[Article(**a) for a in row.articles],
        lists=_lists_out(row.lists),
        sections=[
            Section(
                id=s.slug,
                level=s.level,
                title=s.title,
                parent=slug_of[s.parent_id] if s.parent_id else None,
                code=s.code,
                text=s.text,
                lists=_lists_out(s.lists),
            )
            for s in row.sections
        ],
    )
    for o in row.objectives:
        contract.objectives.append(
            Objective(
                id=o.slug,
                text=o.text,
                title=o.title,
                section=slug_of[o.section_id] if o.section_id else None,
                criteria=list(o.criteria),
                academic_links=list(o.academic_links),
                indicators=[
                    Indicator(
                        id=i.slug,
                        label=i.label,
                        unit=i.unit,
                        source=i.source,
                        baseline_value=i.baseline_value,
                        baseline_year=i.baseline_year,
                        target_value=i.target_value,
                        target_year=i.target_year,
                        direction=Direction(i.direction),
                        computed=ComputedCount(**i.computed) if i.computed else None,
                        note=i.note,
                    )
                    for i in o.indicators
                ],
                actions=[Action(id=a.slug, what=a.what, who=a.who, when=a.due) for a in o.actions],
            )
        )
    return contract
