"""The DSDEN's consolidation: reading bilan TOML files back, refusing what must be refused
(with the file named), duplicates, what is missing, the shared indicators, the four formats,
the CLI, and nothing personal in any of them."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
import tomli_w

from revue.cli.main import main
from revue.department.consolidate import consolidate
from revue.department.formats import WRITERS
from revue.department.writers import render_csv, render_markdown, render_toml
from revue.domain.errors import RevueError
from revue.domain.log import Content
from revue.formats.bilan_reader import read_bilan
from revue.store.store import Store
from tests.helpers import EPI, GOLDEN, objective_key

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fictitious_bilans", ROOT / "tools" / "fictitious_bilans.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bilans(tmp_path: Path) -> Path:
    """Six fictitious circonscriptions over two years: one without its last bilan, one with
    a provisional one."""
    folder = tmp_path / "bilans"
    _tool().write_bilans(folder)
    return folder


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite a bilan file with ``change(data)`` applied."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def test_every_file_is_marked_fictitious(bilans: Path) -> None:
    for path in bilans.iterdir():
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# Bilan FICTIF")
        data = tomllib.loads(text)
        assert "fictive" in data["contract"]["circonscription"]
        assert "fictif" in data["contract"]["title"]


def test_the_tool_s_files_follow_the_format(bilans: Path) -> None:
    read = read_bilan(bilans / "bilan-fictive-001-2019-2020.toml")
    assert read.closed and not read.provisional and len(read.snapshot_sha256) == 64
    assert read.kind == "final" and read.school_year == "2019-2020"
    assert read.academic_project is not None and read.academic_project.id == "pa-fictif"
    assert read.objectives[0].academic_links[0].code == "1.2"
    assert read.objectives[0].indicators[0].label.startswith("Taux de tentative")


def test_the_epinay_golden_bilan_reads() -> None:
    path = GOLDEN / "bilan-epinay.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    read = read_bilan(path)
    assert read.circonscription == "Épinay-sur-Seine" and read.provisional
    project = raw["contract"].get("academic_project")
    if isinstance(project, dict):  # format 2 since the projet links: a table
        assert read.academic_project is not None
        assert (read.academic_project.id, read.academic_project.title) == (
            project.get("id") or project["title"],
            project["title"],
        )
    assert read.academic_project_title == "Projet académique de l'académie de Créteil"
    for objective, data in zip(read.objectives, raw["objectives"], strict=True):
        assert [link.code for link in objective.academic_links] == [
            link.get("code", "") for link in data.get("academic_links", [])
        ]
    assert read.objectives[0].indicators[0].values == {"2018-2019": 88.0, "2019-2020": 93.5}


def test_consolidation_of_the_fictitious_bilans(bilans: Path) -> None:
    c = consolidate([bilans])
    assert c.academie == "Créteil" and c.read == 11 and len(c.kept) == 11
    assert c.years == ["2018-2019", "2019-2020"] and c.kinds == ["annuel", "final"]
    assert c.missing == [("2019-2020", "Circonscription fictive Les Vergers")]
    assert [b.circonscription for b in c.provisional] == ["Circonscription fictive La Rivière"]
    assert not c.problems()
    assert c.axes == ["1", "2", "3"]
    # every objective of every bilan serves one objective of the projet
    assert sum(len(line.serving) for line in c.academic) == 11 * 6
    climat = next(line for line in c.academic if line.link.id == "pa-fictif-climat")
    assert len(climat.serving) == 22  # two objectives per bilan
    assert sum(climat.status_counts().values()) == 22


def test_shared_indicators_sum_counts_and_give_the_distribution_of_rates(bilans: Path) -> None:
    c = consolidate([bilans]).select(year="2018-2019")
    assert {b.school_year for b in c.kept} == {"2018-2019"}
    count = next(s for s in c.shared if s.label == "Nombre d'enseignants formés")
    assert not count.rate and count.distribution is None
    assert len(count.values) == 6
    assert count.total == pytest.approx(sum(count.measured))
    assert count.target_total == 6 * 80
    rate = next(s for s in c.shared if s.label.startswith("Taux de tentative"))
    assert rate.rate and rate.total is None
    low, mid, high = rate.distribution  # type: ignore[misc]
    assert low == min(rate.measured) and high == max(rate.measured) and low <= mid <= high
    for value in rate.values:
        if value.value is not None:
            assert value.gap == pytest.approx(value.value - 98)
    assert rate.with_target == len(rate.measured)


def test_filters_by_year_kind_and_axe(bilans: Path) -> None:
    c = consolidate([bilans])
    final = c.select(kind="final")
    assert {b.kind for b in final.kept} == {"final"} and len(final.kept) == 5
    assert final.missing == [("2019-2020", "Circonscription fictive Les Vergers")]
    axe = c.select(axe="3")
    assert {line.link.code for line in axe.academic} == {"3.1"}
    assert {s.academic.code for s in axe.shared} == {"3.1"}
    assert len(axe.kept) == 11  # the axe filters the projet's lines, not the bilans


def test_refusals_name_the_file_and_the_rest_is_consolidated(bilans: Path) -> None:
    newer = bilans / "bilan-fictive-001-2018-2019.toml"
    _edit(newer, lambda d: d.update(format_version=3))
    older = bilans / "bilan-fictive-002-2018-2019.toml"
    _edit(older, lambda d: d.update(format_version=1))
    broken = bilans / "bilan-fictive-003-2018-2019.toml"
    broken.write_text('format = "revue-bilan"\nformat_version = 2\nwritten_on = 2019-13-01\n')
    other = bilans / "bilan-fictive-004-2018-2019.toml"
    _edit(other, lambda d: d["contract"].update(academie="Versailles"))
    (bilans / "notes.toml").write_text('titre = "pas un bilan"\n', encoding="utf-8")
    c = consolidate([bilans])
    refused = {Path(n.file).name: n.render() for n in c.notices if n.kind == "refuse"}
    assert set(refused) == {newer.name, older.name, broken.name, other.name, "notes.toml"}
    assert "version « 3 » du format des bilans inconnue" in refused[newer.name]
    assert "ligne 2" in refused[newer.name] and "format_version" in refused[newer.name]
    assert "version antérieure de revue" in refused[older.name]
    assert "ligne 3" in refused[broken.name] and "syntaxe TOML invalide" in refused[broken.name]
    assert "académie de Versailles" in refused[other.name]
    assert "ce n'est pas un bilan de revue" in refused["notes.toml"]
    for name, message in refused.items():
        assert str(bilans / name) in message
    assert c.read == 12 and len(c.kept) == 7


def test_a_closed_review_that_no_longer_matches_its_fingerprint_is_refused(bilans: Path) -> None:
    altered = bilans / "bilan-fictive-001-2019-2020.toml"

    def promote(data: dict) -> None:  # type: ignore[type-arg]
        # someone "improves" a status after the closing, without the summary
        data["objectives"][0]["status"] = (
            "atteint" if data["objectives"][0]["status"] != "atteint" else "en-cours"
        )

    _edit(altered, promote)
    unclosed = bilans / "bilan-fictive-002-2019-2020.toml"
    _edit(unclosed, lambda d: d["review"].pop("snapshot_sha256"))
    c = consolidate([bilans])
    refused = {Path(n.file).name: n.message for n in c.notices if n.kind == "refuse"}
    assert "ne correspond pas à la revue ou à l'empreinte" in refused[altered.name]
    assert "[summary]" in refused[altered.name]
    assert "sans empreinte" in refused[unclosed.name]
    assert len(c.kept) == 9


def test_two_files_citing_one_fingerprint_with_different_content_are_both_refused(
    bilans: Path,
) -> None:
    original = bilans / "bilan-fictive-001-2019-2020.toml"
    copy = bilans / "bilan-fictive-001-2019-2020-copie.toml"
    shutil.copy(original, copy)
    _edit(copy, lambda d: d["objectives"][0]["indicators"][0]["values"].update({"2019-2020": 99.0}))
    c = consolidate([bilans])
    refused = [n for n in c.notices if n.kind == "refuse"]
    assert {Path(n.file).name for n in refused} == {original.name, copy.name}
    assert all("même empreinte" in n.message for n in refused)
    assert not any(
        b.circonscription.endswith("Tilleuls") and b.school_year == "2019-2020" for b in c.kept
    )


def test_a_duplicate_keeps_the_later_and_says_so(bilans: Path) -> None:
    first = bilans / "bilan-fictive-005-2019-2020.toml"  # provisional
    later = bilans / "bilan-fictive-005-2019-2020-bis.toml"
    shutil.copy(first, later)
    _edit(later, lambda d: d.update(written_on=dt.date(2020, 7, 2)))
    c = consolidate([later, first])  # the order given does not decide: the date does
    kept = [b for b in c.kept if b.circonscription.endswith("La Rivière") and b.kind == "final"]
    assert [Path(b.file).name for b in kept] == [later.name]
    (notice,) = [n for n in c.notices if n.kind == "doublon"]
    assert Path(notice.file).name == first.name
    assert "écarté" in notice.message and later.name in notice.message
    assert str(bilans) not in notice.message  # file names, never the DSDEN's folders
    assert "02/07/2020" in notice.message


def test_an_academie_is_needed_when_files_are_split_evenly(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    _tool().write_bilans(folder, circonscriptions=2, years=1)
    _, second = sorted(folder.iterdir())
    _edit(second, lambda d: d["contract"].update(academie="Versailles"))
    with pytest.raises(RevueError, match="--academie"):
        consolidate([folder])
    c = consolidate([folder], academie="Versailles")
    assert [Path(b.file).name for b in c.kept] == [second.name]


@pytest.mark.parametrize(
    ("render", "name"),
    [
        (render_toml, "department-consolidation.toml"),
        (render_markdown, "department-consolidation.md"),
    ],
)
def test_golden_files(bilans: Path, render, name: str, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    text = render(consolidate([bilans]))
    golden = GOLDEN / name
    if request.config.getoption("--snapshot-update", default=False) or not golden.exists():
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_toml_reads_back(bilans: Path) -> None:
    data = tomllib.loads(render_toml(consolidate([bilans])))
    assert data["format"] == "revue-consolidation" and data["format_version"] == 1
    assert data["bilans_kept"] == 11 and len(data["circonscriptions"]) == 11
    assert data["missing"] == [
        {"school_year": "2019-2020", "circonscription": "Circonscription fictive Les Vergers"}
    ]
    assert all("/" not in row["file"] for row in data["circonscriptions"])


def test_csv_for_a_french_spreadsheet(bilans: Path) -> None:
    text = render_csv(consolidate([bilans]))
    assert text.startswith("\ufeffAnnée scolaire;Revue;Circonscription")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert all(len(row) == len(rows[0]) for row in rows)
    assert len(rows) == 1 + 11 * 7  # six objectives, the first with two indicators
    values = [row[11] for row in rows[1:] if row[11]]
    assert any("," in v for v in values) and not any("." in v for v in values)


def test_csv_cells_are_never_formulas(bilans: Path) -> None:
    path = bilans / "bilan-fictive-001-2019-2020.toml"
    _edit(path, lambda d: d["objectives"][5].update(text='=HYPERLINK("x")'))
    _edit(path, lambda d: d["summary"])  # unchanged otherwise
    text = render_csv(consolidate([path]))
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text


def test_cli_writes_each_format(
    bilans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, writer in WRITERS.items():
        target = tmp_path / f"out{writer.suffix}"
        assert (
            main(["department", "consolidate", str(bilans), "--format", key, "-o", str(target)])
            == 0
        )
        assert target.stat().st_size > 0
    err = capsys.readouterr().err
    assert "11 fichiers lus, 11 bilans consolidés" in err
    assert "Les Vergers, 2019-2020 : aucun bilan" in err
    assert main(["department", "consolidate", str(bilans), "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# Consolidation des bilans")


def test_cli_with_nothing_to_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    assert main(["department", "consolidate", str(empty)]) == 1
    assert "aucun fichier de bilan" in capsys.readouterr().err
    assert not list(empty.iterdir()) and not Path("consolidation-bilans.odt").exists()


def test_cli_help_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["department", "consolidate", "--help"])
    out = capsys.readouterr().out
    assert "utilisation" in out and "séparateur « ; »" in out


def test_the_odt_opens_in_libreoffice(bilans: Path, tmp_path: Path) -> None:
    from revue.bilan.odt import soffice

    target = tmp_path / "consolidation.odt"
    WRITERS["odt"].write(consolidate([bilans]), target)
    with zipfile.ZipFile(target) as odt:
        content = odt.read("content.xml").decode("utf-8")
    assert "BilanChapitre" in content and "Indicateurs partagés" in content
    program = soffice()
    if program is None:
        print("LibreOffice (soffice) absent : conversion de l'ODT non vérifiée", file=sys.stderr)
        pytest.skip("soffice absent: the ODT is not converted")
    out = tmp_path / "txt"
    subprocess.run(
        [
            program,
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--headless",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(out),
            str(target),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (out / "consolidation.txt").read_text(encoding="utf-8-sig")
    assert "Consolidation des bilans des circonscriptions" in text
    assert "Circonscription fictive Val-Fleuri" in text
    assert "Taux de tentative aux évaluations nationales" in text


PLANTED = "Ursule Témoin-Dix-Neuf"


def test_a_name_in_the_notes_never_reaches_a_consolidation(
    bilan_url: str, bilans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(bilan_url)
    try:
        store.add_accompaniment(
            Content(
                date=dt.date(2019, 12, 3),
                author=PLANTED,
                modality="individual",
                initiative="teacher",
                theme=f"Suivi de {PLANTED}",
                objectives=(str(objective_key("s1-p1-c1-o1")),),
                participants=3,
                notes=f"Entretien avec {PLANTED} et sa collègue.",
                follow_up=f"Revoir {PLANTED} en janvier.",
            )
        )
        store.close_review(store.list_reviews(EPI)[-1].id)
    finally:
        store.close()
    exported = bilans / "bilan-epinay.toml"
    assert main(["--db", bilan_url, "bilan", EPI, "--format", "toml", "-o", str(exported)]) == 0
    assert PLANTED not in exported.read_text(encoding="utf-8")
    c = consolidate([bilans])
    assert any(b.circonscription == "Épinay-sur-Seine" and b.closed for b in c.kept)
    for key, writer in WRITERS.items():
        target = tmp_path / f"consolidation{writer.suffix}"
        assert (
            main(["department", "consolidate", str(bilans), "--format", key, "-o", str(target)])
            == 0
        )
        if key == "odt":
            with zipfile.ZipFile(target) as odt:
                text = " ".join(odt.read(n).decode("utf-8", "replace") for n in odt.namelist())
        else:
            text = target.read_text(encoding="utf-8")
        assert PLANTED not in text and "Sentinelle" not in text
    err = capsys.readouterr().err
    assert PLANTED not in err


def test_cli_open_needs_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["department", "open", str(tmp_path / "absent")]) == 1
    assert "ce n'est pas un dossier" in capsys.readouterr().err


def test_cli_academie_option(bilans: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "department",
                "consolidate",
                str(bilans),
                "--academie",
                "Versailles",
                "--format",
                "toml",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    data = tomllib.loads(captured.out)
    assert data["academie"] == "Versailles" and data["bilans_kept"] == 0
    assert captured.err.count("non consolidé") == 11


def test_a_bilan_with_a_byte_order_mark_reads(bilans: Path) -> None:
    path = bilans / "bilan-fictive-001-2018-2019.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_bilan(path).circonscription == "Circonscription fictive Les Tilleuls"


def test_a_bilan_written_by_revue_reads_back_with_its_links(
    bilan_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What ``revue bilan --format toml`` writes reads back: each objective's links to the
    projet académique (when the writer gives them) are the ones the file holds."""
    target = tmp_path / "bilan.toml"
    assert main(["--db", bilan_url, "bilan", EPI, "--format", "toml", "-o", str(target)]) == 0
    raw = tomllib.loads(target.read_text(encoding="utf-8"))
    read = read_bilan(target)
    assert read.circonscription == raw["contract"]["circonscription"]
    assert len(read.objectives) == len(raw["objectives"])
    for objective, data in zip(read.objectives, raw["objectives"], strict=True):
        links = data.get("academic_links", [])
        assert [link.id for link in objective.academic_links] == [
            link.get("id") or link.get("code") or link["title"] for link in links
        ]
        assert [link.code for link in objective.academic_links] == [
            link.get("code", "") for link in links
        ]


def test_valid_files_are_read_without_scanning_their_lines(
    bilans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locating lines is for errors only (the cost of reading 300 bilans)."""
    from revue.formats.tomlfile import Locator

    scans: list[int] = []
    original = Locator.scan.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        Locator, "scan", classmethod(lambda cls, text: scans.append(1) or original(cls, text))
    )
    assert len(consolidate([bilans]).kept) == 11 and scans == []
    _edit(bilans / "bilan-fictive-001-2018-2019.toml", lambda d: d.update(format_version=9))
    consolidate([bilans])
    assert scans == [1]  # the one file with an error
