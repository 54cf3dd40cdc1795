"""What the contract editor does to a contract, without a screen: the nodes of its tree, the
fields of each node, adding, moving and deleting, and where the import would report a field.

Every operation works on a copy (:func:`copy.deepcopy`) that the screen then checks through
the import's parser (:func:`revue.formats.contract_text.checked`) before keeping it: the
contract shown is always one the import accepts.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from revue.domain.contract import (
    AcademicProjectRef,
    Action,
    Article,
    ComputedCount,
    Contract,
    Direction,
    DocumentKind,
    Indicator,
    LabelledList,
    Objective,
    Party,
    Section,
)
from revue.domain.french import clip, number
from revue.domain.log import INITIATIVE_LABELS, MODALITY_LABELS
from revue.domain.parsing import parse_date, parse_number

#: A node of the tree: ("header",), ("party", i), ("article", i), ("list", section or None, i),
#: ("section", id), ("objective", id), ("indicator", objective id, i), ("action", objective id, i)
Node = tuple[Any, ...]
HEADER: Node = ("header",)

#: How each kind of node is named to the user.
KIND_NAMES = {
    "header": "l'en-tête",
    "party": "la partie",
    "article": "l'article",
    "list": "la liste",
    "section": "la section",
    "objective": "l'objectif",
    "indicator": "l'indicateur",
    "action": "l'action",
}


@dataclass(frozen=True)
class Field:
    """One field of a node's form. ``kind``: line, text (several lines), lines (one item a
    line), date, number, choice (``choices``: value -> label), bool, readonly."""

    key: str
    label: str
    kind: str = "line"
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""


ANY = ""  # the "peu importe" choice of a log filter

KINDS = tuple((k.value, k.label) for k in DocumentKind)
DIRECTIONS = tuple((d.value, d.label) for d in Direction)
MODALITIES = ((ANY, "peu importe"), *MODALITY_LABELS.items())
INITIATIVES = ((ANY, "peu importe"), *INITIATIVE_LABELS.items())


def contract_fields(projects: tuple[tuple[str, str], ...]) -> list[Field]:
    return [
        Field("id", "Identifiant", "readonly"),
        Field("kind", "Document", "choice", KINDS),
        Field("title", "Titre"),
        Field("circonscription", "Circonscription"),
        Field("academie", "Académie"),
        Field("departement", "Département"),
        Field("ien", "IEN"),
        Field("start_date", "Début", "date", hint="jj/mm/aaaa"),
        Field("end_date", "Fin", "date", hint="jj/mm/aaaa"),
        Field("signature_date", "Signé le", "date", hint="jj/mm/aaaa"),
        Field("signature_place", "Signé à"),
        Field("preamble", "Préambule", "text"),
        Field("academic_project.id", "Projet académique", "choice", ((ANY, "aucun"), *projects)),
        Field("academic_project.title", "Titre du projet académique"),
    ]


FIELDS: dict[str, list[Field]] = {
    "party": [
        Field("name", "Nom"),
        Field("representative", "Représentée par"),
        Field("representative_title", "En qualité de"),
    ],
    "article": [Field("title", "Titre"), Field("text", "Texte", "text")],
    "list": [Field("label", "Intitulé"), Field("items", "Éléments", "lines", hint="un par ligne")],
    "section": [
        Field("id", "Identifiant"),
        Field("level", "Niveau", hint="le nom que lui donne le document"),
        Field("code", "Numéro"),
        Field("title", "Intitulé", "text"),
        Field("parent", "Dans la section", "choice"),
        Field("text", "Texte", "text"),
    ],
    "objective": [
        Field("id", "Identifiant"),
        Field("section", "Dans la section", "choice"),
        Field("title", "Titre court"),
        Field("text", "Texte", "text"),
        Field("criteria", "Critères d'évaluation", "lines", hint="un par ligne"),
        Field("academic_links", "Rattachements au projet académique", "links"),
    ],
    "indicator": [
        Field("id", "Identifiant"),
        Field("label", "Ce qu'on mesure", "text"),
        Field("unit", "Unité"),
        Field("source", "Source"),
        Field("baseline", "Valeur initiale", "number"),
        Field("baseline_year", "Année de la valeur initiale", hint="2018-2019"),
        Field("target", "Cible", "number"),
        Field("target_year", "Année de la cible", hint="2019-2020"),
        Field("direction", "Sens du progrès", "choice", DIRECTIONS),
        Field("computed", "Compté dans le journal des accompagnements", "bool"),
        Field("computed.modality", "Modalité comptée", "choice", MODALITIES),
        Field("computed.initiative", "Initiative comptée", "choice", INITIATIVES),
        Field("computed.theme", "Thème contenant"),
        Field("computed.linked_to_objective", "Seulement ceux rattachés à l'objectif", "bool"),
        Field("note", "Remarque", "text"),
    ],
    "action": [
        Field("id", "Identifiant"),
        Field("what", "Action", "text"),
        Field("who", "Qui"),
        Field("when", "Quand"),
    ],
}


class Refused(ValueError):
    """A value the editor cannot even put into the contract (not a date, not a number)."""


# --- finding things ----------------------------------------------------------------------------


def section(contract: Contract, sid: str) -> Section:
    return next(s for s in contract.sections if s.id == sid)


def objective(contract: Contract, oid: str) -> Objective:
    return next(o for o in contract.objectives if o.id == oid)


def lists_of(contract: Contract, owner: str | None) -> list[LabelledList]:
    return contract.lists if owner is None else section(contract, owner).lists


def target(contract: Contract, node: Node) -> Any:
    """The object a node edits."""
    kind = node[0]
    if kind == "header":
        return contract
    if kind == "party":
        return contract.parties[node[1]]
    if kind == "article":
        return contract.articles[node[1]]
    if kind == "list":
        return lists_of(contract, node[1])[node[2]]
    if kind == "section":
        return section(contract, node[1])
    if kind == "objective":
        return objective(contract, node[1])
    if kind == "indicator":
        return objective(contract, node[1]).indicators[node[2]]
    return objective(contract, node[1]).actions[node[2]]


def exists(contract: Contract, node: Node) -> bool:
    try:
        target(contract, node)
    except (StopIteration, IndexError):
        return False
    return True


def rows(contract: Contract) -> list[tuple[Node, int, str]]:
    """The tree as shown: (node, depth, label), the header and its parts first, then sections
    and objectives in document order, each objective followed by its indicators and actions."""
    out: list[tuple[Node, int, str]] = [(HEADER, 0, f"En-tête — {clip(contract.title, 40)}")]
    out += [(("party", i), 1, f"Partie : {p.name}") for i, p in enumerate(contract.parties)]
    out += [(("article", i), 1, f"{a.title}") for i, a in enumerate(contract.articles)]
    out += [(("list", None, i), 1, f"Liste : {li.label}") for i, li in enumerate(contract.lists)]
    depth: dict[str, int] = {}
    for item in contract.in_tree_order():
        if isinstance(item, Section):
            level = depth[item.id] = depth.get(item.parent, -1) + 1 if item.parent else 0
            code = f" {item.code}" if item.code else ""
            out.append((("section", item.id), level, f"{item.level}{code} : {item.title}"))
            out += [
                (("list", item.id, i), level + 1, f"Liste : {li.label}")
                for i, li in enumerate(item.lists)
            ]
            continue
        level = depth[item.section] + 1 if item.section else 0
        out.append((("objective", item.id), level, f"Objectif : {item.display_title}"))
        out += [
            (("indicator", item.id, i), level + 1, f"Indicateur : {ind.label}")
            for i, ind in enumerate(item.indicators)
        ]
        out += [
            (("action", item.id, i), level + 1, f"Action : {act.what}")
            for i, act in enumerate(item.actions)
        ]
    return [(node, level, " ".join(label.split())) for node, level, label in out]


def describe(contract: Contract, node: Node) -> str:
    """The node named for a confirmation or a history note: « l'objectif « s1-o1 » »."""
    kind = node[0]
    item = target(contract, node)
    attribute = {"header": "id", "party": "name", "article": "title", "list": "label"}
    name = getattr(item, attribute.get(kind, "id"))
    return f"{KIND_NAMES[kind]} « {clip(' '.join(str(name).split()), 50)} »"


