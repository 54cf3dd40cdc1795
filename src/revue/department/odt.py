"""The consolidated document as an OpenDocument text, with the bilan's own named styles and
table helpers (:mod:`revue.bilan.odt`), so that a DSDEN restyles both alike in Writer."""

from __future__ import annotations

from pathlib import Path

from odfdo import Document

# The bilan's helpers: one look for the bilan and the consolidation (they are private in
# revue.bilan.odt today; see docs/departement.md).
from revue.bilan.odt import BODY, LABEL, SUBTITLE, TITLE, _h, _p, _styles, _table
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
    _styles(document)
    body.append(_p(title_of(c), TITLE))
    body.append(_p(read_line(c), SUBTITLE))
    if c.years:
        body.append(_p(f"Années scolaires : {', '.join(c.years)}.", BODY))
    for title, group in notice_groups(c):
        body.append(_p(title, LABEL))
        for line in group:
            body.append(_p(line, BODY))
    if c.kept:
        body.append(_h(1, "Circonscriptions"))
        body.append(_table(document, "Circonscriptions", circonscription_rows(c)))
        body.append(_p("Empreintes des revues clôturées", LABEL))
        body.append(_table(document, "Empreintes", fingerprint_rows(c)))
        late, avenants = off_track_rows(c), avenant_rows(c)
        if len(late) > 1:
            body.append(_p("Objectifs hors trajectoire", LABEL))
            body.append(_table(document, "HorsTrajectoire", late))
        if len(avenants) > 1:
            body.append(_p("Avenants", LABEL))
            body.append(_table(document, "Avenants", avenants))
    body.append(_h(1, "Projet académique"))
    if c.academic:
        body.append(_table(document, "ProjetAcademique", academic_rows(c)))
    else:
        body.append(
            _p("Aucun bilan ne donne les liens de ses objectifs au projet académique.", BODY)
        )
    body.append(_h(1, "Indicateurs partagés"))
    if not c.shared:
        body.append(_p("Aucun indicateur commun à plusieurs circonscriptions.", BODY))
    for number, shared in enumerate(c.shared, start=1):
        body.append(_h(2, shared_title(shared)))
        body.append(_table(document, f"Indicateur{number}", shared_rows(shared)))
        body.append(_p(shared_summary(shared) + ".", BODY))
    return document


def save_odt(c: Consolidation, target: Path) -> None:
    """Write the document all or nothing."""
    document = build_odt(c)
    with atomic_target(target) as tmp:
        document.save(tmp)
