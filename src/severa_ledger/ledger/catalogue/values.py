"""The kinds of value a command parameter takes, each read the same way on every edge.

A kind reads a value three ways, all by the rules of
:mod:`severa_ledger.domain.inputs`:

* ``from_json``: as a JSON edge received it (a command-file line, an API body);
* ``from_text``: as a text edge received it (a CLI argument, a form field, a
  URL path segment);
* ``check``: as a Python caller passed it to a :class:`~severa_ledger.Ledger`
  command.

and states itself as a JSON schema (``schema``) and one line of documentation
(``doc``), for the API's OpenAPI document and the docs' reference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from severa_ledger.domain import inputs
from severa_ledger.domain.errors import (
    InvalidAmountError,
    InvalidCommandError,
    InvalidNumberError,
    LedgerError,
)
from severa_ledger.domain.limits import MAX_LICENSE_KINDS
from severa_ledger.ledger.catalogue.company_values import Company, CompanyField
from severa_ledger.ledger.catalogue.credit_lines import CreditLines
from severa_ledger.ledger.catalogue.rates import Quote, Rate


@attrs.frozen
class Text:
    """Text of at most ``max_length`` code points (``inputs.text``)."""

    max_length: int
    choices: tuple[str, ...] = ()

    def from_json(self, raw: object, what: str) -> str:
        """Return ``raw`` as a checked text."""
        return inputs.text(raw, what, self.max_length)

    from_text = from_json
    from_python = from_json

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema (an enum when the choices are fixed)."""
        if self.choices:
            return {"type": "string", "enum": list(self.choices)}
        return inputs.text_schema(self.max_length)

    @property
    def doc(self) -> str:
        """Say what the value is."""
        if self.choices:
            return "one of " + ", ".join(f"`{c}`" for c in self.choices)
        return f"text, 1 to {self.max_length} characters"


@attrs.frozen
class Day:
    """A date written ``YYYY-MM-DD`` from 2000-01-01 to 2099-12-31 (R36)."""

    def from_json(self, raw: object, what: str) -> date:
        """Return the date ``raw`` writes."""
        return inputs.written_date(raw, what)

    from_text = from_json

    def from_python(self, value: object, what: str) -> date:
        """Return ``value`` if it is a date in the window."""
        return inputs.in_window(value, what)

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema."""
        return inputs.date_schema()

    doc = "a date, YYYY-MM-DD, from 2000-01-01 to 2099-12-31 (R36)"


@attrs.frozen
class Whole:
    """A whole number from ``low`` to ``high``, or one of ``choices``."""

    low: int
    high: int
    choices: tuple[int, ...] = ()
    #: The refusals of a number below ``low`` and above ``high``.
    below: type[LedgerError] = InvalidNumberError
    above: type[LedgerError] = InvalidNumberError

    def from_json(self, raw: object, what: str) -> int:
        """Return ``raw`` if it is a JSON integer in bounds."""
        return self.bounded(raw, what)

    def from_text(self, raw: str, what: str) -> int:
        """Return the number ``raw`` writes in ASCII digits."""
        return self.bounded(
            inputs.whole(raw, what, -(10**inputs.MAX_DIGITS), 10**inputs.MAX_DIGITS), what
        )

    def bounded(self, value: object, what: str) -> int:
        """Return a number read from an edge if it lies in bounds.

        A JSON number written with a zero fraction (``2.0``) is an integer, as JSON
        schema counts it; a text edge takes ASCII digits only.
        """
        if isinstance(value, float | Decimal) and math.isfinite(value) and value == int(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidNumberError(f"{what} must be a whole number, got {value!r}")
        if value < self.low:
            raise self.below(f"{what} must be at least {self.low}, got {value}")
        if value > self.high:
            raise self.above(f"{what} must be at most {self.high}, got {value}")
        if self.choices and value not in self.choices:
            known = ", ".join(map(str, self.choices))
            raise self.above(f"{what} must be one of {known}, got {value}")
        return value

    def from_python(self, value: object, what: str) -> object:  # noqa: ARG002 -- as every kind
        """Return a Python caller's number as given: the ledger refuses it by rule if wrong."""
        return value

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema."""
        if self.choices:
            return {"type": "integer", "enum": list(self.choices)}
        return inputs.whole_schema(self.low, self.high)

    @property
    def doc(self) -> str:
        """Say what the value is."""
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        return f"a whole number from {self.low} to {self.high}"


@attrs.frozen
class Flag:
    """True or false: a JSON boolean, a CLI switch, a ticked box (``yes``)."""

    def from_json(self, raw: object, what: str) -> bool:
        """Return ``raw`` if it is a JSON boolean."""
        return self.from_python(raw, what)

    def from_text(self, raw: str, what: str) -> bool:
        """Return whether a box was ticked (``yes``) or a switch given (``true``)."""
        if raw in {"yes", "true"}:
            return True
        if raw in {"", "no", "false"}:
            return False
        raise InvalidCommandError(f"{what} must be yes or no, got {raw!r}")

    def from_python(self, value: object, what: str) -> bool:
        """Return ``value`` if it is a bool."""
        if not isinstance(value, bool):
            raise InvalidCommandError(f"{what} must be true or false, got {value!r}")
        return value

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema."""
        return {"type": "boolean"}

    doc = "true or false"