# --- field values ------------------------------------------------------------------------------


def shown(contract: Contract, node: Node, key: str) -> Any:
    """The field as the form shows it: a text (dates French, numbers French), a choice's value,
    a bool, or the list of links."""
    item = target(contract, node)
    if node[0] == "header" and key.startswith("academic_project."):
        ref = contract.academic_project
        return (getattr(ref, key.split(".")[1]) or "") if ref else ""
    if node[0] == "indicator" and key.startswith("computed"):
        computed = item.computed
        if key == "computed":
            return computed is not None
        if computed is None:
            return False if key.endswith("objective") else ""
        value = getattr(computed, key.split(".")[1])
        return value if isinstance(value, bool) else (value or "")
    if node[0] == "indicator" and key in ("baseline", "target"):
        value = getattr(item, f"{key}_value")
        return "" if value is None else number(value)
    value = getattr(item, key)
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if key == "academic_links":
        return list(value)
    if isinstance(value, list):
        return "\n".join(value)
    if isinstance(value, DocumentKind | Direction):
        return value.value
    return "" if value is None else value


def apply(contract: Contract, node: Node, key: str, value: Any) -> Contract:
    """A copy of ``contract`` with the field set from what the form holds; :class:`Refused`
    when the value cannot be put in the contract at all (the import checks the rest)."""
    out = copy.deepcopy(contract)
    item = target(out, node)
    kind = node[0]
    if kind == "header":
        _header(out, key, value)
    elif kind == "indicator" and (key.startswith("computed") or key in ("baseline", "target")):
        _indicator(item, key, value)
    elif kind == "section" and key in ("id", "parent"):
        _section_link(out, item, key, value)
    elif kind == "objective" and key == "id":
        _rename_objective(out, item, value)
    elif key in ("section", "parent"):
        setattr(item, key, value or None)
    elif key in ("items", "criteria"):
        setattr(item, key, [line.strip() for line in str(value).splitlines() if line.strip()])
    elif key == "academic_links":
        item.academic_links = list(value)
    elif key == "direction":
        item.direction = Direction(value)
    elif key in ("baseline_year", "target_year"):
        setattr(item, key, str(value).strip() or None)
    else:
        setattr(item, key, str(value))
    return out


