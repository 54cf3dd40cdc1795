"""The bilan as an OpenDocument text (ODT), with odfdo, and as PDF through LibreOffice.

The document is one to sign: a cover page of its own, a table of contents whose page numbers
are filled in (by a first LibreOffice conversion, when LibreOffice is installed) and that
LibreOffice's « Mettre à jour l'index » keeps, numbered chapters (« 1. Synthèse »), headings
kept with what follows, table rows never split, no word broken in a cell, and « Fait à …, le
… » with the signatories the contract names. Every style is named (without spaces, with a
French display name) so that a user can restyle every bilan in Writer. Charts are SVG pictures
(revue.bilan.chart) with their alternative text.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from odfdo import Body, Document, Element, Frame, Paragraph, StyleMasterPage
from odfdo.variable import VarPageNumber

from revue.bilan.chart import chart_description, indicator_svg
from revue.bilan.markdown import (
    STATUS_ORDER,
    change_line,
    cover_facts,
    of,
    signatories,
    signature_place,
)
from revue.bilan.model import Bilan, ObjectiveBilan
from revue.bilan.rows import (
    accompaniments_line,
    actions_lines,
    coverage_line,
    coverage_rows,
    document_title,
    evidence_line,
    indicator_table,
    links_line,
)
from revue.domain.errors import RevueError
from revue.domain.french import NBSP, date, typo
from revue.formats.fileio import atomic_target

# Named styles, listed in Writer's style panel (name, French display name).
TITLE = ("BilanTitre", "Bilan – titre")
SUBTITLE = ("BilanSousTitre", "Bilan – sous-titre")
COVER = ("BilanCouverture", "Bilan – couverture")
NOTICE = ("BilanAvertissement", "Bilan – avertissement")
BODY = ("BilanTexte", "Bilan – texte")
LABEL = ("BilanEtiquette", "Bilan – étiquette")
STATUS = ("BilanStatut", "Bilan – statut")
CAPTION = ("BilanLegende", "Bilan – légende")
CELL_TEXT = ("BilanTexteTableau", "Bilan – texte de tableau")
HEAD_TEXT = ("BilanEnteteTableau", "Bilan – en-tête de tableau")
CHAPTER = ("BilanChapitre", "Bilan – chapitre")
SECTION = ("BilanObjectif", "Bilan – objectif")
TOC_TITLE = ("BilanTitreSommaire", "Bilan – titre de la table des matières")
TOC_ENTRY = ("BilanSommaire1", "Bilan – entrée de la table des matières")
SIGNATURE = ("BilanSignature", "Bilan – signature")
# Automatic styles (Writer reads cell, row and table layout from these only).
CELL = "BilanCellule"
HEAD_CELL = "BilanCelluleEntete"
PLAIN_CELL = "BilanCelluleSansBordure"
ROW = "BilanLigne"
TABLE = "BilanTableau"
COVER_TABLE = "BilanTableauCouverture"
BREAK = "BilanSautDePage"
#: Usable width of an A4 page with 2 cm margins.
PAGE_WIDTH_CM = 17.0
#: What the table of contents shows for a page number until LibreOffice has counted pages.
UNKNOWN_PAGE = "000"
NBHYPHEN = "\u2011"  # a hyphen no line breaks at (school years in cells)
_YEAR = re.compile(r"(\d{4})-(\d{4})")


def _paragraph_style(
    name: tuple[str, str],
    text: str = "",
    paragraph: str = "",
    parent: str = "Standard",
    extra: str = "",
) -> str:
    return (
        f'<style:style style:name="{name[0]}" style:display-name={quoteattr(name[1])} '
        f'style:family="paragraph" style:parent-style-name="{parent}" {extra}>'
        f"<style:paragraph-properties {paragraph}/>"
        f"<style:text-properties {text}/></style:style>"
    )


_NO_HYPHENS = 'fo:hyphenate="false" fo:language="fr" fo:country="FR"'
_KEEP = 'fo:keep-with-next="always"'


def add_styles(document: Document) -> None:
    """The bilan's named styles (also used by the department's consolidation)."""
    tab = (
        f'<style:tab-stops><style:tab-stop style:position="{PAGE_WIDTH_CM}cm" '
        'style:type="right" style:leader-style="dotted" style:leader-text="."/>'
        "</style:tab-stops>"
    )
    common = [
        _paragraph_style(
            TITLE,
            'fo:font-size="24pt" fo:font-weight="bold"',
            'fo:text-align="center" fo:margin-top="5cm" fo:margin-bottom="0.6cm" ' + _KEEP,
        ),
        _paragraph_style(
            SUBTITLE,
            'fo:font-size="15pt"',
            'fo:text-align="center" fo:margin-bottom="0.3cm" ' + _KEEP,
        ),
        _paragraph_style(COVER, 'fo:font-size="11pt" ' + _NO_HYPHENS, 'fo:margin-bottom="0.1cm"'),
        _paragraph_style(
            NOTICE,
            'fo:font-size="12pt" fo:font-weight="bold" fo:color="#9c2b16"',
            'fo:text-align="center" fo:margin-top="0.6cm"',
        ),
        _paragraph_style(
            BODY,
            'fo:font-size="11pt"',
            'fo:margin-bottom="0.2cm" fo:orphans="2" fo:widows="2"',
        ),
        _paragraph_style(
            LABEL,
            'fo:font-size="11pt" fo:font-weight="bold"',
            'fo:margin-top="0.2cm" fo:margin-bottom="0.1cm" ' + _KEEP,
        ),
        # Not kept with what follows: an objective may end with its status, and a chain of
        # kept paragraphs over several objectives is one Writer cannot honour.
        _paragraph_style(
            STATUS, 'fo:font-size="11pt" fo:font-weight="bold"', 'fo:margin-bottom="0.15cm"'
        ),
        _paragraph_style(CAPTION, 'fo:font-size="9pt" fo:font-style="italic"', _KEEP),
        _paragraph_style(CELL_TEXT, 'fo:font-size="8.5pt" ' + _NO_HYPHENS),
        _paragraph_style(HEAD_TEXT, 'fo:font-size="8.5pt" fo:font-weight="bold" ' + _NO_HYPHENS),
        _paragraph_style(
            CHAPTER,
            'fo:font-size="16pt" fo:font-weight="bold" fo:color="#1f3f6e"',
            # Each chapter on a page of its own: never a chapter's title alone at a foot.
            'fo:break-before="page" fo:margin-bottom="0.3cm" ' + _KEEP,
            parent="Heading_20_1",
            extra='style:default-outline-level="1"',
        ),
        _paragraph_style(
            SECTION,
            'fo:font-size="12.5pt" fo:font-weight="bold"',
            'fo:margin-top="0.45cm" fo:margin-bottom="0.2cm" ' + _KEEP,
            parent="Heading_20_2",
            extra='style:default-outline-level="2"',
        ),
        _paragraph_style(
            TOC_TITLE,
            'fo:font-size="16pt" fo:font-weight="bold"',
            'fo:margin-bottom="0.4cm" ' + _KEEP,
            parent="Contents_20_Heading",
        ),
        (
            f'<style:style style:name="{TOC_ENTRY[0]}" style:display-name="{TOC_ENTRY[1]}" '
            'style:family="paragraph" style:parent-style-name="Contents_20_1">'
            f'<style:paragraph-properties fo:margin-bottom="0.15cm">{tab}'
            '</style:paragraph-properties><style:text-properties fo:font-size="11pt"/>'
            "</style:style>"
        ),
        _paragraph_style(SIGNATURE, 'fo:font-size="11pt"', 'fo:margin-top="0.5cm" ' + _KEEP),
    ]
    for xml in common:
        document.insert_style(xml, automatic=False)
    border = 'fo:border="0.5pt solid #808080" fo:padding="0.08cm"'
    automatic = [
        f'<style:style style:name="{CELL}" style:family="table-cell">'
        f"<style:table-cell-properties {border}/></style:style>",
        f'<style:style style:name="{HEAD_CELL}" style:family="table-cell">'
        f'<style:table-cell-properties {border} fo:background-color="#dde4ee"/></style:style>',
        f'<style:style style:name="{PLAIN_CELL}" style:family="table-cell">'
        '<style:table-cell-properties fo:padding="0.06cm" fo:border="none"/></style:style>',
        f'<style:style style:name="{ROW}" style:family="table-row">'
        '<style:table-row-properties fo:keep-together="always"/></style:style>',
        f'<style:style style:name="{TABLE}" style:family="table">'
        f'<style:table-properties style:width="{PAGE_WIDTH_CM}cm" table:align="margins" '
        'style:may-break-between-rows="true" fo:margin-bottom="0.25cm"/></style:style>',
        f'<style:style style:name="{COVER_TABLE}" style:family="table">'
        f'<style:table-properties style:width="{PAGE_WIDTH_CM}cm" table:align="margins" '
        'fo:margin-top="1cm"/></style:style>',
        f'<style:style style:name="{BREAK}" style:family="paragraph" '
        f'style:parent-style-name="{BODY[0]}">'
        '<style:paragraph-properties fo:break-before="page"/></style:style>',
    ]
    for xml in automatic:
        document.insert_style(xml, automatic=True)
    _outline(document)


def _outline(document: Document) -> None:
    """Chapters numbered « 1. », « 2. »…; objectives (level 2) carry their own number in
    their text, so no outline number."""
    # Writer numbers the headings of the one paragraph style assigned to each outline level:
    # ours, not the template's « Heading N ».
    for level in range(1, 11):
        heading = document.styles.get_element(f'//style:style[@style:name="Heading_20_{level}"]')
        if heading is not None and heading.get_attribute("style:default-outline-level"):
            heading.del_attribute("style:default-outline-level")
    outline = document.styles.get_element("//text:outline-style")
    if outline is None:
        return
    for child in list(outline.children):
        outline.delete(child)
    for level in range(1, 11):
        numbered = (
            'loext:num-list-format="%1%." style:num-suffix="." style:num-format="1"'
            if level == 1
            else 'loext:num-list-format="" style:num-format=""'
        )
        outline.append(
            Element.from_tag(
                f'<text:outline-level-style text:level="{level}" {numbered}>'
                "<style:list-level-properties text:list-level-position-and-space-mode="
                '"label-alignment"><style:list-level-label-alignment '
                'text:label-followed-by="space"/></style:list-level-properties>'
                "</text:outline-level-style>"
            )
        )


def paragraph(text: str, style: tuple[str, str] | str = BODY) -> Paragraph:
    """A paragraph in one of the named styles, with French spacing."""
    return Paragraph(typo(text), style=style if isinstance(style, str) else style[0])


def heading(level: int, text: str) -> Element:
    style = CHAPTER[0] if level == 1 else SECTION[0]
    return Element.from_tag(
        f'<text:h text:style-name="{style}" text:outline-level="{level}">'
        f"{escape(typo(text))}</text:h>"
    )


#: Column styles already in a document being built (looking styles up in odfdo is slow).
_COLUMN_STYLES = "_revue_column_styles"


def _column_styles(document: Document, widths: list[float]) -> list[str]:
    """Automatic column styles for these widths in cm (scaled to the page). Each gives an
    absolute and a relative width: Writer lays the columns out by the latter."""
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


#: Width of one character of the 8.5 pt cell text, in cm, generously (bold digits, capitals).
CHAR_CM = 0.175
CELL_PADDING_CM = 0.4


def _unbreakable(text: str) -> list[str]:
    """The pieces of a cell's text no line may be broken inside (words, with what a
    non-breaking space or hyphen joins to them)."""
    return [w for w in re.split(r"[ \n]", text) if w]


def column_widths(rows: list[list[str]], first: float = 3.0) -> list[float]:
    """Widths (cm, for the page) such that the longest unbreakable piece of each column fits:
    each column gets that much, and what remains of the page goes to the first (text) column
    and then to the others by how much text they hold."""
    count = len(rows[0])
    need = [
        max(len(piece) for row in rows for piece in (_unbreakable(row[c]) or [""])) * CHAR_CM
        + CELL_PADDING_CM
        for c in range(count)
    ]
    need = [max(n, 1.2) for n in need]
    need[0] = max(need[0], first)
    spare = PAGE_WIDTH_CM - sum(need)
    if spare <= 0:
        return need  # scaled down to the page: the longest pieces may then break
    weight = [sum(len(row[c]) for row in rows) for c in range(count)]
    weight[0] *= 2
    total = sum(weight) or 1
    return [n + spare * w / total for n, w in zip(need, weight, strict=True)]


def _cell_text(value: str) -> str:
    return _YEAR.sub(rf"\1{NBHYPHEN}\2", typo(value))


def _cell(value: str, style: str, text_style: str) -> str:
    return (
        f'<table:table-cell table:style-name="{style}" office:value-type="string">'
        f'<text:p text:style-name="{text_style}">{escape(value)}</text:p>'
        "</table:table-cell>"
    )


def table(
    document: Document,
    name: str,
    rows: list[list[str]],
    widths: list[float] | None = None,
    *,
    header: bool = True,
    style: str = TABLE,
    cell: str = CELL,
    text: str = CELL_TEXT[0],
) -> Element:
    """A bordered table whose first row is a header repeated on each page; no row is split
    across pages, no word inside a cell. Built as one XML fragment: cell by cell through odfdo
    took most of the bilan's time."""
    rows = [[_cell_text(value) for value in row] for row in rows]
    columns = _column_styles(document, widths or column_widths(rows))
    xml = [f'<table:table table:name={quoteattr(name)} table:style-name="{style}">']
    xml += [f'<table:table-column table:style-name="{c}"/>' for c in columns]
    body = rows
    if header:
        xml.append(f'<table:table-header-rows><table:table-row table:style-name="{ROW}">')
        xml += [_cell(value, HEAD_CELL, HEAD_TEXT[0]) for value in rows[0]]
        xml.append("</table:table-row></table:table-header-rows>")
        body = rows[1:]
    for row in body:
        xml.append(f'<table:table-row table:style-name="{ROW}">')
        xml += [_cell(value, cell, text) for value in row]
        xml.append("</table:table-row>")
    xml.append("</table:table>")
    return Element.from_tag("".join(xml))


