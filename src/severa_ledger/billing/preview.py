"""A dry run of billing: what ``run_billing`` would issue, computed in a unit never saved.

The same work as the run (``billing/run.py``): every subscription is advanced
to the date and its due orders are found (phase 1), then numbered in the one
global order and drafted (phase 2), all in one unit of work that is dropped
instead of saved. So the invoices listed are the ones a run with nothing
recorded in between issues, with the same numbers.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING

import attrs

from severa_ledger.billing.plan import HeldBack
from severa_ledger.billing.run import advance
from severa_ledger.domain.billing import InvoiceNumber, build_invoice
from severa_ledger.domain.rules import check_date
from severa_ledger.store.unit import Unit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from severa_ledger.billing.plan import Due, Key
    from severa_ledger.reader.reader import LedgerReader as Ledger


@attrs.frozen
class PlannedInvoice:
    """One invoice a billing run would issue."""

    number: str
    customer_number: str
    issue_date: date
    seller: str
    currency: str
    total: Decimal
    #: The structured reference it would carry (R30); None without payment details (R23).
    payment_reference: str | None = None
    #: True when its seller has no account in its currency: issued without payment details (R23).
    without_payment_details: bool = False


@attrs.frozen
class BillingPreview:
    """What ``run_billing(through=...)`` would record, without recording it."""

    through: date
    subscriptions: int
    orders: int
    invoices: tuple[PlannedInvoice, ...]
    #: Subscriptions whose due invoices a run would hold back, and why (R31, R32).
    held_back: tuple[HeldBack, ...] = ()

    def by_seller(self) -> dict[str, int]:
        """Return the invoices each seller would issue."""
        return dict(Counter(i.seller for i in self.invoices))

    def without_payment_details(self) -> list[str]:
        """Return the numbers of the invoices that would lack payment details (R23)."""
        return [i.number for i in self.invoices if i.without_payment_details]

    def totals(self) -> dict[str, Decimal]:
        """Return the invoiced total per currency."""
        totals: dict[str, Decimal] = {}
        for invoice in self.invoices:
            totals[invoice.currency] = totals.get(invoice.currency, Decimal(0)) + invoice.total
        return totals


def preview_billing(ledger: Ledger, through: date) -> BillingPreview:
    """Return what billing through ``through`` would issue; record nothing."""
    through = check_date(through, "through")
    customers = ledger.customers()
    unit = Unit(ledger)  # never saved: dropped with everything it changed
    found = advance(ledger, customers, through)(unit)
    due = sorted(found.due, key=attrgetter("key"))
    numbers = _numbers(ledger, unit, due)
    invoices = []
    for item in due:
        seller = ledger.sellers[item.order.seller]
        invoice = build_invoice(
            item.order,
            number=numbers[item.key],
            issued=item.issue_date,
            seller=seller,
            buyer=item.buyer,
            vat=ledger.vat,
            rate=item.rate,
        )
        invoices.append(
            PlannedInvoice(
                invoice.number,
                item.customer_number,
                item.issue_date,
                seller.key,
                invoice.currency,
                invoice.total,
                invoice.payment_reference,
                invoice.payment_details is None,
            )
        )
    return BillingPreview(
        through, len(customers), found.orders, tuple(invoices), tuple(found.held_back)
    )


def _numbers(ledger: Ledger, unit: Unit, due: Sequence[Due]) -> dict[Key, InvoiceNumber]:
    """Assign each series' next numbers in the global order, as the run does (R17)."""
    by_series: dict[str, list[Due]] = {}
    for item in due:
        by_series.setdefault(item.series, []).append(item)
    numbers: dict[Key, InvoiceNumber] = {}
    for name, items in by_series.items():
        seller = ledger.sellers.by_series(name)
        if seller is None:  # pragma: no cover -- the series came from the registry
            continue
        assigned = unit.series(seller).assign(
            [d.customer_number for d in items], items[-1].issue_date
        )
        numbers.update(zip((d.key for d in items), assigned, strict=True))
    return numbers
