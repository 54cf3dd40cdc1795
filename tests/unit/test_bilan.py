"""The bilan as Markdown and as data: golden files on the Épinay sample, and nothing personal."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from pathlib import Path

import pytest

from revue.bilan.data import render_toml
from revue.bilan.markdown import esc, render_markdown
from revue.cli.main import main
from revue.domain.french import typo
from revue.domain.review import ReviewKind
from revue.services.bilan import build_bilan
from revue.store.store import Store
from tests.helpers import EPI, GOLDEN, WRITTEN


def _build(url: str):  # type: ignore[no-untyped-def]
    store = Store.open(url)
    try:
        return build_bilan(store, EPI, written_on=WRITTEN)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("render", "name"), [(render_markdown, "bilan-epinay.md"), (render_toml, "bilan-epinay.toml")]
)
def test_golden_files(bilan_url: str, render, name: str, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    text = render(_build(bilan_url))
    golden = GOLDEN / name
    if request.config.getoption("--snapshot-update", default=False) or not golden.exists():
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_bilan_content(bilan_url: str) -> None:
    bilan = _build(bilan_url)
    assert bilan.review.kind is ReviewKind.FINAL
    first = bilan.objectives[0]
    line = first.indicators[0]
    assert (line.initial_target, line.target, line.target_avenant) == (100, 95, 1)
    assert line.values == {"2018-2019": 88, "2019-2020": 93.5}
    assert first.accompaniments == [("collective", "team", 1)]
    assert first.evidence == [(dt.date(2020, 1, 20), "visite")]
    markdown = render_markdown(bilan)
    assert "Avenant n° 1 du 20/06/2019" in markdown
    assert "95\u00a0% (2019-2020) (avenant n° 1)" in markdown
    assert "\\*non réussis\\*" in markdown  # typed text is escaped
    data = tomllib.loads(render_toml(bilan))
    assert data["format"] == "revue-bilan" and data["contract"]["id"] == EPI
    assert data["objectives"][0]["indicators"][0]["values"] == {
        "2018-2019": 88.0,
        "2019-2020": 93.5,
    }


def test_nothing_personal_leaves(
    bilan_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zipfile

    for fmt in ("md", "toml", "odt"):
        target = tmp_path / f"bilan.{fmt}"
        assert main(["--db", bilan_url, "bilan", EPI, "--format", fmt, "-o", str(target)]) == 0
        if fmt == "odt":
            with zipfile.ZipFile(target) as odt:
                text = " ".join(odt.read(n).decode("utf-8", "replace") for n in odt.namelist())
        else:
            text = target.read_text(encoding="utf-8")
        assert "Zéphyrine" not in text and "Sentinelle" not in text
        assert "enseignante de CE1" not in text


def test_choose_the_review(bilan_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["--db", bilan_url, "bilan", EPI, "--format", "md", "--review", "2018-2019/mi-parcours"]
        )
        == 0
    )
    assert "Évaluation à mi-parcours 2018-2019" in capsys.readouterr().out
    assert main(["--db", bilan_url, "bilan", EPI, "--review", "2030-2031"]) == 1
    assert "aucune revue « 2030-2031 »" in capsys.readouterr().err


def test_no_review_yet(sample_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sample_url, "bilan", EPI]) == 1
    assert "aucune revue" in capsys.readouterr().err


def test_french_typography_and_escaping() -> None:
    assert typo("Objectif : 100% ; fini !") == "Objectif\u00a0: 100\u00a0%\u202f; fini\u202f!"
    assert typo("« citation »") == "«\u00a0citation\u00a0»"
    assert esc("# titre | *gras* <b>") == "\\# titre \\| \\*gras\\* \\<b\\>"
    assert esc("- puce\n1. liste") == "\\- puce\n1\\. liste"


def _odt(url: str, tmp_path: Path) -> Path:
    target = tmp_path / "bilan.odt"
    assert main(["--db", url, "bilan", EPI, "-o", str(target)]) == 0
    return target


def test_odt_structure(bilan_url: str, tmp_path: Path) -> None:
    import re
    import zipfile

    target = _odt(bilan_url, tmp_path)
    with zipfile.ZipFile(target) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = odt.read("content.xml").decode("utf-8")
        styles = odt.read("styles.xml").decode("utf-8")
        manifest = odt.read("META-INF/manifest.xml").decode("utf-8")
    bilan = _build(bilan_url)
    level1 = re.findall(r'<text:h[^>]*text:outline-level="1"', content)
    level2 = re.findall(r'<text:h[^>]*text:outline-level="2"[^>]*>Objectif', content)
    assert len(level1) >= len(bilan.strategies) + 3  # + statuses, mid-term, synthesis
    assert len(level2) == len(bilan.objectives) == 31
    with_indicators = [o for o in bilan.objectives if o.indicators]
    assert len(re.findall(r'table:name="Indicateurs\d+"', content)) == len(with_indicators)
    assert "<text:table-of-content" in content
    assert "<text:page-number" in styles  # page numbers in the footer
    assert 'style:name="BilanTexte"' in styles  # named styles a user can change
    assert 'style:display-name="Bilan – texte"' in styles
    assert not re.search(r'<style:style style:name="[^"]* [^"]*"', styles + content)  # no spaces
    assert 'fo:keep-together="always"' in content  # no table row split over two pages
    assert 'fo:hyphenate="false"' in styles  # no word broken in a cell
    assert (
        "<text:table-of-content-source" in content and "<text:index-entry-page-number/>" in content
    )
    with zipfile.ZipFile(target) as odt:
        meta = odt.read("meta.xml").decode("utf-8")
    assert "<dc:title>Bilan final du contrat 2018-2020" in meta
    assert "document-statistic" not in meta and "<meta:generator>revue " in meta
    assert "<svg:title>" in content and "<svg:desc>" in content  # the charts' alternative text
    assert manifest.count('media-type="image/svg+xml"') >= 2  # the charts of objective 1
    assert "<table:table-header-rows>" in content  # table heads repeat on each page
    assert 'style:rel-column-width="' in content  # Writer lays columns out by these
    assert "Avenant n° 1 du 20/06/2019" in content
    assert "Sentinelle" not in content


def test_pdf_needs_libreoffice(
    bilan_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import revue.bilan.odt as odt

    monkeypatch.setattr(odt, "soffice", lambda: None)
    out = tmp_path / "sortie"
    out.mkdir()
    target = out / "bilan.pdf"
    assert main(["--db", bilan_url, "bilan", EPI, "--format", "pdf", "-o", str(target)]) == 1
    assert "LibreOffice" in capsys.readouterr().err
    assert list(out.iterdir()) == []  # never a half-written file


@pytest.mark.skipif(
    __import__("shutil").which("soffice") is None, reason="LibreOffice n'est pas installé"
)
def test_pdf_through_libreoffice(bilan_url: str, tmp_path: Path) -> None:
    target = tmp_path / "bilan.pdf"
    assert main(["--db", bilan_url, "bilan", EPI, "--format", "pdf", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF")


def test_a_large_contract_with_empty_reviews_exports_valid_documents(tmp_path: Path) -> None:
    """200 objectives, a review with nothing recorded: every format is still valid."""
    import zipfile
    from xml.dom import minidom

    from revue.services.imports import import_files

    parts = [
        'format = "revue-contrat"\nformat_version = 1\nid = "grand"\n'
        'title = "Grand contrat <&> « essai »"\ncirconscription = "Ailleurs"\n'
        "start_date = 2019-09-01\nend_date = 2022-08-31\n"
    ]
    for s in range(10):
        parts.append(
            f'\n[[sections]]\nid = "s{s}"\nlevel = "Axe"\ncode = "{s + 1}"\n'
            f'title = "Axe {s + 1} & <co>"\n'
        )
        for o in range(20):
            parts.append(
                f'\n[[objectives]]\nid = "o{s}-{o}"\nsection = "s{s}"\n'
                f'text = "Objectif {s}.{o} : *gras* | <b> & ; ?"\n'
                f'\n[[objectives.indicators]]\nid = "i{s}-{o}"\nlabel = "Taux"\n'
                f'unit = "%"\nbaseline = 50\nbaseline_year = "2018-2019"\n'
                f'target = 80\ntarget_year = "2021-2022"\n'
            )
    source = tmp_path / "grand.toml"
    source.write_text("".join(parts), encoding="utf-8")
    store = Store.open(f"sqlite:///{tmp_path / 'grand.sqlite3'}")
    try:
        assert import_files(store, [source])[1] == []
        store.create_review("grand", "2020-2021", ReviewKind.ANNUAL)
        bilan = build_bilan(store, "grand", written_on=WRITTEN)
    finally:
        store.close()
    assert len(bilan.objectives) == 200
    from revue.bilan.odt import save_odt

    target = tmp_path / "grand.odt"
    save_odt(bilan, target)
    with zipfile.ZipFile(target) as odt:
        assert odt.testzip() is None
        minidom.parseString(odt.read("content.xml"))  # well-formed XML
    tomllib.loads(render_toml(bilan))
    assert "\\*gras\\* \\| \\<b\\>" in render_markdown(bilan)


def test_a_closed_review_s_bilan_cites_its_frozen_snapshot(bilan_url: str, tmp_path: Path) -> None:
    import zipfile

    store = Store.open(bilan_url)
    try:
        final = store.list_reviews(EPI)[-1]
        store.close_review(final.id)
        snapshot = store.review_snapshot(final.id)
        assert snapshot is not None
    finally:
        store.close()
    bilan = _build(bilan_url)
    assert f"empreinte SHA-256 {snapshot.sha256}" in render_markdown(bilan)
    data = tomllib.loads(render_toml(bilan))
    assert data["review"]["snapshot_sha256"] == snapshot.sha256
    with zipfile.ZipFile(_odt(bilan_url, tmp_path)) as odt:
        assert snapshot.sha256 in odt.read("content.xml").decode("utf-8")


def test_indicator_chart_is_valid_svg() -> None:
    from xml.dom import minidom

    from revue.bilan.chart import indicator_svg
    from revue.bilan.model import IndicatorLine

    line = IndicatorLine(
        label="Taux de tentative < & >",
        unit="%",
        direction="higher",
        baseline=88.0,
        baseline_year="2017-2018",
        initial_target=100.0,
        initial_target_year="2019-2020",
        target=95.0,
        target_year="2019-2020",
        target_avenant=1,
        values={"2018-2019": 88.0, "2019-2020": 93.5},
        expected=None,
        gap=None,
        off_track=False,
        computed=False,
    )
    svg = indicator_svg(line, ["2018-2019", "2019-2020"])
    assert svg is not None
    document = minidom.parseString(svg)
    texts = [t.firstChild.data for t in document.getElementsByTagName("text")]
    assert "Taux de tentative < & >" in texts
    assert {"2017-2018", "2018-2019", "2019-2020"} <= set(texts)
    assert "constaté" in texts and "trajectoire attendue" in texts
    assert "cible révisée 95\u00a0% (2019-2020)" in texts
    assert "cible initiale 100\u00a0% (2019-2020)" in texts
    assert {"0", "100"} <= set(texts)  # a rate's axis from 0 to 100 %
    assert len(document.getElementsByTagName("circle")) >= 2
    assert document.getElementsByTagName("desc")[0].firstChild.data.startswith(
        "Valeurs constatées — 2018-2019 : 88"
    )
    empty = dataclasses.replace(line, values={}, baseline=None)
    assert indicator_svg(empty) is None


def test_count_charts_have_whole_ticks_every_year_and_gaps() -> None:
    from xml.dom import minidom

    from revue.bilan.chart import indicator_svg
    from revue.bilan.model import IndicatorLine

    line = IndicatorLine(
        label="Demandes",
        unit="demandes",
        direction="higher",
        baseline=None,
        baseline_year=None,
        initial_target=None,
        initial_target_year=None,
        target=3.0,
        target_year="2019-2020",
        target_avenant=None,
        values={"2016-2017": 1.0, "2018-2019": 2.0},
        expected=None,
        gap=None,
        off_track=False,
        computed=True,
    )
    svg = indicator_svg(line, ["2016-2017", "2017-2018", "2018-2019"])
    assert svg is not None
    document = minidom.parseString(svg)
    texts = [t.firstChild.data for t in document.getElementsByTagName("text")]
    assert {"2016-2017", "2017-2018", "2018-2019", "2019-2020"} <= set(texts)
    ticks = [t for t in texts if t.lstrip("−-").replace(",", "").isdigit()]
    assert ticks and all("," not in t and not t.startswith("−") for t in ticks)
    assert ticks[0] == "0"
    assert document.getElementsByTagName("polyline") == []  # 2017-2018 unmeasured: no line
