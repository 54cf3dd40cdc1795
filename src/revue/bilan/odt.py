"""The bilan as an OpenDocument text (ODT), with odfdo, and as PDF through LibreOffice.

odfdo writes real ODF (outline headings, named styles, tables, embedded images) so the file
opens in LibreOffice as a document the circonscription can edit, update (table of contents) and
sign. Charts are SVG pictures (revue.bilan.chart) embedded in the document.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from odfdo import TOC, Body, Document, Element, Frame, Header, Paragraph, Style, StyleMasterPage
from odfdo.variable import VarPageNumber

from revue.bilan.chart import indicator_svg
from revue.bilan.markdown import STATUS_ORDER, of
from revue.bilan.model import Bilan, ObjectiveBilan
from revue.bilan.rows import (
    accompaniments_line,
    actions_lines,
    evidence_line,
    indicator_table,
    review_line,
    snapshot_line,
)
from revue.domain.errors import RevueError
from revue.domain.french import date, typo
from revue.domain.review import ReviewKind
from revue.formats.fileio import atomic_target

# Named styles, listed in LibreOffice's style panel: a user can change the look of every
# bilan by editing them.
STYLE_TITLE = "Bilan Titre"
STYLE_SUBTITLE = "Bilan Sous-titre"
STYLE_BODY = "Bilan Texte"
STYLE_LABEL = "Bilan Étiquette"
STYLE_CELL = "Bilan Cellule"
STYLE_HEAD_CELL = "Bilan Cellule En-tête"
STYLE_CAPTION = "Bilan Légende"
STYLE_CELL_TEXT = "Bilan Texte de tableau"
STYLE_TABLE = "BilanTableau"
#: Usable width of an A4 page with LibreOffice's default margins.
PAGE_WIDTH_CM = 17.0


def _styles(document: Document) -> None:
    for style in (
        Style(
            "paragraph",
            name=STYLE_TITLE,
            display_name=STYLE_TITLE,
            parent_style="Standard",
            area="text",
            size="22pt",
            bold=True,
            align="center",
        ),
        Style(
            "paragraph",
            name=STYLE_SUBTITLE,
            display_name=STYLE_SUBTITLE,
            parent_style="Standard",
            area="text",
            size="14pt",
            align="center",
        ),
        Style(
            "paragraph",
            name=STYLE_BODY,
            display_name=STYLE_BODY,
            parent_style="Standard",
            area="text",
            size="11pt",
        ),
        Style(
            "paragraph",
            name=STYLE_LABEL,
            display_name=STYLE_LABEL,
            parent_style="Standard",
            area="text",
            size="11pt",
            bold=True,
        ),
        Style(
            "paragraph",
            name=STYLE_CAPTION,
            display_name=STYLE_CAPTION,
            parent_style="Standard",
            area="text",
            size="9pt",
            italic=True,
        ),
        Style(
            "paragraph",
            name=STYLE_CELL_TEXT,
            display_name=STYLE_CELL_TEXT,
            parent_style="Standard",
            area="text",
            size="9pt",
        ),
    ):
        document.insert_style(style, automatic=False)
    # Writer reads cell and table layout from automatic styles only.
    for style in (
        Style("table-cell", name=STYLE_CELL, border="0.5pt solid #808080", padding="0.08cm"),
        Style(
            "table-cell",
            name=STYLE_HEAD_CELL,
            border="0.5pt solid #808080",
            padding="0.08cm",
            background_color="#dde4ee",
        ),
        Style("table", name=STYLE_TABLE, width=f"{PAGE_WIDTH_CM}cm", align="margins"),
    ):
        document.insert_style(style, automatic=True)


def _p(text: str, style: str = STYLE_BODY) -> Paragraph:
    return Paragraph(typo(text), style=style)


#: Column styles already in a document being built (looking styles up in odfdo is slow).
_COLUMN_STYLES = "_revue_column_styles"


def _column_styles(document: Document, widths: list[float]) -> list[str]:
    """Automatic column styles for these relative widths (the first column is the text).

    Each gives an absolute and a relative width: Writer lays the columns out by the latter."""
    total = sum(widths)
    names = []
    for width in widths:
        cm = round(PAGE_WIDTH_CM * width / total, 2)
        name = f"BilanColonne{str(cm).replace('.', '_')}"
        known: set[str] = document.__dict__.setdefault(_COLUMN_STYLES, set())
        if name not in known:
            known.add(name)
            document.insert_style(
                f'<style:style style:name="{name}" style:family="table-column">'
                f'<style:table-column-properties style:column-width="{cm}cm" '
                f'style:rel-column-width="{int(cm * 1000)}*"/></style:style>',
                automatic=True,
            )
        names.append(name)
    return names


def _cell(value: str, style: str) -> str:
    return (
        f'<table:table-cell table:style-name="{style}" office:value-type="string">'
        f'<text:p text:style-name="{STYLE_CELL_TEXT}">{escape(typo(value))}</text:p>'
        "</table:table-cell>"
    )


def _table(
    document: Document, name: str, rows: list[list[str]], widths: list[float] | None = None
) -> Element:
    """A bordered table whose first row is a header repeated on each page. Built as one XML
    fragment: cell by cell through odfdo took most of the bilan's time."""
    width = len(rows[0])
    columns = _column_styles(document, widths or [3.0] + [1.0] * (width - 1))
    xml = [f'<table:table table:name={quoteattr(name)} table:style-name="{STYLE_TABLE}">']
    xml += [f'<table:table-column table:style-name="{c}"/>' for c in columns]
    xml.append("<table:table-header-rows><table:table-row>")
    xml += [_cell(value, STYLE_HEAD_CELL) for value in rows[0]]
    xml.append("</table:table-row></table:table-header-rows>")
    for row in rows[1:]:
        xml.append("<table:table-row>")
        xml += [_cell(value, STYLE_CELL) for value in row]
        xml.append("</table:table-row>")
    xml.append("</table:table>")
    return Element.from_tag("".join(xml))


