"""Exchange files: the samples merge as documented; every bad file is refused, store untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revue.cli.main import main
from revue.domain.errors import InputError
from revue.formats.exchange import read_exchange
from revue.formats.schools_csv import read_schools
from revue.store.store import Store
from tests.helpers import SAMPLES, table_counts

CLAIRE = SAMPLES / "echange-claire-martin-2018-2019.json"
PAUL = SAMPLES / "echange-paul-durand-2018-2019.json"
SCHOOLS = SAMPLES / "ecoles-thionville1-fictives.csv"


def test_sample_files_overlap_and_conflict(store: Store) -> None:
    first = store.merge_versions(read_exchange(CLAIRE))
    assert first.line() == "ajoutés : 6, mis à jour : 0, inchangés : 0, conflits : 0"
    second = store.merge_versions(read_exchange(PAUL))
    assert second.line() == "ajoutés : 5, mis à jour : 0, inchangés : 2, conflits : 1"
    again = store.merge_versions(read_exchange(PAUL))
    assert (again.added, again.conflicts) == (0, 0)
    assert len(store.list_conflicts()) == 1


def test_cli_import_prints_the_summary_line(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    assert main(["--db", db_url, "exchange", "import", "--trust", str(CLAIRE)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        "ajoutés : 6, mis à jour : 0, inchangés : 0, conflits : 0"
    )
    target = tmp_path / "sortie.json"
    assert main(["--db", db_url, "exchange", "export", "-o", str(target)]) == 0
    assert len(read_exchange(target)) == 6


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    text = CLAIRE.read_text(encoding="utf-8")
    document = json.loads(text)
    files: dict[str, bytes] = {
        "vide": b"",
        "binaire": b"\x89PNG\r\n\x1a\n\x00\x00garbage",
        "tronque": text[: len(text) // 2].encode(),
        "etranger": json.dumps({"format": "autre-chose", "data": []}).encode(),
        "altere": text.replace("Lecture au CP", "Lecture en CP", 1).encode(),
    }
    newer = dict(document, format_version=3)
    files["version"] = json.dumps(newer).encode()
    unsigned = dict(document)
    del unsigned["signature"]
    files["sans-signature"] = json.dumps(unsigned).encode()
    out = {}
    for name, data in files.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(data)
        out[name] = path
    return out


@pytest.mark.parametrize(
    "name", ["vide", "binaire", "tronque", "etranger", "altere", "version", "sans-signature"]
)
def test_bad_exchange_files_are_refused(
    name: str, tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    store.merge_versions(read_exchange(PAUL))
    before = table_counts(store)
    path = _bad_files(tmp_path)[name]
    with pytest.raises(InputError) as refused:
        read_exchange(path)
    assert str(path) in str(refused.value)
    code = main(["--db", store.url, "exchange", "import", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and str(path) in err
    assert table_counts(store) == before


def test_tampered_entry_of_an_unsigned_file_with_recomputed_checksum_is_refused(
    tmp_path: Path,
) -> None:
    """Format 1 (unsigned, still read): an entry changed by hand with the file's checksum
    recomputed is refused by its own hash."""
    import hashlib

    document = json.loads(CLAIRE.read_text(encoding="utf-8"))
    for key in ("signature", "exporter", "keys"):
        del document[key]
    for entry in document["accompaniments"]:
        del entry["signer"], entry["signature"]
    document["format_version"] = 1
    document["accompaniments"][0]["notes"] = "modifié à la main"
    canonical = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()
    document["sha256"] = hashlib.sha256(canonical).hexdigest()
    path = tmp_path / "forge.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError, match="altérée"):
        read_exchange(path)


def test_sample_schools_are_marked_fictitious() -> None:
    schools = read_schools(SCHOOLS)
    assert len(schools) == 8
    assert all(s.fictitious and "fictive" in s.name for s in schools)
    assert {s.priority for s in schools} == {"", "REP"}


def test_bad_schools_csv(tmp_path: Path) -> None:
    path = tmp_path / "ecoles.csv"
    path.write_text(
        "Identifiant_de_l_etablissement;Nom_etablissement\n0579901A;A\n12345;B\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as refused:
        read_schools(path)
    assert refused.value.line == 3 and "12345" in str(refused.value)


def test_export_writes_every_entry_unless_an_author_is_given(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    assert main(["--db", db_url, "exchange", "import", "--trust", str(PAUL)]) == 0
    assert main(["config", "set", "user", "Paul Durand (ERUN, fictif)"]) == 0
    capsys.readouterr()
    everything = tmp_path / "tout.json"
    assert main(["--db", db_url, "exchange", "export", "-o", str(everything)]) == 0
    assert len(read_exchange(everything)) == 8  # Claire's entries Paul relays included
    assert main(["--db", db_url, "exchange", "export", "--author", "", "-o", str(everything)]) == 0
    assert len(read_exchange(everything)) == 8
    target = tmp_path / "paul.json"
    paul = "Paul Durand (ERUN, fictif)"
    assert main(["--db", db_url, "exchange", "export", "--author", paul, "-o", str(target)]) == 0
    assert "de Paul Durand" in capsys.readouterr().out
    assert {v.content.author for v in read_exchange(target)} == {paul}
    assert len(read_exchange(target)) == 5
