"""The exchange file between laptops (JSON), documented in docs/format-echange.md.

Format 2 (written since signatures): every version of an accompaniment is signed by the key of
the store that made it, and the whole file by the key of the store that wrote it. The reader
refuses the whole file on the first problem — a bad signature, a hash that does not match, a
lineage that makes no sense (a version among its own ancestors, two versions each descending
from the other), a number or a text out of bounds, a control character — with a French message
naming the file and the entry. Format 1 (unsigned, with a SHA-256 of its content) is still read:
it is refused unless the caller accepts an unsigned file (:attr:`Exchange.signed`).

Who may be trusted is not decided here but by the store (:mod:`revue.store.keys`): the reader
checks that each signature is the one of the key the file names for it; the store checks that
the key is one it trusts, under that name.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from revue.domain.errors import InputError, RevueError
from revue.domain.french import clip
from revue.domain.log import (
    CONTROL,
    HASH,
    MAX_ANCESTORS,
    MAX_PARENTS,
    MAX_SHORT_TEXT,
    Content,
    Version,
    content_problems,
    find_cycle,
    version_to_dict,
)
from revue.formats.signing import (
    FILE_LABEL,
    PUBLIC_KEY_BYTES,
    VERSION_LABEL,
    PublicKeys,
    SigningKey,
    b64,
    fingerprint,
    short_fingerprint,
    unb64,
)

EXCHANGE_FORMAT = "revue-echange"
EXCHANGE_VERSION = 2
LEGACY_VERSION = 1
MAX_EXCHANGE_BYTES = 100 * 1024 * 1024
MAX_KEYS = 1_000

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOP_V2 = {
    "format",
    "format_version",
    "exported_at",
    "author",
    "exporter",
    "keys",
    "accompaniments",
    "signature",
}


@dataclass(frozen=True)
class KeyInfo:
    """A public key as a file presents it: the name its owner gave."""

    name: str
    public_key: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def describe(self) -> str:
        return f"{self.name} — empreinte {short_fingerprint(self.fingerprint)}"


def canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes a signature or a checksum covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def version_payload(v: Version, signer: str) -> bytes:
    """What a version's signature covers: its entry, hash, parents and ancestors, and who signs
    (the content is covered through the hash)."""
    return canonical(
        {
            "id": str(v.id),
            "version": v.version,
            "parents": list(v.parents),
            "ancestors": sorted(v.ancestors),
            "signer": signer,
        }
    )


#: From how many signed versions their signatures are checked by two threads.
PARALLEL_FROM = 512


@dataclass(frozen=True)
class Exchange(Sequence[Version]):
    """A whole exchange file, checked: its versions, and who signed what.

    A sequence of its versions. ``keys`` holds the public keys the file names, by fingerprint;
    ``exporter`` is the fingerprint of the key that signed the file (None for format 1)."""

    filename: str
    format_version: int
    versions: tuple[Version, ...]
    keys: Mapping[str, KeyInfo] = field(default_factory=dict)
    exporter: str | None = None
    author: str | None = None
    _numbers: Mapping[tuple[uuid.UUID, str], int] = field(default_factory=dict, repr=False)

    @property
    def signed(self) -> bool:
        return self.exporter is not None

    def signers(self) -> dict[str, KeyInfo]:
        """The keys that signed the file or one of its versions."""
        used = {v.signer for v in self.versions if v.signer is not None}
        if self.exporter is not None:
            used.add(self.exporter)
        return {fp: self.keys[fp] for fp in sorted(used)}

    def check_signatures(self, versions: Iterable[Version]) -> None:
        """Verify the signatures of these versions (of this file): the merge verifies those
        it is about to keep, not the ones already known (a file imported again costs nothing).
        Raises InputError naming the entry.

        A version signed by the key that signed the file is not verified: the file's
        signature, checked when it was read, already covers every byte of it (entry, hash,
        parents, ancestors, signer and signature) for that same key. Its own signature serves
        when this store relays it, and is verified by whoever receives it relayed (half of a
        10,000-entry merge's time went to verifying what the file's signature had proved)."""
        verifier = PublicKeys()
        signed = [
            v
            for v in versions
            if v.signer is not None and v.signature is not None and v.signer != self.exporter
        ]
        for signer in {v.signer for v in signed if v.signer is not None}:
            verifier.load(self.keys[signer].public_key)  # before the threads share it

        def valid(v: Version) -> bool:
            assert v.signer is not None and v.signature is not None
            return verifier.verify(
                self.keys[v.signer].public_key,
                v.signature,
                VERSION_LABEL,
                version_payload(v, v.signer),
            )

        # OpenSSL verifies without holding the GIL: two threads (this machine's cores) check
        # a large file in about 60 % of the time. The first bad version, in file order, is
        # the one reported.
        if len(signed) >= PARALLEL_FROM:
            half = len(signed) // 2
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="revue-verify") as pool:
                parts = pool.map(
                    lambda part: [valid(v) for v in part], (signed[:half], signed[half:])
                )
                results = [ok for part in parts for ok in part]
        else:
            results = [valid(v) for v in signed]
        for v, ok in zip(signed, results, strict=True):
            if not ok:
                assert v.signer is not None
                key = self.keys[v.signer]
                number = self._numbers.get((v.id, v.version), 0)
                raise InputError(
                    f"signature invalide : cette version ne vient pas de la clé de {key.name} "
                    "qu'elle annonce ; le fichier est refusé en entier",
                    file=self.filename,
                    field=f"accompaniments[{number}].signature",
                )

    def __len__(self) -> int:
        return len(self.versions)

    @overload
    def __getitem__(self, index: int) -> Version: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Version]: ...
    def __getitem__(self, index: int | slice) -> Version | Sequence[Version]:
        return self.versions[index]

    def __iter__(self) -> Iterator[Version]:
        return iter(self.versions)


# --- writing ----------------------------------------------------------------------------------


def dump_exchange(
    versions: Sequence[Version],
    *,
    author: str | None,
    exported_at: dt.datetime,
    key: SigningKey,
    name: str,
    known: Mapping[str, KeyInfo] | None = None,
) -> str:
    """The text of an exchange file holding ``versions``, signed by ``key`` under ``name``.

    A version received signed keeps its signature when its signer's public key is in
    ``known``; every other one (made here, or received unsigned) is signed by ``key``.
    Refuses (RevueError) to write a version that a reader would refuse."""
    known = known or {}
    keys: dict[str, KeyInfo] = {key.fingerprint: KeyInfo(clean_name(name), key.public_key)}
    entries = []
    for v in versions:
        _check_exportable(v)
        entry = version_to_dict(v)
        if v.signer is not None and v.signature is not None and v.signer in known:
            keys.setdefault(v.signer, known[v.signer])
        else:
            entry["signer"] = key.fingerprint
            entry["signature"] = key.sign(VERSION_LABEL, version_payload(v, key.fingerprint))
        entries.append(entry)
    document: dict[str, Any] = {
        "format": EXCHANGE_FORMAT,
        "format_version": EXCHANGE_VERSION,
        "exported_at": exported_at.replace(microsecond=0, tzinfo=None).isoformat(),
        "author": author,
        "exporter": key.fingerprint,
        "keys": {
            fp: {"name": info.name, "public_key": b64(info.public_key)}
            for fp, info in sorted(keys.items())
        },
        "accompaniments": entries,
    }
    document["signature"] = key.sign(FILE_LABEL, canonical(document))
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def clean_name(name: str) -> str:
    """A key's name as written in a file: one line, no control character, bounded."""
    return clip(CONTROL.sub("", name), MAX_SHORT_TEXT) or "sans nom"


