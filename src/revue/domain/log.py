"""The accompaniment log: plain data, versions and the merge rule for exchanges.

Every change of an accompaniment makes a new *version*: the sha256 of the entry's id, its
content, the versions it was made from (its parents) and all the versions it descends from (its
ancestors). Versions made before exchange format 2 kept the older hash, of the content and the
parents only (:func:`legacy_version_of`): they stay valid, and a signed exchange file covers
their ancestors by the signature of each version instead. Two laptops
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
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from revue.domain.french import NBSP, number
from revue.domain.schoolyear import school_year_bounds
from revue.domain.text import control_character

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


# --- what an accompaniment may hold ----------------------------------------------------------
#
# The same bounds hold for what is typed here (the store refuses the rest) and for what an
# exchange file brings (the reader refuses the whole file): a file this program writes is always
# one it reads.

FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
MAX_DURATION_MINUTES = 7 * 24 * 60  # a week
MAX_PARTICIPANTS = 10_000
MAX_SHORT_TEXT = 300  # author, network, theme
MAX_LONG_TEXT = 100_000  # notes, follow-up
MAX_LINKS = 200  # schools, objectives
MAX_PARENTS = 64
MAX_ANCESTORS = 10_000
#: A duration longer than a day is asked about before it is saved (typed 9082 for 90, 8?).
LONG_DURATION_MINUTES = 24 * 60


def duration_text(minutes: int) -> str:
    """``45`` -> ``45 min``, ``120`` -> ``2 h``, ``90`` -> ``1 h 30``, ``65`` -> ``1 h 05``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}{NBSP}min"
    return f"{number(hours)}{NBSP}h" + (f"{NBSP}{rest:02d}" if rest else "")


def duration_understood(minutes: int) -> str:
    """What the form read, in hours and minutes and in minutes: ``1 h 30 = 90 min``."""
    if minutes < 60:
        return duration_text(minutes)
    return f"{duration_text(minutes)} = {number(minutes)}{NBSP}min"


#: C0 controls but the tab and the line feed, DEL, C1 controls, and lone surrogates (JSON can
#: spell them, UTF-8 cannot hold them).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
UAI = re.compile(r"\d{7}[A-Z]")
HASH = re.compile(r"[0-9a-f]{64}")

SHORT_TEXTS = {"author": "auteur", "network": "réseau", "theme": "thème"}
LONG_TEXTS = {"notes": "notes", "follow_up": "suites à donner"}


def control_reason(text: str) -> str:
    """Why ``text`` cannot be kept (French), when :data:`CONTROL` finds something in it."""
    found = control_character(text)
    if found is None:
        match = CONTROL.search(text)
        where = f" en position {match.start() + 1}" if match else ""
        found = f"moitié de caractère isolée (codage UTF-16 cassé){where}"
    return f"{found} : seuls le retour à la ligne et la tabulation sont admis"


