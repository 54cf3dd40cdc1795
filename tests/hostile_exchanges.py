"""A corpus of hostile exchange files, and what revue must do with each.

``python tests/hostile_exchanges.py FOLDER`` writes them into FOLDER and lists them;
tests/unit/test_exchange_safety.py imports each into a store that already holds both sample
logs (Claire's and Paul's keys accepted) and has accepted Mallory's key, a colleague who turns
against the others: every file must end in a clear French refusal with the store unchanged,
in a question (a key never seen, a file without signatures), or in a clean acceptance.

The keys are derived from fixed texts: Claire's and Paul's are those of the sample files
(tools/make_sample_exchanges.py), Mallory's and the stranger's exist only here.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from revue.domain.log import Content, Version, content_from_dict, legacy_version_of, version_of
from revue.formats.exchange import canonical, version_payload
from revue.formats.signing import FILE_LABEL, VERSION_LABEL, SigningKey, b64

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
CLAIRE_FILE = SAMPLES / "echange-claire-martin-2018-2019.json"
PAUL_FILE = SAMPLES / "echange-paul-durand-2018-2019.json"

CLAIRE_NAME = "Claire Martin (CPC, fictive)"
PAUL_NAME = "Paul Durand (ERUN, fictif)"
MALLORY_NAME = "Mallory Faussaire (fictive)"
STRANGER_NAME = "Inès Nouvelle (CPC, fictive)"

CLAIRE = SigningKey.from_seed_text("revue-sample/claire-martin (fictive)")
PAUL = SigningKey.from_seed_text("revue-sample/paul-durand (fictif)")
MALLORY = SigningKey.from_seed_text("tests/mallory")
STRANGER = SigningKey.from_seed_text("tests/stranger")
THIEF = SigningKey.from_seed_text("tests/thief")  # a new key that says it is Claire's

#: What must happen: refused whole (store unchanged); a question first (unknown key or no
#: signature: refused until accepted, then accepted); accepted.
Expect = Literal["refused", "ask", "accepted"]


@dataclasses.dataclass(frozen=True)
class Hostile:
    name: str
    expect: Expect
    what: str  # what the file tries, in English
    data: bytes


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _dump(document: Any) -> bytes:
    return json.dumps(document, indent=1).encode("ascii")  # escapes: a lone surrogate too


def _canonical(document: Any) -> bytes:
    try:
        return canonical(document)
    except UnicodeEncodeError:  # a lone surrogate: nothing can sign it, a forger tries anyway
        return json.dumps(document, sort_keys=True).encode("ascii")


def sign_version(entry: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """``entry`` signed by ``key`` (its hash as it is)."""
    v = Version(
        id=uuid.UUID(entry["id"]),
        content=Content(date=dt.date(2000, 1, 1), author="x", modality="x", initiative="x"),
        version=entry["version"],
        parents=tuple(entry["parents"]),
        ancestors=frozenset(entry["ancestors"]),
    )
    entry["signer"] = key.fingerprint
    entry["signature"] = key.sign(VERSION_LABEL, version_payload(v, key.fingerprint))
    return entry


def forge_signature(entry: dict[str, Any], claimed: SigningKey, real: SigningKey) -> None:
    """``entry`` claims to be signed by ``claimed`` and is signed by ``real``."""
    sign_version(entry, real)
    entry["signer"] = claimed.fingerprint


def rehash(entry: dict[str, Any], *, legacy: bool = False) -> dict[str, Any]:
    """``entry`` with its version hash recomputed from what it now holds (what a forger with a
    text editor and this program's source does)."""
    content = content_from_dict(entry)
    if legacy:
        entry["version"] = legacy_version_of(content, entry["parents"])
    else:
        entry["version"] = version_of(
            content, entry["parents"], id=uuid.UUID(entry["id"]), ancestors=entry["ancestors"]
        )
    return entry


def sign_file(
    document: dict[str, Any], key: SigningKey, name: str, *others: tuple[SigningKey, str]
) -> dict[str, Any]:
    """``document`` signed as a whole by ``key`` under ``name``, listing the ``others``."""
    document.pop("signature", None)
    document["exporter"] = key.fingerprint
    document.setdefault("keys", {})
    for k, n in [(key, name), *others]:
        document["keys"][k.fingerprint] = {"name": n, "public_key": b64(k.public_key)}
    document["signature"] = key.sign(FILE_LABEL, _canonical(document))
    return document


def file_of(
    entries: list[dict[str, Any]], key: SigningKey, name: str, *others: tuple[SigningKey, str]
) -> bytes:
    document = {
        "format": "revue-echange",
        "format_version": 2,
        "exported_at": "2019-07-01T09:00:00",
        "author": None,
        "keys": {},
        "accompaniments": entries,
    }
    return _dump(sign_file(document, key, name, *others))


def claire_entries() -> list[dict[str, Any]]:
    return copy.deepcopy(_load(CLAIRE_FILE)["accompaniments"])


def child(
    parent: dict[str, Any], key: SigningKey, *, legacy: bool = False, **changes: Any
) -> dict[str, Any]:
    """A version made from ``parent`` (with ``changes``), signed by ``key``."""
    entry = copy.deepcopy(parent)
    entry.update(changes)
    entry["parents"] = [parent["version"]]
    entry["ancestors"] = sorted({*parent["ancestors"], parent["version"]})
    return sign_version(rehash(entry, legacy=legacy), key)


def _fresh(key: SigningKey, **fields: Any) -> dict[str, Any]:
    """A new entry, signed by ``key``, with ``fields`` as they are (bounds ignored)."""
    entry: dict[str, Any] = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"revue-hostile/{sorted(fields.items())}")),
        "date": "2019-03-01",
        "author": MALLORY_NAME,
        "modality": "collective",
        "initiative": "team",
        "schools": ["0579901A"],
        "network": "",
        "theme": "Thème",
        "objectives": [],
        "duration_minutes": 60,
        "participants": 3,
        "notes": "",
        "follow_up": "",
        "deleted": False,
        "parents": [],
        "ancestors": [],
    }
    entry.update(fields)
    try:
        rehash(entry)
    except (TypeError, ValueError, AttributeError, KeyError):  # fields no Content can hold
        entry["version"] = "0" * 64
    return sign_version(entry, key)


