"""A page form's input attributes, stated from the command catalogue (like the API's schema).

``field("buy_licenses", "quantity")`` gives ``type="number" min="1" max="1000000"
step="1" required``: the browser checks what the catalogue checks, before the
server reads the form by the same definition (:mod:`severa_ledger.web.forms`).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from severa_ledger.domain import inputs
from severa_ledger.domain.company import COMPANY_TEXT
from severa_ledger.ledger.catalogue import COMMANDS
from severa_ledger.ledger.catalogue.company_values import CompanyField
from severa_ledger.ledger.catalogue.credit_lines import CreditLines
from severa_ledger.ledger.catalogue.values import Day, Text, Whole

#: Characters an amount may be written with (ten billion and two decimals).
AMOUNT_LENGTH = 16
#: Credited lines as a form writes them: LINE[:AMOUNT], comma-separated (R33).
LINES_LENGTH = 2000
LINES_PATTERN = r"\s*\d+(:\d+(\.\d{1,2})?)?\s*(,\s*\d+(:\d+(\.\d{1,2})?)?\s*)*"


def _attributes(command: str, name: str) -> dict[str, str]:
    param = COMMANDS[command].by_name[name]
    kind = param.kind
    if isinstance(kind, Whole):
        found = {"type": "number", "min": str(kind.low), "max": str(kind.high), "step": "1"}
    elif isinstance(kind, Day):
        found = {"type": "date", "min": str(inputs.FIRST_DATE), "max": str(inputs.LAST_DATE)}
    elif isinstance(kind, Text):
        found = {"maxlength": str(kind.max_length)}
    elif isinstance(kind, CompanyField):
        found = {"maxlength": str(COMPANY_TEXT[kind.name][0])}
    elif isinstance(kind, CreditLines):  # 3,5:120.00 (R33)
        found = {"maxlength": str(LINES_LENGTH), "pattern": LINES_PATTERN}
    else:  # an amount
        found = {"inputmode": "decimal", "maxlength": str(AMOUNT_LENGTH)}
    return found


def field(command: str, name: str) -> Markup:
    """Return the input attributes of parameter ``name`` of ``command`` (module docstring)."""
    pairs = " ".join(
        f'{key}="{escape(value)}"' for key, value in _attributes(command, name).items()
    )
    required = " required" if COMMANDS[command].by_name[name].required else ""
    return Markup(pairs + required)  # noqa: S704 -- every value escaped above