def _date(value: str) -> dt.date | None:
    text = value.strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise Refused(f"« {clip(text, 20)} » n'est pas une date : écrivez jj/mm/aaaa") from None


def _header(contract: Contract, key: str, value: Any) -> None:
    if key in ("start_date", "end_date", "signature_date"):
        day = _date(str(value))
        if day is None and key != "signature_date":
            raise Refused("la date est obligatoire (jj/mm/aaaa)")
        setattr(contract, key, day)
    elif key == "kind":
        contract.kind = DocumentKind(value)
    elif key.startswith("academic_project."):
        ref = contract.academic_project or AcademicProjectRef(title="")
        setattr(ref, key.split(".")[1], value or ("" if key.endswith("title") else None))
        contract.academic_project = ref if (ref.title or ref.id) else None
    else:
        setattr(contract, key, value)


def _indicator(item: Indicator, key: str, value: Any) -> None:
    if key in ("baseline", "target"):
        try:
            setattr(item, f"{key}_value", parse_number(str(value)))
        except ValueError:
            raise Refused(
                f"« {clip(str(value), 20)} » n'est pas un nombre (ex. « 12,5 »)"
            ) from None
        return
    if key == "computed":
        item.computed = ComputedCount() if value else None
        return
    if item.computed is None:
        item.computed = ComputedCount()
    name = key.split(".")[1]
    if name == "linked_to_objective":
        item.computed.linked_to_objective = bool(value)
    else:
        setattr(item.computed, name, str(value).strip() or None)


