"""The contract TOML format: round trip, and every kind of bad input refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from revue.domain.contract import Contract
from revue.domain.errors import InputError
from revue.formats.contract_toml import dump_contract, load_document
from revue.services.imports import import_files
from revue.store.store import Store
from tests.helpers import table_counts

VALID = """\
format = "revue-contrat"
format_version = 1
id = "essai-2019-2021"
title = "Contrat d'essai"
circonscription = "Essai-sur-Mer"
start_date = 2019-09-01
end_date = 2021-08-31

[[sections]]
id = "s1"
level = "Stratégie"
code = "1"
title = "Une stratégie"

[[objectives]]
id = "o1"
section = "s1"
text = "Un objectif"

[[objectives.indicators]]
label = "Taux de réussite"
unit = "%"
baseline = 62.5
baseline_year = "2018-2019"
target = 80
target_year = "2020-2021"

[[sections]]
id = "s1-a"
parent = "s1"
level = "Priorité"
title = "Une priorité"

[[objectives]]
id = "o2"
section = "s1-a"
text = "Un autre objectif"
"""


def write(tmp_path: Path, text: str | bytes, name: str = "contrat.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_valid_contract_reads(tmp_path: Path) -> None:
    contract, _ = load_document(write(tmp_path, VALID))
    assert isinstance(contract, Contract)
    assert [o.id for o in contract.objectives] == ["o1", "o2"]
    indicator = contract.objectives[0].indicators[0]
    assert (indicator.id, indicator.baseline_value, indicator.target_value) == ("o1-i1", 62.5, 80)


def test_round_trip_is_byte_identical(tmp_path: Path, store: Store) -> None:
    first_file = write(tmp_path, VALID)
    assert import_files(store, [first_file])[1] == []
    first = dump_contract(store.get_contract("essai-2019-2021"))
    second_file = write(tmp_path, first, "export1.toml")
    assert import_files(store, [second_file], replace=True)[1] == []
    second = dump_contract(store.get_contract("essai-2019-2021"))
    assert first == second
    reread, _ = load_document(second_file)
    assert reread == store.get_contract("essai-2019-2021")


# Each case: (name, file content, what the message must contain, expected line or None)
BAD = [
    ("empty", "", "vide", None),
    ("blank", "   \n\n", "vide", None),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binaire", None),
    ("latin-1", VALID.replace("Stratégie", "Strat\xe9gie").encode("latin-1"), "UTF-8", 11),
    ("syntax", VALID.replace('title = "Une stratégie"', 'title = "Une stratégie'), "syntaxe", 13),
    ("missing equals", VALID.replace('code = "1"', 'code "1"'), "syntaxe", 12),
    (
        "impossible date",
        VALID.replace("start_date = 2019-09-01", "start_date = 2018-02-30"),
        "date",
        6,
    ),
    (
        "impossible date as text",
        VALID.replace("start_date = 2019-09-01", 'start_date = "2018-02-30"'),
        "2018-02-30",
        6,
    ),
    (
        "end before start",
        VALID.replace("end_date = 2021-08-31", "end_date = 2019-08-31"),
        "postérieure",
        7,
    ),
    ("wrong type", VALID.replace("target = 80", 'target = "quatre-vingts"'), "nombre", 25),
    ("wrong type title", VALID.replace('title = "Contrat d\'essai"', "title = 12"), "texte", 4),
    ("missing title", VALID.replace('title = "Contrat d\'essai"\n', ""), "obligatoire", None),
    ("missing objective text", VALID.replace('text = "Un objectif"\n', ""), "obligatoire", 15),
    ("unknown key", VALID.replace('code = "1"', 'code = "1"\ncolour = "bleu"'), "inconnue", 13),
    ("unknown top key", 'auteur = "moi"\n' + VALID, "inconnue", 1),
    ("duplicate id", VALID.replace('id = "o2"', 'id = "o1"'), "déjà utilisé", 35),
    ("duplicate section id", VALID.replace('id = "s1-a"', 'id = "s1"'), "déjà utilisé", 29),
    ("unknown parent", VALID.replace('parent = "s1"', 'parent = "s9"'), "inconnue", 30),
    (
        "unknown section",
        VALID.replace('section = "s1-a"', 'section = "nulle-part"'),
        "inconnue",
        36,
    ),
    ("bad slug", VALID.replace('id = "essai-2019-2021"', 'id = "Essai 2019"'), "invalide", 3),
    ("bad school year", VALID.replace('"2018-2019"', '"2018-2020"'), "année scolaire", 24),
    ("baseline without year", VALID.replace('baseline_year = "2018-2019"\n', ""), "année", None),
    (
        "bad direction",
        VALID.replace('target_year = "2020-2021"', 'target_year = "2020-2021"\ndirection = "up"'),
        "up",
        27,
    ),
    ("not a contract", 'titre = "x"\n', "format", None),
    (
        "future version",
        VALID.replace("format_version = 1", "format_version = 7"),
        "mettez revue à jour",
        2,
    ),
    (
        "links without projet",
        VALID.replace(
            'text = "Un autre objectif"', 'text = "Un autre objectif"\nacademic_links = ["1.1"]'
        ),
        "academic_project",
        38,
    ),
    ("deep nesting", "a = " + "[" * 5000 + "]" * 5000 + "\n", "imbrication", None),
    (
        "deep sections",
        VALID
        + "".join(
            f'\n[[sections]]\nid = "d{i}"\nparent = "{"s1" if i == 0 else f"d{i - 1}"}"\n'
            f'level = "Niveau"\ntitle = "Niveau {i}"\n'
            for i in range(20)
        ),
        "profonde",
        None,
    ),
    ("nan", VALID.replace("target = 80", "target = nan"), "fini", 25),
]


@pytest.mark.parametrize(("name", "content", "expected", "line"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_a_french_message(
    tmp_path: Path, store: Store, name: str, content: str | bytes, expected: str, line: int | None
) -> None:
    path = write(tmp_path, content)
    before = table_counts(store)
    done, errors = import_files(store, [path])
    assert done == []
    assert len(errors) == 1
    message = str(errors[0])
    assert str(path) in message
    assert expected in message
    if line is not None:
        assert isinstance(errors[0], InputError)
        assert errors[0].line == line, message
        assert f"ligne {line}" in message
    assert "Traceback" not in message
    assert table_counts(store) == before


def test_absurd_size_is_refused_before_reading(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "enorme.toml"
    with path.open("wb") as handle:
        handle.write(VALID.encode())
        handle.write(b"# " + b"x" * (30 * 1024 * 1024) + b"\n")
    done, errors = import_files(store, [path])
    assert done == [] and "trop volumineux" in str(errors[0])
    assert "30,0 Mo" in str(errors[0])


def test_missing_file(tmp_path: Path, store: Store) -> None:
    _, errors = import_files(store, [tmp_path / "absent.toml"])
    assert "introuvable" in str(errors[0])


def test_links_to_unknown_projet_objectives_are_refused(tmp_path: Path, store: Store) -> None:
    academic = write(
        tmp_path,
        """\
