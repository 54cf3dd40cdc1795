"""Only revue.app may import Textual: the store, the formats and the CLI stay plain Python."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import revue

PACKAGE = Path(revue.__file__).parent


def test_no_textual_outside_the_app_package() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "app":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in {"textual", "rich"}:
                    offenders.append(f"{relative}:{node.lineno} imports {name}")
    assert offenders == []


def test_cli_store_and_formats_load_without_textual() -> None:
    code = (
        "import sys\n"
        "import revue.cli.main, revue.store.store, revue.formats.contract_toml, revue.services.imports\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_screens_run_no_sql() -> None:
    """Screens ask the store; they never build queries themselves."""
    for path in (PACKAGE / "app").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "sqlalchemy" not in source, path
        assert "revue.store.models" not in source, path


def test_contract_list_on_a_current_store_loads_no_orm(sample_url: str) -> None:
    """`revue contract list` is what one types to find an identifier: on a store at the
    current schema it reads the list without SQLAlchemy's ORM or the models."""
    code = (
        "import sys\n"
        "from revue.cli.main import main\n"
        f"code = main(['--db', {sample_url!r}, 'contract', 'list'])\n"
        "loaded = [m for m in ('sqlalchemy.orm', 'revue.store.models', 'alembic', 'textual')\n"
        "          if m in sys.modules]\n"
        "print('LOADED', loaded, code)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "epinay-2018-2020" in out.stdout
    assert "LOADED [] 0" in out.stdout


def test_start_up_loads_no_signing_library() -> None:
    """The first screen waits for nothing it does not show: the exchange format and the
    signing library load when an exchange is read or written."""
    code = (
        "import sys\n"
        "import revue.app.factory\n"
        "print([m for m in ('cryptography', 'revue.formats.exchange', 'revue.store.keys')\n"
        "       if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