def _check_exportable(v: Version) -> None:
    problems = content_problems(v.content)
    problem = problems[0][1] if problems else v.problem()
    if problem is not None:
        c = v.content
        raise RevueError(
            f"l'accompagnement du {c.date:%d/%m/%Y} ({clip(c.author, 40)}, "
            f"« {clip(c.theme, 40)} ») ne peut pas être exporté : {problem} ; "
            "corrigez-le dans le journal puis exportez à nouveau"
        )


# --- reading ----------------------------------------------------------------------------------


def _fail(
    filename: str, message: str, field: str | None = None, line: int | None = None
) -> InputError:
    return InputError(message, file=filename, field=field, line=line)


def _load(path: str | os.PathLike[str]) -> Any:
    filename = str(path)
    try:
        size = os.stat(path).st_size
        if size > MAX_EXCHANGE_BYTES:
            raise _fail(filename, f"fichier trop volumineux ({size // 1024 // 1024} Mo)")
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise _fail(filename, "fichier introuvable") from None
    except IsADirectoryError:
        raise _fail(filename, "c'est un dossier, pas un fichier") from None
    except OSError as exc:
        raise _fail(filename, f"lecture impossible ({exc.strerror})") from None
    if not raw.strip():
        raise _fail(filename, "le fichier est vide")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _fail(
            filename, "ce n'est pas un fichier d'échange revue (contenu binaire ou codage inconnu)"
        ) from None
    except json.JSONDecodeError as exc:
        raise _fail(
            filename,
            "fichier tronqué ou abîmé : son contenu JSON est incomplet ou invalide",
            line=exc.lineno,
        ) from None
    except ValueError:  # a number of thousands of digits
        raise _fail(filename, "nombre démesuré : ce n'est pas un fichier d'échange revue") from None
    except RecursionError:
        raise _fail(
            filename, "imbrication trop profonde : ce n'est pas un fichier d'échange revue"
        ) from None


