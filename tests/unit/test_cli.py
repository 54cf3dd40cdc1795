"""The command line: import, list, export, version; French messages, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from revue import __version__
from revue.cli.main import main
from tests.helpers import ACADEMIC, EPINAY, THIONVILLE


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"revue {__version__}"


def test_import_list_export_round_trip(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, "--db", db_url, "contract", "import", str(EPINAY), str(THIONVILLE), str(ACADEMIC)
    )
    assert code == 0, err
    assert "epinay-2018-2020" in out and "importé" in out
    assert out.splitlines()[0].startswith(f"{ACADEMIC} : projet académique")

    code, out, _ = run(capsys, "--db", db_url, "contract", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert {line.split("\t")[0] for line in lines} == {"epinay-2018-2020", "thionville1-2016-2020"}

    first = tmp_path / "export1.toml"
    code, _, err = run(
        capsys, "--db", db_url, "contract", "export", "epinay-2018-2020", "-o", str(first)
    )
    assert code == 0 and "écrit" in err
    code, _, _ = run(capsys, "--db", db_url, "contract", "import", "--replace", str(first))
    assert code == 0
    code, second, _ = run(capsys, "--db", db_url, "contract", "export", "epinay-2018-2020")
    assert code == 0
    assert second == first.read_text(encoding="utf-8")


def test_existing_id_refused_without_replace(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    assert run(capsys, "--db", db_url, "contract", "import", str(EPINAY))[0] == 0
    code, _, err = run(capsys, "--db", db_url, "contract", "import", str(EPINAY))
    assert code == 1
    assert "déjà enregistré" in err and "--replace" in err
    code, out, _ = run(capsys, "--db", db_url, "contract", "import", "--replace", str(EPINAY))
    assert code == 0 and "remplacé" in out


def test_bad_file_exits_non_zero_without_traceback(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "abime.toml"
    bad.write_text(
        'format = "revue-contrat"\nformat_version = 1\nid = "x"\ntitle = \n', encoding="utf-8"
    )
    code, out, err = run(capsys, "--db", db_url, "contract", "import", str(bad))
    assert code == 1 and out == ""
    assert f"{bad}, ligne 4" in err and "Traceback" not in err


def test_unknown_contract_export(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, _, err = run(capsys, "--db", db_url, "contract", "export", "inconnu")
    assert code == 1 and "aucun contrat « inconnu »" in err


def test_academic_projects(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    run(capsys, "--db", db_url, "contract", "import", str(ACADEMIC))
    code, out, _ = run(capsys, "--db", db_url, "academic", "list")
    assert code == 0 and out.startswith("nancy-metz-extrait\t")
    code, out, _ = run(capsys, "--db", db_url, "academic", "export", "nancy-metz-extrait")
    assert code == 0 and 'format = "revue-projet-academique"' in out


def test_console_script_runs_in_a_real_process(db_url: str) -> None:
    """The installed entry point, with REVUE_DB instead of --db, and a French usage error."""
    env = {"REVUE_DB": db_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "revue", "contract", "list"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and "Aucun contrat" in done.stderr
    wrong = subprocess.run(
        [sys.executable, "-m", "revue", "contract"], env=env, capture_output=True, text=True
    )
    assert wrong.returncode == 2 and "erreur" in wrong.stderr


def _commands(parser, words=()):  # type: ignore[no-untyped-def]
    """Every (sub)command of the CLI, as the words that name it."""
    import argparse

    yield words
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*words, name))


def test_every_command_has_french_help(capsys: pytest.CaptureFixture[str]) -> None:
    from revue.cli.main import _parser

    commands = list(_commands(_parser()))
    assert len(commands) > 20
    for words in commands:
        with pytest.raises(SystemExit) as stop:
            main([*words, "--help"])
        assert stop.value.code == 0, words
        text = capsys.readouterr().out
        assert text.startswith(f"utilisation : revue {' '.join(words)}".rstrip()), words
        assert "afficher cette aide et quitter" in text, words
        for english in ("usage:", "positional arguments", "show this help", "optional arguments"):
            assert english not in text, (words, english)
        # every argument says what it is
        for line in text.split("options:")[0].splitlines()[1:]:
            if (
                line.startswith("  ")
                and not line.startswith("    ")
                and line.strip().isupper()
                and line.strip() not in ("COMMANDE", "ACTION")
            ):
                raise AssertionError(f"{words}: argument without help: {line.strip()}")


def test_a_missing_argument_is_said_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["bilan"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "arguments obligatoires manquants : ID" in err
    assert "revue bilan --help" in err
