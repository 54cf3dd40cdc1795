"""The consolidated document's formats: TOML (data), CSV (a spreadsheet), Markdown, ODT
(:mod:`revue.department.odt`, with the bilan's styles); the registry is
:mod:`revue.department.formats`.

Only what the consolidation holds is written: counts, statuses, values, the objectives' and
the projet's texts, file names (never their folders); no text a circonscription wrote for its
review and no name of a person (docs/departement.md).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from revue.bilan.markdown import cell, esc
from revue.department.consolidate import STATUS_KEYS, Consolidation, SharedIndicator
from revue.domain.french import NBSP, quantity, signed
from revue.domain.french import date as french_date
from revue.formats.bilan_reader import (
    KIND_VALUES,
    STATUS_VALUES,
    AcademicLink,
    BilanRead,
    IndicatorRead,
)

CONSOLIDATION_FORMAT = "revue-consolidation"
CONSOLIDATION_VERSION = 1
NOTICE_TITLES = {
    "refuse": "Fichiers refusés",
    "doublon": "Doublons écartés",
    "avertissement": "Avertissements",
    "provisoire": "Bilans provisoires",
    "manque": "Bilans manquants",
}


def file_name(path: str) -> str:
    """A file's name without its folder (a consolidated document never says where the DSDEN
    keeps its files)."""
    return Path(path).name


def _clean(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if v is not None and v != "" and v != [] and v != {}}


def _circonscription(bilan: BilanRead) -> dict[str, Any]:
    return _clean(
        {
            "circonscription": bilan.circonscription,
            "departement": bilan.departement,
            "contract": bilan.contract_id,
            "file": file_name(bilan.file),
            "written_on": bilan.written_on,
            "school_year": bilan.school_year,
            "kind": bilan.kind,
            "closed": bilan.closed,
            "provisional": bilan.provisional,
            "snapshot_sha256": bilan.snapshot_sha256,
            "objectives": len(bilan.objectives),
            "summary": {k: bilan.summary[k] for k in STATUS_KEYS if bilan.summary.get(k)},
            "off_track": [o.number for o in bilan.off_track],
            "avenants": [
                {"number": a.number, "date": a.date, "reason": a.reason, "changes": a.changes}
                for a in bilan.avenants
            ],
        }
    )


def _indicator(shared: SharedIndicator) -> dict[str, Any]:
    low_mid_high = shared.distribution
    return _clean(
        {
            "academic_objective": shared.academic.id,
            "academic_code": shared.academic.code,
            "label": shared.label,
            "unit": shared.unit,
            "school_year": shared.school_year,
            "nature": "taux" if shared.rate else "nombre",
            "measured": len(shared.measured),
            "total": shared.total,
            "target_total": shared.target_total,
            "lowest": low_mid_high[0] if low_mid_high else None,
            "median": low_mid_high[1] if low_mid_high else None,
            "highest": low_mid_high[2] if low_mid_high else None,
            "reached": shared.reached,
            "with_target": shared.with_target,
            "values": [
                _clean(
                    {
                        "circonscription": v.circonscription,
                        "kind": v.kind,
                        "value": v.value,
                        "target": v.target,
                        "target_year": v.target_year,
                        "gap_to_target": None if v.gap is None else round(v.gap, 4),
                        "off_track": v.off_track,
                    }
                )
                for v in shared.values
            ],
        }
    )


def consolidation_data(c: Consolidation) -> dict[str, Any]:
    """The consolidation as plain data (the TOML document)."""
    return _clean(
        {
            "format": CONSOLIDATION_FORMAT,
            "format_version": CONSOLIDATION_VERSION,
            "academie": c.academie,
            "files_read": c.read,
            "bilans_kept": len(c.kept),
            "years": c.years,
            "notices": [
                _clean({"kind": n.kind, "file": file_name(n.file), "message": _message(n)})
                for n in c.notices
            ],
            "circonscriptions": [_circonscription(b) for b in c.kept],
            "academic": [
                _clean(
                    {
                        "id": line.link.id,
                        "code": line.link.code,
                        "title": line.link.title,
                        "summary": {
                            k: line.status_counts()[k]
                            for k in STATUS_KEYS
                            if k in line.status_counts()
                        },
                        "serving": [
                            {
                                "circonscription": s.circonscription,
                                "school_year": s.school_year,
                                "kind": s.kind,
                                "objective": s.number,
                                "status": s.status,
                            }
                            for s in line.serving
                        ],
                    }
                )
                for line in c.academic
            ],
            "indicators": [_indicator(s) for s in c.shared],
            "missing": [{"school_year": y, "circonscription": name} for y, name in c.missing],
        }
    )


def _message(notice: Any) -> str:
    """A notice's message with file paths reduced to their names."""
    text = str(notice.message)
    if notice.file:
        text = text.replace(notice.file, file_name(notice.file))
    return text


