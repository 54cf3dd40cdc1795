"""Thousands of generated bad inputs: no traceback, a French message, the store unchanged."""

from __future__ import annotations

import json
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revue.domain.errors import InputError
from revue.formats.contract_toml import load_document
from revue.formats.exchange import read_exchange
from revue.formats.schools_csv import read_schools
from tests.helpers import EPINAY, SAMPLES

EXAMPLES = 800
#: tmp_path is one folder for all of a test's examples: each writes the same file afresh
#: (a folder per example, from tmp_path_factory, cost more than most readings).
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
VALID_CONTRACT = EPINAY.read_text(encoding="utf-8")
VALID_EXCHANGE = (SAMPLES / "echange-claire-martin-2018-2019.json").read_text(encoding="utf-8")
VALID_CSV = (SAMPLES / "ecoles-thionville1-fictives.csv").read_text(encoding="utf-8")


def mutations(valid: str) -> st.SearchStrategy[bytes]:
    """Random bytes, random text, and the valid file cut, spliced or with characters changed."""

    def mutate(data: tuple[int, int, str]) -> bytes:
        at, length, insert = data
        at %= len(valid)
        return (valid[:at] + insert + valid[at + length :]).encode("utf-8", "surrogatepass")

    return st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.integers(min_value=0, max_value=len(valid)).map(lambda n: valid[:n].encode()),
        st.tuples(
            st.integers(min_value=0),
            st.integers(min_value=0, max_value=50),
            st.text(alphabet=string.printable + "éà«»[]{}=\"'\n", max_size=20),
        ).map(mutate),
    )


def refused_cleanly(read, path: Path, counter: list[int]) -> None:  # type: ignore[no-untyped-def]
    try:
        read(path)
    except InputError as exc:
        message = str(exc)
        assert str(path) in message and "Traceback" not in message
        counter[0] += 1
    except UnicodeEncodeError:  # the generated text could not even be written as UTF-8
        pass


_contract_refusals = [0]
_exchange_refusals = [0]
_csv_refusals = [0]


@SETTINGS
@given(mutations(VALID_CONTRACT))
def test_contract_importer_never_crashes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "contrat.toml"  # one file, rewritten by each example
    path.write_bytes(data)
    refused_cleanly(load_document, path, _contract_refusals)


@SETTINGS
@given(mutations(VALID_EXCHANGE))
def test_exchange_importer_never_crashes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "echange.json"  # one file, rewritten by each example
    path.write_bytes(data)
    refused_cleanly(read_exchange, path, _exchange_refusals)


@SETTINGS
@given(mutations(VALID_CSV))
def test_schools_importer_never_crashes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "ecoles.csv"  # one file, rewritten by each example
    path.write_bytes(data)
    refused_cleanly(read_schools, path, _csv_refusals)


@SETTINGS
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_exchange_entries_of_any_shape_are_refused(tmp_path: Path, junk: object) -> None:
    import hashlib

    document = {
        "format": "revue-echange",
        "format_version": 1,
        "exported_at": "x",
        "author": None,
        "accompaniments": [junk],
    }
    canonical = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()
    document["sha256"] = hashlib.sha256(canonical).hexdigest()
    path = tmp_path / "echange.json"  # one file, rewritten by each example
    path.write_text(json.dumps(document), encoding="utf-8")
    refused_cleanly(read_exchange, path, _exchange_refusals)


def test_zz_report_counts() -> None:
    """Says how many generated files each importer refused (run with -s to read it)."""
    print(
        f"\nrefusés proprement : contrats {_contract_refusals[0]}, échanges "
        f"{_exchange_refusals[0]}, écoles {_csv_refusals[0]}"
    )
