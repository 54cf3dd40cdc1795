"""Schools from a CSV laid out like the public « annuaire de l'éducation » export."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from revue.domain.errors import InputError
from revue.domain.log import School
from revue.domain.text import control_character

UAI = re.compile(r"^\d{7}[A-Z]$")
COLUMNS = {
    "uai": ("Identifiant_de_l_etablissement", "UAI", "uai"),
    "name": ("Nom_etablissement", "Nom", "nom"),
    "commune": ("Nom_commune", "Commune", "commune"),
    "priority": ("Appartenance_Education_Prioritaire", "Education_prioritaire"),
    "network": ("Reseau", "Réseau", "reseau"),
    "fictitious": ("Fictif", "fictif"),
}
MAX_BYTES = 50 * 1024 * 1024


def read_schools(path: str | os.PathLike[str]) -> list[School]:
    filename = str(path)
    try:
        if os.stat(path).st_size > MAX_BYTES:
            raise InputError("fichier trop volumineux", file=filename)
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("fichier introuvable", file=filename) from None
    except OSError as exc:
        raise InputError(f"lecture impossible ({exc.strerror})", file=filename) from None
    if not raw.strip():
        raise InputError("le fichier est vide", file=filename)
    if b"\x00" in raw:
        raise InputError("ce n'est pas un fichier CSV (contenu binaire)", file=filename)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # older exports of the annuaire
    try:
        return _parse(text, filename)
    except csv.Error as exc:
        raise InputError(f"CSV illisible ({exc})", file=filename) from None


def _parse(text: str, filename: str) -> list[School]:
    for number, raw in enumerate(text.split("\n"), start=1):
        control = control_character(raw.removesuffix("\r").replace("\t", " "))
        if control is not None:
            raise InputError(f"{control} : retirez-le du fichier", file=filename, line=number)
    lines = text.splitlines() or [""]
    first = lines[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = reader.fieldnames or []
    found = {key: next((c for c in names if c in header), None) for key, names in COLUMNS.items()}
    for key in ("uai", "name"):
        if found[key] is None:
            raise InputError(
                f"colonne {' ou '.join(COLUMNS[key][:2])} absente",
                file=filename,
                line=1,
                field=COLUMNS[key][0],
            )
    schools: dict[str, School] = {}
    for row in reader:
        line = reader.line_num
        uai = (row.get(found["uai"]) or "").strip().upper()
        if not UAI.match(uai):
            raise InputError(
                f"UAI « {uai[:20]} » invalide (7 chiffres et une lettre)",
                file=filename,
                line=line,
                field=found["uai"],
            )
        name = (row.get(found["name"]) or "").strip()
        if not name:
            raise InputError(
                "nom de l'école manquant", file=filename, line=line, field=found["name"]
            )

        def get(key: str, row: dict[str, str] = row) -> str:
            column = found[key]
            return (row.get(column) or "").strip() if column else ""

        priority = get("priority").upper().replace(" ", "")
        if priority not in ("", "REP", "REP+", "HORSEP", "HORS_EP"):
            raise InputError(
                f"éducation prioritaire « {priority} » inconnue (REP, REP+ ou vide)",
                file=filename,
                line=line,
                field=found["priority"],
            )
        schools[uai] = School(
            uai=uai,
            name=name,
            commune=get("commune"),
            network=get("network"),
            priority=priority if priority in ("REP", "REP+") else "",
            fictitious=get("fictitious").lower() in ("oui", "yes", "1", "true", "vrai"),
        )
    return list(schools.values())
