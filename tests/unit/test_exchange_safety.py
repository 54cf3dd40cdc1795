"""Hostile exchange files (tests/hostile_exchanges.py), signatures between stores, trust on first
use, bounds, and edits that started from a version that moved on meanwhile."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from revue.cli.main import main
from revue.domain.errors import InputError, RevueError, UntrustedFile
from revue.domain.history import UNSIGNED_NOTE
from revue.domain.log import Content, Version, find_cycle, merge_heads
from revue.formats.exchange import default_file_name, read_exchange
from revue.store.store import Store
from tests import hostile_exchanges as hostile
from tests.helpers import table_counts

IEN = "Agnès Roux (IEN, fictive)"
CASES = {case.name: case for case in hostile.corpus()}
_seen: dict[str, int] = {"refused": 0, "ask": 0, "accepted": 0}


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding both sample logs, whose keys and Mallory's were accepted."""
    path = tmp_path_factory.mktemp("modele") / "revue.sqlite3"
    store = Store.open(_url(path), author=IEN)
    try:
        for sample in (hostile.CLAIRE_FILE, hostile.PAUL_FILE):
            exchange = read_exchange(sample)
            store.import_exchange(exchange, accept=set(exchange.signers()))
        first = tmp_path_factory.mktemp("m") / "mallory.json"
        first.write_bytes(
            hostile.file_of(
                [hostile._fresh(hostile.MALLORY, theme="Première de Mallory")],
                hostile.MALLORY,
                hostile.MALLORY_NAME,
            )
        )
        store.import_exchange(read_exchange(first), accept={hostile.MALLORY.fingerprint})
    finally:
        store.close()
    return path


@pytest.fixture
def victim(template: Path, tmp_path: Path) -> Iterator[str]:
    folder = tmp_path / "victime"
    folder.mkdir()
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{template}{suffix}")
        if source.exists():
            shutil.copy(source, folder / f"revue.sqlite3{suffix}")
    yield _url(folder / "revue.sqlite3")


def _counts(url: str) -> dict[str, int]:
    store = Store.open(url)
    try:
        return table_counts(store)
    finally:
        store.close()


