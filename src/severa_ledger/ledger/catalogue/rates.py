"""The kinds of value ``record_exchange_rate`` takes: a currency code and a rate (R32).

Each reads the value as text, as every edge hands it over, and states in its
JSON schema exactly what the ledger accepts, so a value valid by the schema is
never refused as bad input: a currency is one of ISO 4217's (not the base,
EUR), a rate a positive decimal below 1,000,000 with at most 10 decimals.
"""

from __future__ import annotations

from typing import Any

import attrs
import iso4217

from severa_ledger.domain import inputs
from severa_ledger.domain.exchange import BASE, RATE_DECIMALS

#: The currencies a rate may price: ISO 4217 codes with a minor unit, other than EUR.
QUOTES = tuple(
    sorted(c.code for c in iso4217.Currency if c.exponent is not None and c.code != BASE)
)
#: A positive rate, at most 6 integer digits and 10 decimals, written without a sign.
RATE_PATTERN = (
    rf"^(?:[1-9][0-9]{{0,5}}(?:\.[0-9]{{1,{RATE_DECIMALS}}})?"
    rf"|0\.[0-9]{{0,{RATE_DECIMALS - 1}}}[1-9]){inputs.END}"
)


@attrs.frozen
class Quote:
    """The currency a rate prices: an ISO 4217 code other than EUR, such as NOK."""

    def from_json(self, raw: object, what: str) -> str:
        """Return ``raw`` as a checked text (the ledger refuses an unknown code by name)."""
        return inputs.text(raw, what, 3)

    from_text = from_json
    from_python = from_json

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema: the ISO 4217 codes."""
        return {"type": "string", "enum": list(QUOTES)}

    doc = "an ISO 4217 currency code other than EUR, such as `NOK`"


@attrs.frozen
class Rate:
    """An exchange rate as a decimal string, such as 11.7125 (never a float, R11)."""

    def from_json(self, raw: object, what: str) -> str:
        """Return ``raw`` as a checked text (the ledger refuses a malformed rate by name)."""
        return inputs.text(raw, what, 32)

    from_text = from_json
    from_python = from_json

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema: a positive decimal string."""
        return {"type": "string", "pattern": RATE_PATTERN, "examples": ["11.7125"]}

    doc = "a decimal string above 0 and below 1000000, at most 10 decimals, such as `11.7125`"
