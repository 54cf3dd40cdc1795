"""A contract file with several mistakes: every one reported in one run (up to twenty), each
with file, line and field, and a hint for the usual slips; the store is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from revue.cli.main import main
from revue.domain.errors import InputError, InputErrors
from revue.formats.contract_toml import load_document
from tests.helpers import EPINAY

FIXTURES = Path(__file__).parent.parent / "fixtures"

HEAD = """format = "revue-contrat"
format_version = 1
id = "essai"
title = "Essai"
circonscription = "Essai"
start_date = 2018-06-15
end_date = 2020-06-30
"""


def _refusal(tmp_path: Path, text: str) -> InputError:
    path = tmp_path / "contrat.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_document(path)
    return refused.value


def test_every_problem_of_a_file_in_one_run() -> None:
    with pytest.raises(InputErrors) as refused:
        load_document(FIXTURES / "contrat-cinq-erreurs.toml")
    lines = str(refused.value).splitlines()
    assert len(lines) == 5
    name = str(FIXTURES / "contrat-cinq-erreurs.toml")
    assert lines == [
        f"{name}, ligne 12, champ «\u00a0sections[1].title\u00a0» : le texte ne peut pas être vide",
        f"{name}, ligne 21, champ «\u00a0objectives[1].indicators[1].baseline\u00a0» : un nombre est "
        "attendu, trouvé du texte : écrivez 24.0 sans guillemets (en TOML, le séparateur "
        "décimal est le point)",
        f"{name}, ligne 27, champ «\u00a0objectives[1].indicators[2].target_year\u00a0» : l'année de la "
        "cible (2021-2022) commence après la fin du contrat (30/06/2020) : la dernière année "
        "possible est 2019-2020",
        f"{name}, ligne 32, champ «\u00a0objectives[2].colour\u00a0» : clé inconnue « colour » (clés "
        "possibles ici : academic_links, actions, criteria, id, indicators, section, text, title)",
        f"{name}, ligne 34, champ «\u00a0objectives[2].actions[1].what\u00a0» : valeur obligatoire manquante",
    ]


def test_at_most_twenty_then_a_word_that_more_follow(tmp_path: Path) -> None:
    objectives = "".join(
        f'\n[[objectives]]\nid = "o{n}"\ntext = "Objectif {n}"\ncolour = "bleu"\n'
        for n in range(30)
    )
    refused = _refusal(tmp_path, HEAD + objectives)
    assert isinstance(refused, InputErrors)
    lines = str(refused).splitlines()
    assert len(lines) == 21
    assert all("clé inconnue « colour »" in line for line in lines[:20])
    assert "d'autres erreurs suivent" in lines[20]


def test_one_problem_is_one_plain_error(tmp_path: Path) -> None:
    refused = _refusal(tmp_path, HEAD + '\n[[objectives]]\nid = "o1"\n')
    assert not isinstance(refused, InputErrors)
    assert refused.line == 9 and refused.field == "objectives[1].text"


def test_a_target_year_after_the_contract_is_refused(tmp_path: Path) -> None:
    refused = _refusal(
        tmp_path,
        HEAD
        + '\n[[objectives]]\nid = "o1"\ntext = "Lire"\n\n[[objectives.indicators]]\n'
        + 'label = "Taux"\ntarget = 90\ntarget_year = "2020-2021"\n',
    )
    assert refused.field == "objectives[1].indicators[1].target_year"
    assert "commence après la fin du contrat (30/06/2020)" in str(refused)
    assert "la dernière année possible est 2019-2020" in str(refused)


@pytest.mark.parametrize(
    ("line", "expected_line", "says"),
    [
        (
            "preamble = 24,0",
            8,
            "nombre décimal écrit avec une virgule : en TOML le séparateur décimal est le "
            "point (écrivez 24.0)",
        ),
        (
            'preamble = "Texte sans fin',
            8,
            "un guillemet ouvre un texte qui n'est pas refermé sur la même ligne",
        ),
        ("preamble = Texte", 8, 'un texte s\'écrit entre guillemets : preamble = "Texte"'),
    ],
    ids=["decimal-comma", "unclosed-quote", "bare-word"],
)
def test_usual_slips_get_a_hint(tmp_path: Path, line: str, expected_line: int, says: str) -> None:
    refused = _refusal(tmp_path, HEAD + line + '\nsignature_place = "Épinay"\n')
    assert refused.line == expected_line
    assert says in str(refused)


def test_an_unclosed_list_is_shown_where_it_opens(tmp_path: Path) -> None:
    text = (
        HEAD
        + '\n[[objectives]]\nid = "o1"\ntext = "Lire"\ncriteria = ["a", "b"\n\n'
        + ('[[objectives]]\nid = "o2"\ntext = "Écrire"\n')
    )
    refused = _refusal(tmp_path, text)
    assert refused.line == 12
    assert refused.field == "criteria"
    assert "la liste ouverte ligne 12 n'est pas fermée" in str(refused)


def test_the_cli_prints_one_line_per_problem_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    assert main(["--db", db_url, "contract", "import", str(EPINAY)]) == 0
    capsys.readouterr()
    code = main(["--db", db_url, "contract", "import", str(FIXTURES / "contrat-cinq-erreurs.toml")])
    assert code == 1
    err = capsys.readouterr().err.splitlines()
    assert len([line for line in err if line.startswith("revue : ") and "ligne" in line]) == 5
    assert main(["--db", db_url, "contract", "list"]) == 0
    listed = capsys.readouterr().out
    assert "epinay-2018-2020" in listed and "essai" not in listed