def clean_text(text: str) -> str:
    """``text`` with its line ends made ``\\n`` and every other control character removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", text)


def clean_content(content: Content) -> Content:
    """The content with control characters removed from its texts (what the store keeps)."""
    c = content
    cleaned = replace(
        c,
        author=clean_text(c.author),
        network=clean_text(c.network),
        theme=clean_text(c.theme),
        notes=clean_text(c.notes),
        follow_up=clean_text(c.follow_up),
    )
    return content if cleaned == content else cleaned


def content_problems(content: Content) -> list[tuple[str, str]]:
    """What is out of bounds in ``content``: (field, French reason) pairs, none when sound."""
    problems: list[tuple[str, str]] = []
    if not FIRST_DAY <= content.date <= LAST_DAY:
        problems.append(
            ("date", f"date hors des bornes ({FIRST_DAY:%d/%m/%Y} – {LAST_DAY:%d/%m/%Y})")
        )
    for key, limit in (
        ("duration_minutes", MAX_DURATION_MINUTES),
        ("participants", MAX_PARTICIPANTS),
    ):
        number = getattr(content, key)
        if number is not None and not 0 <= number <= limit:
            problems.append((key, f"nombre entre 0 et {limit:,} attendu".replace(",", "\u202f")))
    problems += _text_problems(content)
    if content.modality not in MODALITY_LABELS:
        problems.append(("modality", "modalité inconnue"))
    if content.initiative not in INITIATIVE_LABELS:
        problems.append(("initiative", "initiative inconnue"))
    return problems + _link_problems(content)


def _text_problems(content: Content) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for keys, limit in ((SHORT_TEXTS, MAX_SHORT_TEXT), (LONG_TEXTS, MAX_LONG_TEXT)):
        for key, label in keys.items():
            value = getattr(content, key)
            if len(value) > limit:
                problems.append(
                    (key, f"{label} trop long ({len(value)} caractères, {limit} au plus)")
                )
            elif CONTROL.search(value):
                problems.append((key, f"{label} : {control_reason(value)}"))
    if not content.author.strip():
        problems.append(("author", "auteur obligatoire"))
    return problems


def _link_problems(content: Content) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for key, values in (("schools", content.schools), ("objectives", content.objectives)):
        if len(values) > MAX_LINKS:
            problems.append((key, f"plus de {MAX_LINKS} éléments"))
        elif len(set(values)) != len(values):
            problems.append((key, "élément en double"))
    if any(not UAI.fullmatch(uai) for uai in content.schools):
        problems.append(("schools", "UAI invalide (7 chiffres et une lettre)"))
    if not all(_is_canonical_uuid(o) for o in content.objectives):
        problems.append(("objectives", "identifiant d'objectif invalide"))
    return problems


def _is_canonical_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


# --- versions -------------------------------------------------------------------------------

_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def version_of(
    content: Content, parents: Iterable[str], *, id: uuid.UUID, ancestors: Iterable[str] = ()
) -> str:
    """The hash of a version (exchange format 2): the entry's id, its content, its parents and
    its ancestors. Nothing that decides which version supersedes which is left out of it."""
    payload = _CANONICAL.encode(
        {
            "hash": 2,
            "id": str(id),
            "content": content.as_dict(),
            "parents": sorted(parents),
            "ancestors": sorted(ancestors),
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def legacy_version_of(content: Content, parents: Iterable[str]) -> str:
    """The hash versions had before exchange format 2: the content and the parents only."""
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
    #: The fingerprint of the key that signed this version and its signature (base64), for a
    #: version received in a signed exchange file; None for one made here (it is signed when
    #: exported) or received unsigned. Not part of the version's identity.
    signer: str | None = field(default=None, compare=False)
    signature: str | None = field(default=None, compare=False)

    @classmethod
    def first(cls, content: Content, id: uuid.UUID | None = None) -> Version:
        ident = id or uuid.uuid4()
        return cls(id=ident, content=content, version=version_of(content, [], id=ident))

    def edited(self, content: Content) -> Version:
        """The next version after this one."""
        ancestors = self.ancestors | {self.version}
        return Version(
            id=self.id,
            content=content,
            version=version_of(content, [self.version], id=self.id, ancestors=ancestors),
            parents=(self.version,),
            ancestors=ancestors,
        )

    def supersedes(self, other: Version) -> bool:
        return other.version in self.ancestors

    def problem(self) -> str | None:
        """Why this version cannot be taken as it is (French), or None: its hash must match
        what it holds, and its lineage must make sense (no version of its own ancestry, parents
        among the ancestors, no ancestors without parents)."""
        if self.version in self.ancestors or self.version in self.parents:
            return "la version se donne elle-même pour ancêtre"
        if len(set(self.parents)) != len(self.parents):
            return "version d'origine en double"
        if not set(self.parents) <= self.ancestors:
            return "une version d'origine n'est pas parmi les ancêtres"
        if self.ancestors and not self.parents:
            return "des ancêtres sans version d'origine"
        if self.version != version_of(
            self.content, self.parents, id=self.id, ancestors=self.ancestors
        ) and self.version != legacy_version_of(self.content, self.parents):
            return "entrée altérée : son empreinte ne correspond pas à son contenu"
        return None

    def is_valid(self) -> bool:
        """The hash matches what the version holds and its lineage makes sense."""
        return self.problem() is None


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
    if not heads:
        # Versions that each supersede another (a cycle): exchange files refuse them and
        # hashes that cover the ancestors cannot make them, but should any be held, none is
        # dropped: they are all kept, as conflicts.
        heads = list(unique.values())
    heads.sort(key=lambda v: v.version, reverse=True)
    return heads[0], heads[1:]


def find_cycle(versions: Iterable[Version]) -> list[str] | None:
    """Hashes of versions of one entry that descend from one another in a circle (each claims
    the next as an ancestor, or one claims itself), or None."""
    unique = {v.version: v for v in versions}
    edges = {h: sorted(a for a in v.ancestors if a in unique) for h, v in unique.items()}
    done: set[str] = set()
    for start in sorted(unique):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            node, index = stack.pop()
            if index == 0:
                path.append(node)
                on_path.add(node)
            if index < len(edges[node]):
                stack.append((node, index + 1))
                following = edges[node][index]
                if following in on_path:
                    return path[path.index(following) :]
                if following not in done:
                    stack.append((following, 0))
            else:
                path.pop()
                on_path.discard(node)
                done.add(node)
    return None


def resolve(current: Version, conflicts: list[Version], keep: Version) -> Version:
    """A version with ``keep``'s content that supersedes every head."""
    heads = [current, *conflicts]
    parents = sorted(h.version for h in heads)
    ancestors = frozenset().union(*(h.ancestors | {h.version} for h in heads))
    return Version(
        id=current.id,
        content=keep.content,
        version=version_of(keep.content, parents, id=current.id, ancestors=ancestors),
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

    def hides_some(self) -> bool:
        """Whether a filter or a search is set (the log may hide some entries)."""
        return any(
            (self.school_year, self.author, self.school, self.modality, self.initiative)
        ) or bool(self.objective or self.text)


@dataclass(frozen=True)
class Saved:
    """What saving an edit did: the version it made, and whether it is in conflict with a
    version saved meanwhile (then both are kept; the conflicts screen settles them)."""

    version: Version
    conflict: bool


@dataclass(frozen=True)
class KnownKey:
    """A signing key as a store knows it: its own, or a colleague's accepted once."""

    fingerprint: str
    name: str
    added_at: dt.datetime  # UTC, naive
    removed_at: dt.datetime | None = None
    own: bool = False


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
    out = {
        "id": str(v.id),
        "version": v.version,
        "parents": list(v.parents),
        "ancestors": sorted(v.ancestors),
        **v.content.as_dict(),
    }
    if v.signer is not None:
        out["signer"], out["signature"] = v.signer, v.signature
    return out


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
        signer=d.get("signer"),
        signature=d.get("signature"),
    )
