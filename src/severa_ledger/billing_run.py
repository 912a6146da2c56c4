"""The billing run: roll every subscription to a date, then issue what is due (R13-R20).

Invoices are issued in one global order, (issue date, series, customer,
order), so billing day by day and billing the same span at once assign the
same numbers. Work is saved in chunks, each atomic, each retried on a writer
conflict; a rerun skips what is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import attrs
from eventsourcing.persistence import IntegrityError

from severa_ledger.domain.billing import InvoiceNumber
from severa_ledger.domain.errors import ConcurrencyError
from severa_ledger.domain.rules import check_date
from severa_ledger.unit import MAX_ATTEMPTS, Unit, back_off

if TYPE_CHECKING:
    from severa_ledger.application import Ledger

CUSTOMERS_PER_SAVE = 200
INVOICES_PER_SAVE = 500
T = TypeVar("T")


@attrs.frozen
class BillingReport:
    """What a billing run recorded (api.md ``run_billing``)."""

    through: date
    subscriptions: int
    events: int
    orders: int
    invoice_numbers: tuple[str, ...]


@attrs.frozen(order=True)
class _Due:
    issue_date: date
    series: str
    customer_number: str
    order_sequence: int


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _retrying(ledger: Ledger, work: Callable[[Unit], T]) -> tuple[T, int]:
    for attempt in range(MAX_ATTEMPTS):
        unit = Unit(ledger)
        result = work(unit)
        try:
            return result, unit.save()
        except IntegrityError:
            back_off(attempt)
            continue
    raise ConcurrencyError(f"a billing chunk still conflicted after {MAX_ATTEMPTS} attempts")


def run_billing(ledger: Ledger, through: date) -> BillingReport:
    """Record every roll, renewal and invoice due on or before ``through``."""
    through = check_date(through, "through")
    customers = ledger.customers()
    due: list[_Due] = []
    events = orders = 0

    def advance(chunk: Sequence[str]) -> Callable[[Unit], tuple[list[_Due], int]]:
        def work(unit: Unit) -> tuple[list[_Due], int]:
            found: list[_Due] = []
            new_orders = 0
            for customer in chunk:
                sub = unit.subscription(customer)
                before = len(sub.orders)
                sub.advance_to(through)
                new_orders += len(sub.orders) - before
                invoiced = unit.account(customer).invoiced_orders
                for order in sub.orders[invoiced:]:
                    issued = ledger.issue_date_of(order)
                    if issued <= through:
                        series = ledger.sellers[order.seller].series
                        found.append(_Due(issued, series, customer, order.sequence))
            return found, new_orders

        return work

    for chunk in _chunks(customers, CUSTOMERS_PER_SAVE):
        (found, new_orders), saved = _retrying(ledger, advance(chunk))
        due.extend(found)
        orders += new_orders
        events += saved

    numbers: list[str] = []
    for batch in _chunks(sorted(due), INVOICES_PER_SAVE):
        issued_numbers, saved = _retrying(ledger, partial(_issue, ledger, chunk=batch))
        numbers.extend(issued_numbers)
        events += saved
    return BillingReport(through, len(customers), events, orders, tuple(numbers))


def _issue(ledger: Ledger, unit: Unit, *, chunk: Sequence[_Due]) -> list[str]:
    """Issue the invoices of one chunk in order, skipping any issued meanwhile."""
    todo = [d for d in chunk if unit.account(d.customer_number).invoiced_orders < d.order_sequence]
    by_series: dict[str, list[_Due]] = {}
    for item in todo:
        by_series.setdefault(item.series, []).append(item)
    numbers: dict[_Due, InvoiceNumber] = {}
    for series_name, items in by_series.items():
        seller = ledger.sellers.by_series(series_name)
        assert seller is not None  # noqa: S101 -- series came from the registry
        assigned = unit.series(seller).assign(
            [d.customer_number for d in items], items[-1].issue_date
        )
        numbers.update(zip(items, assigned, strict=True))
    issued = []
    for item in todo:
        sub = unit.subscription(item.customer_number)
        order = sub.orders[item.order_sequence - 1]
        invoice = ledger.invoice_for(sub, order, numbers[item])
        unit.account(item.customer_number).issue(invoice)
        issued.append(invoice.number)
    return issued