def _section_link(contract: Contract, item: Section, key: str, value: Any) -> None:
    if key == "parent":
        item.parent = value or None
        return
    old, new = item.id, str(value).strip()
    item.id = new
    for other in contract.sections:
        if other.parent == old:
            other.parent = new
    for obj in contract.objectives:
        if obj.section == old:
            obj.section = new


def _rename_objective(contract: Contract, item: Objective, value: Any) -> None:
    """A new identifier; its indicators' and actions' identifiers made from the old one follow."""
    old, new = item.id, str(value).strip()
    item.id = new
    children: list[Indicator | Action] = [*item.indicators, *item.actions]
    for child in children:
        if old and child.id.startswith(f"{old}-"):
            child.id = new + child.id[len(old) :]


def descendants(contract: Contract, sid: str) -> set[str]:
    """The section and every section under it."""
    out = {sid}
    grew = True
    while grew:
        grew = False
        for s in contract.sections:
            if s.parent in out and s.id not in out:
                out.add(s.id)
                grew = True
    return out


def section_choices(contract: Contract, node: Node) -> tuple[tuple[str, str], ...]:
    """Where a section or an objective can go: the top level or a section (for a section, not
    itself nor one of its own subsections)."""
    barred = descendants(contract, node[1]) if node[0] == "section" else set()
    top = "au premier niveau du contrat"
    sections = [i for i in contract.in_tree_order() if isinstance(i, Section)]
    return (
        (ANY, top),
        *((s.id, clip(f"{s.level} : {s.title}", 60)) for s in sections if s.id not in barred),
    )


def levels(contract: Contract) -> list[str]:
    """The level names the document already uses, for suggestions."""
    return list(dict.fromkeys(s.level for s in contract.sections))


# --- adding, moving, deleting ------------------------------------------------------------------


def _free(contract: Contract, stem: str) -> str:
    used = {s.id for s in contract.sections} | {o.id for o in contract.objectives}
    used |= {i.id for o in contract.objectives for i in o.indicators}
    used |= {a.id for o in contract.objectives for a in o.actions}
    n = 1
    while f"{stem}{n}" in used:
        n += 1
    return f"{stem}{n}"


def section_of(contract: Contract, node: Node) -> str | None:
    """The section a new objective or section goes into, from the node chosen."""
    if node[0] == "section":
        return str(node[1])
    if node[0] in ("objective", "indicator", "action"):
        return objective(contract, node[1]).section
    if node[0] == "list" and node[1] is not None:
        return str(node[1])
    return None


def objective_of(contract: Contract, node: Node) -> str | None:
    return str(node[1]) if node[0] in ("objective", "indicator", "action") else None


#: What can be added, in the order the add menu offers it: key, label.
ADDITIONS = (
    ("section", "Section (au même niveau)"),
    ("subsection", "Sous-section (dans la section choisie)"),
    ("objective", "Objectif"),
    ("indicator", "Indicateur (de l'objectif choisi)"),
    ("action", "Action (de l'objectif choisi)"),
    ("party", "Partie au contrat"),
    ("article", "Article"),
    ("list", "Liste (du contrat ou de la section choisie)"),
)


def can_add(contract: Contract, node: Node, what: str) -> bool:
    if what == "subsection":
        return bool(node[0] == "section")
    if what in ("indicator", "action"):
        return objective_of(contract, node) is not None
    return True