def _toc(entries: Sequence[tuple[str, str]]) -> Element:
    """A table of contents LibreOffice can update (its source and entry template), filled
    with ``entries`` (text, page number)."""
    lines = "".join(
        f'<text:p text:style-name="{TOC_ENTRY[0]}">{escape(typo(text))}<text:tab/>'
        f"{escape(page)}</text:p>"
        for text, page in entries
    )
    return Element.from_tag(
        '<text:table-of-content text:protected="true" text:name="Table des matières">'
        '<text:table-of-content-source text:outline-level="1" text:use-outline-level="true" '
        'text:use-index-marks="false" text:use-index-source-styles="false">'
        f'<text:index-title-template text:style-name="{TOC_TITLE[0]}">Table des matières'
        "</text:index-title-template>"
        '<text:table-of-content-entry-template text:outline-level="1" '
        f'text:style-name="{TOC_ENTRY[0]}">'
        "<text:index-entry-chapter/><text:index-entry-text/>"
        '<text:index-entry-tab-stop style:type="right" style:leader-char="."/>'
        "<text:index-entry-page-number/>"
        "</text:table-of-content-entry-template>"
        "</text:table-of-content-source>"
        "<text:index-body>"
        '<text:index-title text:name="Table des matières_Head">'
        f'<text:p text:style-name="{TOC_TITLE[0]}">Table des matières</text:p>'
        f"</text:index-title>{lines}</text:index-body></text:table-of-content>"
    )