def render_toml(c: Consolidation) -> str:
    import tomli_w

    return tomli_w.dumps(consolidation_data(c), multiline_strings=True)


# --- CSV -----------------------------------------------------------------------------------

CSV_COLUMNS = [
    "Année scolaire",
    "Revue",
    "Circonscription",
    "Bilan",
    "Objectif du projet académique",
    "Code",
    "N° objectif",
    "Objectif",
    "Statut",
    "Indicateur",
    "Unité",
    "Valeur constatée",
    "Cible",
    "Année de la cible",
    "Écart à la cible",
    "Hors trajectoire",
    "Fichier",
]


def _csv_number(value: float | None) -> str:
    """A decimal with a comma and no thousands separator: what LibreOffice and Excel in
    French read as a number."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def csv_rows(c: Consolidation) -> list[list[str]]:
    """One row per indicator of each objective of each bilan kept (an objective without
    indicator: one row without indicator)."""
    rows = [CSV_COLUMNS]
    for bilan in c.kept:
        state = "provisoire" if bilan.provisional else "clôturé"
        for objective in bilan.objectives:
            links: list[AcademicLink | None] = [*objective.academic_links] or [None]
            for link in links:
                head = [
                    bilan.school_year,
                    KIND_VALUES[bilan.kind],
                    bilan.circonscription,
                    state,
                    link.title if link else "",
                    link.code if link else "",
                    str(objective.number),
                    objective.text,
                    STATUS_VALUES[objective.status],
                ]
                indicators: list[IndicatorRead | None] = [*objective.indicators] or [None]
                for indicator in indicators:
                    if indicator is None:
                        rows.append([*head, *[""] * 7, file_name(bilan.file)])
                        continue
                    value = indicator.values.get(bilan.school_year)
                    gap = (
                        None
                        if value is None or indicator.target is None
                        else value - indicator.target
                    )
                    rows.append(
                        [
                            *head,
                            indicator.label,
                            indicator.unit,
                            _csv_number(value),
                            _csv_number(indicator.target),
                            indicator.target_year or "",
                            _csv_number(gap),
                            "oui" if indicator.off_track else "non",
                            file_name(bilan.file),
                        ]
                    )
    return rows


def render_csv(c: Consolidation) -> str:
    """Separated by « ; », UTF-8 with a byte order mark (see docs/departement.md)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(_safe(row) for row in csv_rows(c))
    return "\ufeff" + out.getvalue()


def _safe(row: list[str]) -> list[str]:
    """A cell a spreadsheet would take for a formula is written as text."""
    return [
        "'" + v if v[:1] in ("=", "+", "@") or (v[:1] == "-" and not _numeric(v)) else v
        for v in row
    ]


def _numeric(value: str) -> bool:
    try:
        float(value.replace(",", "."))
    except ValueError:
        return False
    return True


# --- Markdown ------------------------------------------------------------------------------


def status_label(key: str) -> str:
    return STATUS_VALUES.get(key, key)


def _row(values: list[str]) -> str:
    return "| " + " | ".join(cell(v) for v in values) + " |"