def _mallory(entry: dict[str, Any]) -> bytes:
    return file_of([entry], MALLORY, MALLORY_NAME)


def _legacy(entries: list[dict[str, Any]]) -> bytes:
    """A format 1 file (unsigned, with its SHA-256) holding ``entries``."""
    for entry in entries:
        entry.pop("signer", None)
        entry.pop("signature", None)
    document: dict[str, Any] = {
        "format": "revue-echange",
        "format_version": 1,
        "exported_at": "2019-07-01T09:00:00",
        "author": None,
        "accompaniments": entries,
    }
    document["sha256"] = hashlib.sha256(_canonical(document)).hexdigest()
    return _dump(document)


# --- the corpus -----------------------------------------------------------------------------


def _format_cases() -> list[Hostile]:
    claire_text = CLAIRE_FILE.read_bytes()
    document = _load(CLAIRE_FILE)
    cases = [
        Hostile("vide", "refused", "an empty file", b""),
        Hostile("binaire", "refused", "a PNG", b"\x89PNG\r\n\x1a\n\x00\x00garbage"),
        Hostile("tronque", "refused", "half a file", claire_text[: len(claire_text) // 2]),
        Hostile("liste", "refused", "JSON, not an object", b"[1, 2, 3]"),
        Hostile("etranger", "refused", "another program's JSON", b'{"format": "autre"}'),
        Hostile("profond", "refused", "nesting to blow the stack", b"[" * 100_000),
        Hostile("chiffres", "refused", "a 5,000-digit number", b'{"a": ' + b"9" * 5000 + b"}"),
    ]
    for name, value in (("version-3", 3), ("version-0", 0), ("version-texte", "2")):
        cases.append(
            Hostile(
                name,
                "refused",
                f"format_version {value!r}",
                _dump({**document, "format_version": value}),
            )
        )
    for key in ("signature", "keys", "exporter", "accompaniments"):
        stripped = dict(document)
        del stripped[key]
        cases.append(Hostile(f"sans-{key}", "refused", f"no {key}", _dump(stripped)))
    bad_date = dict(document, exported_at="demain")
    cases.append(
        Hostile(
            "date-export",
            "refused",
            "exported_at not a date, file signed",
            _dump(sign_file(bad_date, CLAIRE, CLAIRE_NAME)),
        )
    )
    entries = claire_entries()
    cases.append(
        Hostile(
            "entree-texte",
            "refused",
            "an entry that is a string",
            file_of([*entries[:1], "accompagnement"], CLAIRE, CLAIRE_NAME),  # type: ignore[list-item]
        )
    )
    cases.append(
        Hostile(
            "en-double",
            "refused",
            "the same version twice",
            file_of([entries[0], copy.deepcopy(entries[0])], CLAIRE, CLAIRE_NAME),
        )
    )
    return cases


def _lineage_cases() -> list[Hostile]:
    entries = claire_entries()
    first = entries[0]
    cases = []
    # Two versions of one entry, each claiming the other as an ancestor. With hashes that
    # cover the ancestors no one can compute them; with the older hashes (content and parents
    # only) anyone can, and a signature does not make them sound.
    a = child(first, MALLORY, legacy=True, notes="version A")
    b = child(first, MALLORY, legacy=True, notes="version B")
    a["ancestors"] = sorted({*a["ancestors"], b["version"]})
    b["ancestors"] = sorted({*b["ancestors"], a["version"]})
    cases.append(
        Hostile(
            "cycle",
            "refused",
            "two versions each the other's ancestor",
            _mallory_many([sign_version(a, MALLORY), sign_version(b, MALLORY)]),
        )
    )
    cases.append(
        Hostile(
            "cycle-non-signe",
            "refused",
            "the same cycle in an unsigned format 1 file (as found in issue #13)",
            _legacy([copy.deepcopy(a), copy.deepcopy(b)]),
        )
    )
    c = child(first, MALLORY, legacy=True, notes="version C")
    a3 = child(first, MALLORY, legacy=True, notes="version A3")
    b3 = child(first, MALLORY, legacy=True, notes="version B3")
    a3["ancestors"] = sorted({*a3["ancestors"], b3["version"]})
    b3["ancestors"] = sorted({*b3["ancestors"], c["version"]})
    c["ancestors"] = sorted({*c["ancestors"], a3["version"]})
    cases.append(
        Hostile(
            "cycle-de-trois",
            "refused",
            "three versions in a circle",
            _mallory_many([sign_version(x, MALLORY) for x in (a3, b3, c)]),
        )
    )
    own = child(first, MALLORY, legacy=True, notes="sa propre ancêtre")
    own["ancestors"] = sorted({*own["ancestors"], own["version"]})
    cases.append(
        Hostile(
            "auto-ancetre",
            "refused",
            "a version its own ancestor",
            _mallory(sign_version(own, MALLORY)),
        )
    )
    claimed = copy.deepcopy(first)
    claimed.update(notes="", deleted=True, parents=[], ancestors=[first["version"]])
    cases.append(
        Hostile(
            "ancetre-pretendu",
            "refused",
            "a deletion claiming Claire's version as its ancestor, with no parent",
            _mallory(sign_version(rehash(claimed), MALLORY)),
        )
    )
    orphan = child(first, MALLORY, notes="parent absent des ancêtres")
    orphan["ancestors"] = []
    cases.append(
        Hostile(
            "parent-non-ancetre",
            "refused",
            "a parent missing from the ancestors",
            _mallory(sign_version(rehash(orphan), MALLORY)),
        )
    )
    many = child(first, MALLORY, notes="trop d'ancêtres")
    many["ancestors"] = sorted({*many["ancestors"], *(f"{n:064x}" for n in range(10_001))})
    cases.append(
        Hostile(
            "ancetres-innombrables",
            "refused",
            "10,001 ancestors",
            _mallory(sign_version(rehash(many), MALLORY)),
        )
    )
    return cases


def _mallory_many(entries: list[dict[str, Any]]) -> bytes:
    return file_of(entries, MALLORY, MALLORY_NAME)


def _bounds_cases() -> list[Hostile]:
    cases = []
    for name, fields, what in (
        ("duree-enorme", {"duration_minutes": 10**20}, "a duration of 10^20 minutes"),
        ("duree-negative", {"duration_minutes": -5}, "a negative duration"),
        ("duree-decimale", {"duration_minutes": 1.5}, "a duration of 1.5"),
        ("duree-booleenne", {"duration_minutes": True}, "a duration true"),
        ("participants-million", {"participants": 1_000_000}, "a million participants"),
        ("date-1789", {"date": "1789-07-14"}, "a date in 1789"),
        ("date-2999", {"date": "2999-01-01"}, "a date in 2999"),
        ("date-compacte", {"date": "20190301"}, "a date without dashes"),
        ("date-inexistante", {"date": "2019-02-30"}, "30 February"),
        ("theme-long", {"theme": "x" * 10_000}, "a 10,000-character theme"),
        ("notes-longues", {"notes": "x" * 200_000}, "200,000 characters of notes"),
        ("auteur-vide", {"author": "  "}, "no author"),
        ("echappement", {"notes": "a\x1b]0;pwned\x07b"}, "a terminal escape in the notes"),
        ("nul", {"theme": "a\x00b"}, "a NUL in the theme"),
        ("c1", {"author": "Mallory\x85"}, "a C1 control in the author"),
        ("del", {"follow_up": "a\x7fb"}, "DEL in the follow-up"),
        ("retour-chariot", {"network": "a\rb"}, "a carriage return in the network"),
        ("surrogat", {"notes": "a\ud800b"}, "a lone surrogate"),
        ("uai", {"schools": ["12345"]}, "a school that is no UAI"),
        ("ecole-en-double", {"schools": ["0579901A", "0579901A"]}, "the same school twice"),
        (
            "objectif-majuscules",
            {"objectives": [str(uuid.uuid4()).upper()]},
            "an objective UUID in capitals",
        ),
        ("objectif-texte", {"objectives": ["axe 2"]}, "an objective that is no UUID"),
        ("id-accolades", {"id": "{" + str(uuid.uuid4()) + "}"}, "an id in braces"),
        ("modalite", {"modality": "télépathie"}, "an unknown modality"),
        ("supprime-texte", {"deleted": "oui"}, "deleted as a string"),
        ("ecoles-innombrables", {"schools": [f"{n:07d}A" for n in range(201)]}, "201 schools"),
    ):
        cases.append(Hostile(name, "refused", what, _mallory(_fresh(MALLORY, **fields))))
    return cases


def _signature_cases() -> list[Hostile]:
    claire = _load(CLAIRE_FILE)
    cases = []
    edited = copy.deepcopy(claire)
    edited["accompaniments"][0]["notes"] = "modifié à la main"
    rehash(edited["accompaniments"][0])
    cases.append(
        Hostile(
            "hash-recalcule",
            "refused",
            "notes edited, hash recomputed, signatures left",
            _dump(edited),
        )
    )
    resigned = copy.deepcopy(edited)
    cases.append(
        Hostile(
            "hash-recalcule-fichier-resigne",
            "refused",
            "the same, the file re-signed by Mallory: Claire's version signature fails",
            _dump(sign_file(resigned, MALLORY, MALLORY_NAME, (CLAIRE, CLAIRE_NAME))),
        )
    )
    flipped = copy.deepcopy(claire)
    sig = flipped["signature"]
    flipped["signature"] = ("A" if sig[0] != "A" else "B") + sig[1:]
    cases.append(
        Hostile(
            "signature-fausse", "refused", "one character of the file signature", _dump(flipped)
        )
    )
    entries = claire_entries()
    first, second = (child(e, CLAIRE, follow_up="Suite prévue.") for e in entries[3:5])
    first["signature"], second["signature"] = second["signature"], first["signature"]
    cases.append(
        Hostile(
            "signatures-echangees",
            "refused",
            "two new versions of Claire's, their signatures swapped, relayed in a file signed by "
            "Paul: a relayed version is only Claire's if her own signature says so",
            file_of([first, second], PAUL, PAUL_NAME, (CLAIRE, CLAIRE_NAME)),
        )
    )
    cases.append(
        Hostile(
            "signatures-echangees-par-leur-auteure",
            "accepted",
            "the same in a file signed by Claire herself: her file's signature covers every "
            "byte of both versions (docs/format-echange.md, « Ce qui est garanti »), so their "
            "own signatures are not checked here, but by whoever receives them relayed "
            "(tests/unit/test_exchange_safety.py)",
            file_of([first, second], CLAIRE, CLAIRE_NAME),
        )
    )
    stolen = [child(e, MALLORY, notes="Claire n'a jamais écrit ceci.") for e in entries[3:5]]
    for entry in stolen:
        forge_signature(entry, CLAIRE, MALLORY)
    cases.append(
        Hostile(
            "signature-usurpee",
            "refused",
            "new versions claiming Claire's key, signed by Mallory's",
            file_of(stolen, MALLORY, MALLORY_NAME, (CLAIRE, CLAIRE_NAME)),
        )
    )
    thief = [child(e, THIEF, notes="Signé d'une nouvelle clé.") for e in claire_entries()[3:5]]
    cases.append(
        Hostile(
            "cle-changee",
            "refused",
            "Claire's name with another key (a changed key for a known author)",
            file_of(thief, THIEF, CLAIRE_NAME),
        )
    )
    relabelled = [sign_version(e, MALLORY) for e in claire_entries()]
    cases.append(
        Hostile(
            "nom-d-une-autre-cle",
            "refused",
            "Mallory's accepted key presented under Paul's name",
            file_of(relabelled, MALLORY, PAUL_NAME),
        )
    )
    renamed = copy.deepcopy(claire)
    cases.append(
        Hostile(
            "cle-renommee",
            "refused",
            "Claire's own key under another name",
            _dump(sign_file({**renamed, "keys": {}}, CLAIRE, "Claire M.")),
        )
    )
    mismatch = copy.deepcopy(claire)
    mismatch["keys"][CLAIRE.fingerprint]["public_key"] = b64(MALLORY.public_key)
    cases.append(
        Hostile(
            "empreinte-fausse",
            "refused",
            "a public key that is not its fingerprint's",
            _dump(mismatch),
        )
    )
    missing = copy.deepcopy(claire)
    missing["accompaniments"][0]["signer"] = STRANGER.fingerprint
    cases.append(
        Hostile(
            "signataire-absent",
            "refused",
            "a version signed by a key the file does not list",
            _dump(sign_file(missing, CLAIRE, CLAIRE_NAME)),
        )
    )
    twins = [
        _fresh(STRANGER, author=STRANGER_NAME, theme="Jumelle 1"),
        _fresh(THIEF, author=STRANGER_NAME, theme="Jumelle 2"),
    ]
    cases.append(
        Hostile(
            "deux-inconnues-meme-nom",
            "refused",
            "two unknown keys under one name",
            file_of(twins, STRANGER, STRANGER_NAME, (THIEF, STRANGER_NAME)),
        )
    )
    return cases


def _accepted_or_asked_cases() -> list[Hostile]:
    claire = claire_entries()
    cases = [
        Hostile(
            "echantillon-claire",
            "accepted",
            "Claire's sample file again: nothing new",
            CLAIRE_FILE.read_bytes(),
        ),
        Hostile(
            "suppression-par-mallory",
            "accepted",
            "Mallory (accepted earlier) deletes Claire's entry: her edit, credited to her",
            _mallory(child(claire[0], MALLORY, deleted=True)),
        ),
        Hostile(
            "reecriture-par-mallory",
            "accepted",
            "Mallory rewrites Claire's notes: her edit, credited to her",
            _mallory(child(claire[3], MALLORY, notes="Réécrit par Mallory.")),
        ),
        Hostile(
            "nouvelle-collegue",
            "ask",
            "a key never seen (a new colleague): who and the fingerprint are asked about",
            file_of(
                [_fresh(STRANGER, author=STRANGER_NAME, theme="Première visite")],
                STRANGER,
                STRANGER_NAME,
            ),
        ),
        Hostile(
            "ancien-format",
            "ask",
            "a sound format 1 file (unsigned): imported only if accepted",
            _legacy(
                [
                    {
                        k: v
                        for k, v in _fresh(MALLORY, theme="Ancien format", notes="v1").items()
                        if k not in ("signer", "signature")
                    }
                ]
            ),
        ),
    ]
    forged_v1 = claire_entries()[:2]
    forged_v1[0]["notes"] = "modifié à la main"
    cases.append(
        Hostile(
            "ancien-format-altere",
            "refused",
            "a format 1 file with an entry edited and the checksum recomputed",
            _legacy(forged_v1),
        )
    )
    return cases


def _fix_legacy_hashes(data: bytes) -> bytes:
    """A format 1 file's entries get the older hashes, as revue 1 wrote them."""
    document = json.loads(data)
    for entry in document["accompaniments"]:
        rehash(entry, legacy=True)
    document.pop("sha256", None)
    document["sha256"] = hashlib.sha256(canonical(document)).hexdigest()
    return _dump(document)


def corpus() -> list[Hostile]:
    cases = [
        *_format_cases(),
        *_lineage_cases(),
        *_bounds_cases(),
        *_signature_cases(),
        *_accepted_or_asked_cases(),
    ]
    out = []
    for case in cases:
        if case.name == "ancien-format":
            case = dataclasses.replace(case, data=_fix_legacy_hashes(case.data))
        out.append(case)
    names = [c.name for c in out]
    assert len(names) == len(set(names)), "two cases share a name"
    return out


def by_name() -> dict[str, Hostile]:
    return {case.name: case for case in corpus()}


def write_corpus(folder: Path) -> list[tuple[Hostile, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case in corpus():
        path = folder / f"{case.name}.json"
        path.write_bytes(case.data)
        written.append((case, path))
    return written


MAKERS: dict[str, Callable[[], list[Hostile]]] = {
    "format": _format_cases,
    "lineage": _lineage_cases,
    "bounds": _bounds_cases,
    "signatures": _signature_cases,
    "accepted": _accepted_or_asked_cases,
}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "echanges-hostiles")
    files = write_corpus(target)
    for case, path in files:
        print(f"{case.expect:9} {path.name:40} {case.what}")
    counts = {e: sum(c.expect == e for c, _ in files) for e in ("refused", "ask", "accepted")}
    print(f"{len(files)} fichiers : {counts}")