def chapters(bilan: Bilan) -> list[str]:
    """The level-1 headings, in order, without their number."""
    return [
        "Synthèse",
        *(s.title for s in bilan.strategies),
        *(["Projet académique"] if bilan.coverage else []),
        "Évaluation à mi-parcours et avenants",
        "Perspectives",
    ]


def build_odt(bilan: Bilan, pages: Sequence[int] | None = None) -> Document:
    """The document; ``pages``: the page of each chapter (:func:`chapters`), for the table of
    contents (without them, it shows « 000 », see :func:`save_odt`)."""
    document = Document("text")
    body = document.body
    body.clear()
    add_styles(document)
    _meta(document, bilan)
    footer = Paragraph("Page ", style="Footer")
    footer.append(VarPageNumber())
    master = document.get_style("master-page", "Standard")
    if isinstance(master, StyleMasterPage):
        master.set_page_footer(footer)

    _cover(document, body, bilan)
    titles = chapters(bilan)
    numbers = [str(p) for p in pages] if pages else [UNKNOWN_PAGE] * len(titles)
    body.append(
        _toc(
            [
                (f"{n}. {t}", page)
                for n, (t, page) in enumerate(zip(titles, numbers, strict=True), 1)
            ]
        )
    )

    body.append(heading(1, "Synthèse"))
    body.append(paragraph("Statuts des objectifs", LABEL))
    rows = [["Stratégie", *((s.label if s else "non examiné") for s in STATUS_ORDER)]]
    for strategy in bilan.strategies:
        counts = strategy.status_counts()
        rows.append([strategy.short, *(str(counts.get(s, 0)) for s in STATUS_ORDER)])
    body.append(table(document, "Statuts", rows))
    body.append(paragraph("Points forts", LABEL))
    _texts(body, bilan.synthesis.strengths)
    body.append(paragraph("Points de vigilance", LABEL))
    _texts(body, bilan.synthesis.vigilance)

    with tempfile.TemporaryDirectory(prefix="revue-graphiques-") as work:
        for strategy in bilan.strategies:
            body.append(heading(1, strategy.title))
            for objective in strategy.objectives:
                _objective(document, body, objective, bilan, Path(work))

    if bilan.coverage:
        body.append(heading(1, "Projet académique"))
        body.append(paragraph(coverage_line(bilan)))
        body.append(table(document, "Rattachements", coverage_rows(bilan)))

    body.append(heading(1, "Évaluation à mi-parcours et avenants"))
    _midterms(document, body, bilan)

    body.append(heading(1, "Perspectives"))
    _texts(body, bilan.synthesis.perspectives)
    _signatures(document, body, bilan)
    return document


