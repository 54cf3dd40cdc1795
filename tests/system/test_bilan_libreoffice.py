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


#: Run by LibreOffice's own Python (it has the « uno » module): open the ODT, update every
#: index as Writer's « Mettre à jour l'index » does, export a PDF.
UPDATE_INDEXES = r"""
import os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

source, pdf, profile, port = sys.argv[1:]
office = subprocess.Popen(
    ["soffice", f"-env:UserInstallation={profile}", "--headless", "--invisible", "--norestore",
     f"--accept=socket,host=127.0.0.1,port={port};urp;"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(
                f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    def prop(name, value):
        p = PropertyValue(); p.Name = name; p.Value = value; return p
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0, (prop("Hidden", True),))
    indexes = doc.getDocumentIndexes()
    assert indexes.getCount() == 1
    indexes.getByIndex(0).update()
    doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(pdf)),
                   (prop("FilterName", "writer_pdf_Export"),))
    doc.close(True)
finally:
    office.terminate()
    office.wait(timeout=60)
"""


def _free_port() -> str:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _office_python() -> str | None:
    for python in ("/usr/bin/python3", "/usr/lib/libreoffice/program/python"):
        if Path(python).exists():
            done = subprocess.run([python, "-c", "import uno"], capture_output=True, check=False)
            if done.returncode == 0:
                return python
    return None


def test_libreoffice_s_update_index_keeps_the_table_of_contents(
    bilan_url: str, tmp_path: Path
) -> None:
    python = _office_python()
    if python is None:
        pytest.skip("LibreOffice's Python bridge (uno) is not installed: cannot drive Writer")
    odt = tmp_path / "bilan.odt"
    assert main(["--db", bilan_url, "bilan", EPI, "-o", str(odt)]) == 0
    as_written = tmp_path / "ecrit"
    as_written.mkdir()
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'p1'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(as_written), str(odt)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    script = tmp_path / "update.py"
    script.write_text(UPDATE_INDEXES, encoding="utf-8")
    updated = tmp_path / "updated.pdf"
    subprocess.run(
        [python, str(script), str(odt), str(updated), f"file://{tmp_path / 'p2'}", _free_port()],
        check=True,
        capture_output=True,
        timeout=300,
    )

    def contents(pdf: Path) -> str:
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True
        ).stdout.decode("utf-8")
        return next(page for page in text.split("\f") if "Table des matières" in page)

    before, after = contents(as_written / "bilan.pdf"), contents(updated)
    assert after == before  # the same entries, the same page numbers
    assert "000" not in before and re.search(r"1\. Synthèse\.{3,}\s*\d+", after)
