"""Snapshots of the import and export dialogs, at 120×40 and 80×24."""

from __future__ import annotations

from pathlib import Path

import pytest

from revue.app.factory import make_app
from tests.helpers import EPINAY, SIZES, run_keys

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.parametrize("size", SIZES)
def test_import_dialog_reports(
    snap_compare,
    db_url: str,
    size: tuple[int, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A relative path typed in a fixed folder, so the report reads the same on every machine.
    (tmp_path / "contrat-epinay.toml").write_bytes(EPINAY.read_bytes())
    monkeypatch.chdir(tmp_path)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys("i")(pilot)
        pilot.app.screen.query_one("Input").value = "contrat-epinay.toml"
        await run_keys("enter")(pilot)

    assert snap_compare(make_app(db_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(snap_compare, sample_url: str, size: tuple[int, int]) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys("enter", "e")(pilot)
        pilot.app.screen.query_one("Input").value = "~/contrat-epinay.toml"

    assert snap_compare(make_app(sample_url), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_import_dialog_reports_every_problem(
    snap_compare,
    db_url: str,
    size: tuple[int, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file with five mistakes: the five, each with its line and field, in one run."""
    (tmp_path / "contrat.toml").write_bytes((FIXTURES / "contrat-cinq-erreurs.toml").read_bytes())
    monkeypatch.chdir(tmp_path)

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await run_keys("i")(pilot)
        pilot.app.screen.query_one("Input").value = "contrat.toml"
        await run_keys("enter")(pilot)

    assert snap_compare(make_app(db_url), terminal_size=size, run_before=run)