def _meta(document: Document, bilan: Bilan) -> None:
    """meta.xml: the bilan's own title, subject, dates and generator (none of the template's
    date or statistics)."""
    from revue import __version__

    meta = document.meta
    title = document_title(bilan)
    meta.set_title(f"{title} — circonscription {of(bilan.contract.circonscription)}")
    meta.set_subject(bilan.contract.title)
    meta.set_description(
        f"{bilan.review.title}, {'revue clôturée' if bilan.review.closed else 'bilan provisoire'}"
    )
    made = (
        bilan.snapshot.taken_at
        if bilan.snapshot is not None
        else dt.datetime.combine(bilan.written_on, dt.time())
    )
    meta.set_creation_date(made)
    meta.set_modification_date(made)
    meta.set_generator(f"revue {__version__}")
    meta.set_language("fr-FR")
    for name in ("//meta:document-statistic", "//meta:editing-duration", "//meta:editing-cycles"):
        element = meta.get_element(name)
        if element is not None:
            element.delete()


def _cover(document: Document, body: Body, bilan: Bilan) -> None:
    c = bilan.contract
    body.append(paragraph(document_title(bilan), TITLE))
    body.append(paragraph(f"Circonscription {of(c.circonscription)}", SUBTITLE))
    body.append(paragraph(c.title, SUBTITLE))
    if bilan.provisional:
        body.append(
            paragraph(
                f"Bilan provisoire du {date(bilan.written_on)} : la revue est en cours, "
                "ce document n'est pas celui de la revue clôturée.",
                NOTICE,
            )
        )
    body.append(
        table(
            document,
            "Couverture",
            [[label, value] for label, value in cover_facts(bilan)],
            [4.2, 12.8],
            header=False,
            style=COVER_TABLE,
            cell=PLAIN_CELL,
            text=COVER[0],
        )
    )
    if bilan.avenants:
        body.append(paragraph("Avenants au contrat", LABEL))
        for avenant in bilan.avenants:
            body.append(
                paragraph(
                    f"Avenant n° {avenant.number} du {date(avenant.date)} — {avenant.reason}", COVER
                )
            )
    body.append(paragraph("", BREAK))


