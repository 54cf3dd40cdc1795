"""The bilan as LibreOffice lays it out: converted to PDF, then read with poppler's pdftotext.

These tests need LibreOffice (soffice) and pdftotext; without them they are skipped, saying so
(`.ci/run` installs LibreOffice when the machine allows it)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from revue.cli.main import main
from revue.domain.contract import stable_uuid
from revue.domain.log import Content
from revue.domain.review import ReviewKind, Status
from revue.store.store import Store
from tests.helpers import EPI

THI = "thionville1-2016-2020"
MISSING = [name for name in ("soffice", "pdftotext") if shutil.which(name) is None]
pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"LibreOffice or poppler is not installed ({', '.join(MISSING)} not found): "
    "the bilan's PDF layout cannot be checked on this machine",
)


def _pdf_text(url: str, contract: str, tmp_path: Path, review: str | None = None) -> str:
    target = tmp_path / f"{contract}.pdf"
    args = ["--db", url, "bilan", contract, "--format", "pdf", "-o", str(target)]
    assert main(args + (["--review", review] if review else [])) == 0
    assert target.read_bytes().startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(target), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")


def _thionville(url: str) -> None:
    store = Store.open(url)
    try:
        review = store.create_review(THI, "2018-2019", ReviewKind.ANNUAL)
        walk = store.load_walk(review.id)
        for objective in walk.objectives:
            store.save_record(review.id, objective.id, status=Status.IN_PROGRESS)
        first = walk.objectives[0]
        for day in range(1, 10):
            store.add_accompaniment(
                Content(
                    date=dt.date(2018, 10, day),
                    author="Claire Martin",
                    modality="collective",
                    initiative="team",
                    objectives=(str(stable_uuid(THI, "objective", first.id)),),
                )
            )
        store.save_synthesis(review.id, strengths="Des équipes mobilisées.\nUn pilotage clair.")
        store.close_review(review.id)
    finally:
        store.close()


def test_the_pdf_has_a_paginated_table_of_contents_and_a_signature_block(
    bilan_url: str, tmp_path: Path
) -> None:
    text = _pdf_text(bilan_url, EPI, tmp_path)
    pages = text.split("\f")
    toc = next(page for page in pages if "Table des matières" in page)
    toc = re.sub(r"\n(?!\d+\. |\n|Page)", " ", toc)  # entries wrapped over two lines
    entries = re.findall(r"^(\d+)\. .*?\.{3,}\s*(\d+)$", toc, re.M)
    assert [int(n) for n, _ in entries] == list(range(1, 8))  # seven chapters
    numbers = [int(page) for _, page in entries]
    assert numbers == sorted(numbers) and numbers[0] > 2  # after the cover and the contents
    # Each chapter is on the page its entry says.
    chapter = pages[numbers[0] - 1]
    assert re.search(r"^1\. Synthèse$", chapter, re.M)
    assert re.search(r"^7\. Perspectives$", pages[numbers[-1] - 1], re.M)
    assert "Fait à Épinay, le 30/06/2020" not in text  # the open review is dated today
    assert f"Fait à Épinay, le {dt.date.today():%d/%m/%Y}" in text
    assert "Christian Wassenberg" in pages[-2] + pages[-1]
    assert "Marion Mallet-Petiot" in pages[-2] + pages[-1]
    assert "Bilan final du contrat 2018-2020" in pages[0]
    assert "Table des matières" not in pages[0]  # the cover is a page of its own
    assert "2.1." not in text  # objectives carry no outline number


def test_no_unit_word_or_school_year_is_broken_in_the_tables(
    sample_url: str, tmp_path: Path
) -> None:
    _thionville(sample_url)
    text = _pdf_text(sample_url, THI, tmp_path)
    assert "Bilan de l'examen annuel 2018-2019" in text
    for word in ("demandes", "rencontres", "sollicitations", "partenariats", "accompagnements"):
        for cut in range(2, len(word) - 1):
            assert not re.search(rf"{word[:cut]}\n+{word[cut:]}\b", text), (word, cut)
    assert not re.search(r"\(\d{4}[-‑]\n", text)  # "(2019-" then "2020)" on the next line
    assert "9\u00a0demandes" in text or "9 demandes" in text
    assert "Constaté 2016" not in text and "Constaté 2017" not in text  # not measured: no 0


def test_any_text_goes_through_libreoffice(sample_url: str, tmp_path: Path) -> None:
    nasty = "Écarts <&> « guillemets » \"doubles\" 'simples' 😀 " + "anticonstitutionnellement" * 4
    store = Store.open(sample_url)
    try:
        review = store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
        first = store.load_walk(review.id).objectives[0]
        store.save_record(review.id, first.id, status=Status.IN_PROGRESS, analysis=nasty)
        store.save_synthesis(review.id, strengths=nasty)
    finally:
        store.close()
    text = _pdf_text(sample_url, EPI, tmp_path)
    assert "Écarts <&> «" in text and "😀" in text