def add(contract: Contract, node: Node, what: str) -> tuple[Contract, Node]:
    """A copy with a new item next to (or in) ``node``, and the new item's node. New items
    carry a French placeholder in their required text, so that the contract stays valid."""
    out = copy.deepcopy(contract)
    if what in ("section", "subsection"):
        current = section(out, node[1]) if node[0] == "section" else None
        if what == "subsection" and current is not None:
            parent: str | None = current.id
        elif current is not None:
            parent = current.parent
        else:
            parent = section_of(out, node)
        level = _level_for(out, parent, current if what == "section" else None)
        sid = _free(out, f"{parent}-s" if parent else "s")
        new = Section(id=sid, level=level, title="Nouvelle section", parent=parent)
        if current is None:
            place = len(out.sections)
        elif what == "subsection":  # the last child of the section
            inside = descendants(out, current.id)
            place = max(n for n, s in enumerate(out.sections) if s.id in inside) + 1
        else:
            place = out.sections.index(current) + 1
        out.sections.insert(place, new)
        return out, ("section", sid)
    if what == "objective":
        in_section = section_of(out, node)
        new_id = _free(out, f"{in_section}-o" if in_section else "o")
        out.objectives.append(Objective(id=new_id, text="Nouvel objectif", section=in_section))
        return out, ("objective", new_id)
    if what in ("indicator", "action"):
        found = objective_of(out, node)
        assert found is not None
        oid: str = found
        obj = objective(out, oid)
        if what == "indicator":
            obj.indicators.append(Indicator(id=_free(out, f"{oid}-i"), label="Nouvel indicateur"))
            return out, ("indicator", oid, len(obj.indicators) - 1)
        obj.actions.append(Action(id=_free(out, f"{oid}-a"), what="Nouvelle action"))
        return out, ("action", oid, len(obj.actions) - 1)
    if what == "party":
        out.parties.append(Party(name="Nouvelle partie"))
        return out, ("party", len(out.parties) - 1)
    if what == "article":
        out.articles.append(Article(title=f"Article {len(out.articles) + 1}", text="Texte"))
        return out, ("article", len(out.articles) - 1)
    owner = str(node[1]) if node[0] == "section" else None
    lists = lists_of(out, owner)
    lists.append(LabelledList(label="Nouvelle liste"))
    return out, ("list", owner, len(lists) - 1)


def _level_for(contract: Contract, parent: str | None, sibling: Section | None) -> str:
    """The level name a new section most likely has: its sibling's, else that of another
    section at the same depth, else "Section"."""
    if sibling is not None:
        return sibling.level
    for s in contract.sections:
        if s.parent == parent:
            return s.level
    if parent is None:
        return "Section"
    above = section(contract, parent)
    for s in contract.sections:
        if s.parent is not None and section(contract, s.parent).level == above.level:
            return s.level
    return "Section"


def _swap(items: list[Any], i: int, j: int) -> None:
    items[i], items[j] = items[j], items[i]


def _siblings(contract: Contract, node: Node) -> list[Any] | None:
    """The list ``node`` sits in, for moving it among its neighbours."""
    kind = node[0]
    if kind == "party":
        return contract.parties
    if kind == "article":
        return contract.articles
    if kind == "list":
        return lists_of(contract, node[1])
    if kind == "indicator":
        return objective(contract, node[1]).indicators
    if kind == "action":
        return objective(contract, node[1]).actions
    return None


def move(contract: Contract, node: Node, step: int) -> tuple[Contract, Node] | None:
    """A copy with ``node`` moved one place up (-1) or down (+1) among its siblings, and its
    new node; None when it is already first or last."""
    out = copy.deepcopy(contract)
    items = _siblings(out, node)
    if items is not None:
        index = int(node[-1])
        if not 0 <= index + step < len(items):
            return None
        _swap(items, index, index + step)
        return out, (*node[:-1], index + step)
    whole: list[Any]
    if node[0] == "section":
        whole = out.sections
        item: Any = section(out, node[1])
        siblings: list[Any] = [s for s in out.sections if s.parent == item.parent]
    elif node[0] == "objective":
        whole = out.objectives
        item = objective(out, node[1])
        siblings = [o for o in out.objectives if o.section == item.section]
    else:
        return None
    index = siblings.index(item)
    if not 0 <= index + step < len(siblings):
        return None
    _swap(whole, whole.index(item), whole.index(siblings[index + step]))
    return out, node