def _midterms(document: Document, body: Body, bilan: Bilan) -> None:
    if not bilan.midterms:
        body.append(paragraph("Aucune évaluation à mi-parcours n'a été conduite."))
    for midterm in bilan.midterms:
        body.append(paragraph(midterm.title, LABEL))
        body.append(paragraph(f"{midterm.examined}/{midterm.total} objectifs examinés."))
        if midterm.off_track:
            body.append(
                paragraph(
                    "Objectifs en retard sur leur trajectoire"
                    + (" ou non atteints" if midterm.with_statuses else "")
                    + " :"
                )
            )
            for item in midterm.off_track:
                body.append(
                    paragraph(
                        f"– Objectif {item.number} · {item.text} ({', '.join(item.indicators)})"
                    )
                )
        else:
            body.append(
                paragraph(
                    "Aucun objectif en retard sur sa trajectoire"
                    + (" ni non atteint" if midterm.with_statuses else "")
                    + "."
                )
            )
    for avenant in bilan.avenants:
        body.append(paragraph(f"Avenant n° {avenant.number} du {date(avenant.date)}", LABEL))
        body.append(paragraph(f"Motif : {avenant.reason}"))
        if avenant.changes:
            body.append(
                table(
                    document,
                    f"Avenant{avenant.number}",
                    [
                        ["Objectif", "Modification", "Avant", "Après"],
                        *[
                            [ch.objective, ch.what, ch.before_text, ch.after_text]
                            for ch in avenant.changes
                        ],
                    ],
                )
            )
        else:
            body.append(paragraph(" ; ".join(change_line(ch) for ch in avenant.changes) or "—"))


