"""Control characters: importers refuse them; any stored text still goes through every bilan
writer (older data may hold some)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import tomllib
import zipfile
from pathlib import Path
from xml.dom import minidom

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revue.domain.contract import Contract
from revue.domain.errors import InputError
from revue.domain.review import ReviewKind, Status
from revue.domain.text import control_character, scrubbed, without_controls
from revue.formats.contract_toml import load_document
from revue.formats.schools_csv import read_schools
from revue.services.bilan import export_bilan
from revue.services.imports import import_files
from revue.store.store import Store
from tests.helpers import EPI, EPINAY, table_counts

HOSTILE = [
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[31mROUGE",
    "nul\x00",
    "retour\rchariot",
    "C1\x9b31m",
    "del\x7f",
]


def test_control_character_names_the_character_and_where() -> None:
    assert control_character("ok\n\ttab") is None
    said = control_character("Esc\x1b]0;x")
    assert said is not None
    assert "U+001B" in said
    assert "position 4" in said
    assert without_controls("a\x1b[2Jb\x07c\n\td") == "a[2Jbc\n\td"


@pytest.mark.parametrize("bad", HOSTILE)
def test_a_contract_with_a_control_character_is_refused_with_file_line_and_field(
    store: Store, tmp_path: Path, bad: str
) -> None:
    text = EPINAY.read_text(encoding="utf-8")
    escaped = bad.encode("unicode_escape").decode("ascii").replace("\\x", "\\u00")
    text = text.replace('title = "', f'title = "{escaped}', 1)
    path = tmp_path / "contrat.toml"
    path.write_text(text, encoding="utf-8")
    before = table_counts(store)
    done, errors = import_files(store, [path])
    assert not done
    assert len(errors) == 1
    error = errors[0]
    assert isinstance(error, InputError)
    message = str(error)
    assert "contrat.toml" in message
    assert "caractère de commande" in message
    assert "title" in message
    assert error.line is not None
    assert table_counts(store) == before


def test_schools_with_an_escape_are_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ecoles.csv"
    path.write_text("uai;nom\n0570001A;École A\n0570002B;École \x1b[31mB\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_schools(path)
    assert caught.value.line == 3
    assert "caractère de commande" in str(caught.value)


def test_scrubbed_copies_only_what_changes() -> None:
    @dataclasses.dataclass
    class Inner:
        text: str
        items: list[str]

    clean = Inner("ok", ["a", "b"])
    assert scrubbed(clean) is clean
    dirty = Inner("x\x1b", ["a", "\x07b"])
    out = scrubbed(dirty)
    assert out == Inner("x", ["a", "b"])
    assert dirty.text == "x\x1b"  # the original is left alone
    assert scrubbed(Status.REACHED) is Status.REACHED  # enums are not strings to scrub


_EXAMPLES = itertools.count()

ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    min_size=1,
    max_size=60,
) | st.sampled_from(
    [*HOSTILE, "<b>&amp;</b>", "« guillemets » \"et\" 'apostrophes'", "😀🎉", "x" * 300]
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=ANY_TEXT)
def test_every_bilan_writer_accepts_any_stored_text(db_url: str, tmp_path: Path, text: str) -> None:
    """Stored text written before the importers refused control characters (or typed, with
    « < », « & », quotes, long words, emoji) in a contract, a record, a synthesis and an
    avenant: every writer writes it, open and then frozen at closing — the ODT is valid XML,
    the Markdown is written, the TOML is valid — and what is written is the text, scrubbed."""
    from unittest import mock

    import revue.bilan.odt as odt_module
    from revue.domain.avenant import Avenant, AvenantChange

    example = next(_EXAMPLES)
    url = db_url.replace("revue.sqlite3", f"any-{example}.sqlite3")
    store = Store.open(url)
    try:
        contract, _ = load_document(EPINAY)
        assert isinstance(contract, Contract)
        contract.title = text
        contract.objectives[0].text = text
        store.save_contract(contract)
        review = store.create_review(EPI, "2018-2019", ReviewKind.MIDTERM)
        first = contract.objectives[0].id
        store.save_record(review.id, first, status=Status.IN_PROGRESS, analysis=text)
        store.save_synthesis(review.id, strengths=text, perspectives=f"{text}\n{text}")
        store.record_avenant(
            review.id,
            Avenant(
                1,
                dt.date(2019, 6, 20),
                f"Motif : {text}",  # a reason is required: the text rides along
                [
                    AvenantChange(
                        "objective-text", first, before={"text": text}, after={"text": text + "!"}
                    )
                ],
            ),
        )
        # The page count by LibreOffice is another test's (tests/system): not per example.
        with mock.patch.object(odt_module, "_pdftotext", lambda: None):
            for round_ in ("ouverte", "close"):
                if round_ == "close":
                    store.close_review(review.id)
                for key in ("odt", "md", "toml"):
                    target = tmp_path / f"bilan-{example}-{round_}.{key}"
                    export_bilan(store, EPI, None, key, target)
                    assert target.stat().st_size > 0
                    if key == "odt":
                        with zipfile.ZipFile(target) as odt:
                            minidom.parseString(odt.read("content.xml"))  # well-formed XML
                            minidom.parseString(odt.read("meta.xml"))
                    elif key == "toml":
                        data = tomllib.loads(target.read_text(encoding="utf-8"))  # valid TOML
                        strengths = data["synthesis"].get("strengths", "")
                        assert strengths == without_controls(text)
                        assert data["avenants"][0]["changes"][0]["after"]["text"] == (
                            without_controls(text) + "!"
                        )
    finally:
        store.close()
