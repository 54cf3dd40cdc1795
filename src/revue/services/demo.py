"""The sample documents and the demo store (``revue --demo``, the tests)."""

from __future__ import annotations

from pathlib import Path

from revue.domain.errors import RevueError
from revue.services.imports import import_files
from revue.store.store import Store


def sample_data_dir() -> Path:
    """The sample contracts: inside the installed package, or at the root of a checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "sample_data"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "sample_data"


def demo_files() -> list[Path]:
    """The contract and projet files the demo store is filled with."""
    folder = sample_data_dir()
    return sorted([*folder.glob("contrat-*.toml"), *folder.glob("projet-*.toml")])


def fill_demo_store(url: str) -> None:
    """Fill a store with the sample contracts (used by --demo)."""
    store = Store.open(url)
    try:
        _done, errors = import_files(store, list(demo_files()))
    finally:
        store.close()
    if errors:
        raise RevueError("données de démonstration invalides : " + "; ".join(map(str, errors)))
