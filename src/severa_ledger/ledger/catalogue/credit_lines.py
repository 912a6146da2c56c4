"""The lines a credit note credits: ``{"3": null, "5": "120.00"}`` (R33).

A mapping of a line's number on the invoice (from 1, as printed; a string key
in JSON) to the net amount to credit of it, a canonical decimal string (R11),
or null for all that remains of the line. Read the same way on every edge:
a JSON object (command file, API; a list of ``{"line": N, "amount": "A"}``
objects is taken too), the text ``3,5:120.00`` (a form field, or the CLI's
``--line 3 --line 5:120.00`` joined by commas), or a Python mapping of ints to
``Decimal``, decimal strings or None (or a list of :class:`CreditedLine`).
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
SHAPE = '{"3": null, "5": "120.00"} (line number -> net amount, null: all that remains)'


def _line(raw: object, what: str) -> int:
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= len("1000"):
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_CREDIT_LINES:
        raise InvalidCreditLineError(
            f"{what}: a line number is a whole number from 1 to {MAX_CREDIT_LINES}, got {raw!r}"
        )
    return raw


def _amount(raw: object, what: str) -> Any:  # noqa: ANN401 -- a Python caller's is judged later
    """Return an amount read from text or JSON; a Python caller's Decimal as given."""
    if raw is None or (not isinstance(raw, str | int) or isinstance(raw, bool)):
        if raw is None or not isinstance(raw, float):
            return raw  # None, or a Decimal the ledger judges by rule (R11, R33)
        raise InvalidCreditLineError(f"{what}: an amount is never a float, got {raw!r} (R11)")
    return inputs.amount(str(raw), f"{what} amount")


def _pairs(raw: object, what: str) -> list[tuple[object, object]]:
    """Return (line, amount) pairs of a mapping, or of a list of line objects."""
    if isinstance(raw, Mapping):
        return list(raw.items())
    if isinstance(raw, list | tuple):
        pairs: list[tuple[object, object]] = []
        for item in raw:
            if isinstance(item, CreditedLine):
                pairs.append((item.line, item.amount))
            elif isinstance(item, Mapping) and "line" in item and set(item) <= {"line", "amount"}:
                pairs.append((item["line"], item.get("amount")))
            else:
                raise InvalidCreditLineError(f"{what} must be {SHAPE}, got {raw!r} (R33)")
        return pairs
    raise InvalidCreditLineError(f"{what} must be {SHAPE}, got {raw!r} (R33)")


@attrs.frozen
class CreditLines:
    """Lines of an invoice to credit, each whole or in part (R33)."""

    def from_json(self, raw: object, what: str) -> list[CreditedLine]:
        """Return the lines a JSON object (or list of line objects) names."""
        pairs = _pairs(raw, what)
        if not pairs or len(pairs) > MAX_CREDIT_LINES:
            raise InvalidCreditLineError(
                f"{what} names 1 to {MAX_CREDIT_LINES} lines, got {len(pairs)} (R33)"
            )
        return [CreditedLine(_line(k, what), _amount(v, f"{what} {k}")) for k, v in pairs]

    def from_text(self, raw: str, what: str) -> list[CreditedLine]:
        """Return the lines written ``N[:AMOUNT][,N[:AMOUNT]...]``, e.g. ``3,5:120.00``."""
        items: list[CreditedLine] = []
        for part in raw.split(","):
            line, sep, amount = part.strip().partition(":")
            if not line.isascii() or not line.isdigit():
                raise InvalidCreditLineError(
                    f"{what} must be written LINE[:AMOUNT][,...], e.g. 3,5:120.00, got {raw!r}"
                )
            items.append(CreditedLine(_line(line, what), _amount(amount if sep else None, what)))
        return self.from_json(items, what)

    def from_python(self, value: object, what: str) -> object:
        """Return a Python caller's lines (None: all that remains of the invoice)."""
        if value is None:
            return None
        return [
            CreditedLine(_line(k, what), _amount(v, f"{what} {k}")) for k, v in _pairs(value, what)
        ]

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema: line number -> amount or null."""
        return {
            "type": "object",
            "minProperties": 1,
            "maxProperties": MAX_CREDIT_LINES,
            "propertyNames": {"pattern": "^([1-9][0-9]{0,2}|1000)$"},  # 1..MAX_CREDIT_LINES
            "additionalProperties": {
                "anyOf": [inputs.amount_schema(LARGEST_CREDIT), {"type": "null"}]
            },
            "examples": [{"3": None, "5": "120.00"}],
        }

    doc = (
        f"lines to credit, {SHAPE}; on the command line `--line 3 --line 5:120.00`; "
        "default: all that remains (R33)"
    )