def read_exchange(path: str | os.PathLike[str]) -> Exchange:
    """Read and check a whole exchange file; raise InputError (French) on any problem.

    Everything is checked but the signatures of the versions, which the merge verifies for
    the versions it keeps (:meth:`Exchange.check_signatures`): the file's own signature,
    checked here, already covers everything in it."""
    filename = str(path)
    document = _load(path)
    if not isinstance(document, dict) or document.get("format") != EXCHANGE_FORMAT:
        raise _fail(filename, "ce n'est pas un fichier d'échange revue", field="format")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail(filename, "version du format absente", field="format_version")
    if version > EXCHANGE_VERSION:
        raise _fail(
            filename,
            f"fichier au format version {version}, plus récent que ce que "
            f"cette version de revue sait lire ({EXCHANGE_VERSION}) : mettez revue à jour",
            field="format_version",
        )
    if version == LEGACY_VERSION:
        return _read_legacy(filename, document)
    if version != EXCHANGE_VERSION:
        raise _fail(filename, f"version {version} du format inconnue", field="format_version")
    return _read_signed(filename, document)


def _read_legacy(filename: str, document: dict[str, Any]) -> Exchange:
    """Format 1: a SHA-256 of the rest of the file, no signature."""
    import hashlib

    checksum = document.pop("sha256", None)
    if (
        not isinstance(checksum, str)
        or hashlib.sha256(_signed_bytes(filename, document)).hexdigest() != checksum
    ):
        raise _fail(
            filename,
            "somme de contrôle incorrecte : le fichier a été modifié ou "
            "tronqué depuis son export ; demandez un nouvel export",
            field="sha256",
        )
    author = _header_text(filename, document, "author")
    versions, numbers = _entries(filename, document.get("accompaniments"), keys=None)
    return Exchange(filename, LEGACY_VERSION, versions, author=author, _numbers=numbers)


def _read_signed(filename: str, document: dict[str, Any]) -> Exchange:
    missing = sorted(_TOP_V2 - document.keys())
    if missing:
        raise _fail(
            filename,
            "fichier incomplet : il manque "
            + ", ".join(f"« {m} »" for m in missing)
            + " (un fichier d'échange signé les a toutes)",
            field=missing[0],
        )
    keys = _keys(filename, document["keys"])
    exporter = document["exporter"]
    if not isinstance(exporter, str) or exporter not in keys:
        raise _fail(
            filename, "la clé qui a signé le fichier n'est pas dans sa liste de clés", "exporter"
        )
    signature = document.pop("signature")
    if not isinstance(signature, str) or not PublicKeys().verify(
        keys[exporter].public_key, signature, FILE_LABEL, _signed_bytes(filename, document)
    ):
        raise _fail(
            filename,
            "signature du fichier invalide : il a été modifié ou tronqué depuis son export, "
            f"ou il ne vient pas de la clé de {keys[exporter].name} qu'il annonce ; "
            "demandez un nouvel export",
            field="signature",
        )
    author = _header_text(filename, document, "author")
    exported_at = document["exported_at"]
    try:
        if not isinstance(exported_at, str) or len(exported_at) > 40:
            raise ValueError(exported_at)
        dt.datetime.fromisoformat(exported_at)
    except ValueError:
        raise _fail(filename, "date d'export invalide", field="exported_at") from None
    versions, numbers = _entries(filename, document["accompaniments"], keys=keys)
    return Exchange(
        filename,
        EXCHANGE_VERSION,
        versions,
        keys=keys,
        exporter=exporter,
        author=author,
        _numbers=numbers,
    )


