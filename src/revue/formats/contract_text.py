"""A contract read from its TOML text rather than from a file: what the editor and the
contract history check and restore.

Every edit made in the app is written out with :func:`dump_contract` and read back here through
the import's own parser, so an edited contract passes exactly the checks (and gives exactly the
French messages) of ``revue contract import``, and what is stored is the canonical text's
contract: export → import → export stays byte-identical.
"""

from __future__ import annotations

from revue.domain.contract import Contract
from revue.formats.contract_toml import CONTRACT_FORMAT, dump_contract, parse_contract
from revue.formats.fields import Context
from revue.formats.tomlfile import parse_toml_bytes

#: The name edits are reported under (the import names the file instead).
EDITED = "contrat en cours de saisie"


def contract_from_text(text: str, name: str = EDITED) -> Contract:
    """The contract of a ``revue-contrat`` TOML text; :class:`InputError` (or
    :class:`InputErrors`, every problem at once) naming ``name``, the line and the field."""
    data, locator = parse_toml_bytes(text.encode("utf-8"), name)
    ctx = Context(name, locator)
    top = ctx.table(data, ())
    if top.data.get("format") != CONTRACT_FORMAT:
        top.fail("format", f'format = "{CONTRACT_FORMAT}" attendu en tête du contrat')
    return parse_contract(top)


def checked(contract: Contract, name: str = EDITED) -> tuple[Contract, str]:
    """``contract`` through the import's checks: the contract its canonical text gives, and that
    text. Raises the import's :class:`InputError` when the file would be refused."""
    text = dump_contract(contract)
    return contract_from_text(text, name), text
