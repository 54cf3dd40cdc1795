"""The exchange file between laptops (JSON, version 1), documented in docs/format-echange.md.

A file carries versions of accompaniments (see :mod:`revue.domain.log`) and a SHA-256 of its
whole content, so a truncated or altered file is refused before anything is merged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

from revue.domain.errors import InputError
from revue.domain.log import INITIATIVE_LABELS, MODALITY_LABELS, Content, Version, version_to_dict

EXCHANGE_FORMAT = "revue-echange"
EXCHANGE_VERSION = 1
MAX_EXCHANGE_BYTES = 100 * 1024 * 1024


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def dump_exchange(versions: list[Version], *, author: str | None, exported_at: dt.datetime) -> str:
    document: dict[str, Any] = {
        "format": EXCHANGE_FORMAT,
        "format_version": EXCHANGE_VERSION,
        "exported_at": exported_at.replace(microsecond=0).isoformat(),
        "author": author,
        "accompaniments": [version_to_dict(v) for v in versions],
    }
    document["sha256"] = hashlib.sha256(_canonical(document)).hexdigest()
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _fail(
    filename: str, message: str, field: str | None = None, line: int | None = None
) -> InputError:
    return InputError(message, file=filename, field=field, line=line)


def read_exchange(path: str | os.PathLike[str]) -> list[Version]:
    """Read and check a whole exchange file; raise InputError (French) on any problem."""
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
        document = json.loads(raw.decode("utf-8-sig"))
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
    except RecursionError:
        raise _fail(filename, "imbrication trop profonde") from None
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
    if version != EXCHANGE_VERSION:
        raise _fail(filename, f"version {version} du format inconnue", field="format_version")
    checksum = document.pop("sha256", None)
    if (
        not isinstance(checksum, str)
        or hashlib.sha256(_canonical(document)).hexdigest() != checksum
    ):
        raise _fail(
            filename,
            "somme de contrôle incorrecte : le fichier a été modifié ou "
            "tronqué depuis son export ; demandez un nouvel export",
            field="sha256",
        )
    entries = document.get("accompaniments")
    if not isinstance(entries, list):
        raise _fail(filename, "liste des accompagnements absente", field="accompaniments")
    return [
        _quick_version(entry) or _version(filename, number, entry)
        for number, entry in enumerate(entries, start=1)
    ]


_REQUIRED_TEXTS = ("id", "date", "author", "modality", "initiative", "version")
_TEXTS = ("network", "theme", "notes", "follow_up")
_LISTS = ("schools", "objectives", "parents", "ancestors")


def _quick_version(entry: Any) -> Version | None:
    """The version an entry describes when it is complete and sound, checked in one pass (an
    import reads thousands); None otherwise, and :func:`_version` then says what is wrong.

    Accepts nothing that :func:`_version` would refuse."""
    try:
        if type(entry) is not dict:
            return None
        for key in _REQUIRED_TEXTS:
            value = entry[key]
            if type(value) is not str or not value.strip():
                return None
        for key in _TEXTS:
            if type(entry[key]) is not str:
                return None
        for key in _LISTS:
            values = entry[key]
            if type(values) is not list or any(type(x) is not str for x in values):
                return None
        for key in ("duration_minutes", "participants"):
            number = entry[key]
            if number is not None and (type(number) is not int or number < 0):
                return None
        if (
            type(entry["deleted"]) is not bool
            or entry["modality"] not in MODALITY_LABELS
            or entry["initiative"] not in INITIATIVE_LABELS
        ):
            return None
        ident = uuid.UUID(entry["id"])
        for objective in entry["objectives"]:
            uuid.UUID(objective)
        content = Content(
            date=dt.date.fromisoformat(entry["date"]),
            author=entry["author"],
            modality=entry["modality"],
            initiative=entry["initiative"],
            schools=tuple(entry["schools"]),
            network=entry["network"],
            theme=entry["theme"],
            objectives=tuple(entry["objectives"]),
            duration_minutes=entry["duration_minutes"],
            participants=entry["participants"],
            notes=entry["notes"],
            follow_up=entry["follow_up"],
            deleted=entry["deleted"],
        )
    except (KeyError, ValueError):
        return None
    result = Version(
        id=ident,
        content=content,
        version=entry["version"],
        parents=tuple(entry["parents"]),
        ancestors=frozenset(entry["ancestors"]),
    )
    return result if result.is_valid() else None


def _version(filename: str, number: int, entry: Any) -> Version:
    """The version an entry describes, or an error saying which field of it is wrong."""
    where = f"accompaniments[{number}]"
    if not isinstance(entry, dict):
        raise _fail(filename, "une entrée doit être un objet", field=where)

    def text(key: str, required: bool = False) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise _fail(
                filename,
                "texte attendu" if not required else "valeur obligatoire",
                field=f"{where}.{key}",
            )
        return value

    def optional_int(key: str) -> int | None:
        value = entry.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise _fail(filename, "nombre entier positif attendu", field=f"{where}.{key}")
        return value

    def strings(key: str) -> tuple[str, ...]:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise _fail(filename, "liste de textes attendue", field=f"{where}.{key}")
        return tuple(value)

    try:
        ident = uuid.UUID(text("id", True))
        day = dt.date.fromisoformat(text("date", True))
    except ValueError:
        raise _fail(filename, "identifiant ou date invalide", field=where) from None
    modality, initiative = text("modality", True), text("initiative", True)
    if modality not in MODALITY_LABELS:
        raise _fail(filename, f"modalité « {modality[:20]} » inconnue", field=f"{where}.modality")
    if initiative not in INITIATIVE_LABELS:
        raise _fail(
            filename, f"initiative « {initiative[:20]} » inconnue", field=f"{where}.initiative"
        )
    deleted = entry.get("deleted", False)
    if not isinstance(deleted, bool):
        raise _fail(filename, "vrai ou faux attendu", field=f"{where}.deleted")
    objectives = strings("objectives")
    for objective in objectives:
        try:
            uuid.UUID(objective)
        except ValueError:
            raise _fail(
                filename, f"objectif « {objective[:40]} » invalide", field=f"{where}.objectives"
            ) from None
    content = Content(
        date=day,
        author=text("author", True),
        modality=modality,
        initiative=initiative,
        schools=strings("schools"),
        network=text("network"),
        theme=text("theme"),
        objectives=objectives,
        duration_minutes=optional_int("duration_minutes"),
        participants=optional_int("participants"),
        notes=text("notes"),
        follow_up=text("follow_up"),
        deleted=deleted,
    )
    result = Version(
        id=ident,
        content=content,
        version=text("version", True),
        parents=strings("parents"),
        ancestors=frozenset(strings("ancestors")),
    )
    if not result.is_valid():
        raise _fail(
            filename, "entrée altérée : son empreinte ne correspond pas à son contenu", field=where
        )
    return result