def remove(contract: Contract, node: Node) -> Contract:
    """A copy without ``node`` (a section goes with its subsections and their objectives)."""
    out = copy.deepcopy(contract)
    kind = node[0]
    if kind == "section":
        gone = descendants(out, node[1])
        out.sections = [s for s in out.sections if s.id not in gone]
        out.objectives = [o for o in out.objectives if o.section not in gone]
    elif kind == "objective":
        out.objectives = [o for o in out.objectives if o.id != node[1]]
    elif kind == "indicator":
        del objective(out, node[1]).indicators[node[2]]
    elif kind == "action":
        del objective(out, node[1]).actions[node[2]]
    elif kind == "party":
        del out.parties[node[1]]
    elif kind == "article":
        del out.articles[node[1]]
    elif kind == "list":
        del lists_of(out, node[1])[node[2]]
    return out


def removal_text(contract: Contract, node: Node) -> str:
    """What deleting ``node`` takes with it, in French."""
    if node[0] == "section":
        gone = descendants(contract, node[1])
        objectives = sum(1 for o in contract.objectives if o.section in gone)
        return (
            f"Supprimer {describe(contract, node)}, ses {len(gone) - 1} sous-section(s) et "
            f"leurs {objectives} objectif(s) ?"
        )
    if node[0] == "objective":
        item = objective(contract, node[1])
        return (
            f"Supprimer {describe(contract, node)}, ses {len(item.indicators)} indicateur(s) "
            f"et ses {len(item.actions)} action(s) ?"
        )
    return f"Supprimer {describe(contract, node)} ?"


def node_after_removal(contract: Contract, node: Node) -> Node:
    """Where the cursor goes once ``node`` is deleted: its previous row."""
    nodes = [n for n, _, _ in rows(contract)]
    index = nodes.index(node) if node in nodes else 0
    return nodes[max(0, index - 1)]


# --- where the import reports a field ----------------------------------------------------------


def field_path(contract: Contract, node: Node, key: str) -> str:
    """The field as the import's messages name it: ``objectives[2].indicators[1].target``."""
    kind = node[0]
    if kind == "header":
        return key
    order = contract.in_tree_order()
    if kind in ("party", "article"):
        return f"{kind}s[{node[1] + 1}].{key}"
    if kind == "list":
        if node[1] is None:
            return f"lists[{node[2] + 1}].{key}"
        sections = [i for i in order if isinstance(i, Section)]
        at = next(n for n, s in enumerate(sections, 1) if s.id == node[1])
        return f"sections[{at}].lists[{node[2] + 1}].{key}"
    if kind == "section":
        sections = [i for i in order if isinstance(i, Section)]
        at = next(n for n, s in enumerate(sections, 1) if s.id == node[1])
        return f"sections[{at}].{key}"
    objectives = [i for i in order if isinstance(i, Objective)]
    at = next(n for n, o in enumerate(objectives, 1) if o.id == node[1])
    if kind == "objective":
        return f"objectives[{at}].{key}"
    inner = "indicators" if kind == "indicator" else "actions"
    return f"objectives[{at}].{inner}[{node[2] + 1}].{key}"


def fresh(
    slug: str,
    title: str,
    circonscription: str,
    start: dt.date,
    end: dt.date,
    model: Contract | None = None,
) -> Contract:
    """A new contract: blank, or with ``model``'s structure, level names and texts (its
    sections, objectives, indicators, actions, parties, articles and lists), never its reviews."""
    if model is None:
        return Contract(
            id=slug, title=title, circonscription=circonscription, start_date=start, end_date=end
        )
    out = copy.deepcopy(model)
    out.id, out.title, out.circonscription = slug, title, circonscription
    out.start_date, out.end_date = start, end
    out.signature_date, out.signature_place = None, ""
    return out