@attrs.frozen
class Amount:
    """An amount from 0 to ``largest`` major units, written canonically (R11)."""

    largest: int
    #: The refusals of an amount with more than two decimals, and of one above ``largest``.
    sub_minor: type[LedgerError] = InvalidAmountError
    above: type[LedgerError] = InvalidAmountError

    def from_json(self, raw: object, what: str) -> Decimal:
        """Return the amount a decimal string or integer writes."""
        if isinstance(raw, float | Decimal):  # a JSON number with a point or an exponent
            raise InvalidAmountError(
                f"{what} {raw} is a JSON float (a number with a point or an exponent); money is "
                f'never a float: write it as a string, "{raw}", or an integer (R11)'
            )
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        amount = inputs.amount(raw, what)
        if amount.as_tuple().exponent < -inputs.AMOUNT_DECIMALS:  # type: ignore[operator]
            raise self.sub_minor(
                f"{what} {raw} has more than {inputs.AMOUNT_DECIMALS} decimals: not a whole "
                "number of minor units (R11)"
            )
        if amount > self.largest:
            raise self.above(f"{what} {raw} is above the limit of {self.largest} (R11)")
        return amount

    from_text = from_json

    def from_python(self, value: object, what: str) -> object:  # noqa: ARG002 -- as every kind
        """Return a Python caller's amount, an exponent form (``1E+2``) written out."""
        if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent > 0:  # type: ignore[operator]
            return value.quantize(Decimal(1))
        return value  # the ledger refuses a float or a malformed amount by name (R11)

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema."""
        return inputs.amount_schema(self.largest)

    @property
    def doc(self) -> str:
        """Say what the value is."""
        return f"an amount as a decimal string such as `100.00`, up to {self.largest} (R11)"


@attrs.frozen
class Prices:
    """Monthly prices by license kind: ``{"user": "100.00"}`` (R8, R12)."""

    kind: Text
    price: Amount

    def from_json(self, raw: object, what: str) -> dict[str, Decimal]:
        """Return the prices a JSON object gives."""
        if not isinstance(raw, Mapping) or not raw:
            raise InvalidCommandError(f"{what} must be an object of kind -> price, got {raw!r}")
        if len(raw) > MAX_LICENSE_KINDS:
            raise InvalidCommandError(f"{what} has {len(raw)} kinds, more than {MAX_LICENSE_KINDS}")
        return {
            self.kind.from_json(k, f"{what} kind"): self.price.from_json(v, f"{what}[{k!r}]")
            for k, v in raw.items()
        }

    def from_text(self, raw: str, what: str) -> dict[str, Decimal]:
        """Return the prices written ``KIND=PRICE[,KIND=PRICE...]``."""
        pairs = [pair.partition("=") for pair in raw.split(",")]
        if any(not sep for _, sep, _ in pairs):
            raise InvalidCommandError(f"{what} must be written KIND=PRICE, got {raw!r}")
        return self.from_json({kind: price for kind, _, price in pairs}, what)

    def from_python(self, value: object, what: str) -> object:
        """Return a Python caller's prices with each kind checked as text."""
        if not isinstance(value, Mapping):
            return value  # the ledger refuses it by rule (R12)
        return {
            self.kind.from_python(k, f"{what} kind"): self.price.from_python(v, f"{what}[{k!r}]")
            for k, v in value.items()
        }

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema."""
        return {
            "type": "object",
            "minProperties": 1,
            "maxProperties": MAX_LICENSE_KINDS,
            "propertyNames": self.kind.schema(),
            "additionalProperties": self.price.schema(),
        }

    doc = 'an object of license kind -> monthly price, e.g. `{"user": "100.00"}`'


Kind = (
    Text
    | Day
    | Whole
    | Flag
    | Amount
    | Prices
    | Company
    | CompanyField
    | CreditLines
    | Quote
    | Rate
)