def _table(rows: list[list[str]]) -> list[str]:
    return [_row(rows[0]), "| " + " | ".join("---" for _ in rows[0]) + " |", *map(_row, rows[1:])]


def title_of(c: Consolidation) -> str:
    where = f" — académie de {c.academie}" if c.academie else ""
    return f"Consolidation des bilans des circonscriptions{where}"


def circonscription_rows(c: Consolidation) -> list[list[str]]:
    rows = [
        [
            "Circonscription",
            "Année",
            "Revue",
            "État",
            *(status_label(k) for k in STATUS_KEYS),
            "Hors trajectoire",
            "Avenants",
        ]
    ]
    for b in c.kept:
        rows.append(
            [
                b.circonscription,
                b.school_year,
                KIND_VALUES[b.kind],
                "provisoire" if b.provisional else "clôturée",
                *(str(b.summary.get(k, 0)) for k in STATUS_KEYS),
                ", ".join(f"n° {o.number}" for o in b.off_track) or "—",
                str(len(b.avenants)),
            ]
        )
    return rows


def fingerprint_rows(c: Consolidation) -> list[list[str]]:
    rows = [["Circonscription", "Année", "Revue", "Empreinte (SHA-256, début)", "Fichier"]]
    for b in c.kept:
        rows.append(
            [
                b.circonscription,
                b.school_year,
                KIND_VALUES[b.kind],
                b.snapshot_sha256[:16] if b.snapshot_sha256 else "— (provisoire)",
                file_name(b.file),
            ]
        )
    return rows


def off_track_rows(c: Consolidation) -> list[list[str]]:
    rows = [["Circonscription", "Année", "Objectif", "Indicateurs en retard"]]
    for b in c.kept:
        for o in b.off_track:
            late = ", ".join(i.label for i in o.indicators if i.off_track)
            rows.append([b.circonscription, b.school_year, f"n° {o.number} {o.text}", late])
    return rows


def avenant_rows(c: Consolidation) -> list[list[str]]:
    """Each avenant once (a contract's later bilans repeat its avenants): the latest bilan's."""
    latest: dict[tuple[str, int], tuple[BilanRead, int, str, str, int]] = {}
    for b in c.kept:
        for a in b.avenants:
            latest[(b.contract_id, a.number)] = (
                b,
                a.number,
                french_date(a.date),
                a.reason,
                a.changes,
            )
    rows = [["Circonscription", "Contrat", "Avenant", "Date", "Motif", "Modifications"]]
    for b, number, day, reason, changes in latest.values():
        rows.append([b.circonscription, b.contract_id, f"n° {number}", day, reason, str(changes)])
    return rows


def academic_rows(c: Consolidation) -> list[list[str]]:
    rows = [["Objectif du projet académique", "Circonscription", "Année", "Objectif", "Statut"]]
    for line in c.academic:
        name = f"{line.link.code} {line.link.title}".strip()
        for s in line.serving:
            rows.append(
                [
                    name,
                    s.circonscription,
                    s.school_year,
                    f"n° {s.number} {s.text}",
                    status_label(s.status),
                ]
            )
    return rows


def shared_summary(shared: SharedIndicator) -> str:
    """The line under a shared indicator's table: its sum or its distribution."""
    parts = [f"{_n(len(shared.measured), 'mesure', 'mesures')} sur {len(shared.values)}"]
    if shared.total is not None:
        parts.append(f"total {quantity(shared.total, shared.unit)}")
        if shared.target_total is not None:
            parts.append(f"total des cibles {quantity(shared.target_total, shared.unit)}")
    low_mid_high = shared.distribution
    if low_mid_high:
        low, mid, high = low_mid_high
        parts.append(
            f"de {quantity(low, shared.unit)} à {quantity(high, shared.unit)}, médiane "
            f"{quantity(mid, shared.unit)}"
        )
    if shared.with_target:
        parts.append(f"cible atteinte : {shared.reached} sur {shared.with_target}")
    return " ; ".join(parts)


