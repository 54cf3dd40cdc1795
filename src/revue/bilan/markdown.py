"""The bilan as Markdown: the same content as the ODT, readable as plain text."""

from __future__ import annotations

import re

from revue.bilan.model import Bilan, ObjectiveBilan, StrategyBilan
from revue.bilan.rows import (
    accompaniments_line,
    actions_lines,
    evidence_line,
    indicator_table,
    review_line,
    snapshot_line,
)
from revue.domain.french import date, typo
from revue.domain.review import ReviewKind, Status

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)", re.M)
STATUS_ORDER: list[Status | None] = [*Status, None]


def esc(text: str) -> str:
    """Text the user typed, made inert for Markdown and set in French typography."""
    text = _SPECIAL.sub(r"\\\1", typo(text.strip()))

    def inert(m: re.Match[str]) -> str:
        marker = m[2]
        marker = "\\" + marker if marker in "-+" else marker[:-1] + "\\" + marker[-1]
        return m[1] + marker + m[3]

    return _LINE_START.sub(inert, text)


def of(name: str) -> str:
    """« de Thionville », « d'Épinay »."""
    return f"d'{name}" if name[:1].lower() in "aeiouyàâéèêëîïôöùûüh" else f"de {name}"


def cell(text: str) -> str:
    return esc(text).replace("\n", " ") or "—"


def _status(status: Status | None) -> str:
    return status.label if status else "non examiné"


def render_markdown(bilan: Bilan) -> str:
    c = bilan.contract
    out: list[str] = [f"# Bilan — circonscription {of(esc(c.circonscription))}", ""]
    out.append(f"**{esc(c.title)}**")
    out.append("")
    facts = [
        ("Circonscription", c.circonscription),
        ("Académie", c.academie),
        ("Département", c.departement),
        ("IEN", c.ien),
        ("Période du contrat", f"du {date(c.start_date)} au {date(c.end_date)}"),
    ]
    if c.signature_date:
        facts.append(
            (
                "Signature",
                f"le {date(c.signature_date)}"
                + (f" à {c.signature_place}" if c.signature_place else ""),
            )
        )
    if c.academic_project:
        facts.append(("Projet académique", c.academic_project.title))
    facts.append(("Revue", review_line(bilan)))
    facts.append(("Relevé", snapshot_line(bilan) or ""))
    facts.append(("Établi le", date(bilan.written_on)))
    out += [f"- {label} : {esc(value)}" for label, value in facts if value]
    out.append("")

    out += ["## Avenants", ""]
    if not bilan.avenants:
        out.append("Aucun avenant.")
    for avenant in bilan.avenants:
        out.append(
            f"- **Avenant n° {avenant.number} du {date(avenant.date)}** — {esc(avenant.reason)}"
        )
        for objective, what, before, after in avenant.changes:
            out.append(f"    - {esc(objective)} — {esc(what)} : {esc(before)} → {esc(after)}")
    out.append("")

    out += ["## Synthèse des statuts", ""]
    header = ["Stratégie", *(_status(s) for s in STATUS_ORDER)]
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "---|" * len(header))
    for strategy in bilan.strategies:
        counts = strategy.status_counts()
        out.append(
            "| "
            + " | ".join([cell(strategy.title), *(str(counts.get(s, 0)) for s in STATUS_ORDER)])
            + " |"
        )
    out.append("")

    for strategy in bilan.strategies:
        out += _strategy(strategy, bilan)

    midterms = [r for r in bilan.reviews if r.kind is ReviewKind.MIDTERM]
    out += ["## Évaluation à mi-parcours", ""]
    if not midterms:
        out += ["Aucune évaluation à mi-parcours n'a été conduite.", ""]
    for midterm in midterms:
        count = sum(1 for a in bilan.avenants)
        out += [
            f"- {midterm.title} : {midterm.examined}/{midterm.total} objectifs examinés ; "
            f"{count} avenant(s) au contrat.",
            "",
        ]

    out += [
        "## Synthèse",
        "",
        "### Points forts",
        "",
        esc(bilan.synthesis.strengths) or "_Non renseigné._",
        "",
        "### Points de vigilance",
        "",
        esc(bilan.synthesis.vigilance) or "_Non renseigné._",
        "",
        "## Perspectives",
        "",
        esc(bilan.synthesis.perspectives) or "_Non renseigné._",
        "",
    ]
    return "\n".join(out)


def _strategy(strategy: StrategyBilan, bilan: Bilan) -> list[str]:
    out = [f"## {esc(strategy.title)}", ""]
    for objective in strategy.objectives:
        out += _objective(objective, bilan)
    return out


def _objective(objective: ObjectiveBilan, bilan: Bilan) -> list[str]:
    year = bilan.review.school_year
    out = [f"### Objectif {objective.number} · {esc(objective.text)}", ""]
    if len(objective.path) > 1:
        out += [f"_{esc(' › '.join(objective.path[1:]))}_", ""]
    if objective.initial_text:
        out += [f"_Texte initial (avant avenant) : {esc(objective.initial_text)}_", ""]
    out += [f"**Statut :** {_status(objective.status)}", ""]
    if objective.actions:
        out += ["**Actions prévues et réalisées :**", ""]
        out += [f"- {esc(line)}" for line in actions_lines(objective)]
        out.append("")
    if objective.indicators:
        rows = indicator_table(objective, year)
        out.append("| " + " | ".join(rows[0]) + " |")
        out.append("|" + "---|" * len(rows[0]))
        out += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows[1:]]
        out.append("")
    if objective.accompaniments:
        label, _, rest = accompaniments_line(objective, year).partition(" : ")
        out += [f"**{label} :** {esc(rest)}", ""]
    if objective.evidence:
        label, _, rest = evidence_line(objective).partition(" : ")
        out += [f"**{label} :** {esc(rest)}", ""]
    if objective.analysis:
        out += ["**Analyse :**", "", esc(objective.analysis), ""]
    if objective.adjustments:
        out += ["**Ajustements proposés :**", "", esc(objective.adjustments), ""]
    return out