def _signatures(document: Document, body: Body, bilan: Bilan) -> None:
    body.append(
        paragraph(f"Fait à {signature_place(bilan)}, le {date(bilan.written_on)}", SIGNATURE)
    )
    people = signatories(bilan)
    rows = [[title for title, _ in people], [name or " " for _, name in people]]
    rows.append([f"Signature{NBSP}:" for _ in people])
    rows += [[NBSP for _ in people]] * 3  # room to sign
    body.append(
        table(
            document,
            "Signatures",
            rows,
            [1.0] * len(people),
            header=False,
            style=COVER_TABLE,
            cell=PLAIN_CELL,
            text=COVER[0],
        )
    )


def _texts(body: Body, text: str) -> None:
    lines = [p for p in text.split("\n") if p.strip()] or ["Non renseigné."]
    for line in lines:
        body.append(paragraph(line))


def _objective(
    document: Document,
    body: Body,
    objective: ObjectiveBilan,
    bilan: Bilan,
    pictures: Path,
) -> None:
    year = bilan.review.school_year
    body.append(heading(2, f"Objectif {objective.number} · {objective.text}"))
    if len(objective.path) > 1:
        body.append(paragraph(" › ".join(objective.path[1:]), CAPTION))
    if objective.initial_text:
        body.append(paragraph(f"Texte initial (avant avenant) : {objective.initial_text}", CAPTION))
    body.append(
        paragraph(
            f"Statut : {objective.status.label if objective.status else 'non examiné'}", STATUS
        )
    )
    links = links_line(objective)
    if links:
        body.append(paragraph(links, CAPTION))
    if objective.actions:
        body.append(paragraph("Actions prévues et réalisées", LABEL))
        for line in actions_lines(objective):
            body.append(paragraph(f"– {line}"))
    if objective.indicators:
        body.append(
            table(document, f"Indicateurs{objective.number}", indicator_table(objective, year))
        )
        for i_index, indicator in enumerate(objective.indicators, start=1):
            svg = indicator_svg(indicator, bilan.years)
            if svg is None:
                continue
            picture = pictures / f"graphique-{objective.number}-{i_index}.svg"
            picture.write_text(svg, encoding="utf-8")  # named .svg: the manifest says so
            uri = document.add_file(picture)
            frame = Frame.image_frame(
                uri,
                name=f"Graphique{objective.number}-{i_index}",
                size=("16cm", "7.4cm"),
                anchor_type="as-char",
            )
            frame.svg_title = typo(f"Évolution : {indicator.label}")
            frame.svg_description = typo(chart_description(indicator, bilan.years))
            # The caption first, kept with its chart (never a caption alone at a page's foot).
            body.append(paragraph(f"Évolution : {indicator.label}", CAPTION))
            holder = Paragraph("", style=BODY[0])
            holder.append(frame)
            body.append(holder)
    if objective.accompaniments:
        body.append(paragraph(accompaniments_line(objective, year)))
    if objective.evidence:
        body.append(paragraph(evidence_line(objective)))
    if objective.analysis:
        body.append(paragraph("Analyse", LABEL))
        _texts(body, objective.analysis)
    if objective.adjustments:
        body.append(paragraph("Ajustements proposés", LABEL))
        _texts(body, objective.adjustments)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _pdftotext() -> str | None:
    return shutil.which("pdftotext")


