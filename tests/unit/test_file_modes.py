"""Who may read what revue writes: files that can name people (exchange files, settings,
backups) are 0600 in 0700 folders whatever the umask; bilans and contract exports are never
writable by the group or others."""

from __future__ import annotations

from pathlib import Path

import pytest

from revue.cli.main import main
from revue.formats.fileio import write_text_atomically
from tests.helpers import CLAIRE, mode, umask

UMASKS = [0o000, 0o022, 0o077]


def _ok(*args: str) -> None:
    assert main(list(args)) == 0


@pytest.mark.parametrize("value", UMASKS, ids=oct)
def test_exchange_exports_are_private(log_url: str, tmp_path: Path, value: int) -> None:
    target = tmp_path / "sortie" / "echange.json"
    target.parent.mkdir()
    with umask(value):
        _ok("--db", log_url, "exchange", "export", "-o", str(target))
        _ok("--db", log_url, "exchange", "export", "-o", str(target))  # over an existing one
    assert mode(target) == 0o600
    assert "Claire Martin" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("value", UMASKS, ids=oct)
def test_settings_are_private_in_a_private_folder(tmp_path: Path, value: int) -> None:
    folder = tmp_path / "home" / "config" / "revue"
    with umask(value):
        _ok("config", "set", "user", "Claire Martin")
    assert mode(folder / "config.toml") == 0o600
    assert mode(folder) == 0o700


def test_settings_left_readable_by_an_earlier_revue_are_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "home" / "config" / "revue"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    (folder / "config.toml").write_text('user = "Claire Martin"\n', encoding="utf-8")
    (folder / "config.toml").chmod(0o666)
    _ok("config", "show")
    assert mode(folder / "config.toml") == 0o600
    _ok("config", "set", "user", "Paul Durand")
    assert mode(folder) == 0o700


@pytest.mark.parametrize("value", UMASKS, ids=oct)
@pytest.mark.parametrize("kind", ["md", "odt"])
def test_bilans_are_never_writable_by_others(
    bilan_url: str, tmp_path: Path, value: int, kind: str
) -> None:
    target = tmp_path / f"bilan.{kind}"
    with umask(value):
        _ok("--db", bilan_url, "bilan", "epinay-2018-2020", "--format", kind, "-o", str(target))
    assert mode(target) == 0o666 & ~value & ~0o022
    assert mode(target) & 0o022 == 0


@pytest.mark.parametrize("value", UMASKS, ids=oct)
def test_contract_exports_are_never_writable_by_others(
    sample_url: str, tmp_path: Path, value: int
) -> None:
    target = tmp_path / "contrat.toml"
    with umask(value):
        _ok("--db", sample_url, "contract", "export", "epinay-2018-2020", "-o", str(target))
    assert mode(target) == 0o666 & ~value & ~0o022


@pytest.mark.parametrize("value", UMASKS, ids=oct)
def test_backups_are_private_in_a_private_folder(
    sample_url: str, tmp_path: Path, value: int
) -> None:
    folder = Path(sample_url.removeprefix("sqlite:///")).parent / "sauvegardes"
    copy = tmp_path / "copie.sqlite3"
    with umask(value):
        _ok("--db", sample_url, "backup", "create")
        _ok(
            "--db", sample_url, "exchange", "import", "--trust", str(CLAIRE)
        )  # a backup before a merge
        _ok("--db", sample_url, "backup", "create", "-o", str(copy))
    assert mode(folder) == 0o700
    backups = list(folder.iterdir())
    assert len(backups) >= 3
    assert {mode(b) for b in backups} == {0o600}
    assert mode(copy) == 0o600


@pytest.mark.parametrize("value", UMASKS, ids=oct)
def test_a_new_store_folder_is_private_down_from_the_first_missing_folder(
    tmp_path: Path, value: int
) -> None:
    url = f"sqlite:///{tmp_path / 'a' / 'b' / 'revue.sqlite3'}"
    with umask(value):
        _ok("--db", url, "contract", "list")
    assert mode(tmp_path / "a") == 0o700
    assert mode(tmp_path / "a" / "b") == 0o700
    assert mode(tmp_path / "a" / "b" / "revue.sqlite3") == 0o600


@pytest.mark.parametrize("value", UMASKS, ids=oct)
def test_the_file_is_never_readable_by_others_while_it_is_written(
    tmp_path: Path, value: int
) -> None:
    """The temporary file is 0600 from the start: a private file is never visible with wider
    permissions, even before the rename."""
    seen: list[int] = []
    target = tmp_path / "prive.json"
    from revue.formats import fileio

    with umask(value), fileio.atomic_target(target, private=True) as tmp:
        seen.append(mode(tmp))
        tmp.write_text("{}", encoding="utf-8")
    assert seen == [0o600]
    assert mode(target) == 0o600
    write_text_atomically(target, "{}", private=True)
    assert mode(target) == 0o600


def test_a_symbolic_link_at_the_target_is_replaced_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "ailleurs.txt"
    elsewhere.write_text("à garder", encoding="utf-8")
    target = tmp_path / "echange.json"
    target.symlink_to(elsewhere)
    write_text_atomically(target, "{}", private=True)
    assert elsewhere.read_text(encoding="utf-8") == "à garder"
    assert not target.is_symlink() and target.read_text(encoding="utf-8") == "{}"


def test_the_default_data_folder_left_open_by_an_earlier_revue_is_tightened() -> None:
    from revue.store.paths import data_dir, default_db_url

    folder = data_dir()
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    _ok("--db", default_db_url(), "academic", "list")
    assert mode(folder) == 0o700