def _signed_bytes(filename: str, document: dict[str, Any]) -> bytes:
    """What the file's checksum or signature covers; a text UTF-8 cannot hold (a lone
    surrogate, which JSON can spell) makes the file unreadable."""
    try:
        return canonical(document)
    except UnicodeEncodeError:
        raise _fail(
            filename,
            "texte invalide : moitié de caractère isolée (codage UTF-16 cassé) ; ce n'est pas "
            "un fichier écrit par revue",
        ) from None


def _header_text(filename: str, document: dict[str, Any], key: str) -> str | None:
    value = document.get(key)
    if value is not None and (
        not isinstance(value, str) or len(value) > MAX_SHORT_TEXT or CONTROL.search(value)
    ):
        raise _fail(filename, "nom invalide", field=key)
    return value


def _keys(filename: str, raw: Any) -> dict[str, KeyInfo]:
    if not isinstance(raw, dict) or not raw or len(raw) > MAX_KEYS:
        raise _fail(filename, "liste des clés absente ou invalide", field="keys")
    keys: dict[str, KeyInfo] = {}
    for fp, info in raw.items():
        where = f"keys.{clip(fp, 16)}"
        if not isinstance(info, dict) or set(info) != {"name", "public_key"}:
            raise _fail(filename, "clé décrite par son nom et sa clé publique attendue", where)
        name, public = info["name"], info["public_key"]
        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name) > MAX_SHORT_TEXT
            or CONTROL.search(name)
        ):
            raise _fail(filename, "nom de la clé invalide", f"{where}.name")
        key = unb64(public, PUBLIC_KEY_BYTES) if isinstance(public, str) else None
        if key is None or fingerprint(key) != fp:
            raise _fail(
                filename, "clé publique invalide ou qui ne correspond pas à son empreinte", where
            )
        keys[fp] = KeyInfo(name, key)
    return keys


def _entries(
    filename: str, entries: Any, *, keys: Mapping[str, KeyInfo] | None
) -> tuple[tuple[Version, ...], dict[tuple[uuid.UUID, str], int]]:
    if not isinstance(entries, list):
        raise _fail(filename, "liste des accompagnements absente", field="accompaniments")
    versions: list[Version] = []
    numbers: dict[tuple[uuid.UUID, str], int] = {}
    by_id: dict[uuid.UUID, list[Version]] = {}
    for number, entry in enumerate(entries, start=1):
        v = _version(filename, number, entry, keys)
        if (v.id, v.version) in numbers:
            raise _fail(filename, "version en double dans le fichier", f"accompaniments[{number}]")
        numbers[(v.id, v.version)] = number
        versions.append(v)
        by_id.setdefault(v.id, []).append(v)
    for ident, same in by_id.items():
        if len(same) > 1 and (cycle := find_cycle(same)) is not None:
            first = min(numbers[(ident, h)] for h in cycle)
            raise _fail(
                filename,
                "versions qui descendent l'une de l'autre en cercle : le fichier a été "
                "fabriqué ou modifié à la main ; il est refusé en entier",
                field=f"accompaniments[{first}].ancestors",
            )
    return tuple(versions), numbers


_TEXT_KEYS = ("author", "network", "theme", "notes", "follow_up")


