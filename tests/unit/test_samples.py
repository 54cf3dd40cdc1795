"""The sample contracts are the seed documents in full, and load cleanly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from revue.domain.contract import AcademicProject, Contract
from revue.formats.contract_toml import dump_contract, load_document
from tests.helpers import ACADEMIC, EPINAY, SAMPLES, THIONVILLE


def load(path) -> Contract:  # type: ignore[no-untyped-def]
    document, _ = load_document(path)
    assert isinstance(document, Contract)
    return document


def test_epinay_is_whole() -> None:
    contract = load(EPINAY)
    assert contract.id == "epinay-2018-2020"
    levels = Counter(s.level for s in contract.sections)
    assert levels == {"Stratégie": 4, "Priorité": 10, "Chantier": 21}
    assert len(contract.objectives) == 31
    assert [a.title for a in contract.articles] == [f"Article {n}" for n in range(1, 5)]
    assert f"{contract.signature_date:%d/%m/%Y}" == "15/06/2018"
    assert f"{contract.end_date:%d/%m/%Y}" == "30/06/2020"
    strategies = [s for s in contract.sections if s.level == "Stratégie"]
    assert [len(s.lists[0].items) if s.lists else 0 for s in strategies] == [5, 5, 5, 0]
    # every ➤ item holds at least one objective
    holders = {o.section for o in contract.objectives}
    assert all(s.id in holders for s in contract.sections if s.level == "Chantier")
    texts = " ".join(o.text for o in contract.objectives)
    assert "100% des directeurs formés" in texts
    assert "Meilleure anticipation dans le calendrier" in texts


def test_epinay_numbers_are_indicators_with_targets_and_no_invented_baseline() -> None:
    contract = load(EPINAY)
    indicators = [i for o in contract.objectives for i in o.indicators]
    assert all(i.baseline_value is None for i in indicators)
    targets = sorted(
        (i.target_value, i.direction.value) for i in indicators if i.target_value is not None
    )
    assert targets == [
        (0, "lower"),
        (100, "higher"),
        (100, "higher"),
        (100, "higher"),
        (100, "higher"),
        (100, "higher"),
    ]


def test_thionville_is_whole() -> None:
    contract = load(THIONVILLE)
    assert contract.id == "thionville1-2016-2020"
    assert [s.title for s in contract.sections if s.level == "Champ d'intervention"] == [
        "Accompagnement des équipes",
        "Aide au pilotage des écoles",
        "Accompagnement individuel des enseignants durant la carrière",
        "Partenariats",
    ]
    assert len(contract.objectives) == 4
    indicators = [i for o in contract.objectives for i in o.indicators]
    assert len(indicators) == 6
    assert sum(i.computed is not None for i in indicators) == 5
    assert sum(len(o.criteria) for o in contract.objectives) == 11
    assert sum(len(o.actions) for o in contract.objectives) == 11
    assert [len(li.items) for li in contract.lists] == [3]
    assert all(o.academic_links == ["2"] for o in contract.objectives)


def test_academic_extract_invents_nothing() -> None:
    project, _ = load_document(ACADEMIC)
    assert isinstance(project, AcademicProject)
    assert [a.code for a in project.axes] == ["2"]
    assert project.axes[0].objectives == []


def test_no_extraction_artefacts_left() -> None:
    for path in SAMPLES.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        for artefact in (
            "Epina y",
            "^{",
            "**",
            "<b>",
            "Education nationale",
            "ELEVES",
            "ACCROITRE",
            "➤",
        ):
            assert artefact not in text, (path.name, artefact)


def test_samples_round_trip(tmp_path: Path) -> None:
    for path in (EPINAY, THIONVILLE):
        contract = load(path)
        exported = dump_contract(contract)
        copy = tmp_path / path.name
        copy.write_text(exported, encoding="utf-8")
        again = load(copy)
        assert again == contract
        assert dump_contract(again) == exported


def test_examples_in_the_user_guide_import(tmp_path: Path) -> None:
    """Every complete example file in docs/format-contrat.md is accepted as written."""
    import re

    from revue.services.imports import import_files
    from revue.store.store import Store

    guide = (SAMPLES.parent / "docs" / "format-contrat.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```toml\n(.*?)```", guide, re.S) if b.startswith("format =")]
    assert len(blocks) >= 2
    paths = []
    for number, block in enumerate(blocks):
        path = tmp_path / f"exemple-{number}.toml"
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    store = Store.open(f"sqlite:///{tmp_path / 'guide.sqlite3'}")
    try:
        done, errors = import_files(store, paths)
    finally:
        store.close()
    assert errors == []
    assert len(done) == len(blocks)
