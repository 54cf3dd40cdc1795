"""Importing contract and projet académique files into a store (used by the CLI and the app)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from revue.domain.academic import AcademicProject
from revue.domain.contract import Contract
from revue.domain.errors import InputError, RevueError
from revue.formats.academic_toml import locate_link_error
from revue.formats.contract_toml import load_document
from revue.formats.tomlfile import Locator
from revue.store.store import Store


@dataclass
class Imported:
    """What one file brought into the store, for the user's report."""

    file: str
    kind: str  # "contrat" | "projet" | "projet-academique"
    id: str
    title: str
    sections: int = 0
    objectives: int = 0
    indicators: int = 0
    levers: int = 0
    criteria: int = 0
    replaced: bool = False

    def describe(self) -> str:
        if self.kind == "projet-academique":
            counted = ", ".join(
                _count(n, noun)
                for n, noun in (
                    (self.sections, "axe ou partie|axes ou parties"),
                    (self.objectives, "objectif|objectifs"),
                    (self.levers, "levier|leviers"),
                    (self.criteria, "critère|critères"),
                )
            )
            what = f"projet académique « {self.id} » ({self.title}) : {counted}"
        else:
            noun = "contrat" if self.kind == "contrat" else "projet de circonscription"
            what = (
                f"{noun} « {self.id} » ({self.title}) : {self.sections} sections, "
                f"{self.objectives} objectifs, {self.indicators} indicateurs"
            )
        verb = "remplacé" if self.replaced else "importé"
        return f"{self.file} : {what} — {verb}."


def _count(n: int, nouns: str) -> str:
    """``3 leviers``, ``1 levier``, ``0 levier`` (French: singular below 2)."""
    one, many = nouns.split("|")
    return f"{n} {one if n < 2 else many}"


def check_links(store: Store, contract: Contract, locator: Locator, filename: str) -> None:
    """Refuse links to a projet académique that is not in the store, or to items it lacks (a
    contract without links may name a projet not imported yet)."""
    ref = contract.academic_project
    if ref is None or not ref.id:
        return
    project = store.get_academic_project(ref.id)
    if project is None and not any(o.academic_links for o in contract.objectives):
        return  # a contract that cites nothing of its projet may come first
    if project is None:
        raise InputError(
            f"le projet académique « {ref.id} » n'est pas dans les données : importez d'abord "
            "son fichier (ou donnez les deux fichiers à la même commande)",
            file=filename,
            line=locator.line_of(("academic_project", "id")),
            field="academic_project.id",
        )
    codes = project.codes()
    for index, objective in enumerate(contract.objectives):
        for code in objective.academic_links:
            if code not in codes:
                known = ", ".join(sorted(codes)) or "aucun"
                raise locate_link_error(
                    locator,
                    filename,
                    index,
                    f"l'objectif « {objective.id} » renvoie à « {code} », absent du projet "
                    f"académique « {ref.id} » (identifiants et codes connus : {known})",
                )


def import_files(
    store: Store, paths: list[str | os.PathLike[str]], *, replace: bool = False
) -> tuple[list[Imported], list[RevueError]]:
    """Import each file all or nothing; projets académiques go first so contracts can refer to
    them. Returns what was imported and, separately, each file's error."""
    parsed: list[tuple[str, Contract | AcademicProject, Locator]] = []
    errors: list[RevueError] = []
    for path in paths:
        try:
            document, locator = load_document(path)
        except RevueError as exc:
            errors.append(exc)
            continue
        parsed.append((str(path), document, locator))
    parsed.sort(key=lambda item: not isinstance(item[1], AcademicProject))
    if parsed:
        store.backup("import")
    done: list[Imported] = []
    for filename, document, locator in parsed:
        try:
            done.append(import_document(store, filename, document, locator, replace=replace))
        except RevueError as exc:
            errors.append(exc if isinstance(exc, InputError) else RevueError(f"{filename} : {exc}"))
    return done, errors


def import_document(
    store: Store,
    filename: str,
    document: Contract | AcademicProject,
    locator: Locator,
    *,
    replace: bool = False,
) -> Imported:
    if isinstance(document, AcademicProject):
        existed = store.get_academic_project(document.id) is not None
        store.save_academic_project(document, replace=replace)
        counts = document.counts()
        return Imported(
            file=filename,
            kind="projet-academique",
            id=document.id,
            title=document.title,
            sections=counts["axes"],
            objectives=counts["objectives"],
            levers=counts["levers"],
            criteria=counts["criteria"],
            replaced=existed,
        )
    check_links(store, document, locator, filename)
    existed = store.contract_exists(document.id)
    store.save_contract(document, replace=replace)
    return Imported(
        file=filename,
        kind=document.kind.value,
        id=document.id,
        title=document.title,
        sections=len(document.sections),
        objectives=len(document.objectives),
        indicators=sum(len(o.indicators) for o in document.objectives),
        replaced=existed,
    )