@contextmanager
def _libreoffice_pdf(document: Document, work: Path, pdf_filter: str = "pdf") -> Iterator[Path]:
    """``document`` converted to PDF by LibreOffice (its own profile in ``work``)."""
    program = soffice()
    if program is None:
        raise RevueError(
            "le PDF est produit par LibreOffice, qui n'est pas installé sur cet ordinateur : "
            "installez LibreOffice (paquet « libreoffice-writer »), ou exportez en ODT "
            "(--format odt) et convertissez-le vous-même"
        )
    source = work / "bilan.odt"
    document.save(source)
    try:
        subprocess.run(
            [
                program,
                f"-env:UserInstallation=file://{work / 'profil'}",
                "--headless",
                "--convert-to",
                pdf_filter,
                "--outdir",
                str(work),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        raise RevueError(f"LibreOffice n'a pas pu produire le PDF ({exc})") from None
    produced = work / "bilan.pdf"
    if not produced.exists():
        raise RevueError("LibreOffice n'a pas produit de PDF")
    yield produced


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2011", "-")).strip()


def chapter_pages(pdf: Path, titles: list[str]) -> list[int] | None:
    """The page each chapter starts on, read from the PDF's text (pdftotext): the pages of
    the table of contents are those whose entries end in « 000 »; each chapter is then looked
    for, in order, after them. None when pdftotext is missing or a chapter is not found."""
    program = _pdftotext()
    if program is None:
        return None
    try:
        text = subprocess.run(
            [program, "-enc", "UTF-8", str(pdf), "-"],
            check=True,
            capture_output=True,
            timeout=60,
        ).stdout.decode("utf-8", "replace")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
        return None
    pages = [_normal(page) for page in text.split("\f")]
    toc = [i for i, page in enumerate(pages) if re.search(rf"\b{UNKNOWN_PAGE}\b", page)]
    if not toc:
        return None
    at = toc[-1] + 1
    found = []
    for number, title in enumerate(titles, start=1):
        wanted = _normal(typo(f"{number}. {title}"))[:60]
        while at < len(pages) and wanted not in pages[at]:
            at += 1
        if at == len(pages):
            return None
        found.append(at + 1)
    return found


def _paginated(bilan: Bilan, work: Path) -> Document:
    """The document with its table of contents' page numbers, counted by a first LibreOffice
    conversion when LibreOffice and pdftotext are there (else the entries show « 000 » until
    « Mettre à jour l'index » in Writer)."""
    draft = build_odt(bilan)
    if soffice() is None or _pdftotext() is None:
        return draft
    with _libreoffice_pdf(draft, work) as pdf:
        pages = chapter_pages(pdf, chapters(bilan))
    return build_odt(bilan, pages) if pages else draft


def save_odt(bilan: Bilan, target: Path, *, paginate: bool = True) -> None:
    """Write the ODT under a temporary name beside ``target``, then rename it."""
    with tempfile.TemporaryDirectory(prefix="revue-odt-") as work:
        document = _paginated(bilan, Path(work)) if paginate else build_odt(bilan)
        with atomic_target(target) as tmp:
            document.save(tmp)


def save_pdf(bilan: Bilan, target: Path) -> None:
    """PDF/A through LibreOffice; a clear message, and no file, when it is not installed."""
    if soffice() is None:
        raise RevueError(
            "le PDF est produit par LibreOffice, qui n'est pas installé sur cet ordinateur : "
            "installez LibreOffice (paquet « libreoffice-writer »), ou exportez en ODT "
            "(--format odt) et convertissez-le vous-même"
        )
    target = target.expanduser()
    pdf_filter = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
    with tempfile.TemporaryDirectory(prefix="revue-pdf-") as work:
        draft = Path(work) / "brouillon"
        draft.mkdir()
        document = _paginated(bilan, draft)
        final = Path(work) / "final"
        final.mkdir()
        with (
            _libreoffice_pdf(document, final, pdf_filter) as produced,
            atomic_target(target) as tmp,
        ):
            shutil.copyfile(produced, tmp)