def build_odt(bilan: Bilan) -> Document:
    document = Document("text")
    body = document.body
    body.clear()
    _styles(document)
    footer = Paragraph("Page ", style="Footer")
    footer.append(VarPageNumber())
    master = document.get_style("master-page", "Standard")
    if isinstance(master, StyleMasterPage):
        master.set_page_footer(footer)

    c = bilan.contract
    body.append(_p("Bilan du contrat", STYLE_TITLE))
    body.append(_p(f"Circonscription {of(c.circonscription)}", STYLE_SUBTITLE))
    body.append(_p(c.title, STYLE_SUBTITLE))
    facts = [
        ("Académie", c.academie),
        ("Département", c.departement),
        ("IEN", c.ien),
        (
            "Contrat",
            f"du {date(c.start_date)} au {date(c.end_date)}"
            + (f", signé le {date(c.signature_date)}" if c.signature_date else "")
            + (f" à {c.signature_place}" if c.signature_place else ""),
        ),
        ("Projet académique", c.academic_project),
        ("Revue", review_line(bilan)),
        ("Relevé", snapshot_line(bilan) or ""),
        ("Établi le", date(bilan.written_on)),
    ]
    for label, value in facts:
        if value:
            body.append(_p(f"{label} : {value}"))
    body.append(_p("Avenants", STYLE_LABEL))
    if not bilan.avenants:
        body.append(_p("Aucun avenant."))
    for avenant in bilan.avenants:
        body.append(_p(f"Avenant n° {avenant.number} du {date(avenant.date)} — {avenant.reason}"))

    toc = TOC("Table des matières")
    body.append(toc)

    body.append(Header(1, "Synthèse des statuts"))
    rows = [["Stratégie", *((s.label if s else "non examiné") for s in STATUS_ORDER)]]
    for strategy in bilan.strategies:
        counts = strategy.status_counts()
        rows.append([strategy.short, *(str(counts.get(s, 0)) for s in STATUS_ORDER)])
    body.append(_table(document, "Statuts", rows, [2.2] + [1.0] * len(STATUS_ORDER)))

    charts = 0
    with tempfile.TemporaryDirectory(prefix="revue-graphiques-") as work:
        for strategy in bilan.strategies:
            body.append(Header(1, typo(strategy.title)))
            for objective in strategy.objectives:
                charts += _objective(document, body, objective, bilan, Path(work))

    body.append(Header(1, "Évaluation à mi-parcours et avenants"))
    midterms = [r for r in bilan.reviews if r.kind is ReviewKind.MIDTERM]
    if not midterms:
        body.append(_p("Aucune évaluation à mi-parcours n'a été conduite."))
    for midterm in midterms:
        body.append(_p(f"{midterm.title} : {midterm.examined}/{midterm.total} objectifs examinés."))
    for avenant in bilan.avenants:
        body.append(Header(2, typo(f"Avenant n° {avenant.number} du {date(avenant.date)}")))
        body.append(_p(f"Motif : {avenant.reason}"))
        if avenant.changes:
            body.append(
                _table(
                    document,
                    f"Avenant{avenant.number}",
                    [
                        ["Objectif", "Modification", "Avant", "Après"],
                        *[
                            [ch.objective, ch.what, ch.before_text, ch.after_text]
                            for ch in avenant.changes
                        ],
                    ],
                    [3.0, 1.4, 1.6, 1.6],
                )
            )

    body.append(Header(1, "Synthèse"))
    body.append(Header(2, "Points forts"))
    _texts(body, bilan.synthesis.strengths)
    body.append(Header(2, "Points de vigilance"))
    _texts(body, bilan.synthesis.vigilance)
    body.append(Header(1, "Perspectives"))
    _texts(body, bilan.synthesis.perspectives)
    toc.fill(document)
    return document


