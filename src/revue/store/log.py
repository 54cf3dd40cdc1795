"""The accompaniment log and the schools, in the store; merging exchange files. Each change to
an entry is kept as a version by the store's :class:`History`, in the same transaction."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, TypeVarTuple, overload

from sqlalchemy import (
    Engine,
    Select,
    Table,
    bindparam,
    case,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import custom_op

from revue.domain.contract import ComputedCount, stable_uuid
from revue.domain.errors import ConflictError, InputError, NotFoundError, RevueError
from revue.domain.french import fold
from revue.domain.history import RECEIVED_NOTE, UNSIGNED_NOTE, HistoryEntry
from revue.domain.log import (
    Content,
    LogFilter,
    MergeReport,
    Saved,
    School,
    Version,
    clean_content,
    content_from_dict,
    content_problems,
    find_cycle,
    merge_heads,
    resolve,
    version_from_dict,
    version_to_dict,
    with_deleted,
)
from revue.domain.schoolyear import school_year_bounds
from revue.store.db import (
    insert_rows,
    new_ids,
    read_session,
    refuse_too_long,
    write_rows,
    write_session,
)
from revue.store.history import ACCOMPANIMENT, History, Received, base_version, restoration_note
from revue.store.models import (
    AccompanimentObjectiveRow,
    AccompanimentRow,
    AccompanimentSchoolRow,
    ContractRow,
    HistoryRow,
    ObjectiveRow,
    SchoolRow,
)

if TYPE_CHECKING:
    # Loaded when an exchange is read or written: start-up does not load cryptography.
    from revue.formats.exchange import Exchange
    from revue.store.keys import Keys

_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")


def _version_of_row(
    row: AccompanimentRow, schools: Iterable[str], objectives: Iterable[str]
) -> Version:
    content = Content(
        date=row.date,
        author=row.author,
        modality=row.modality,
        initiative=row.initiative,
        schools=tuple(sorted(schools)),
        network=row.network,
        theme=row.theme,
        objectives=tuple(sorted(objectives)),
        duration_minutes=row.duration_minutes,
        participants=row.participants,
        notes=row.notes,
        follow_up=row.follow_up,
        deleted=row.deleted,
    )
    return Version(
        id=row.id,
        content=content,
        version=row.version,
        parents=tuple(row.parents),
        ancestors=frozenset(row.ancestors),
        signer=row.signer,
        signature=row.signature,
    )


def _checked(content: Content) -> Content:
    """Content typed here, as the store keeps it: control characters removed, and within the
    bounds an exchange file may hold (so that every export is a file colleagues can read)."""
    content = clean_content(content)
    problems = content_problems(content)
    if problems:
        raise RevueError("; ".join(reason for _, reason in problems))
    return content


@dataclass(frozen=True)
class Exported:
    """An exchange file written: its text, how many versions, who signed it."""

    text: str
    count: int
    name: str
    fingerprint: str

    @property
    def short_fingerprint(self) -> str:
        from revue.formats.signing import short_fingerprint

        return short_fingerprint(self.fingerprint)


class Log:
    """The accompaniment log and the schools of the store at ``engine``
    (:class:`revue.store.store.Store` holds one and delegates to it). ``history`` keeps the
    versions of the entries; ``backup_alongside(reason)`` backs the store up while a merge
    writes (the store's :meth:`~revue.store.store.Store.backup_alongside`); ``keys`` signs
    what is exported and says whom to trust in what is imported."""

    def __init__(
        self,
        engine: Engine,
        history: History,
        backup_alongside: Callable[[str], AbstractContextManager[None]],
        keys: Callable[[], Keys],
    ) -> None:
        self.engine = engine
        self.history = history
        self._backup_alongside = backup_alongside
        self._keys = keys

    @property
    def keys(self) -> Keys:
        """The store's keys (loaded with the signing library on first use)."""
        return self._keys()

    # --- schools ----------------------------------------------------------------------------

    def save_schools(self, schools: list[School]) -> tuple[int, int]:
        """Add or update schools by UAI, all or nothing; returns (added, updated)."""
        added = updated = 0
        with write_session(self.engine) as session:
            existing = {
                row.uai: row
                for row in session.scalars(
                    select(SchoolRow).where(SchoolRow.uai.in_([s.uai for s in schools]))
                )
            }
            for school in schools:
                row = existing.get(school.uai)
                if row is None:
                    session.add(
                        SchoolRow(
                            id=stable_uuid("school", school.uai),
                            uai=school.uai,
                            name=school.name,
                            commune=school.commune,
                            network=school.network,
                            priority=school.priority,
                            fictitious=school.fictitious,
                        )
                    )
                    added += 1
                elif (row.name, row.commune, row.network, row.priority, row.fictitious) != (
                    school.name,
                    school.commune,
                    school.network,
                    school.priority,
                    school.fictitious,
                ):
                    row.name, row.commune, row.network = school.name, school.commune, school.network
                    row.priority, row.fictitious = school.priority, school.fictitious
                    updated += 1
        return added, updated

    def list_schools(self) -> list[School]:
        """Every school, by name (a Core query: an académie's 6,000 schools as ORM rows took
        a third of a second)."""
        t = SchoolRow.__table__.c
        with self.engine.connect() as conn:
            return [
                School(*row)
                for row in conn.execute(
                    select(t.uai, t.name, t.commune, t.network, t.priority, t.fictitious).order_by(
                        t.name
                    )
                )
            ]

    def schools_named(self, uais: Collection[str]) -> list[School]:
        """The schools among ``uais`` (one query, whatever their number: a page of the log
        names at most a few hundred)."""
        t = SchoolRow.__table__.c
        with self.engine.connect() as conn:
            return [
                School(*row)
                for row in conn.execute(
                    select(t.uai, t.name, t.commune, t.network, t.priority, t.fictitious)
                    .where(t.uai.in_(sorted(uais)))
                    .order_by(t.name)
                )
            ]

    def network_names(self) -> list[str]:
        """The réseaux the schools file names, and those typed in entries, sorted: the entry
        form completes its réseau field from them."""
        with read_session(self.engine) as session:
            names = set(session.scalars(select(SchoolRow.network).distinct()))
            names.update(session.scalars(select(AccompanimentRow.network).distinct()))
        return sorted((n for n in names if n), key=fold)

    # --- the log ----------------------------------------------------------------------------

    def _load(
        self, session: Session, ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[AccompanimentRow, Version]]:
        if not ids:
            return {}
        rows = {
            r.id: r
            for r in session.scalars(select(AccompanimentRow).where(AccompanimentRow.id.in_(ids)))
        }
        schools: dict[uuid.UUID, list[str]] = {}
        for aid, uai in session.execute(
            select(AccompanimentSchoolRow.accompaniment_id, AccompanimentSchoolRow.uai).where(
                AccompanimentSchoolRow.accompaniment_id.in_(ids)
            )
        ):
            schools.setdefault(aid, []).append(uai)
        objectives: dict[uuid.UUID, list[str]] = {}
        for aid, oid in session.execute(
            select(
                AccompanimentObjectiveRow.accompaniment_id, AccompanimentObjectiveRow.objective_id
            ).where(AccompanimentObjectiveRow.accompaniment_id.in_(ids))
        ):
            objectives.setdefault(aid, []).append(str(oid))
        return {
            aid: (row, _version_of_row(row, schools.get(aid, []), objectives.get(aid, [])))
            for aid, row in rows.items()
        }

    def _write(
        self,
        session: Session,
        current: Version,
        conflicts: list[Version],
        row: AccompanimentRow | None,
        *,
        previous: Version | None = None,
        note: str = "",
        author: str | None = None,
    ) -> None:
        """Write an entry's shown version and its conflicts, and keep the version in the
        entry's history (with the one it replaces, if that one predates histories)."""
        c = current.content
        row_was_new = row is None
        # Who signed the version this one replaces, read before the row takes the new one.
        names = self.keys.names(session) if row is not None and row.signer else {}
        received = _received(row, previous, names)
        if row is None:
            row = AccompanimentRow(id=current.id)
            session.add(row)
        row.date, row.author, row.modality, row.initiative = (
            c.date,
            c.author,
            c.modality,
            c.initiative,
        )
        row.network, row.theme, row.notes, row.follow_up = c.network, c.theme, c.notes, c.follow_up
        row.search_text = _search_text(c)
        row.duration_minutes, row.participants, row.deleted = (
            c.duration_minutes,
            c.participants,
            c.deleted,
        )
        row.version, row.parents = current.version, list(current.parents)
        row.ancestors = sorted(current.ancestors)
        row.signer, row.signature = current.signer, current.signature
        row.conflicts = [version_to_dict(v) for v in conflicts]
        session.flush()
        session.execute(
            delete(AccompanimentSchoolRow).where(
                AccompanimentSchoolRow.accompaniment_id == current.id
            )
        )
        session.execute(
            delete(AccompanimentObjectiveRow).where(
                AccompanimentObjectiveRow.accompaniment_id == current.id
            )
        )
        session.add_all(
            AccompanimentSchoolRow(accompaniment_id=current.id, uai=u) for u in c.schools
        )
        session.add_all(
            AccompanimentObjectiveRow(accompaniment_id=current.id, objective_id=uuid.UUID(o))
            for o in c.objectives
        )
        self.history.keep_version(
            session,
            ACCOMPANIMENT,
            current.id,
            None,
            c.as_dict(),
            author=author,
            note=note,
            new=row_was_new and previous is None,
            base=previous.content.as_dict() if previous is not None else None,
            received=received,
        )

    def add_accompaniment(self, content: Content) -> Version:
        """Add a new entry, its links and its first version in history.

        Written through the tables, every row prepared before the write lock is taken: a new
        entry reads nothing, so the save holds the lock only to insert its rows and commit (on
        PostgreSQL the whole transaction goes in one round trip, see
        :func:`revue.store.db.write_rows`). What is stored is what :meth:`_write` stores for a
        new entry (a test compares both)."""
        version = Version.first(_checked(content))
        c = version.content
        now = _now()
        batches = [
            (AccompanimentRow.__table__, [{**_row_values(version, [], now), "received_at": None}]),
            (
                AccompanimentSchoolRow.__table__,
                [{"accompaniment_id": version.id, "uai": u} for u in c.schools],
            ),
            (
                AccompanimentObjectiveRow.__table__,
                [
                    {"accompaniment_id": version.id, "objective_id": uuid.UUID(o)}
                    for o in c.objectives
                ],
            ),
            (
                HistoryRow.__table__,
                [self.history.version_row(ACCOMPANIMENT, version.id, None, c.as_dict(), now)],
            ),
        ]
        for table, rows in batches:
            refuse_too_long(table, rows)
        write_rows(self.engine, batches)
        return version

    def get_accompaniment(self, accompaniment_id: uuid.UUID) -> tuple[Version, list[Version]]:
        with read_session(self.engine) as session:
            found = self._load(session, [accompaniment_id])
            if accompaniment_id not in found:
                raise NotFoundError("cet accompagnement n'existe plus")
            row, version = found[accompaniment_id]
            return version, [version_from_dict(d) for d in row.conflicts]

    def update_accompaniment(
        self, accompaniment_id: uuid.UUID, content: Content, note: str = ""
    ) -> Version:
        """Change the entry's current version (refused while it is in conflict)."""
        return self.save_edit(accompaniment_id, None, content, note).version

    def save_edit(
        self, accompaniment_id: uuid.UUID, base: Version | None, content: Content, note: str = ""
    ) -> Saved:
        """Save an edit made on ``base``, the version the form (or the history) was opened on.

        If the entry moved on meanwhile (an exchange merged, another window saved), the edit
        does not overwrite it: both are kept, in conflict, for someone to settle (every laptop
        then shows the same one, the conflicts screen both). ``base`` None: the edit is made on
        the current version, and refused while the entry is in conflict."""
        content = _checked(content)
        with write_session(self.engine) as session:
            found = self._load(session, [accompaniment_id])
            if accompaniment_id not in found:
                raise NotFoundError("cet accompagnement n'existe plus")
            row, current = found[accompaniment_id]
            conflicts = [version_from_dict(d) for d in row.conflicts]
            if base is not None and base.id != accompaniment_id:
                raise NotFoundError("cette version est celle d'un autre accompagnement")
            if base is None or (base.version == current.version and not conflicts):
                if conflicts:
                    # Which version is shown must be the same on every laptop; an edit made on
                    # one of two conflicting versions, silently, would hide the other. The
                    # conflict goes first.
                    raise ConflictError(IN_CONFLICT)
                if current.content == content:
                    return Saved(current, conflict=False)
                new = current.edited(content)
                self._write(session, new, [], row, previous=current, note=note)
                return Saved(new, conflict=False)
            # The entry moved on since the form opened: keep the edit beside what is there.
            if base.content == content:  # nothing was changed in the form
                return Saved(current, conflict=bool(conflicts))
            new = base.edited(content)
            heads = [current, *conflicts]
            if any(new.version == h.version or h.supersedes(new) for h in heads):
                return Saved(new, conflict=bool(conflicts))  # saved already
            shown, others = merge_heads([*heads, new])
            self._write(session, shown, others, row, previous=current, note=note)
            return Saved(new, conflict=bool(others))

    def set_deleted(self, accompaniment_id: uuid.UUID, deleted: bool) -> Version:
        """Delete (a tombstone that travels in exchanges) or undo the deletion."""
        current, _ = self.get_accompaniment(accompaniment_id)
        return self.update_accompaniment(accompaniment_id, with_deleted(current, deleted).content)

    def resolve_conflict(self, accompaniment_id: uuid.UUID, keep_version: str) -> Version:
        with write_session(self.engine) as session:
            found = self._load(session, [accompaniment_id])
            if accompaniment_id not in found:
                raise NotFoundError("cet accompagnement n'existe plus")
            row, current = found[accompaniment_id]
            conflicts = [version_from_dict(d) for d in row.conflicts]
            keep = next((v for v in [current, *conflicts] if v.version == keep_version), None)
            if keep is None:
                raise NotFoundError("cette version n'est plus en conflit")
            resolved = resolve(current, conflicts, keep)
            self._write(session, resolved, [], row, previous=current, note="conflit résolu")
            return resolved

    # --- an entry's history -----------------------------------------------------------------

    def accompaniment_history(self, accompaniment_id: uuid.UUID) -> list[HistoryEntry]:
        """Every version of an entry, oldest first. An entry received by exchange and not
        changed since has no history row: its one version is the entry as it arrived."""
        with read_session(self.engine) as session:
            entries = self.history.entries(session, ACCOMPANIMENT, accompaniment_id, None)
            if entries:
                return entries
            found = self._load(session, [accompaniment_id])
            if accompaniment_id not in found:
                return []
            row, version = found[accompaniment_id]
            if row.received_at is None:
                return []
            author = (
                self.keys.names(session).get(row.signer, version.content.author)
                if row.signer
                else version.content.author
            )
            return [
                HistoryEntry(
                    id=accompaniment_id,
                    at=row.received_at,
                    author=author,
                    note=RECEIVED_NOTE,
                    content=version.content.as_dict(),
                )
            ]

    def restore_accompaniment(
        self, accompaniment_id: uuid.UUID, entry_id: uuid.UUID, base: Version | None = None
    ) -> Saved:
        """Make an earlier version of an entry its current one: a new version that travels in
        exchanges like any edit. ``base``: the version the history was opened on (see
        :meth:`save_edit`: if the entry moved on since, both are kept, in conflict)."""
        with read_session(self.engine) as session:
            row = session.get(HistoryRow, entry_id)
            if row is None or row.item_id != accompaniment_id or row.kind != ACCOMPANIMENT:
                raise NotFoundError("cette version n'existe plus")
            content, at = row.content, row.at
        return self.save_edit(
            accompaniment_id, base, content_from_dict(content), note=restoration_note(at)
        )

    # --- reading the log --------------------------------------------------------------------

    def _filtered(self, query: Select[*_Ts], flt: LogFilter) -> Select[*_Ts]:
        if not flt.include_deleted:
            query = query.where(AccompanimentRow.deleted.is_(False))
        bounds = flt.bounds()
        if bounds:
            query = query.where(AccompanimentRow.date.between(*bounds))
        if flt.author:
            query = query.where(AccompanimentRow.author == flt.author)
        if flt.modality:
            query = query.where(AccompanimentRow.modality == flt.modality)
        if flt.initiative:
            query = query.where(AccompanimentRow.initiative == flt.initiative)
        if flt.school:
            query = query.where(
                AccompanimentRow.id.in_(
                    select(AccompanimentSchoolRow.accompaniment_id).where(
                        AccompanimentSchoolRow.uai == flt.school
                    )
                )
            )
        if flt.objective:
            query = query.where(
                AccompanimentRow.id.in_(
                    select(AccompanimentObjectiveRow.accompaniment_id).where(
                        AccompanimentObjectiveRow.objective_id == uuid.UUID(flt.objective)
                    )
                )
            )
        if flt.text:
            # Theme and notes are stored folded (no case, no accents): « eleve » finds
            # « Élève ». One column scanned with LIKE, % and _ taken as they are.
            folded = fold(flt.text)
            pattern = "%" + "".join("\\" + ch if ch in "%_\\" else ch for ch in folded) + "%"
            query = query.where(AccompanimentRow.search_text.like(pattern, escape="\\"))
        return query

    def list_accompaniments(
        self, flt: LogFilter | None = None, *, limit: int = 200, offset: int = 0
    ) -> tuple[list[Version], int]:
        """One page of the log in the filter's order (newest first by default), and how many
        entries match in all."""
        flt = flt or LogFilter()
        return self.page_of_accompaniments(
            flt, limit=limit, offset=offset
        ), self.count_accompaniments(flt)

    @overload
    def count_accompaniments(self, flt: LogFilter) -> int: ...
    @overload
    def count_accompaniments(
        self, flt: LogFilter, *, cancelled: Callable[[], bool]
    ) -> int | None: ...
    def count_accompaniments(
        self, flt: LogFilter, *, cancelled: Callable[[], bool] | None = None
    ) -> int | None:
        """How many entries the filter lets through. With ``cancelled``: None as soon as it
        returns True, the count stopped where it was (a text search reads every entry: an
        académie's 600,000 take a second, and the log screen's counts of the filters typed
        since are not waited for; see docs/performance.md), and on PostgreSQL in one process.
        """
        if cancelled is not None and cancelled():
            return None
        query = self._filtered(select(func.count()).select_from(AccompanimentRow), flt)
        with read_session(self.engine) as session:
            if cancelled is None:
                return session.scalar(query) or 0
            connection = session.connection()
            if connection.dialect.name == "postgresql":
                # Counted beside the screen that shows the page: on one core, not three
                # processes taking a small server's every core (docs/performance.md).
                connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            raw = connection.connection.driver_connection
            with _stoppable(raw, cancelled):
                try:
                    return session.scalar(query) or 0
                except DBAPIError:
                    if cancelled():
                        return None
                    raise

    def page_of_accompaniments(
        self, flt: LogFilter, *, limit: int, offset: int = 0
    ) -> list[Version]:
        """One page of the log in the filter's order (newest first by default)."""
        with read_session(self.engine) as session:
            column = {
                "date": AccompanimentRow.date,
                "author": AccompanimentRow.author,
                "modality": AccompanimentRow.modality,
                "initiative": AccompanimentRow.initiative,
                "theme": AccompanimentRow.theme,
            }.get(flt.sort, AccompanimentRow.date)
            first = column.desc() if flt.descending else column.asc()
            ids = list(
                session.scalars(
                    self._filtered(select(AccompanimentRow.id), flt)
                    .order_by(first, AccompanimentRow.date.desc(), AccompanimentRow.id)
                    .limit(limit)
                    .offset(offset)
                )
            )
            found = self._load(session, ids)
            return [found[i][1] for i in ids]

    def count_computed(
        self, computed: ComputedCount, objective_id: uuid.UUID, school_year: str
    ) -> int:
        """The value of a count indicator for one school year (1 September – 31 August)."""
        return self.count_computed_many([("", computed, objective_id)], [school_year])[
            ("", school_year)
        ]

    def count_computed_many(
        self, requests: list[tuple[str, ComputedCount, uuid.UUID]], years: list[str]
    ) -> dict[tuple[str, str], int]:
        """The values of many count indicators over many school years, in two queries whatever
        their number: ``requests`` are (key, filter, objective id); the result maps
        (key, year) to the count. The log is grouped by year, modality, initiative and theme
        in SQL; the filters are applied to those groups (the theme as a case-insensitive
        substring, accents included)."""
        out = {(key, year): 0 for key, _, _ in requests for year in years}
        if not requests or not years:
            return out
        bounds = {year: school_year_bounds(year) for year in years}
        year_of = case(
            *(
                (AccompanimentRow.date.between(start, end), year)
                for year, (start, end) in bounds.items()
            ),
            else_=None,
        ).label("year")
        columns = (
            year_of,
            AccompanimentRow.modality,
            AccompanimentRow.initiative,
            AccompanimentRow.theme,
        )
        where = (
            AccompanimentRow.deleted.is_(False),
            AccompanimentRow.date.between(
                min(b[0] for b in bounds.values()), max(b[1] for b in bounds.values())
            ),
        )
        linked = sorted({oid for _, computed, oid in requests if computed.linked_to_objective})
        with read_session(self.engine) as session:
            groups = [
                (None, *row)
                for row in session.execute(
                    select(*columns, func.count()).where(*where).group_by(*columns)
                )
            ]
            if linked:
                link = AccompanimentObjectiveRow.objective_id
                for year, modality, initiative, theme, oid, n in session.execute(
                    select(*columns, link, func.count())
                    .join(
                        AccompanimentObjectiveRow,
                        AccompanimentObjectiveRow.accompaniment_id == AccompanimentRow.id,
                    )
                    .where(*where, link.in_(linked))
                    .group_by(*columns, link)
                ):
                    groups.append((oid, year, modality, initiative, theme, n))
        for key, computed, objective_id in requests:
            theme = computed.theme.casefold() if computed.theme else None
            wanted = objective_id if computed.linked_to_objective else None
            for oid, year, modality, initiative, row_theme, count in groups:
                if (
                    year is None
                    or oid != wanted
                    or (computed.modality and modality != computed.modality)
                    or (computed.initiative and initiative != computed.initiative)
                    or (theme and theme not in (row_theme or "").casefold())
                ):
                    continue
                out[(key, year)] += count
        return out

    def covered_years(self, objective_ids: Collection[uuid.UUID], years: Iterable[str]) -> set[str]:
        """The school years the log covers for a contract whose objectives are
        ``objective_ids``: those with at least one accompaniment (not deleted) linked to one of
        them. A count indicator's 0 means "none" only in such a year; in any other year the log
        was not kept for the contract, and the value is not measured (docs/format-bilan.md)."""
        bounds = {year: school_year_bounds(year) for year in years}
        if not bounds or not objective_ids:
            return set()
        year_of = case(
            *(
                (AccompanimentRow.date.between(start, end), year)
                for year, (start, end) in bounds.items()
            ),
            else_=None,
        )
        query = (
            select(year_of)
            .where(
                AccompanimentRow.deleted.is_(False),
                AccompanimentRow.id.in_(
                    select(AccompanimentObjectiveRow.accompaniment_id).where(
                        AccompanimentObjectiveRow.objective_id.in_(list(objective_ids))
                    )
                ),
            )
            .distinct()
        )
        with read_session(self.engine) as session:
            return {year for year in session.scalars(query) if year is not None}

    def counts_by_kind(
        self, objective_ids: Sequence[uuid.UUID], school_year: str
    ) -> dict[uuid.UUID, dict[tuple[str, str], int]]:
        """Accompaniments linked to each objective in a school year, by (modality,
        initiative). One statement for every objective, read from the objectives' links (a
        contract's few thousand) rather than from the year's entries: asked objective by
        objective, each read the year's entries again (the 120 objectives of the department
        benchmark's largest contract: 2.6 s before, 8 ms now)."""
        start, end = school_year_bounds(school_year)
        out: dict[uuid.UUID, dict[tuple[str, str], int]] = {o: {} for o in objective_ids}
        link, entry = AccompanimentObjectiveRow.__table__.c, AccompanimentRow.__table__.c
        deleted: ColumnElement[Any] = entry.deleted
        date: ColumnElement[Any] = entry.date
        if self.engine.dialect.name == "sqlite":
            # Without statistics SQLite's planner reads the year's entries (a department's
            # 15,000) and looks each up in the links: 330 ms, 8 ms from the links. A unary
            # plus keeps it from looking these two terms up in an index (SQLite's own way).
            deleted, date = (
                UnaryExpression(c, operator=custom_op("+"), type_=c.type) for c in (deleted, date)
            )
        with read_session(self.engine) as session:
            for chunk in _chunks(list(out)):
                query = (
                    select(link.objective_id, entry.modality, entry.initiative, func.count())
                    .select_from(
                        AccompanimentObjectiveRow.__table__.join(
                            AccompanimentRow.__table__, entry.id == link.accompaniment_id
                        )
                    )
                    .where(
                        link.objective_id.in_(chunk),
                        deleted.is_(False),
                        date.between(start, end),
                    )
                    .group_by(link.objective_id, entry.modality, entry.initiative)
                )
                for objective, modality, initiative, n in session.execute(query):
                    out[objective][(modality, initiative)] = n
        return out

    @staticmethod
    def _in_conflict(session: Session) -> list[uuid.UUID]:
        # The same condition as the partial index ix_accompaniments_in_conflict.
        return list(
            session.scalars(
                select(AccompanimentRow.id)
                .where(text("json_array_length(conflicts) > 0"))
                .order_by(AccompanimentRow.date)
            )
        )

    def conflict_ids(self) -> set[uuid.UUID]:
        """The entries in conflict (an index keeps this instant on a large log)."""
        with read_session(self.engine) as session:
            return set(self._in_conflict(session))

    def list_conflicts(self) -> list[tuple[Version, list[Version]]]:
        with read_session(self.engine) as session:
            ids = self._in_conflict(session)
            found = self._load(session, ids)
            return [
                (found[i][1], [version_from_dict(d) for d in found[i][0].conflicts]) for i in ids
            ]

    def log_authors(self) -> list[str]:
        with read_session(self.engine) as session:
            return list(
                session.scalars(
                    select(AccompanimentRow.author).distinct().order_by(AccompanimentRow.author)
                )
            )

    def last_accompaniment(self) -> Version | None:
        """The most recently written entry: the form repeats its author, school and theme."""
        with read_session(self.engine) as session:
            # Entries merged together share their time: the latest by date among them.
            aid = session.scalar(
                select(AccompanimentRow.id)
                .order_by(
                    AccompanimentRow.updated_at.desc(),
                    AccompanimentRow.date.desc(),
                    AccompanimentRow.id.desc(),
                )
                .limit(1)
            )
            if aid is None:
                return None
            return self._load(session, [aid])[aid][1]

    def objective_catalog(self) -> list[tuple[str, str, str]]:
        """(objective key, contract id, text) of every objective, for linking entries."""
        with read_session(self.engine) as session:
            rows = session.execute(
                select(ObjectiveRow.id, ContractRow.slug, ObjectiveRow.title, ObjectiveRow.text)
                .join(ContractRow, ContractRow.id == ObjectiveRow.contract_id)
                .order_by(ContractRow.slug, ObjectiveRow.position)
            )
            return [(str(oid), slug, title or text) for oid, slug, title, text in rows]

    # --- exchange ---------------------------------------------------------------------------

    def export_versions(self, author: str | None = None) -> list[Version]:
        """Every head of every entry (of ``author`` when given), deletions included."""
        with read_session(self.engine) as session:
            query = select(AccompanimentRow.id)
            if author:
                query = query.where(AccompanimentRow.author == author)
            ids = list(session.scalars(query.order_by(AccompanimentRow.date, AccompanimentRow.id)))
            found = self._load(session, ids)
            out: list[Version] = []
            for i in ids:
                row, version = found[i]
                out.append(version)
                out.extend(version_from_dict(d) for d in row.conflicts)
            return out

    def export_exchange(self, author: str | None, exported_at: dt.datetime) -> Exported:
        """The exchange file of every entry (of ``author`` when given), signed by this store's
        key: versions made here are signed now, versions received signed keep their signer's
        signature."""
        from revue.formats.exchange import dump_exchange

        key = self.keys.own()
        versions = self.export_versions(author)
        with read_session(self.engine) as session:
            known = self.keys.public_keys(session)
        name = self.history.author
        text = dump_exchange(
            versions, author=author, exported_at=exported_at, key=key, name=name, known=known
        )
        return Exported(text, len(versions), name, key.fingerprint)

    def merge_versions(self, incoming: Sequence[Version]) -> MergeReport:
        """Merge versions from another laptop, all or nothing (after a backup).

        For trusted callers (the demo, tools, tests): the keys of an :class:`Exchange` are
        accepted at once, unsigned versions taken as they are. The CLI and the app import
        through :meth:`import_exchange`, which asks before trusting a key."""
        from revue.formats.exchange import Exchange

        if isinstance(incoming, Exchange):
            return self.import_exchange(incoming, accept=set(incoming.signers()), unsigned=True)
        return self._merge(incoming, None, accept=(), unsigned=True)

    def import_exchange(
        self, exchange: Exchange, *, accept: Collection[str] = (), unsigned: bool = False
    ) -> MergeReport:
        """Merge an exchange file, all or nothing (after a backup), if every key that signed
        something it brings is trusted here; keys in ``accept`` (fingerprints the user checked)
        are trusted from now on, with the merge. A format 1 file (unsigned) only if
        ``unsigned``. Raises UntrustedFile (nothing written) to ask."""
        return self._merge(exchange, exchange, accept=accept, unsigned=unsigned)

    def _merge(
        self,
        incoming: Sequence[Version],
        exchange: Exchange | None,
        *,
        accept: Collection[str],
        unsigned: bool,
    ) -> MergeReport:
        """Written in bulk (a fixed number of statements per thousand entries): entries already
        known are recognised from their version hashes alone, without loading them, and only
        the versions not known yet have their signatures checked."""
        report = MergeReport()
        by_id: dict[uuid.UUID, list[Version]] = {}
        for version in incoming:
            by_id.setdefault(version.id, []).append(version)

        with write_session(self.engine, bulk=True) as session:
            # The entries the file changes, and which of them the store already holds (asked
            # under the write lock, so nobody changes them before the merge is written).
            hashes = self._known_versions(session, list(by_id))
            fresh = [
                v
                for aid, versions in by_id.items()
                for v in versions
                if v.version not in hashes.get(aid, ())
            ]
            who, verified = self._attribution(
                session, exchange, fresh, accept=accept, unsigned=unsigned
            )
            changed = list(dict.fromkeys(v.id for v in fresh))
            known = set(hashes)
            report.unchanged = len(by_id) - len(changed)
            if not changed:  # a file already merged: nothing to write or save
                verified()
                return report
            # The backup is copied in a thread while the merge is prepared and written, and
            # so are the signatures verified; the transaction commits only once the copy is
            # whole and every signature is sound (a bad one rolls the merge back, and is the
            # error reported even if the merge failed otherwise meanwhile).
            with self._backup_alongside("fusion"):
                try:
                    self._merge_changed(session, by_id, changed, known, report, who, exchange)
                finally:
                    verified()
        return report

    def _attribution(
        self,
        session: Session,
        exchange: Exchange | None,
        fresh: list[Version],
        *,
        accept: Collection[str],
        unsigned: bool,
    ) -> tuple[Attribution, Callable[[], None]]:
        """Check who signed the versions a merge is about to keep and say whom history names
        for each: the person the signing key stands for; nobody for a file without signatures;
        for versions given directly (trusted callers), the author they name.

        The keys are checked here (trusted, or :class:`UntrustedFile` raised); on PostgreSQL
        the signatures are verified in a thread meanwhile (OpenSSL lets go of the GIL while the
        merge prepares its rows and waits for the server): the second function returned waits
        for that and raises :class:`InputError` for a bad signature. The merge calls it before
        it commits. On SQLite they are verified here, before anything is written."""
        if exchange is None:
            return (lambda v: (v.content.author, RECEIVED_NOTE)), lambda: None
        signers = {v.signer for v in fresh if v.signer is not None}
        if exchange.exporter is not None:
            signers.add(exchange.exporter)
        names = self.keys.admit(
            session,
            exchange,
            {fp: exchange.keys[fp] for fp in sorted(signers)},
            accept=accept,
            unsigned=unsigned,
        )
        # PostgreSQL: the merge mostly waits for the server meanwhile. SQLite: its inserts
        # and the backup's copy already keep both cores busy; alongside, the merge was slower.
        alongside = self.engine.dialect.name == "postgresql"
        verified = _in_thread(exchange.check_signatures, fresh, alongside=alongside)
        if not exchange.signed:
            return (lambda v: ("", UNSIGNED_NOTE)), verified
        return (lambda v: (names.get(v.signer or "", ""), RECEIVED_NOTE)), verified

    def _merge_changed(
        self,
        session: Session,
        by_id: dict[uuid.UUID, list[Version]],
        changed: list[uuid.UUID],
        known: set[uuid.UUID],
        report: MergeReport,
        who: Attribution,
        exchange: Exchange | None,
    ) -> None:
        found = self._load(session, [aid for aid in changed if aid in known])
        names = self.keys.names(session) if found else {}
        added: list[tuple[Version, list[Version]]] = []
        updated: list[Updated] = []
        for aid in changed:
            versions = by_id[aid]
            if aid not in found:
                current, conflicts = merge_heads(versions)
                added.append((current, conflicts))
                report.added += 1
                report.conflicts += bool(conflicts)
                continue
            row, local = found[aid]
            mine = [local, *(version_from_dict(d) for d in row.conflicts)]
            if find_cycle([*mine, *versions]) is not None:
                raise InputError(
                    "des versions de ce fichier et de cet ordinateur descendent l'une de "
                    f"l'autre en cercle (accompagnement du {local.content.date:%d/%m/%Y}) : le "
                    "fichier est refusé en entier",
                    file=exchange.filename if exchange is not None else None,
                )
            current, conflicts = merge_heads([*mine, *versions])
            before = (local.version, sorted(v.version for v in mine[1:]))
            after = (current.version, sorted(v.version for v in conflicts))
            if before == after:
                report.unchanged += 1
                continue
            updated.append((current, conflicts, local, _received(row, local, names)))
            if conflicts:
                report.conflicts += 1
            else:
                report.updated += 1
        session.expunge_all()  # what follows writes through the tables, not the rows
        incoming = {(v.id, v.version) for versions in by_id.values() for v in versions}

        def attributed(v: Version) -> tuple[str, str]:
            if (v.id, v.version) in incoming:
                return who(v)
            return names.get(v.signer or "", v.content.author), RECEIVED_NOTE

        self._write_many(session, added, updated, attributed, signed=who)

    @staticmethod
    def _known_versions(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
        """For each stored entry among ``ids``: every version hash it holds or descends from."""
        out: dict[uuid.UUID, set[str]] = {}
        for chunk in _chunks(ids):
            for aid, version, ancestors, conflicts in session.execute(
                select(
                    AccompanimentRow.id,
                    AccompanimentRow.version,
                    AccompanimentRow.ancestors,
                    AccompanimentRow.conflicts,
                ).where(AccompanimentRow.id.in_(chunk))
            ):
                hashes = {version, *ancestors}
                for other in conflicts:
                    hashes.add(other["version"])
                    hashes.update(other.get("ancestors", ()))
                out[aid] = hashes
        return out

    def _write_many(
        self,
        session: Session,
        added: list[tuple[Version, list[Version]]],
        updated: list[Updated],
        who: Attribution,
        *,
        signed: Attribution,
    ) -> None:
        """Write merged entries, their links and their history versions in bulk.

        An entry received new gets no history row: it records when it arrived and who signed
        it, and its first version is the row itself until it changes (then that version is
        written first, see ``_received``). A history row would copy it whole and double what a
        merge writes. Only an entry received in a file without signatures gets one, to say so.
        """
        table = AccompanimentRow.__table__
        now = _now()
        if updated:
            params = [
                {"b_id": c.id, **{k: v for k, v in _row_values(c, k2, now).items() if k != "id"}}
                for c, k2, _, _ in updated
            ]
            session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values({name: bindparam(name) for name in params[0] if name != "b_id"}),
                params,
            )
            ids = [c.id for c, *_ in updated]
            for chunk in _chunks(ids):
                session.execute(
                    delete(AccompanimentSchoolRow.__table__).where(
                        AccompanimentSchoolRow.accompaniment_id.in_(chunk)
                    )
                )
                session.execute(
                    delete(AccompanimentObjectiveRow.__table__).where(
                        AccompanimentObjectiveRow.accompaniment_id.in_(chunk)
                    )
                )
        # History of the updated entries: one with no versions yet keeps its local state first.
        with_history: set[uuid.UUID] = set()
        for chunk in _chunks([c.id for c, *_ in updated]):
            with_history.update(
                session.scalars(
                    select(HistoryRow.item_id)
                    .where(HistoryRow.kind == "accompaniment", HistoryRow.item_id.in_(chunk))
                    .distinct()
                )
            )

        def batches() -> Iterator[tuple[Table, list[dict[str, Any]]]]:
            """Each batch built once the one before is on its way (on PostgreSQL the server
            inserts it meanwhile, see insert_rows)."""
            yield table, [{**_row_values(c, k, now), "received_at": now} for c, k in added]
            written = [c for c, _ in added] + [c for c, *_ in updated]
            yield (
                AccompanimentSchoolRow.__table__,
                [{"accompaniment_id": c.id, "uai": u} for c in written for u in c.content.schools],
            )
            yield (
                AccompanimentObjectiveRow.__table__,
                [
                    {"accompaniment_id": c.id, "objective_id": uuid.UUID(o)}
                    for c in written
                    for o in c.content.objectives
                ],
            )
            yield (
                HistoryRow.__table__,
                self._merge_history(added, updated, with_history, now, who, signed),
            )

        insert_rows(session, batches())

    @staticmethod
    def _merge_history(
        added: list[tuple[Version, list[Version]]],
        updated: list[Updated],
        with_history: set[uuid.UUID],
        now: dt.datetime,
        who: Attribution,
        signed: Attribution,
    ) -> list[dict[str, Any]]:
        """The history rows of a merge: the local state first of an updated entry with no
        versions yet, then the version shown of each entry whose shown version changed, and
        of each entry received new in a file without signatures."""
        shown_changed = [
            (c, local, received) for c, _, local, received in updated if c.version != local.version
        ]
        unsigned_new = [c for c, _ in added if signed(c)[1] == UNSIGNED_NOTE]
        return [
            base_version(
                "accompaniment", c.id, None, local.content.as_dict(), now, received=received
            )
            for c, local, received in shown_changed
            if c.id not in with_history
        ] + [
            {
                "id": ident,
                "kind": "accompaniment",
                "review_id": None,
                "item_id": c.id,
                "at": now,
                "author": author,
                "note": note,
                "content": c.content.as_dict(),
            }
            for c, ident in zip(
                [c for c, _, _ in shown_changed] + unsigned_new,
                new_ids(len(shown_changed) + len(unsigned_new)),
                strict=True,
            )
            for author, note in [who(c)]
        ]


CHUNK = 500

IN_CONFLICT = (
    "cet accompagnement est en conflit entre deux versions venues de deux ordinateurs : "
    "choisissez d'abord celle à garder (touche c, « Conflits ») ; rien n'a été modifié"
)

#: An entry a merge changes: the version shown, its conflicts, the local version it replaces,
#: and who wrote that one and when it arrived if it came by exchange and has no history yet.
Updated = tuple[Version, list[Version], Version, "Received | None"]

#: Whom history names for a version a merge writes, and the note: (author, note).
Attribution = Callable[[Version], tuple[str, str]]


def _received(
    row: AccompanimentRow | None, previous: Version | None, names: dict[str, str]
) -> Received | None:
    """For an entry received by exchange: who signed it (else the author it names) and when it
    arrived, to write its first version (as it arrived) before the version that changes it."""
    if row is None or previous is None or row.received_at is None:
        return None
    author = (
        names.get(row.signer, previous.content.author) if row.signer else previous.content.author
    )
    return author, row.received_at


#: How often a stoppable query looks whether it is still wanted: SQLite virtual machine
#: steps (about a millisecond), PostgreSQL seconds.
_SQLITE_STEPS, _PG_EVERY = 20_000, 0.05


@contextmanager
def _stoppable(raw: Any, cancelled: Callable[[], bool]) -> Iterator[None]:
    """While inside, the statement running on the DBAPI connection ``raw`` is interrupted
    (it raises) soon after ``cancelled()`` turns True: SQLite through a progress handler,
    PostgreSQL by a cancel request from a watching thread."""
    import sqlite3

    if isinstance(raw, sqlite3.Connection):
        raw.set_progress_handler(lambda: 1 if cancelled() else 0, _SQLITE_STEPS)
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(_PG_EVERY):
            if cancelled():
                raw.cancel_safe()
                return

    watcher = threading.Thread(target=watch, name="revue-count-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def _in_thread(
    work: Callable[[list[Version]], None], versions: list[Version], *, alongside: bool
) -> Callable[[], None]:
    """Start ``work(versions)`` in a thread; the function returned waits for it to end and
    raises what it raised. Few versions (a small file), or not ``alongside``: done here and
    now."""
    if not alongside or len(versions) < IN_THREAD_FROM:
        work(versions)
        return lambda: None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="revue-verify")
    future = pool.submit(work, versions)
    pool.shutdown(wait=False)
    return future.result


#: Versions from which a merge verifies signatures in a thread while it writes.
IN_THREAD_FROM = 200


def _chunks(items: list[_T], size: int = CHUNK) -> Iterator[list[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _search_text(content: Content) -> str:
    """What the log's search looks through (see revue.domain.french.fold)."""
    return fold(f"{content.theme}\n{content.notes}")


def _row_values(current: Version, conflicts: list[Version], now: dt.datetime) -> dict[str, Any]:
    """An accompaniments row as plain values, for bulk statements."""
    c = current.content
    return {
        "id": current.id,
        "date": c.date,
        "author": c.author,
        "network": c.network,
        "modality": c.modality,
        "initiative": c.initiative,
        "theme": c.theme,
        "duration_minutes": c.duration_minutes,
        "participants": c.participants,
        "notes": c.notes,
        "follow_up": c.follow_up,
        "deleted": c.deleted,
        "search_text": _search_text(c),
        "version": current.version,
        "parents": list(current.parents),
        "ancestors": sorted(current.ancestors),
        "conflicts": [version_to_dict(v) for v in conflicts],
        "signer": current.signer,
        "signature": current.signature,
        "updated_at": now,
    }
