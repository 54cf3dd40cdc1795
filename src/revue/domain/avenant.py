"""Avenants: numbered, dated decisions that change a contract, each change kept before -> after.

:func:`revise` is the one place a change is applied to a contract: the store replays recorded
avenants through it, and the avenant screen previews the changes being prepared with it.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from revue.domain.contract import Action, Contract, Objective
from revue.domain.errors import RevueError


class ChangeKind(StrEnum):
    """What one change of an avenant touches (the stored value is the enum's value)."""

    OBJECTIVE_TEXT = "objective-text"  # after: text
    INDICATOR_TARGET = "indicator-target"  # after: value, year
    ACTION_ADD = "action-add"  # after: what, who, when
    ACTION_CHANGE = "action-change"  # after: what, who, when
    ACTION_DROP = "action-drop"
    LINK_ADD = "link-add"  # after: link (a key of the projet académique)
    LINK_DROP = "link-drop"  # before: link

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self]

    @property
    def on_existing_action(self) -> bool:
        return self in (ChangeKind.ACTION_CHANGE, ChangeKind.ACTION_DROP)

    @property
    def on_link(self) -> bool:
        return self in (ChangeKind.LINK_ADD, ChangeKind.LINK_DROP)


CHANGE_LABELS: dict[ChangeKind, str] = {
    ChangeKind.OBJECTIVE_TEXT: "texte de l'objectif",
    ChangeKind.INDICATOR_TARGET: "cible d'un indicateur",
    ChangeKind.ACTION_ADD: "action ajoutée",
    ChangeKind.ACTION_CHANGE: "action modifiée",
    ChangeKind.ACTION_DROP: "action supprimée",
    ChangeKind.LINK_ADD: "rattachement au projet académique ajouté",
    ChangeKind.LINK_DROP: "rattachement au projet académique retiré",
}


@dataclass
class AvenantChange:
    """One change inside an avenant, kept as before -> after.

    ``target_id`` names the indicator or the action the change is about; an added action gets
    its id (:func:`added_action_id`) when the change is prepared or recorded. A link change
    names the key of the projet académique's objective in ``target_id`` and in ``after`` (added)
    or ``before`` (removed) as ``link``.
    """

    kind: ChangeKind
    objective_id: str
    target_id: str | None = None
    before: dict[str, object] = field(default_factory=dict)
    after: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kind = ChangeKind(self.kind)


@dataclass
class Avenant:
    number: int
    date: dt.date
    reason: str
    changes: list[AvenantChange] = field(default_factory=list)
    review_id: uuid.UUID | None = None


@dataclass
class RevisedTarget:
    """An indicator's target as first signed and as last revised by avenant."""

    initial_value: float | None
    initial_year: str | None
    value: float | None
    year: str | None
    avenant: int | None = None  # number of the avenant that set the current target


@dataclass
class Revision:
    """A contract as signed and as revised by its avenants."""

    initial: Contract
    revised: Contract
    targets: dict[str, RevisedTarget]
    avenants: list[Avenant]


def added_action_id(objective_id: str, number: int, position: int) -> str:
    """The id of an action added by avenant ``number`` as its change number ``position``."""
    return f"{objective_id}-av{number}-{position}"


def _text(after: dict[str, object], key: str, default: str = "") -> str:
    return str(after.get(key, default))