def _texts(body: Body, text: str) -> None:
    paragraphs = [p for p in text.split("\n") if p.strip()] or ["Non renseigné."]
    for paragraph in paragraphs:
        body.append(_p(paragraph))


def _objective(
    document: Document,
    body: Body,
    objective: ObjectiveBilan,
    bilan: Bilan,
    pictures: Path,
) -> int:
    year = bilan.review.school_year
    body.append(Header(2, typo(f"Objectif {objective.number} · {objective.text}")))
    if len(objective.path) > 1:
        body.append(_p(" › ".join(objective.path[1:]), STYLE_CAPTION))
    if objective.initial_text:
        body.append(_p(f"Texte initial (avant avenant) : {objective.initial_text}", STYLE_CAPTION))
    body.append(
        _p(f"Statut : {objective.status.label if objective.status else 'non examiné'}", STYLE_LABEL)
    )
    if objective.actions:
        body.append(_p("Actions prévues et réalisées", STYLE_LABEL))
        for line in actions_lines(objective):
            body.append(_p(f"– {line}"))
    charts = 0
    if objective.indicators:
        rows = indicator_table(objective, year)
        body.append(
            _table(
                document,
                f"Indicateurs{objective.number}",
                rows,
                [3.0, 1.4, 1.4, 1.6, *([1.1] * (len(rows[0]) - 6)), 1.0, 1.0],
            )
        )
        for i_index, indicator in enumerate(objective.indicators, start=1):
            svg = indicator_svg(indicator)
            if svg is None:
                continue
            picture = pictures / f"graphique-{objective.number}-{i_index}.svg"
            picture.write_text(svg, encoding="utf-8")  # named .svg: the manifest says so
            uri = document.add_file(picture)
            frame = Frame.image_frame(
                uri,
                name=f"Graphique{objective.number}-{i_index}",
                size=("16cm", "6.9cm"),
                anchor_type="as-char",
            )
            holder = Paragraph("", style=STYLE_BODY)
            holder.append(frame)
            body.append(holder)
            body.append(_p(f"Évolution : {indicator.label}", STYLE_CAPTION))
            charts += 1
    if objective.accompaniments:
        body.append(_p(accompaniments_line(objective, year)))
    if objective.evidence:
        body.append(_p(evidence_line(objective)))
    if objective.analysis:
        body.append(_p("Analyse", STYLE_LABEL))
        _texts(body, objective.analysis)
    if objective.adjustments:
        body.append(_p("Ajustements proposés", STYLE_LABEL))
        _texts(body, objective.adjustments)
    return charts


def save_odt(bilan: Bilan, target: Path) -> None:
    """Write the ODT under a temporary name beside ``target``, then rename it."""
    with atomic_target(target) as tmp:
        build_odt(bilan).save(tmp)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def save_pdf(bilan: Bilan, target: Path) -> None:
    """PDF/A through LibreOffice; a clear message, and no file, when it is not installed."""
    program = soffice()
    if program is None:
        raise RevueError(
            "le PDF est produit par LibreOffice, qui n'est pas installé sur cet ordinateur : "
            "installez LibreOffice (paquet « libreoffice-writer »), ou exportez en ODT "
            "(--format odt) et convertissez-le vous-même"
        )
    target = target.expanduser()
    with tempfile.TemporaryDirectory(prefix="revue-pdf-") as work:
        source = Path(work) / "bilan.odt"
        build_odt(bilan).save(source)
        pdf_filter = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
        profile = Path(work) / "profil"
        try:
            subprocess.run(
                [
                    program,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    pdf_filter,
                    "--outdir",
                    work,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise RevueError(f"LibreOffice n'a pas pu produire le PDF ({exc})") from None
        produced = Path(work) / "bilan.pdf"
        if not produced.exists():
            raise RevueError("LibreOffice n'a pas produit de PDF")
        with atomic_target(target) as tmp:
            shutil.copyfile(produced, tmp)