def shared_rows(shared: SharedIndicator) -> list[list[str]]:
    rows = [["Circonscription", "Valeur constatée", "Cible", "Écart à la cible", "Trajectoire"]]
    for v in shared.values:
        rows.append(
            [
                v.circonscription,
                quantity(v.value, shared.unit) if v.value is not None else "non mesuré",
                f"{quantity(v.target, shared.unit)} ({v.target_year or '—'})"
                if v.target is not None
                else "—",
                signed(v.gap) if v.gap is not None else "—",
                "en retard" if v.off_track else "—",
            ]
        )
    return rows


def shared_title(shared: SharedIndicator) -> str:
    code = f"{shared.academic.code} " if shared.academic.code else ""
    return f"{shared.label} ({shared.unit or 'sans unité'}) — {code}{shared.academic.title}, {shared.school_year}"


def notice_groups(c: Consolidation) -> list[tuple[str, list[str]]]:
    groups = []
    for kind, title in NOTICE_TITLES.items():
        lines = [
            _message(n) if not n.file else f"{file_name(n.file)} : {_strip(n)}"
            for n in c.notices
            if n.kind == kind
        ]
        if lines:
            groups.append((title, lines))
    return groups


def _strip(notice: Any) -> str:
    """A notice's message without the file it names at its start (shown before it)."""
    text = _message(notice)
    name = file_name(notice.file)
    for prefix in (f"{name}, ", f"{name} : "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def read_line(c: Consolidation) -> str:
    refused = sum(1 for n in c.notices if n.kind == "refuse")
    set_aside = sum(1 for n in c.notices if n.kind == "doublon")
    return (
        f"{_n(c.read, 'fichier lu', 'fichiers lus')}, "
        f"{_n(len(c.kept), 'bilan consolidé', 'bilans consolidés')}, "
        f"{_n(refused, 'refusé', 'refusés')}, {_n(set_aside, 'doublon écarté', 'doublons écartés')}, "
        f"{_n(len(c.provisional), 'provisoire', 'provisoires')}, "
        f"{_n(len(c.missing), 'manquant', 'manquants')}."
    )


def _n(count: int, one: str, many: str) -> str:
    """« 0 refusé », « 1 refusé », « 2 refusés » (French: the singular up to 1)."""
    return f"{count} {one if count < 2 else many}"


def render_markdown(c: Consolidation) -> str:
    lines = [f"# {esc(title_of(c))}", "", esc(read_line(c)), ""]
    if c.years:
        lines += [f"Années scolaires : {', '.join(c.years)}.", ""]
    for title, group in notice_groups(c):
        lines += [f"## {title}", "", *(f"- {esc(line)}" for line in group), ""]
    if c.kept:
        lines += ["## Circonscriptions", "", *_table(circonscription_rows(c)), ""]
        lines += ["### Empreintes des revues clôturées", "", *_table(fingerprint_rows(c)), ""]
        late, avenants = off_track_rows(c), avenant_rows(c)
        if len(late) > 1:
            lines += ["### Objectifs hors trajectoire", "", *_table(late), ""]
        if len(avenants) > 1:
            lines += ["### Avenants", "", *_table(avenants), ""]
    lines += ["## Projet académique", ""]
    if c.academic:
        lines += [*_table(academic_rows(c)), ""]
    else:
        lines += ["Aucun bilan ne donne les liens de ses objectifs au projet académique.", ""]
    lines += ["## Indicateurs partagés", ""]
    if not c.shared:
        lines += ["Aucun indicateur commun à plusieurs circonscriptions.", ""]
    for shared in c.shared:
        lines += [f"### {esc(shared_title(shared))}", "", *_table(shared_rows(shared)), ""]
        lines += [esc(shared_summary(shared)) + ".", ""]
    return "\n".join(lines).rstrip("\n").replace(NBSP + NBSP, NBSP) + "\n"