def apply_change(
    objectives: dict[str, Objective],
    change: AvenantChange,
    number: int,
    targets: dict[str, RevisedTarget] | None = None,
    *,
    record_before: bool = False,
) -> None:
    """Apply one change of avenant ``number`` to ``objectives`` (changed in place).

    ``targets`` (by indicator id) follow revised targets; ``record_before`` sets the change's
    before from what it replaces (the screen does, while changes are prepared). Raises
    RevueError on a change that does not fit the contract.
    """
    objective = objectives.get(change.objective_id)
    if objective is None:
        raise RevueError(f"avenant n° {number} : objectif « {change.objective_id} » inconnu")
    if change.kind is ChangeKind.OBJECTIVE_TEXT:
        text = _text(change.after, "text").strip()
        if not text:
            raise RevueError("le nouveau texte de l'objectif est vide")
        if record_before:
            change.before = {"text": objective.text}
        objective.text = text
        objective.title = ""
    elif change.kind is ChangeKind.INDICATOR_TARGET:
        indicator = next((i for i in objective.indicators if i.id == change.target_id), None)
        if indicator is None:
            raise RevueError(f"avenant n° {number} : indicateur « {change.target_id} » inconnu")
        if record_before:
            change.before = {"value": indicator.target_value, "year": indicator.target_year}
        value, year = change.after.get("value"), change.after.get("year")
        indicator.target_value = None if value is None else float(str(value))
        indicator.target_year = None if year is None else str(year)
        if targets is not None:
            revised = targets[indicator.id]
            revised.value, revised.year, revised.avenant = (
                indicator.target_value,
                indicator.target_year,
                number,
            )
    elif change.kind.on_link:
        _apply_link(objective, change, number, record_before=record_before)
    elif change.kind is ChangeKind.ACTION_ADD:
        what = _text(change.after, "what").strip()
        if not what:
            raise RevueError("l'action ajoutée n'a pas de texte")
        action_id = change.target_id or added_action_id(objective.id, number, 1)
        objective.actions.append(
            Action(
                id=action_id,
                what=what,
                who=_text(change.after, "who"),
                when=_text(change.after, "when"),
            )
        )
    else:
        action = next((a for a in objective.actions if a.id == change.target_id), None)
        if action is None:
            raise RevueError(f"avenant n° {number} : action « {change.target_id} » inconnue")
        if record_before:
            change.before = {"what": action.what, "who": action.who, "when": action.when}
        if change.kind is ChangeKind.ACTION_DROP:
            objective.actions.remove(action)
        else:
            action.what = _text(change.after, "what", action.what)
            action.who = _text(change.after, "who", action.who)
            action.when = _text(change.after, "when", action.when)


def link_of(change: AvenantChange) -> str:
    """The projet académique key a link change adds or removes."""
    side = change.after if change.kind is ChangeKind.LINK_ADD else change.before
    return str(side.get("link") or change.target_id or "").strip()


def _apply_link(
    objective: Objective, change: AvenantChange, number: int, *, record_before: bool
) -> None:
    key = link_of(change)
    if not key:
        raise RevueError(f"avenant n° {number} : le rattachement ne nomme aucun objectif")
    if record_before:
        change.before = {"links": list(objective.academic_links)}
        if change.kind is ChangeKind.LINK_DROP:
            change.before["link"] = key
    if change.kind is ChangeKind.LINK_ADD:
        if key in objective.academic_links:
            raise RevueError(
                f"avenant n° {number} : l'objectif « {objective.id} » est déjà rattaché à « {key} »"
            )
        objective.academic_links.append(key)
    else:
        if key not in objective.academic_links:
            raise RevueError(
                f"avenant n° {number} : l'objectif « {objective.id} » n'est pas rattaché à "
                f"« {key} »"
            )
        objective.academic_links.remove(key)


def initial_targets(contract: Contract) -> dict[str, RevisedTarget]:
    return {
        i.id: RevisedTarget(i.target_value, i.target_year, i.target_value, i.target_year)
        for o in contract.objectives
        for i in o.indicators
    }


def apply_avenants(
    initial: Contract, avenants: list[Avenant]
) -> tuple[Contract, dict[str, RevisedTarget]]:
    """The contract as revised by ``avenants`` (in number order), and every indicator's target
    initial and revised. Raises RevueError on a change that does not fit."""
    contract = copy.deepcopy(initial)
    objectives = {o.id: o for o in contract.objectives}
    targets = initial_targets(contract)
    for avenant in sorted(avenants, key=lambda a: a.number):
        for change in avenant.changes:
            apply_change(objectives, change, avenant.number, targets)
    return contract, targets
