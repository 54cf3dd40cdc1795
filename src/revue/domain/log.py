"""The accompaniment log: plain data, versions and the merge rule for exchanges.

Every change of an accompaniment makes a new *version*: the sha256 of its content and of the
versions it was made from (its parents). A version also carries all its ancestors. Two laptops
that exchange files then know, for each accompaniment, which versions supersede which: a version
that is an ancestor of another is superseded; what remains are the *heads*. One head: the log
agrees. Several heads: the same entry was changed on both sides since they last exchanged — a
conflict, kept whole until someone picks a version. Which head is shown meanwhile is decided the
same way everywhere (the largest hash), so every laptop ends with the same log whatever the
order of the exchanges.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from revue.domain.schoolyear import school_year_bounds

MODALITY_LABELS = {"collective": "collectif", "individual": "individuel"}
INITIATIVE_LABELS = {"team": "équipe", "ien": "IEN", "teacher": "enseignant"}


@dataclass(frozen=True)
class School:
    uai: str
    name: str
    commune: str = ""
    network: str = ""
    priority: str = ""  # "", "REP", "REP+"
    fictitious: bool = False


@dataclass(frozen=True)
class Content:
    """What a conseiller writes about one accompaniment."""

    date: dt.date
    author: str
    modality: str  # "collective" | "individual"
    initiative: str  # "team" | "ien" | "teacher"
    schools: tuple[str, ...] = ()  # UAI
    network: str = ""
    theme: str = ""
    objectives: tuple[str, ...] = ()  # objective UUIDs (str)
    duration_minutes: int | None = None
    participants: int | None = None
    notes: str = ""
    follow_up: str = ""
    deleted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "author": self.author,
            "modality": self.modality,
            "initiative": self.initiative,
            "schools": sorted(self.schools),
            "network": self.network,
            "theme": self.theme,
            "objectives": sorted(self.objectives),
            "duration_minutes": self.duration_minutes,
            "participants": self.participants,
            "notes": self.notes,
            "follow_up": self.follow_up,
            "deleted": self.deleted,
        }

    @property
    def school_year(self) -> str:
        start = self.date.year if self.date.month >= 9 else self.date.year - 1
        return f"{start}-{start + 1}"


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def version_of(content: Content, parents: list[str]) -> str:
    payload = _CANONICAL.encode({"content": content.as_dict(), "parents": sorted(parents)})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Version:
    """One version of one accompaniment, as stored and as exchanged."""

    id: uuid.UUID
    content: Content
    version: str
    parents: tuple[str, ...] = ()
    ancestors: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def first(cls, content: Content, id: uuid.UUID | None = None) -> Version:
        return cls(id=id or uuid.uuid4(), content=content, version=version_of(content, []))

    def edited(self, content: Content) -> Version:
        """The next version after this one."""
        return Version(
            id=self.id,
            content=content,
            version=version_of(content, [self.version]),
            parents=(self.version,),
            ancestors=self.ancestors | {self.version},
        )

    def supersedes(self, other: Version) -> bool:
        return other.version in self.ancestors

    def is_valid(self) -> bool:
        """The hash matches the content and parents, and the parents are ancestors."""
        return (
            version_of(self.content, list(self.parents)) == self.version
            and set(self.parents) <= self.ancestors
        )


def merge_heads(versions: list[Version]) -> tuple[Version, list[Version]]:
    """The version to show and the conflicting others, from every version known of one entry.

    Deterministic: the same set of versions gives the same answer on every laptop.
    """
    unique = {v.version: v for v in versions}
    heads = [
        v
        for v in unique.values()
        if not any(other.supersedes(v) for other in unique.values() if other is not v)
    ]
    heads.sort(key=lambda v: v.version, reverse=True)
    return heads[0], heads[1:]


def resolve(current: Version, conflicts: list[Version], keep: Version) -> Version:
    """A version with ``keep``'s content that supersedes every head."""
    heads = [current, *conflicts]
    parents = sorted(h.version for h in heads)
    ancestors = frozenset().union(*(h.ancestors | {h.version} for h in heads))
    return Version(
        id=current.id,
        content=keep.content,
        version=version_of(keep.content, parents),
        parents=tuple(parents),
        ancestors=ancestors,
    )


@dataclass
class LogFilter:
    """What the log shows; None means any."""

    school_year: str | None = None
    author: str | None = None
    school: str | None = None  # UAI
    modality: str | None = None
    initiative: str | None = None
    objective: str | None = None  # objective UUID (str)
    text: str | None = None  # searched in theme and notes
    include_deleted: bool = False
    sort: str = "date"  # date | author | modality | initiative | theme
    descending: bool = True

    def bounds(self) -> tuple[dt.date, dt.date] | None:
        return school_year_bounds(self.school_year) if self.school_year else None


@dataclass
class MergeReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0

    def line(self) -> str:
        return (
            f"ajoutés : {self.added}, mis à jour : {self.updated}, "
            f"inchangés : {self.unchanged}, conflits : {self.conflicts}"
        )


def with_deleted(version: Version, deleted: bool) -> Version:
    return version.edited(replace(version.content, deleted=deleted))


def version_to_dict(v: Version) -> dict[str, Any]:
    """The exchange-file shape of a version (also how conflicts are kept in the store)."""
    return {
        "id": str(v.id),
        "version": v.version,
        "parents": list(v.parents),
        "ancestors": sorted(v.ancestors),
        **v.content.as_dict(),
    }


def content_from_dict(d: dict[str, Any]) -> Content:
    return Content(
        date=dt.date.fromisoformat(d["date"]),
        author=d["author"],
        modality=d["modality"],
        initiative=d["initiative"],
        schools=tuple(d.get("schools", ())),
        network=d.get("network", ""),
        theme=d.get("theme", ""),
        objectives=tuple(d.get("objectives", ())),
        duration_minutes=d.get("duration_minutes"),
        participants=d.get("participants"),
        notes=d.get("notes", ""),
        follow_up=d.get("follow_up", ""),
        deleted=bool(d.get("deleted", False)),
    )


def version_from_dict(d: dict[str, Any]) -> Version:
    """Trusted input (the store's own JSON); the exchange reader validates before calling."""
    return Version(
        id=uuid.UUID(d["id"]),
        content=content_from_dict(d),
        version=d["version"],
        parents=tuple(d.get("parents", ())),
        ancestors=frozenset(d.get("ancestors", ())),
    )
