"""The bilan as Markdown: the same content as the ODT, readable as plain text."""

from __future__ import annotations

import re

from revue.bilan.model import Bilan, ChangeLine, ObjectiveBilan, StrategyBilan
from revue.bilan.rows import (
    accompaniments_line,
    actions_lines,
    coverage_line,
    coverage_rows,
    document_kind,
    document_title,
    evidence_line,
    indicator_table,
    links_line,
    review_line,
    snapshot_line,
)
from revue.domain.french import date, typo
from revue.domain.review import Status

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


def paragraphs(text: str) -> list[str]:
    """Typed text as Markdown paragraphs: each line the user typed stays a paragraph."""
    return [esc(line) for line in text.split("\n") if line.strip()]


def _status(status: Status | None) -> str:
    return status.label if status else "non examiné"


def cover_facts(bilan: Bilan) -> list[tuple[str, str]]:
    """The cover page's facts, in order (the same in every format)."""
    c = bilan.contract
    facts = [
        ("Circonscription", c.circonscription),
        ("Académie", c.academie),
        ("Département", c.departement),
        ("IEN", c.ien),
        (
            "Parties",
            " ; ".join(
                p.name + (f" ({p.representative})" if p.representative else "") for p in c.parties
            ),
        ),
        (document_kind(bilan).capitalize(), c.title),
        ("Période", f"du {date(c.start_date)} au {date(c.end_date)}"),
    ]
    if c.signature_date:
        facts.append(
            (
                "Signature",
                f"le {date(c.signature_date)}"
                + (f" à {c.signature_place}" if c.signature_place else ""),
            )
        )
    facts.append(("Projet académique", c.academic_project))
    facts.append(("Revue", review_line(bilan)))
    facts.append(("Relevé", snapshot_line(bilan) or ""))
    facts.append(("Établi le", date(bilan.written_on)))
    return [(label, value) for label, value in facts if value]


def signature_place(bilan: Bilan) -> str:
    return bilan.contract.signature_place or bilan.contract.circonscription


def signatories(bilan: Bilan) -> list[tuple[str, str]]:
    """(title, name) of each signatory, as the contract's parties name them: the IEN and the
    DASEN (by their titles, the IEN's name as the contract gives it, when it names no party)."""
    parties = [
        ((p.representative_title or p.name), p.representative) for p in bilan.contract.parties
    ]
    if not parties:  # the two who sign a contract between a circonscription and its DSDEN
        parties = [
            ("L'inspecteur ou l'inspectrice de l'Éducation nationale", bilan.contract.ien),
            ("Le directeur ou la directrice académique des services de l'Éducation nationale", ""),
        ]
    return [(title[:1].upper() + title[1:], name) for title, name in parties]


def change_line(change: ChangeLine) -> str:
    return f"{change.objective} — {change.what} : {change.before_text} → {change.after_text}"


def render_markdown(bilan: Bilan) -> str:
    c = bilan.contract
    out: list[str] = [f"# {esc(document_title(bilan))}", ""]
    out.append(f"**Circonscription {of(esc(c.circonscription))}** — {esc(c.title)}")
    out.append("")
    if bilan.provisional:
        out += [f"_Bilan provisoire du {date(bilan.written_on)} : la revue est en cours._", ""]
    out += [f"- {label} : {esc(value)}" for label, value in cover_facts(bilan)]
    out.append("")

    out += ["## Avenants", ""]
    if not bilan.avenants:
        out.append("Aucun avenant.")
    for avenant in bilan.avenants:
        out.append(
            f"- **Avenant n° {avenant.number} du {date(avenant.date)}** — {esc(avenant.reason)}"
        )
    out.append("")

    number = 1
    out += [f"## {number}. Synthèse", "", "### Statuts des objectifs", ""]
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
    out += ["### Points forts", "", *_texts(bilan.synthesis.strengths)]
    out += ["### Points de vigilance", "", *_texts(bilan.synthesis.vigilance)]

    for strategy in bilan.strategies:
        number += 1
        out += _strategy(strategy, bilan, number)

    if bilan.coverage:
        number += 1
        out += [f"## {number}. Projet académique", "", esc(coverage_line(bilan)), ""]
        out += _table(coverage_rows(bilan))

    number += 1
    out += [f"## {number}. Évaluation à mi-parcours et avenants", ""]
    out += _midterms(bilan)

    number += 1
    out += [f"## {number}. Perspectives", "", *_texts(bilan.synthesis.perspectives)]

    out += [f"Fait à {esc(signature_place(bilan))}, le {date(bilan.written_on)}", ""]
    for title, name in signatories(bilan):
        out += [f"- {esc(title)} : {esc(name) or '_(signature)_'}"]
    out.append("")
    return "\n".join(out)


def _table(rows: list[list[str]]) -> list[str]:
    """A Markdown table: the header row as given, the others escaped; a blank line after."""
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return [*out, *("| " + " | ".join(cell(x) for x in row) + " |" for row in rows[1:]), ""]


def _texts(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in paragraphs(text) or ["_Non renseigné._"]:
        out += [paragraph, ""]
    return out


def _midterms(bilan: Bilan) -> list[str]:
    out: list[str] = []
    if not bilan.midterms:
        out += ["Aucune évaluation à mi-parcours n'a été conduite.", ""]
    for midterm in bilan.midterms:
        out += [f"### {esc(midterm.title)}", ""]
        out += [f"{midterm.examined}/{midterm.total} objectifs examinés.", ""]
        if midterm.off_track:
            out += [
                "Objectifs en retard sur leur trajectoire"
                + (" ou non atteints" if midterm.with_statuses else "")
                + " :",
                "",
            ]
            out += [
                f"- Objectif {o.number} · {esc(o.text)} ({esc(', '.join(o.indicators))})"
                for o in midterm.off_track
            ]
        else:
            out.append(
                "Aucun objectif en retard sur sa trajectoire"
                + (" ni non atteint" if midterm.with_statuses else "")
                + "."
            )
        out.append("")
    for avenant in bilan.avenants:
        out += [f"### Avenant n° {avenant.number} du {date(avenant.date)}", ""]
        out += [f"Motif : {esc(avenant.reason)}", ""]
        out += [f"- {esc(change_line(change))}" for change in avenant.changes]
        out.append("")
    return out


def _strategy(strategy: StrategyBilan, bilan: Bilan, number: int) -> list[str]:
    out = [f"## {number}. {esc(strategy.title)}", ""]
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
    links = links_line(objective)
    if links:
        label, _, rest = links.partition(" : ")
        out += [f"**{label} :** {esc(rest)}", ""]
    if objective.actions:
        out += ["**Actions prévues et réalisées :**", ""]
        out += [f"- {esc(line)}" for line in actions_lines(objective)]
        out.append("")
    if objective.indicators:
        out += _table(indicator_table(objective, year))
    if objective.accompaniments:
        label, _, rest = accompaniments_line(objective, year).partition(" : ")
        out += [f"**{label} :** {esc(rest)}", ""]
    if objective.evidence:
        label, _, rest = evidence_line(objective).partition(" : ")
        out += [f"**{label} :** {esc(rest)}", ""]
    if objective.analysis:
        out += ["**Analyse :**", "", *_texts(objective.analysis)]
    if objective.adjustments:
        out += ["**Ajustements proposés :**", "", *_texts(objective.adjustments)]
    return out
