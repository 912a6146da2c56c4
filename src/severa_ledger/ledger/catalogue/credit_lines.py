"""The lines a credit note credits: ``[{"line": 3}, {"line": 5, "amount": "120.00"}]`` (R33).

Read the same way on every edge: a JSON list of objects (command file, API),
the text ``3,5:120.00`` (a form field, or the CLI's ``--line 3 --line 5:120.00``
joined by commas), or a Python list of :class:`CreditedLine` (or of such
objects). Line numbers count from 1; an amount is a canonical decimal string
(R11), part of the line's net amount; without one, all that remains of the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from severa_ledger.domain import inputs
from severa_ledger.domain.credits import CreditedLine
from severa_ledger.domain.errors import InvalidCreditLineError
from severa_ledger.domain.limits import MAX_PAYMENT_MINOR

#: Lines one credit may name (an invoice has one line per license kind and period).
MAX_CREDIT_LINES = 1000
#: The largest credited amount of one line, in major units of a two-decimal currency.
LARGEST_CREDIT = MAX_PAYMENT_MINOR // 100


def _line(raw: object, what: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_CREDIT_LINES:
        raise InvalidCreditLineError(
            f"{what} line must be a whole number from 1 to {MAX_CREDIT_LINES}, got {raw!r} (R33)"
        )
    return raw


def _amount(raw: object, what: str) -> object:
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise InvalidCreditLineError(
            f'{what} amount must be a decimal string such as "120.00", got {raw!r} (R11, R33)'
        )
    return inputs.amount(raw, f"{what} amount")


@attrs.frozen
class CreditLines:
    """Lines of an invoice to credit, each whole or in part (R33)."""

    def from_json(self, raw: object, what: str) -> list[CreditedLine]:
        """Return the lines a JSON list of ``{"line": N, "amount": "A"}`` objects names."""
        if not isinstance(raw, list) or not raw or len(raw) > MAX_CREDIT_LINES:
            raise InvalidCreditLineError(
                f"{what} must be a list of 1 to {MAX_CREDIT_LINES} objects "
                f'{{"line": N, "amount": "A"}} (amount optional), got {raw!r} (R33)'
            )
        return [self._one(item, f"{what}[{n}]") for n, item in enumerate(raw)]

    @staticmethod
    def _one(item: object, what: str) -> CreditedLine:
        if not isinstance(item, Mapping) or set(item) - {"line", "amount"} or "line" not in item:
            raise InvalidCreditLineError(
                f'{what} must be an object {{"line": N, "amount": "A"}}, got {item!r} (R33)'
            )
        return CreditedLine(_line(item["line"], what), _amount(item.get("amount"), what))  # type: ignore[arg-type]

    def from_text(self, raw: str, what: str) -> list[CreditedLine]:
        """Return the lines written ``N[:AMOUNT][,N[:AMOUNT]...]``, e.g. ``3,5:120.00``."""
        items: list[object] = []
        for part in raw.split(","):
            line, sep, amount = part.strip().partition(":")
            if not line.isascii() or not line.isdigit():
                raise InvalidCreditLineError(
                    f"{what} must be written LINE[:AMOUNT][,...], e.g. 3,5:120.00, got {raw!r}"
                )
            items.append({"line": int(line), **({"amount": amount} if sep else {})})
        return self.from_json(items, what)

    def from_python(self, value: object, what: str) -> object:
        """Return a Python caller's lines: CreditedLine values, or objects as JSON gives them."""
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            return self.from_json(value, what)
        items = [
            {"line": v.line, **({} if v.amount is None else {"amount": v.amount})}
            if isinstance(v, CreditedLine)
            else v
            for v in value
        ]
        return [
            CreditedLine(_line(i.get("line"), what), _checked(i.get("amount"), what))
            if isinstance(i, Mapping)
            else self._one(i, what)
            for i in items
        ]

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema: a list of ``{line, amount?}`` objects."""
        item = {
            "type": "object",
            "properties": {
                "line": inputs.whole_schema(1, MAX_CREDIT_LINES),
                "amount": inputs.amount_schema(LARGEST_CREDIT),
            },
            "required": ["line"],
            "additionalProperties": False,
        }
        return {"type": "array", "minItems": 1, "maxItems": MAX_CREDIT_LINES, "items": item}

    doc = (
        'lines to credit, e.g. `[{"line": 3}, {"line": 5, "amount": "120.00"}]` (on the '
        "command line `--line 3 --line 5:120.00`): a line in full, or part of its net amount (R33)"
    )


def _checked(raw: object, what: str) -> Any:  # noqa: ANN401 -- the ledger judges it
    """Return a Python caller's amount: a Decimal as given (the ledger judges it), or read."""
    if raw is None or not isinstance(raw, str | int) or isinstance(raw, bool):
        return raw
    return _amount(raw, what)
