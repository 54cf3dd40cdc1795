"""Deleting a contract or a projet académique, from the store and from the command line: a
backup first, a contract with reviews only with --with-reviews, a projet a contract cites
refused with the contracts named; the store is unchanged after a refusal."""

from __future__ import annotations

import pytest

from revue.cli.main import main
from revue.domain.errors import ConflictError, NotFoundError
from revue.domain.review import ReviewKind
from revue.store.backup import list_backups
from revue.store.store import Store
from tests.helpers import EPI, store_path, table_counts

THI = "thionville1-2016-2020"
NANCY = "nancy-metz-extrait"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_deletes_a_contract_without_reviews_after_a_backup(
    capsys: pytest.CaptureFixture[str], sample_url: str
) -> None:
    before = {b.path.name for b in list_backups(store_path(sample_url))}
    code, out, err = run(capsys, "--db", sample_url, "contract", "delete", EPI)
    assert code == 0, err
    assert f"Contrat « {EPI} »" in out and "supprimé" in out
    assert "Sauvegarde faite avant" in err
    made = {b.path.name for b in list_backups(store_path(sample_url))} - before
    assert len(made) == 1 and made.pop().endswith("-suppression.sqlite3")
    store = Store.open(sample_url)
    try:
        assert [c.id for c in store.list_contracts()] == [THI]
        with store.engine.connect() as conn:
            assert (
                conn.exec_driver_sql(
                    "SELECT count(*) FROM objectives WHERE contract_id NOT IN (SELECT id FROM contracts)"
                ).scalar()
                == 0
            )
    finally:
        store.close()


def test_a_contract_with_reviews_needs_with_reviews(
    capsys: pytest.CaptureFixture[str], sample_url: str
) -> None:
    store = Store.open(sample_url)
    store.create_review(EPI, "2018-2019", ReviewKind.ANNUAL)
    counts = table_counts(store)
    store.close()

    code, _, err = run(capsys, "--db", sample_url, "contract", "delete", EPI)
    assert code == 1
    assert "1 revue(s)" in err and "--with-reviews" in err
    store = Store.open(sample_url)
    assert table_counts(store) == counts  # refused: nothing changed
    store.close()

    code, out, err = run(capsys, "--db", sample_url, "contract", "delete", EPI, "--with-reviews")
    assert code == 0, err
    assert "et ses 1 revue(s) supprimé" in out
    store = Store.open(sample_url)
    try:
        assert not store.contract_exists(EPI)
        assert table_counts(store)["reviews"] == 0
    finally:
        store.close()


def test_unknown_contract_and_projet(capsys: pytest.CaptureFixture[str], sample_url: str) -> None:
    code, _, err = run(capsys, "--db", sample_url, "contract", "delete", "inconnu")
    assert code == 1 and "aucun contrat « inconnu »" in err
    code, _, err = run(capsys, "--db", sample_url, "academic", "delete", "inconnu")
    assert code == 1 and "aucun projet académique « inconnu »" in err


def test_a_cited_projet_is_refused_naming_the_contracts(
    capsys: pytest.CaptureFixture[str], sample_url: str
) -> None:
    store = Store.open(sample_url)
    counts = table_counts(store)
    store.close()
    code, _, err = run(capsys, "--db", sample_url, "academic", "delete", NANCY)
    assert code == 1
    assert f"« {THI} »" in err and "ne se supprime pas" in err
    store = Store.open(sample_url)
    try:
        assert table_counts(store) == counts
        assert store.get_academic_project(NANCY) is not None
    finally:
        store.close()

    # once the contract that cites it is gone, the projet goes too
    assert run(capsys, "--db", sample_url, "contract", "delete", THI)[0] == 0
    code, out, err = run(capsys, "--db", sample_url, "academic", "delete", NANCY)
    assert code == 0, err
    assert f"Projet académique « {NANCY} » supprimé." in out
    store = Store.open(sample_url)
    try:
        assert store.get_academic_project(NANCY) is None
        assert NANCY not in {p.id for p in store.list_academic_projects()}
    finally:
        store.close()


def test_store_refusals_leave_everything(sample_url: str) -> None:
    opened = Store.open(sample_url)
    try:
        opened.create_review(THI, "2018-2019", ReviewKind.ANNUAL)
        with pytest.raises(ConflictError, match="--with-reviews"):
            opened.delete_contract(THI)
        with pytest.raises(ConflictError, match=THI):
            opened.delete_academic_project(NANCY)
        with pytest.raises(NotFoundError):
            opened.delete_contract("absent")
        assert opened.contract_exists(THI)
        assert opened.review_count(THI) == 1
        assert opened.citing_contracts(NANCY) == [THI]
    finally:
        opened.close()
