"""The consolidated document as an OpenDocument text, with the bilan's own named styles and
table helpers (:mod:`revue.bilan.odt`), so that a DSDEN restyles both alike in Writer."""

from __future__ import annotations

from pathlib import Path

from odfdo import Document

# The bilan's helpers: one look for the bilan and the consolidation (they are private in
# revue.bilan.odt today; see docs/departement.md).
from revue.bilan.odt import BODY, LABEL, SUBTITLE, TITLE, add_styles, heading, paragraph, table
from revue.department.consolidate import Consolidation
from revue.department.writers import (
    academic_rows,
    avenant_rows,
    circonscription_rows,
    fingerprint_rows,
    notice_groups,
    off_track_rows,
    read_line,
    shared_rows,
    shared_summary,
    shared_title,
    title_of,
)
from revue.formats.fileio import atomic_target


def build_odt(c: Consolidation) -> Document:
    document = Document("text")
    body = document.body
    body.clear()
    add_styles(document)
    body.append(paragraph(title_of(c), TITLE))
    body.append(paragraph(read_line(c), SUBTITLE))
    if c.years:
        body.append(paragraph(f"Années scolaires : {', '.join(c.years)}.", BODY))
    for title, group in notice_groups(c):
        body.append(paragraph(title, LABEL))
        for line in group:
            body.append(paragraph(line, BODY))
    if c.kept:
        body.append(heading(1, "Circonscriptions"))
        body.append(table(document, "Circonscriptions", circonscription_rows(c)))
        body.append(paragraph("Empreintes des revues clôturées", LABEL))
        body.append(table(document, "Empreintes", fingerprint_rows(c)))
        late, avenants = off_track_rows(c), avenant_rows(c)
        if len(late) > 1:
            body.append(paragraph("Objectifs hors trajectoire", LABEL))
            body.append(table(document, "HorsTrajectoire", late))
        if len(avenants) > 1:
            body.append(paragraph("Avenants", LABEL))
            body.append(table(document, "Avenants", avenants))
    body.append(heading(1, "Projet académique"))
    if c.academic:
        body.append(table(document, "ProjetAcademique", academic_rows(c)))
    else:
        body.append(
            paragraph("Aucun bilan ne donne les liens de ses objectifs au projet académique.", BODY)
        )
    body.append(heading(1, "Indicateurs partagés"))
    if not c.shared:
        body.append(paragraph("Aucun indicateur commun à plusieurs circonscriptions.", BODY))
    for number, shared in enumerate(c.shared, start=1):
        body.append(heading(2, shared_title(shared)))
        body.append(table(document, f"Indicateur{number}", shared_rows(shared)))
        body.append(paragraph(shared_summary(shared) + ".", BODY))
    return document


def save_odt(c: Consolidation, target: Path) -> None:
    """Write the document all or nothing."""
    document = build_odt(c)
    with atomic_target(target) as tmp:
        document.save(tmp)
