"""Versions of what users write, kept so that nothing typed is ever lost, and frozen snapshots.

An item's history is the list of its states after each change, with who made it and when. Two
kinds of items have one: an objective's record in a review (status, values, analysis,
adjustments, actions carried out, evidence) and an accompaniment of the log.

While someone types, the walk saves after each pause; a save that only *adds* text to the
previous version, by the same person within :data:`COALESCE_WINDOW`, replaces that version
instead of piling up a new one: no earlier text is lost that way, since the previous version is
a prefix of the new one. Any other change (a word deleted, a status, a value, evidence) is a new
version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from revue.domain.french import clip, date, number

COALESCE_WINDOW = dt.timedelta(minutes=10)
#: The note of the first version of an item written before histories existed.
BASE_NOTE = "avant l'historique"
#: The note of an accompaniment's version as it arrived from another laptop.
RECEIVED_NOTE = "reçu par échange"
#: The note of an accompaniment's version that came in a file without signatures (format 1).
UNSIGNED_NOTE = "reçu par échange, fichier non signé : auteur non vérifié"

#: French labels of an objective record's fields, in the order they are shown.
OBJECTIVE_FIELDS = {
    "status": "statut",
    "values": "valeurs",
    "actions_done": "actions réalisées",
    "evidence": "éléments de preuve",
    "analysis": "analyse",
    "adjustments": "ajustements",
}

#: French labels of an accompaniment's fields.
ACCOMPANIMENT_FIELDS = {
    "date": "date",
    "author": "auteur",
    "modality": "modalité",
    "initiative": "initiative",
    "schools": "écoles",
    "network": "réseau",
    "theme": "thème",
    "objectives": "objectifs",
    "duration_minutes": "durée",
    "participants": "participants",
    "notes": "notes",
    "follow_up": "suites",
    "deleted": "suppression",
}

_TEXT_FIELDS = {"analysis", "adjustments", "theme", "notes", "follow_up"}


@dataclass(frozen=True)
class HistoryEntry:
    """One version of an item."""

    id: uuid.UUID
    at: dt.datetime  # UTC, naive
    author: str
    note: str
    content: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    """A review frozen when it was closed."""

    taken_at: dt.datetime  # UTC, naive
    sha256: str
    content: str  # canonical JSON

    @property
    def short(self) -> str:
        return self.sha256[:16]


def canonical_json(data: Any) -> str:
    """The one text of ``data`` whose SHA-256 a snapshot keeps: sorted keys, no spaces."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_empty_objective_state(state: dict[str, Any]) -> bool:
    return (
        state.get("status") is None
        and not state.get("analysis")
        and not state.get("adjustments")
        and not state.get("actions_done")
        and not state.get("evidence")
        and all(v is None for v in state.get("values", {}).values())
    )


def extends(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when ``new`` only adds text at the end of ``old``'s text fields."""
    if old.keys() != new.keys() or old == new:
        return False
    for key, value in new.items():
        before = old[key]
        if key in _TEXT_FIELDS and isinstance(value, str) and isinstance(before, str):
            if not value.startswith(before):
                return False
        elif value != before:
            return False
    return True


def changed_fields(
    old: dict[str, Any] | None, new: dict[str, Any], labels: dict[str, str]
) -> list[str]:
    """French labels of the fields that differ (all non-empty ones for a first version)."""
    if old is None:
        return [label for key, label in labels.items() if new.get(key) not in (None, "", [], {})]
    return [label for key, label in labels.items() if old.get(key) != new.get(key)]


def describe(entries: list[HistoryEntry], labels: dict[str, str]) -> list[str]:
    """For each version (oldest first), what it changed, in French."""
    out: list[str] = []
    previous: dict[str, Any] | None = None
    for entry in entries:
        fields = changed_fields(previous, entry.content, labels)
        what = ", ".join(fields) if fields else "aucun changement"
        if entry.note:
            what = f"{entry.note} — {what}"
        out.append(what)
        previous = entry.content
    return out


def objective_state_lines(
    state: dict[str, Any], indicator_labels: dict[str, str], status_labels: dict[str, str]
) -> list[tuple[str, str]]:
    """(label, text) lines that show an objective record's version to a reader."""
    status = state.get("status")
    lines = [("Statut", status_labels.get(status, "non examiné") if status else "non examiné")]
    for slug, value in state.get("values", {}).items():
        shown = "—" if value is None else number(value)
        lines.append((clip(indicator_labels.get(slug, slug), 60), shown))
    done = state.get("actions_done") or []
    if done:
        lines.append(("Actions réalisées", str(len(done))))
    for item in state.get("evidence", []):
        when = date(dt.date.fromisoformat(item["date"]))
        lines.append(("Preuve", f"{when} — {item['text']}"))
    lines.append(("Analyse", state.get("analysis") or "—"))
    lines.append(("Ajustements", state.get("adjustments") or "—"))
    return lines