format = "revue-projet-academique"
format_version = 1
id = "pa-essai"
title = "Projet académique d'essai"

[[axes]]
code = "1"
title = "Axe un"

[[axes.objectives]]
code = "1.1"
title = "Objectif un point un"
levers = ["Un levier"]
criteria = ["Un critère"]
""",
        "pa.toml",
    )
    linked = VALID.replace(
        "start_date = 2019-09-01",
        'start_date = 2019-09-01\nacademic_project = { id = "pa-essai", title = "PA" }',
    ).replace('text = "Un autre objectif"', 'text = "Un autre objectif"\nacademic_links = ["1.2"]')
    contract = write(tmp_path, linked)
    done, errors = import_files(store, [contract, academic])
    assert [d.kind for d in done] == ["projet-academique"]
    assert "1.2" in str(errors[0]) and "ligne 39" in str(errors[0])
    assert store.list_contracts() == []
    fixed = write(tmp_path, linked.replace('["1.2"]', '["1.1", "1"]'))
    done, errors = import_files(store, [fixed])
    assert errors == []
    assert store.get_contract("essai-2019-2021").objectives[1].academic_links == ["1.1", "1"]


def test_links_need_the_projet_in_the_store(tmp_path: Path, store: Store) -> None:
    named = VALID.replace(
        "start_date = 2019-09-01",
        'start_date = 2019-09-01\nacademic_project = { id = "pa-absent", title = "PA" }',
    )
    linked = named.replace(
        'text = "Un autre objectif"', 'text = "Un autre objectif"\nacademic_links = ["1.1"]'
    )
    _, errors = import_files(store, [write(tmp_path, linked)])
    assert "pa-absent" in str(errors[0]) and "importez d'abord" in str(errors[0])
    assert store.list_contracts() == []
    # without links, a contract may name its projet before the projet is imported
    done, errors = import_files(store, [write(tmp_path, named, "sans-liens.toml")])
    assert errors == [] and [d.id for d in done] == ["essai-2019-2021"]


def test_duplicate_contract_is_refused_unless_replace(tmp_path: Path, store: Store) -> None:
    path = write(tmp_path, VALID)
    assert import_files(store, [path])[1] == []
    before = table_counts(store)
    _, errors = import_files(store, [path])
    assert "déjà enregistré" in str(errors[0]) and "--replace" in str(errors[0])
    assert table_counts(store) == before
    changed = write(tmp_path, VALID.replace('text = "Un objectif"', 'text = "Objectif révisé"'))
    done, errors = import_files(store, [changed], replace=True)
    assert errors == [] and done[0].replaced
    assert store.get_contract("essai-2019-2021").objectives[0].text == "Objectif révisé"


def test_each_file_is_all_or_nothing(tmp_path: Path, store: Store) -> None:
    good = write(tmp_path, VALID, "bon.toml")
    bad = write(
        tmp_path,
        VALID.replace('id = "essai-2019-2021"', 'id = "autre"').replace('id = "o2"', 'id = "o1"'),
        "mauvais.toml",
    )
    done, errors = import_files(store, [good, bad])
    assert [d.id for d in done] == ["essai-2019-2021"]
    assert "mauvais.toml" in str(errors[0])
    assert [c.id for c in store.list_contracts()] == ["essai-2019-2021"]