def _french_refusal(err: str, path: Path) -> None:
    assert str(path) in err, err
    assert "Traceback" not in err and not re.search(r"\b\w+(Error|Exception)\b", err), err
    french = r"[éèàùçêâîô«»]|\b(le|la|les|de|du|un|une|est|pas)\b"
    assert re.search(french, err.replace(str(path), "")), err  # a French sentence, not a code


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_hostile_file_is_refused_asked_about_or_cleanly_accepted(
    name: str, victim: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    path = tmp_path / f"{name}.json"
    path.write_bytes(case.data)
    before = _counts(victim)
    code = main(["--db", victim, "exchange", "import", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    _seen[case.expect] += 1
    if case.expect == "refused":
        assert code == 1, (out, err)
        _french_refusal(err, path)
        assert _counts(victim) == before
    elif case.expect == "ask":
        assert code == 1, (out, err)
        _french_refusal(err, path)
        assert "--trust" in err and ("empreinte" in err or "non signé" in err)
        assert _counts(victim) == before
        assert main(["--db", victim, "exchange", "import", "--trust", str(path)]) == 0
        assert "ajoutés : 1" in capsys.readouterr().out
    else:
        assert code == 0, (out, err)
        assert re.search(r"ajoutés : \d+, mis à jour : \d+", out)


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.expect == "refused"))
def test_hostile_files_are_refused_the_same_with_signatures_verified_alongside(
    name: str,
    victim: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On PostgreSQL a large file's signatures are verified in a thread while the merge writes
    (revue.store.log._in_thread); forced here for these small files on SQLite: every refusal
    is the same, and nothing is written."""
    from revue.store import log

    in_thread = log._in_thread
    monkeypatch.setattr(log, "IN_THREAD_FROM", 0)
    monkeypatch.setattr(
        log,
        "_in_thread",
        lambda work, versions, alongside: in_thread(work, versions, alongside=True),
    )
    path = tmp_path / f"{name}.json"
    path.write_bytes(CASES[name].data)
    before = _counts(victim)
    code = main(["--db", victim, "exchange", "import", str(path)])
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    _french_refusal(err, path)
    assert _counts(victim) == before


def test_forged_edits_by_an_accepted_colleague_are_credited_to_her(
    victim: str, tmp_path: Path
) -> None:
    """Mallory (accepted once) may change anyone's entry, as anyone may in the app: history
    says it was she, never the entry's author."""
    store = Store.open(victim)
    try:
        path = tmp_path / "suppression.json"
        path.write_bytes(CASES["suppression-par-mallory"].data)
        report = store.import_exchange(read_exchange(path))
        assert report.updated == 1
        (entry,) = read_exchange(path)
        history = store.accompaniment_history(entry.id)
        assert [h.author for h in history] == [hostile.CLAIRE_NAME, hostile.MALLORY_NAME]
        assert history[-1].content["deleted"] is True
    finally:
        store.close()


def test_an_unsigned_file_accepted_is_credited_to_nobody(victim: str, tmp_path: Path) -> None:
    path = tmp_path / "ancien.json"
    path.write_bytes(CASES["ancien-format"].data)
    store = Store.open(victim)
    try:
        with pytest.raises(UntrustedFile) as asked:
            store.import_exchange(read_exchange(path))
        assert asked.value.unsigned
        assert store.import_exchange(read_exchange(path), unsigned=True).added == 1
        (entry,) = read_exchange(path)
        assert [(h.author, h.note) for h in store.accompaniment_history(entry.id)] == [
            ("", UNSIGNED_NOTE)
        ]
    finally:
        store.close()


def test_zz_corpus_counts() -> None:
    """How the corpus came out (run with -s to read it)."""
    counts = {e: sum(c.expect == e for c in CASES.values()) for e in _seen}
    print(f"\nfichiers hostiles : {len(CASES)} — {counts}")
    assert len(CASES) >= 60 and counts["refused"] >= 55


# --- between two stores ---------------------------------------------------------------------


def _content(notes: str = "Visite", **kw: object) -> Content:
    base: dict[str, object] = {
        "date": dt.date(2019, 1, 10),
        "author": "Claire Martin",
        "modality": "collective",
        "initiative": "team",
        "schools": ("0570001A",),
        "theme": "Lecture",
        "notes": notes,
    }
    base.update(kw)
    return Content(**base)  # type: ignore[arg-type]


@pytest.fixture
def three(tmp_path: Path) -> Iterator[tuple[Store, Store, Store]]:
    stores = (
        Store.open(_url(tmp_path / "claire.sqlite3"), author="Claire Martin"),
        Store.open(_url(tmp_path / "ien.sqlite3"), author=IEN),
        Store.open(_url(tmp_path / "paul.sqlite3"), author="Paul Durand"),
    )
    yield stores
    for store in stores:
        store.close()


def _send(source: Store, path: Path) -> Path:
    path.write_text(source.export_exchange(None, dt.datetime(2019, 6, 1)).text, encoding="utf-8")
    return path


def test_signature_round_trip_between_stores(
    three: tuple[Store, Store, Store], tmp_path: Path
) -> None:
    claire, ien, paul = three
    entry = claire.add_accompaniment(_content())
    other = claire.add_accompaniment(_content("Autre visite", date=dt.date(2019, 2, 2)))
    first = _send(claire, tmp_path / "1.json")
    with pytest.raises(UntrustedFile) as asked:
        ien.import_exchange(read_exchange(first))
    ((name, fingerprint),) = asked.value.keys
    assert (name, fingerprint) == ("Claire Martin", claire.own_key().fingerprint)
    assert ien.import_exchange(read_exchange(first), accept={fingerprint}).added == 2
    assert ien.import_exchange(read_exchange(first)).unchanged == 2  # known from now on
    current, _ = ien.get_accompaniment(entry.id)
    ien.update_accompaniment(entry.id, dataclasses.replace(current.content, notes="Vu par l'IEN"))
    relayed = _send(ien, tmp_path / "2.json")
    exchange = read_exchange(relayed)
    assert set(exchange.signers()) == {fingerprint, ien.own_key().fingerprint}
    by_id = {v.id: v for v in exchange}
    assert by_id[other.id].signer == fingerprint  # relayed with Claire's own signature
    assert by_id[entry.id].signer == ien.own_key().fingerprint
    back = claire.import_exchange(exchange, accept={ien.own_key().fingerprint})
    assert (back.updated, back.unchanged) == (1, 1)
    assert [h.author for h in claire.accompaniment_history(entry.id)] == ["Claire Martin", IEN]
    # Paul knows neither key: both are asked about, each with its own name
    with pytest.raises(UntrustedFile) as both:
        paul.import_exchange(read_exchange(relayed))
    assert {n for n, _ in both.value.keys} == {"Claire Martin", IEN}
    # Claire's own file back from the IEN: her key is her own, nothing to ask
    assert claire.import_exchange(read_exchange(relayed)).unchanged == 2


def test_a_version_signed_by_the_files_own_key_is_checked_when_it_is_relayed(
    three: tuple[Store, Store, Store], tmp_path: Path
) -> None:
    """A version signed by the key that signs the whole file is vouched for by the file's
    signature, which covers every byte of it: the merge does not verify its own signature (a
    10,000-entry file merges in half the time). What that signature is for, relaying, is
    checked by whoever receives it relayed: a bad one (only the key's holder could write it,
    the file's signature covers it) makes the relayed file refused there, naming the key."""
    claire, ien, paul = three
    for day in (1, 2):
        claire.add_accompaniment(_content(f"Visite {day}", date=dt.date(2019, 2, day)))
    document = json.loads(claire.export_exchange(None, dt.datetime(2019, 6, 1)).text)
    first, second = document["accompaniments"]
    first["signature"], second["signature"] = second["signature"], first["signature"]
    own = claire.keys.own()
    swapped = tmp_path / "claire.json"
    swapped.write_bytes(hostile._dump(hostile.sign_file(document, own, "Claire Martin")))
    received = ien.import_exchange(read_exchange(swapped), accept={own.fingerprint})
    assert received.added == 2
    relayed = _send(ien, tmp_path / "ien.json")
    exchange = read_exchange(relayed)
    before = table_counts(paul)
    with pytest.raises(InputError, match="ne vient pas de la clé de Claire Martin") as refused:
        paul.import_exchange(exchange, accept=set(exchange.signers()))
    assert str(relayed) in str(refused.value)
    assert table_counts(paul) == before
    # the same two versions, exported by Claire as revue signs them, relay cleanly
    sound = _send(claire, tmp_path / "claire-sain.json")
    assert paul.import_exchange(read_exchange(sound), accept={own.fingerprint}).added == 2


def test_a_tampered_file_is_refused_whole(
    three: tuple[Store, Store, Store], tmp_path: Path
) -> None:
    claire, ien, _ = three
    claire.add_accompaniment(_content("Texte d'origine"))
    path = _send(claire, tmp_path / "claire.json")
    ien.import_exchange(read_exchange(path), accept=set(read_exchange(path).signers()))
    claire.add_accompaniment(_content("Deuxième", date=dt.date(2019, 2, 1)))
    path = _send(claire, tmp_path / "claire2.json")
    text = path.read_text(encoding="utf-8").replace("Deuxième", "Deuxieme", 1)
    path.write_text(text, encoding="utf-8")
    before = table_counts(ien)
    with pytest.raises(InputError, match="signature du fichier invalide") as refused:
        ien.import_exchange(read_exchange(path))
    assert str(path) in str(refused.value)
    assert table_counts(ien) == before


def test_a_changed_key_is_refused_until_the_old_one_is_removed(
    three: tuple[Store, Store, Store],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    claire, ien, _ = three
    claire.add_accompaniment(_content())
    old = claire.own_key().fingerprint
    first = _send(claire, tmp_path / "avant.json")
    ien.import_exchange(read_exchange(first), accept={old})
    # Claire's laptop is replaced: a new store, a new key, the same name
    new = Store.open(_url(tmp_path / "claire-neuf.sqlite3"), author="Claire Martin")
    try:
        new.add_accompaniment(_content("Sur le nouvel ordinateur", date=dt.date(2019, 3, 1)))
        second = _send(new, tmp_path / "apres.json")
    finally:
        new.close()
    url = ien.url
    ien.close()
    before = _counts(url)
    assert main(["--db", url, "exchange", "import", "--trust", str(second)]) == 1
    err = capsys.readouterr().err
    assert "autre clé" in err and "trust remove" in err and str(second) in err
    assert _counts(url) == before
    assert main(["--db", url, "exchange", "trust", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing.splitlines()[0].startswith("Cet ordinateur : ")
    assert "Claire Martin — empreinte" in listing
    assert main(["--db", url, "exchange", "trust", "remove", old[:8]]) == 0
    assert "n'est plus acceptée" in capsys.readouterr().out
    assert main(["--db", url, "exchange", "import", str(first)]) == 1  # its signer is out
    assert "retirée de la confiance" in capsys.readouterr().err
    assert main(["--db", url, "exchange", "import", str(second)]) == 1
    assert "empreinte" in capsys.readouterr().err  # a key never seen: asked about
    assert main(["--db", url, "exchange", "import", "--trust", str(second)]) == 0
    assert "ajoutés : 1" in capsys.readouterr().out


def test_a_removed_key_is_refused(three: tuple[Store, Store, Store], tmp_path: Path) -> None:
    claire, ien, _ = three
    claire.add_accompaniment(_content())
    path = _send(claire, tmp_path / "1.json")
    ien.import_exchange(read_exchange(path), accept={claire.own_key().fingerprint})
    ien.remove_trusted_key(claire.own_key().fingerprint[:12])
    claire.add_accompaniment(_content("Encore", date=dt.date(2019, 4, 1)))
    path = _send(claire, tmp_path / "2.json")
    with pytest.raises(InputError, match="retirée de la confiance"):
        ien.import_exchange(read_exchange(path))
    assert ien.trust_file_keys(read_exchange(path)) == ["Claire Martin"]
    assert ien.import_exchange(read_exchange(path)).added == 1


def test_trust_add_accepts_a_file_s_keys_without_importing(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "exchange", "trust", "add", str(hostile.PAUL_FILE)]) == 0
    out = capsys.readouterr().out
    assert f"Clé de {hostile.PAUL_NAME} acceptée." in out
    assert f"Clé de {hostile.CLAIRE_NAME} acceptée." in out  # the entries Paul relays
    assert _counts(db_url)["accompaniments"] == 0
    assert main(["--db", db_url, "exchange", "import", str(hostile.PAUL_FILE)]) == 0


def test_export_names_the_file_after_its_author_and_date(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert default_file_name("Claire Martin (CPC)", dt.date(2019, 6, 28)) == (
        "echange-claire-martin-cpc-2019-06-28.json"
    )
    assert default_file_name("Agnès Œuvré", dt.date(2019, 6, 28)).startswith("echange-agnes-")
    assert main(["config", "set", "user", "Claire Martin"]) == 0
    monkeypatch.chdir(tmp_path)
    assert main(["--db", db_url, "exchange", "export"]) == 0
    out = capsys.readouterr().out
    assert f"echange-claire-martin-{dt.date.today():%Y-%m-%d}.json" in out
    assert "empreinte" in out


# --- bounds and lineage ---------------------------------------------------------------------


def test_typed_text_loses_its_control_characters_and_numbers_stay_in_bounds(
    store: Store,
) -> None:
    saved = store.add_accompaniment(_content("a\x1b[31mb\r\nc\x00"))
    assert saved.content.notes == "a[31mb\nc"
    with pytest.raises(RevueError, match="nombre entre 0 et"):
        store.add_accompaniment(_content(duration_minutes=10**20))
    with pytest.raises(RevueError, match="date hors des bornes"):
        store.add_accompaniment(_content(date=dt.date(1789, 7, 14)))


def test_merge_heads_keeps_every_version_of_a_cycle() -> None:
    base = Version.first(_content())
    a = dataclasses.replace(base.edited(_content("A")), ancestors=frozenset())
    b = dataclasses.replace(base.edited(_content("B")), ancestors=frozenset({a.version}))
    a = dataclasses.replace(a, ancestors=frozenset({b.version}))
    assert find_cycle([a, b]) is not None
    shown, others = merge_heads([a, b])
    assert {shown.version, *(o.version for o in others)} == {a.version, b.version}
    assert find_cycle([base, base.edited(_content("C"))]) is None


def test_every_version_hash_covers_the_ancestors() -> None:
    first = Version.first(_content())
    second = first.edited(_content("Suite"))
    assert second.is_valid()
    widened = dataclasses.replace(second, ancestors=second.ancestors | {"f" * 64})
    assert not widened.is_valid()


# --- an edit started from a version that moved on ----------------------------------------


def test_an_edit_on_a_version_that_moved_on_is_kept_beside_it(store: Store) -> None:
    opened = store.add_accompaniment(_content("Début"))
    meanwhile = store.update_accompaniment(opened.id, _content("Début. Ajout du collègue."))
    saved = store.save_edit(opened.id, opened, _content("Début. Mon ajout."))
    assert saved.conflict
    current, conflicts = store.get_accompaniment(opened.id)
    notes = {current.content.notes, *(c.content.notes for c in conflicts)}
    assert notes == {"Début. Ajout du collègue.", "Début. Mon ajout."}
    assert meanwhile.version in {current.version, *(c.version for c in conflicts)}
    again = store.save_edit(opened.id, opened, _content("Début. Mon ajout."))
    assert again.conflict and len(store.get_accompaniment(opened.id)[1]) == 1  # not twice
    # from the version it shows, an edit goes on as usual once the conflict is settled
    store.resolve_conflict(opened.id, saved.version.version)
    current, _ = store.get_accompaniment(opened.id)
    assert not store.save_edit(opened.id, current, _content("Fin")).conflict


def test_a_restore_on_a_version_that_moved_on_is_kept_beside_it(store: Store) -> None:
    opened = store.add_accompaniment(_content("Première"))
    store.update_accompaniment(opened.id, _content("Deuxième"))
    shown, _ = store.get_accompaniment(opened.id)
    history = store.accompaniment_history(opened.id)
    store.update_accompaniment(opened.id, _content("Troisième, d'un collègue"))
    saved = store.restore_accompaniment(opened.id, history[0].id, base=shown)
    assert saved.conflict
    current, conflicts = store.get_accompaniment(opened.id)
    assert {current.content.notes, *(c.content.notes for c in conflicts)} == {
        "Première",
        "Troisième, d'un collègue",
    }


def test_the_sample_files_are_signed_by_the_sample_keys() -> None:
    for path, key in ((hostile.CLAIRE_FILE, hostile.CLAIRE), (hostile.PAUL_FILE, hostile.PAUL)):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["exporter"] == key.fingerprint and document["format_version"] == 2


def test_a_received_entry_edited_here_keeps_its_signer_in_its_history(
    three: tuple[Store, Store, Store], tmp_path: Path
) -> None:
    claire, ien, _ = three
    entry = claire.add_accompaniment(_content("Texte de Claire", author="Claire M."))
    path = _send(claire, tmp_path / "claire.json")
    ien.import_exchange(read_exchange(path), accept=set(read_exchange(path).signers()))
    current, _ = ien.get_accompaniment(entry.id)
    ien.update_accompaniment(entry.id, dataclasses.replace(current.content, notes="Corrigé"))
    history = ien.accompaniment_history(entry.id)
    assert [(h.author, h.content["notes"]) for h in history] == [
        ("Claire Martin", "Texte de Claire"),  # the key's name, not the author typed
        (IEN, "Corrigé"),
    ]
