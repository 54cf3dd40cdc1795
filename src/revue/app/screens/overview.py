"""Vue d'ensemble of a review: statuses per strategy, indicators against their trajectory,
objectives off track."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from revue.app import format as fr
from revue.domain import Objective
from revue.review_domain import (
    OFF_TRACK_MARGIN,
    ObjectiveReview,
    Status,
    Walk,
    expected_value,
    is_off_track,
    school_year_start,
)

STATUS_STYLES = {
    Status.REACHED: "green",
    Status.PARTLY: "yellow",
    Status.IN_PROGRESS: "blue",
    Status.TO_START: "grey50",
    Status.NOT_REACHED: "red",
    Status.DROPPED: "grey35",
    None: "grey19",
}
BAR_WIDTH = 40


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def status_bar(statuses: list[Status | None], width: int = BAR_WIDTH) -> Text:
    """One line of coloured blocks, each status in proportion to its count."""
    bar = Text()
    total = len(statuses) or 1
    order = [Status.REACHED, Status.PARTLY, Status.IN_PROGRESS, Status.TO_START,
             Status.NOT_REACHED, Status.DROPPED, None]
    used = 0
    for position, status in enumerate(order):
        count = statuses.count(status)
        if not count:
            continue
        cells = round(count / total * width) if position < len(order) - 1 else width - used
        cells = max(1, min(cells, width - used))
        bar.append("█" * cells, style=STATUS_STYLES[status])
        used += cells
    return bar


def legend(statuses: list[Status | None]) -> Text:
    text = Text()
    for status in [*Status, None]:
        count = statuses.count(status)
        if count:
            if text:
                text.append("  ")
            text.append("■ ", style=STATUS_STYLES[status])
            text.append(f"{status.label if status else 'non examiné'} : {count}")
    return text


class OverviewScreen(Screen[None]):
    """Where the review stands."""

    HELP = (
        "La vue d'ensemble de la revue : pour chaque stratégie, la répartition des statuts ; "
        "pour chaque indicateur, la valeur attendue cette année sur la ligne droite qui va de "
        "la valeur initiale à la cible, la valeur constatée, l'écart et l'évolution ; enfin "
        "les objectifs en retard, qui peuvent appeler un avenant."
    )
    BINDINGS = [Binding("escape", "back", "Retour", id="back")]

    @dataclass
    class Loaded(Message):
        walk: Walk

    def __init__(self, review_id: uuid.UUID) -> None:
        super().__init__()
        self.review_id = review_id

    def compose(self) -> ComposeResult:
        yield Static("Vue d'ensemble", id="overview-title", classes="screen-title")
        with VerticalScroll(id="overview-body"):
            yield Static("Chargement…", id="overview-strategies")
            yield Static("", id="overview-indicators")
            yield Static("", id="overview-watch")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        self.post_message(self.Loaded(self.app.store.load_walk(self.review_id)))  # type: ignore[attr-defined]

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        walk = message.walk
        self.query_one("#overview-title", Static).update(
            f"Vue d'ensemble — {walk.review.title} — {walk.contract.circonscription}")
        self.query_one("#overview-strategies", Static).update(self._strategies(walk))
        self.query_one("#overview-indicators", Static).update(self._indicators(walk))
        self.query_one("#overview-watch", Static).update(self._watch(walk))

    def _status(self, walk: Walk, objective: Objective) -> Status | None:
        return walk.records.get(objective.id, ObjectiveReview(objective.id)).status

    def _strategies(self, walk: Walk) -> Group:
        groups: dict[str, list[Objective]] = {}
        labels: dict[str, str] = {}
        for objective in walk.objectives:
            path = walk.path_of(objective)
            key = path[0].id if path else ""
            if key not in labels:
                top = path[0] if path else None
                labels[key] = (f"{top.level} {top.code} · {top.title}".replace("  ", " ")
                               if top and top.code else top.title if top else "Hors stratégie")
            groups.setdefault(key, []).append(objective)
        parts: list[Text] = [Text("Statuts par stratégie", style="bold underline")]
        all_statuses = [self._status(walk, o) for o in walk.objectives]
        done = sum(1 for s in all_statuses if s is not None)
        parts.append(Text(f"{done}/{len(all_statuses)} objectifs examinés", style="dim"))
        for key, objectives in groups.items():
            statuses = [self._status(walk, o) for o in objectives]
            examined = sum(1 for s in statuses if s is not None)
            parts.append(Text(""))
            parts.append(Text(_clip(labels[key], 100), style="bold"))
            line = status_bar(statuses)
            line.append(f"  {examined}/{len(objectives)} examinés")
            parts.append(line)
            parts.append(legend(statuses))
        return Group(*parts)

    def _indicators(self, walk: Walk) -> Group:
        year = walk.review.school_year
        table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
        for column, justify in (("Indicateur", "left"), ("Initiale", "right"),
                                ("Cible", "right"), (f"Attendu {year}", "right"),
                                ("Constaté", "right"), ("Écart", "right"), ("Sens", "left"),
                                ("Évolution", "left")):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        rows = 0
        for objective in walk.objectives:
            for indicator in objective.indicators:
                target = walk.targets[indicator.id]
                observed = walk.values.get(indicator.id)
                expected = expected_value(indicator, target, year)
                gap = None if observed is None or expected is None else observed - expected
                history = dict(walk.history.get(indicator.id, {}))
                if observed is not None:
                    history[year] = observed
                series = [v for _, v in sorted(history.items(),
                                               key=lambda item: school_year_start(item[0]))]
                cible = fr.quantity(target.value, indicator.unit)
                if target.avenant is not None:
                    cible += f" (av. {target.avenant})"
                style = "bold red" if is_off_track(indicator, target, year, observed) else ""
                table.add_row(
                    _clip(indicator.label, 44),
                    fr.quantity(indicator.baseline_value, indicator.unit),
                    cible,
                    fr.quantity(expected, indicator.unit),
                    Text(fr.quantity(observed, indicator.unit), style=style),
                    fr.signed(gap),
                    "↑" if indicator.direction.value == "higher" else "↓",
                    fr.sparkline(series),
                )
                rows += 1
        title = Text("Indicateurs et trajectoires", style="bold underline")
        if not rows:
            return Group(Text(""), title, Text("Aucun indicateur dans ce contrat.", style="dim"))
        note = Text("Attendu : la valeur sur la ligne droite de la valeur initiale (et son année) "
                    "à la cible (et son année) ; « — » quand l'une des deux manque. "
                    "↑ : plus haut = mieux ; ↓ : plus bas = mieux.", style="dim")
        return Group(Text(""), title, note, table)

    def _watch(self, walk: Walk) -> Group:
        year = walk.review.school_year
        lines: list[Text] = []
        for objective in walk.objectives:
            reasons = []
            if self._status(walk, objective) is Status.NOT_REACHED:
                reasons.append("statut « non atteint »")
            for indicator in objective.indicators:
                target = walk.targets[indicator.id]
                observed = walk.values.get(indicator.id)
                if is_off_track(indicator, target, year, observed):
                    expected = expected_value(indicator, target, year)
                    reasons.append(
                        f"{_clip(indicator.label, 50)} : constaté "
                        f"{fr.quantity(observed, indicator.unit)}, attendu "
                        f"{fr.quantity(expected, indicator.unit)}")
            if reasons:
                lines.append(Text(f" • {_clip(objective.display_title, 90)}", style="bold"))
                lines.extend(Text(f"   – {reason}") for reason in reasons)
        title = Text("Objectifs à surveiller (avenant possible)", style="bold underline")
        margin = f"{OFF_TRACK_MARGIN * 100:.0f}".replace(".", ",")
        note = Text(
            "Un indicateur est en retard quand la valeur constatée est en deçà de la valeur "
            f"attendue de plus de {margin}\u00a0% de l'écart total entre valeur initiale et cible.",
            style="dim")
        if not lines:
            lines = [Text("Aucun objectif en retard sur sa trajectoire.")]
        return Group(Text(""), title, note, *lines)

    def action_back(self) -> None:
        self.app.pop_screen()
