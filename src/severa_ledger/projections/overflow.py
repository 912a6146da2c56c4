"""Values a read model cannot hold, reported as :class:`StoredValueOutOfRangeError`.

A history recorded before the limits of :mod:`severa_ledger.domain.limits` may
hold a quantity beyond a 64-bit column or an amount too large for Decimal to
round. The fold or the store's write then fails deep in decimal arithmetic or
the database driver; the runner turns that into one LedgerError that says
where the value is and to run verify. The page's transaction is rolled back,
so rows and positions stay as the last good page left them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import InvalidOperation, Overflow
from typing import Any

from severa_ledger.domain.errors import StoredValueOutOfRangeError
from severa_ledger.domain.limits import LARGEST_STORED_INTEGER
from severa_ledger.projections.rows import Change

#: What folding or writing an out-of-range value raises: SQLite binding an int beyond
#: 64 bits, and Decimal rounding an amount beyond its precision. PostgreSQL's
#: "bigint out of range" is raised as OverflowError by the SQL session.
OUT_OF_RANGE: tuple[type[Exception], ...] = (OverflowError, InvalidOperation, Overflow)
_SMALLEST = -LARGEST_STORED_INTEGER - 1
VERIFY = "run verify (Ledger.verify(), `severa-ledger verify`) to find the events beyond the limits"


def unfoldable(
    projection: str,
    position: int,
    event: Any,  # noqa: ANN401 -- any event
    error: Exception,
) -> StoredValueOutOfRangeError:
    """Return the error for an event whose values the fold cannot compute with."""
    return StoredValueOutOfRangeError(
        f"read model {projection}: the stored event at position {position} "
        f"({_described(event)}) holds a value out of range ({_reason(error)}); nothing of "
        f"its page was written; {VERIFY}"
    )


def unwritable(
    projection: str, todo: list[tuple[int, Any]], changes: Iterable[Change], error: Exception
) -> StoredValueOutOfRangeError:
    """Return the error for rows, folded from ``todo``, that the store cannot hold."""
    first, last = (todo[0][0], todo[-1][0]) if todo else (0, 0)
    found = _offending(changes)
    where = "" if found is None else f" ({found})"
    return StoredValueOutOfRangeError(
        f"read model {projection}: the stored events at positions {first} to {last} give a "
        f"row a value the store cannot hold{where}: {_reason(error)}; nothing of the page "
        f"was written; {VERIFY}"
    )


def _described(event: Any) -> str:  # noqa: ANN401 -- any event
    name = type(event).__name__
    aggregate = f"aggregate {event.originator_id} version {event.originator_version}"
    payment = getattr(event, "payment", None)
    if payment is not None:
        name = f"{name} on invoice {payment.invoice_number}"
    holders = [event, *(getattr(event, n, None) for n in ("order", "invoice", "credit_note"))]
    for holder in holders:
        customer = getattr(holder, "customer_number", None)
        if isinstance(customer, str):
            return f"{name} of customer {customer}, {aggregate}"
    return f"{name}, {aggregate}"


def _offending(changes: Iterable[Change]) -> str | None:
    """Return the first row's integer beyond 64 bits, with its table and customer."""
    for change in changes:
        if change.row is None:
            continue
        for column, value in change.table.values(change.row).items():
            if type(value) is int and not _SMALLEST <= value <= LARGEST_STORED_INTEGER:
                customer = getattr(change.row, "customer_number", "?")
                return f"table {change.table.name}, customer {customer}: {column} = {value}"
    return None


def _reason(error: Exception) -> str:
    if isinstance(error, InvalidOperation | Overflow):
        return "an amount too large for Decimal arithmetic"
    return f"{type(error).__name__}: {error}"
