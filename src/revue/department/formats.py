"""The consolidated document's formats, in one registry for the CLI and the app (each writer
imports what it needs only when it runs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revue.department.consolidate import Consolidation


@dataclass(frozen=True)
class DepartmentWriter:
    key: str
    label_fr: str
    suffix: str
    write: Callable[[Consolidation, Path], None]
    render: Callable[[Consolidation], str] | None = None


def _text(render: Callable[[Consolidation], str]) -> Callable[[Consolidation, Path], None]:
    def write(c: Consolidation, target: Path) -> None:
        from revue.formats.fileio import write_text_atomically

        write_text_atomically(target, render(c))

    return write


def _markdown(c: Consolidation) -> str:
    from revue.department.writers import render_markdown

    return render_markdown(c)


def _toml(c: Consolidation) -> str:
    from revue.department.writers import render_toml

    return render_toml(c)


def _csv(c: Consolidation) -> str:
    from revue.department.writers import render_csv

    return render_csv(c)


def _write_odt(c: Consolidation, target: Path) -> None:
    from revue.department.odt import save_odt

    save_odt(c, target)


WRITERS: Mapping[str, DepartmentWriter] = {
    w.key: w
    for w in (
        DepartmentWriter("odt", "Document ODT (modifiable)", ".odt", _write_odt),
        DepartmentWriter("md", "Markdown (texte)", ".md", _text(_markdown), _markdown),
        DepartmentWriter("toml", "Données TOML", ".toml", _text(_toml), _toml),
        DepartmentWriter("csv", "Tableur CSV (« ; », UTF-8)", ".csv", _text(_csv), _csv),
    )
}
DEFAULT_WRITER = "odt"
DEFAULT_NAME = "consolidation-bilans"
