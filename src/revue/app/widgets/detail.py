"""The right-hand pane of the contract screen: what the selected node of the tree holds."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from revue.app import format as fr
from revue.domain.academic import link_label
from revue.domain.avenant import CHANGE_LABELS, Avenant, RevisedTarget, Revision
from revue.domain.contract import (
    AcademicProject,
    Contract,
    Indicator,
    Objective,
    Section,
)


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def _title(text: str) -> Text:
    return Text(text, style="bold")


def _bullets(items: list[str]) -> Text:
    return Text("\n".join(f" • {item}" for item in items))


def _gap() -> Text:
    return Text("")


class Detail(VerticalScroll):
    """Shows a contract, a section or an objective, read-only."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-body")

    def _show(self, parts: list[RenderableType]) -> None:
        self.query_one("#detail-body", Static).update(Group(*parts))
        self.scroll_home(animate=False)

    def show_contract(self, contract: Contract, avenants: list[Avenant] | None = None) -> None:
        parts: list[RenderableType] = [
            Text(contract.kind.label, style="dim"),
            _title(contract.title),
            _gap(),
        ]
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column()
        facts.add_row("Circonscription", contract.circonscription)
        if contract.academie:
            facts.add_row("Académie", contract.academie)
        if contract.departement:
            facts.add_row("Département", contract.departement)
        if contract.ien:
            facts.add_row("IEN", contract.ien)
        facts.add_row(
            "Période", f"du {fr.date(contract.start_date)} au {fr.date(contract.end_date)}"
        )
        if contract.signature_date or contract.signature_place:
            place = f"à {contract.signature_place}" if contract.signature_place else ""
            when = f"le {fr.date(contract.signature_date)}" if contract.signature_date else ""
            facts.add_row("Signature", " ".join(x for x in (place, when) if x))
        if contract.academic_project:
            facts.add_row("Projet académique", contract.academic_project.title)
        facts.add_row(
            "Contenu",
            f"{len(contract.sections)} sections, {len(contract.objectives)} objectifs, "
            f"{sum(len(o.indicators) for o in contract.objectives)} indicateurs",
        )
        parts.append(facts)
        if contract.preamble:
            parts += [_gap(), Text(contract.preamble, style="italic")]
        if contract.parties:
            parts += [_gap(), _heading("Parties")]
            for party in contract.parties:
                line = Text(f" • {party.name}", style="bold")
                if party.representative:
                    line.append(f", représentée par {party.representative}", style="not bold")
                    if party.representative_title:
                        line.append(f" ({party.representative_title})", style="not bold dim")
                parts.append(line)
        for labelled in contract.lists:
            parts += [_gap(), _heading(labelled.label), _bullets(labelled.items)]
        if avenants:
            parts += [_gap(), _heading("Avenants")]
            for avenant in avenants:
                changes = ", ".join(CHANGE_LABELS.get(c.kind, c.kind) for c in avenant.changes)
                parts.append(
                    Text(
                        f" • n° {avenant.number} du {fr.date(avenant.date)} — "
                        f"{avenant.reason} ({changes})"
                    )
                )
        for article in contract.articles:
            parts += [_gap(), _heading(article.title), Text(article.text)]
        self._show(parts)

    def show_section(self, section: Section, path: list[Section], objective_count: int) -> None:
        parts: list[RenderableType] = []
        if path:
            parts.append(Text(" › ".join(_short(p) for p in path), style="dim"))
        label = f"{section.level} {section.code}".strip()
        parts += [Text(label, style="dim"), _title(section.title)]
        if section.text:
            parts += [_gap(), Text(section.text, style="italic")]
        for labelled in section.lists:
            parts += [_gap(), _heading(labelled.label), _bullets(labelled.items)]
        noun = "objectif" if objective_count == 1 else "objectifs"
        parts += [_gap(), Text(f"{objective_count} {noun} dans cette partie.", style="dim")]
        self._show(parts)

    def show_objective(
        self,
        objective: Objective,
        path: list[Section],
        academic: AcademicProject | None,
        revision: Revision | None = None,
    ) -> None:
        parts: list[RenderableType] = []
        if path:
            parts.append(Text(" › ".join(_short(p) for p in path), style="dim"))
        parts += [Text("Objectif", style="dim")]
        if objective.title:
            parts.append(_title(objective.title))
            if objective.text != objective.title:
                parts.append(Text(objective.text))
        else:
            parts.append(_title(objective.text))
        initial = (
            next((o for o in revision.initial.objectives if o.id == objective.id), None)
            if revision
            else None
        )
        if initial is not None and initial.text != objective.text:
            parts.append(
                Text(f"Texte initial (avant avenant) : {initial.text}", style="dim italic")
            )

        parts += [_gap(), _heading("Indicateurs")]
        if objective.indicators:
            for indicator in objective.indicators:
                parts.append(Text(f"▸ {indicator.label}", style="bold"))
                parts.append(
                    _indicator_table(
                        indicator, revision.targets.get(indicator.id) if revision else None
                    )
                )
        else:
            parts.append(Text("Aucun indicateur chiffré dans le document.", style="dim"))

        parts += [_gap(), _heading("Critères d'évaluation")]
        parts.append(
            _bullets(objective.criteria)
            if objective.criteria
            else Text("Aucun critère dans le document.", style="dim")
        )

        parts += [_gap(), _heading("Actions")]
        if objective.actions:
            for action in objective.actions:
                line = Text(f" • {action.what}")
                extra = " — ".join(x for x in (action.who, action.when) if x)
                if extra:
                    line.append(f" ({extra})", style="dim")
                parts.append(line)
        else:
            parts.append(Text("Aucune action dans le document.", style="dim"))

        parts += [_gap(), _heading("Projet académique")]
        if objective.academic_links:
            for key in objective.academic_links:
                found = academic.find(key) if academic else None
                label = link_label(academic, key) if found else f"{key} (absent des données)"
                parts.append(Text(f" • {label}"))
        else:
            parts.append(Text("Pas de lien indiqué.", style="dim"))
        self._show(parts)


def _short(section: Section, width: int = 40) -> str:
    label = f"{section.level} {section.code}".strip() if section.code else section.title
    return label if len(label) <= width else label[: width - 1] + "…"


def _indicator_table(indicator: Indicator, revised: RevisedTarget | None = None) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    if indicator.unit:
        table.add_row("  Unité", indicator.unit)
    if indicator.source:
        table.add_row("  Source", indicator.source)
    if indicator.computed is not None:
        table.add_row("  Valeur", fr.computed_filter(indicator.computed))
    else:
        table.add_row("  Valeur initiale", fr.baseline(indicator))
    if indicator.target_value is not None or indicator.computed is None:
        cible = fr.target(indicator)
        if revised is not None and revised.avenant is not None:
            cible += (
                f" — révisée par l'avenant n° {revised.avenant} ; cible initiale "
                f"{fr.quantity(revised.initial_value, indicator.unit)} "
                f"({revised.initial_year})"
            )
        table.add_row("  Cible", cible)
    table.add_row("  Sens", indicator.direction.label)
    if indicator.note:
        table.add_row("  Note", Text(indicator.note, style="italic"))
    return table
