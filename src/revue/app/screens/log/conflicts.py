"""Exchange conflicts: the versions of an accompaniment, side by side; 1 or 2 keeps one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from revue.app import format as fr
from revue.app.screens.base import RevueScreen
from revue.domain.errors import RevueError
from revue.domain.french import clip
from revue.domain.log import INITIATIVE_LABELS, MODALITY_LABELS, Content, Version


def describe(version: Version) -> str:
    return describe_content(version.content)


def describe_content(c: Content) -> str:
    lines = [
        f"Date : {fr.date(c.date)} · {c.author}",
        f"Écoles : {', '.join(c.schools) or '—'}  Réseau : {c.network or '—'}",
        f"{MODALITY_LABELS.get(c.modality, c.modality)}, à l'initiative de : "
        f"{INITIATIVE_LABELS.get(c.initiative, c.initiative)} · thème : {c.theme or '—'}",
        f"Durée : {c.duration_minutes or '—'} min · participants : {c.participants or '—'}",
        f"Notes : {c.notes or '—'}",
        f"Suites : {c.follow_up or '—'}",
    ]
    if c.deleted:
        lines.insert(0, "(supprimé)")
    return "\n".join(lines)


class ConflictsScreen(RevueScreen[None]):
    """Entries changed on two laptops since they last exchanged: pick the version to keep."""

    FIRST_LOAD = frozenset({"load"})

    HELP = (
        "Chaque conflit montre les versions d'un même accompagnement, modifié sur deux "
        "ordinateurs depuis leur dernier échange. Choisissez la version à garder : « 1 » garde "
        "la première, « 2 » la deuxième. Le choix voyagera au prochain échange."
    )
    BINDINGS = [
        Binding("escape", "back", "Retour", id="back"),
        Binding("1", "keep(0)", "Garder la 1re", id="keep-1"),
        Binding("2", "keep(1)", "Garder la 2e", id="keep-2"),
    ]

    @dataclass
    class Loaded(Message):
        conflicts: list[tuple[Version, list[Version]]]

    def __init__(self) -> None:
        super().__init__()
        self.conflicts: list[tuple[Version, list[Version]]] = []

    def compose(self) -> ComposeResult:
        yield Static("Conflits d'échange", classes="screen-title")
        yield DataTable(id="conflicts", cursor_type="row")
        with Horizontal(id="conflict-versions"):
            yield Static("", id="version-1", classes="version")
            yield Static("", id="version-2", classes="version")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Date", key="date", width=10)
        table.add_column("Auteur", key="author", width=24)
        table.add_column("Thème", key="theme", width=40)
        table.add_column("Versions", key="count", width=8)
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        self.post_message(self.Loaded(self.store.list_conflicts()))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.conflicts = message.conflicts
        table = self.query_one(DataTable)
        table.clear()
        for current, others in message.conflicts:
            c = current.content
            table.add_row(
                fr.date(c.date),
                clip(c.author, 24),
                clip(c.theme, 40),
                str(1 + len(others)),
                key=str(current.id),
            )
        if not message.conflicts:
            self.query_one("#version-1", Static).update("Aucun conflit : tout est départagé.")
            self.query_one("#version-2", Static).update("")
        else:
            self._show_versions(0)
            table.focus()

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_versions(event.cursor_row)

    def _versions(self, row: int) -> list[Version]:
        current, others = self.conflicts[row]
        return [current, *others]

    def _show_versions(self, row: int) -> None:
        if not self.conflicts:
            return
        versions = self._versions(min(row, len(self.conflicts) - 1))
        for number, version in enumerate(versions[:2], start=1):
            self.query_one(f"#version-{number}", Static).update(
                Text.assemble((f"Version {number}\n", "bold"), describe(version))
            )

    def action_keep(self, index: int) -> None:
        if not self.conflicts:
            return
        row = min(self.query_one(DataTable).cursor_row, len(self.conflicts) - 1)
        versions = self._versions(row)
        if index < len(versions):
            self._resolve(versions[0].id, versions[index].version)

    @work(thread=True)
    def _resolve(self, accompaniment_id: uuid.UUID, version: str) -> None:
        try:
            self.store.resolve_conflict(accompaniment_id, version)
        except RevueError as exc:
            self.post_message(self.Resolved(str(exc)))
            return
        self.post_message(self.Resolved(None))

    @dataclass
    class Resolved(Message):
        error: str | None

    @on(Resolved)
    def resolved(self, message: Resolved) -> None:
        if message.error is not None:
            self.notify(message.error, severity="error")
            return
        self.notify("Conflit départagé.")
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)
