"""Text from the data never acts on the terminal: escape sequences held by older data (or an
exchange file from before the importers refused them) are drawn as nothing."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console

from revue.app.factory import make_app
from revue.domain.contract import Contract
from revue.domain.log import Content
from revue.formats.contract_toml import load_document
from revue.store.store import Store
from tests.helpers import EPINAY, open_log, settle

TITLE = "Esc\x1b]0;pwned\x07 Contrat"
AUTHOR = "Esc\x1b]0;pwned\x07 Auteur"
THEME = "\x1b[2J\x1b[31mROUGE"


def _terminal_bytes(app) -> str:  # type: ignore[no-untyped-def]
    """What the app would send to the terminal for its whole screen, as the driver gets it."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=120)
    console.print(app.screen._compositor.render_update(full=True))
    return out.getvalue()


def _hostile_store(url: str) -> None:
    store = Store.open(url)
    try:
        contract, _ = load_document(EPINAY)
        assert isinstance(contract, Contract)
        contract.title = TITLE
        store.save_contract(contract)
        store.add_accompaniment(
            Content(
                date=dt.date(2019, 3, 19),
                author=AUTHOR,
                modality="collective",
                initiative="team",
                network="REP Épinay",
                theme=THEME,
                notes="\x1b[2J effacé ?",
            )
        )
    finally:
        store.close()


def _assert_inert(sent: str) -> None:
    assert "\x1b]0;" not in sent  # no window title change
    assert "\x07" not in sent  # no bell
    assert "\x1b[2J" not in sent  # no screen wipe
    assert "\x1b[31m" not in sent  # the data's own colour


async def test_the_contract_list_and_the_log_draw_escapes_as_nothing(db_url: str) -> None:
    _hostile_store(db_url)
    app = make_app(db_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sent = _terminal_bytes(app)
        _assert_inert(sent)
        assert "Contrat" in sent
        await open_log(pilot)
        sent = _terminal_bytes(app)
        _assert_inert(sent)
        assert "ROUGE" in sent  # the text is shown, its escapes are not
        assert "Auteur" in sent
