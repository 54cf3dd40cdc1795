"""The formats a bilan is written in, in one registry for the CLI and the app.

Cheap to import (the CLI builds its --format choices from it at start-up): each writer imports
what it needs only when it runs, so writing Markdown loads neither odfdo nor tomli_w. Every
file is written all or nothing (:mod:`revue.formats.fileio`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revue.bilan.model import Bilan


@dataclass(frozen=True)
class Writer:
    """One format: its name for the CLI and the app, its file suffix, how it is written."""

    key: str  # what --format takes
    label_fr: str  # what the app's format list shows
    suffix: str  # ".odt"
    write: Callable[[Bilan, Path], None]  # to a file, atomically
    #: Text formats: the text itself (the CLI writes it to the standard output); None for
    #: documents, which only go to a file.
    render: Callable[[Bilan], str] | None = None

    def file_name(self, contract_id: str, school_year: str) -> str:
        """The default name of the file: ``bilan-ID-ANNÉE.ext``."""
        return f"bilan-{contract_id}-{school_year}{self.suffix}"


def _write_odt(bilan: Bilan, target: Path) -> None:
    from revue.bilan.odt import save_odt

    save_odt(bilan, target)


def _write_pdf(bilan: Bilan, target: Path) -> None:
    from revue.bilan.odt import save_pdf

    save_pdf(bilan, target)


def _render_markdown(bilan: Bilan) -> str:
    from revue.bilan.markdown import render_markdown

    return render_markdown(bilan)


def _render_toml(bilan: Bilan) -> str:
    from revue.bilan.data import render_toml

    return render_toml(bilan)


def _text_writer(render: Callable[[Bilan], str]) -> Callable[[Bilan, Path], None]:
    def write(bilan: Bilan, target: Path) -> None:
        from revue.formats.fileio import write_text_atomically  # not for --version

        write_text_atomically(target, render(bilan))

    return write


#: By key (what ``--format`` takes), in the order the app lists them.
WRITERS: Mapping[str, Writer] = {
    w.key: w
    for w in (
        Writer("odt", "Document ODT (modifiable)", ".odt", _write_odt),
        Writer("pdf", "PDF/A (avec LibreOffice)", ".pdf", _write_pdf),
        Writer("md", "Markdown (texte)", ".md", _text_writer(_render_markdown), _render_markdown),
        Writer(
            "toml",
            "Données TOML (consolidation)",
            ".toml",
            _text_writer(_render_toml),
            _render_toml,
        ),
    )
}
DEFAULT_WRITER = "odt"  # the CLI's default and the app's first choice