class _Entry:
    """Reads the fields of one entry of a file, each refused with the file, entry and field."""

    def __init__(self, filename: str, number: int, entry: Any) -> None:
        self.filename = filename
        self.where = f"accompaniments[{number}]"
        if not isinstance(entry, dict):
            raise self.fail("une entrée doit être un objet")
        self.entry: dict[str, Any] = entry

    def fail(self, message: str, key: str | None = None) -> InputError:
        return _fail(self.filename, message, field=f"{self.where}.{key}" if key else self.where)

    def texts(self) -> dict[str, str]:
        texts: dict[str, str] = {}
        for key in _TEXT_KEYS:
            value = self.entry.get(key, "")
            if type(value) is not str:
                raise self.fail("texte attendu", key)
            texts[key] = value  # control characters: content_problems, below
        return texts

    def day(self) -> dt.date:
        text = self.entry.get("date")
        try:
            if type(text) is not str or not _DATE.fullmatch(text):
                raise ValueError(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            raise self.fail("date invalide (AAAA-MM-JJ attendu)", "date") from None

    def number(self, key: str) -> int | None:
        value = self.entry.get(key)
        if value is not None and type(value) is not int:
            raise self.fail("nombre entier attendu", key)
        return value

    def strings(self, key: str, limit: int | None = None) -> tuple[str, ...]:
        value = self.entry.get(key, [])
        if type(value) is not list or any(type(x) is not str for x in value):
            raise self.fail("liste de textes attendue", key)
        if limit is not None and len(value) > limit:
            raise self.fail(f"plus de {limit} éléments", key)
        return tuple(value)

    def content(self) -> Content:
        texts = self.texts()
        deleted = self.entry.get("deleted", False)
        if type(deleted) is not bool:
            raise self.fail("vrai ou faux attendu", "deleted")
        modality, initiative = self.entry.get("modality"), self.entry.get("initiative")
        if type(modality) is not str or type(initiative) is not str:
            raise self.fail("modalité et initiative obligatoires")
        content = Content(
            date=self.day(),
            author=texts["author"],
            modality=modality,
            initiative=initiative,
            schools=tuple(sorted(self.strings("schools"))),
            network=texts["network"],
            theme=texts["theme"],
            objectives=tuple(sorted(self.strings("objectives"))),
            duration_minutes=self.number("duration_minutes"),
            participants=self.number("participants"),
            notes=texts["notes"],
            follow_up=texts["follow_up"],
            deleted=deleted,
        )
        problems = content_problems(content)
        if problems:
            key, message = problems[0]
            raise self.fail(message, key)
        return content

    def signature(self, keys: Mapping[str, KeyInfo] | None) -> tuple[str | None, str | None]:
        if keys is None:  # format 1: nothing is signed
            return None, None
        signer, signature = self.entry.get("signer"), self.entry.get("signature")
        if type(signer) is not str or signer not in keys:
            raise self.fail("version signée par une clé absente de la liste des clés", "signer")
        if type(signature) is not str or len(signature) > 200:
            raise self.fail("signature absente ou invalide", "signature")
        return signer, signature


def _version(filename: str, number: int, raw: Any, keys: Mapping[str, KeyInfo] | None) -> Version:
    """The version an entry describes, or an error saying which field of it is wrong."""
    entry = _Entry(filename, number, raw)
    ident = _uuid(entry.entry.get("id"))
    if ident is None:
        raise entry.fail("identifiant invalide (un UUID écrit en minuscules)", "id")
    content = entry.content()
    parents = entry.strings("parents", MAX_PARENTS)
    ancestors = entry.strings("ancestors", MAX_ANCESTORS)
    version = entry.entry.get("version")
    if type(version) is not str or not all(
        HASH.fullmatch(h) for h in (version, *parents, *ancestors)
    ):
        raise entry.fail("empreinte invalide (64 chiffres hexadécimaux)", "version")
    if len(set(ancestors)) != len(ancestors):
        raise entry.fail("ancêtre en double", "ancestors")
    signer, signature = entry.signature(keys)
    result = Version(
        id=ident,
        content=content,
        version=version,
        parents=parents,
        ancestors=frozenset(ancestors),
        signer=signer,
        signature=signature,
    )
    problem = result.problem()
    if problem is not None:
        raise entry.fail(problem, "ancestors" if "ancêtre" in problem else None)
    return result


def _uuid(value: Any) -> uuid.UUID | None:
    if type(value) is not str:
        return None
    try:
        ident = uuid.UUID(value)
    except ValueError:
        return None
    return ident if str(ident) == value else None


def default_file_name(name: str, day: dt.date) -> str:
    """The name proposed for an exchange file: who wrote it and when,
    ``echange-claire-martin-2019-06-28.json``."""
    from revue.domain.french import fold

    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40].strip("-")
    return f"echange-{slug}-{day:%Y-%m-%d}.json" if slug else f"echange-{day:%Y-%m-%d}.json"
