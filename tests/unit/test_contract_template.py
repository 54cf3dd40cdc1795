"""``revue contract new``: a commented French template that imports as it is, whose export
round trip is byte-identical, every key of it explained by a comment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from revue.cli.main import main
from revue.formats.contract_template import TEMPLATE
from revue.formats.contract_text import contract_from_text
from revue.formats.contract_toml import dump_contract, load_document
from revue.store.store import Store


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_writes_the_template_which_imports_then_round_trips(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "mon-contrat.toml"
    code, _, err = run(capsys, "contract", "new", "-o", str(target))
    assert code == 0, err
    assert "Modèle de contrat écrit" in err
    assert target.read_text(encoding="utf-8") == TEMPLATE

    code, out, err = run(capsys, "--db", db_url, "contract", "import", str(target))
    assert code == 0, err
    assert "1 section" in out or "1 sections" in out
    first = tmp_path / "export1.toml"
    assert (
        run(
            capsys,
            "--db",
            db_url,
            "contract",
            "export",
            "ma-circonscription-2020-2023",
            "-o",
            str(first),
        )[0]
        == 0
    )
    assert run(capsys, "--db", db_url, "contract", "import", "--replace", str(first))[0] == 0
    code, second, _ = run(
        capsys, "--db", db_url, "contract", "export", "ma-circonscription-2020-2023"
    )
    assert code == 0
    assert second == first.read_text(encoding="utf-8")
    # the export says what the template says, comments aside
    document, _ = load_document(target)
    assert dump_contract(contract_from_text(second)) == dump_contract(document)  # type: ignore[arg-type]

    store = Store.open(db_url)
    try:
        contract = store.get_contract("ma-circonscription-2020-2023")
        assert len(contract.parties) == 2 and len(contract.articles) == 1
        indicators = contract.objectives[0].indicators
        assert [i.id for i in indicators] == ["s1-o1-taux", "s1-o1-demandes"]
        assert indicators[1].computed is not None
    finally:
        store.close()


def test_new_on_standard_output_and_never_over_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "contract", "new")
    assert code == 0 and out == TEMPLATE
    existing = tmp_path / "contrat.toml"
    existing.write_text("mon texte", encoding="utf-8")
    code, _, err = run(capsys, "contract", "new", "-o", str(existing))
    assert code == 1 and "existe déjà" in err
    assert existing.read_text(encoding="utf-8") == "mon texte"


def test_every_key_of_the_template_is_explained_in_french() -> None:
    comments = "\n".join(line for line in TEMPLATE.splitlines() if line.startswith("#"))
    keys = set(re.findall(r"^(\w+) =", TEMPLATE, flags=re.MULTILINE))
    keys |= {"modality", "initiative", "theme", "linked_to_objective", "academic_links"}
    assert {"id", "title", "target", "computed", "what"} <= keys
    for key in keys - {"format", "format_version"}:
        assert re.search(rf"\b{key}\b", comments) or key in {
            "circonscription",
            "academie",
            "departement",
            "ien",
            "start_date",
            "end_date",
            "signature_date",
            "signature_place",
            "preamble",
            "name",
            "representative",
            "representative_title",
            "kind",
        }, key
    # the header's keys are explained in words rather than by name
    for words in (
        "circonscription",
        "période",
        "signature",
        "préambule",
        "parties",
        "articles",
        "niveau",
    ):
        assert words in comments.lower(), words
