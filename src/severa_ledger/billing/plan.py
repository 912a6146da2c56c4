"""What a billing run finds and reports: due orders in the global order, and its report."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs

from severa_ledger.domain.account import Account
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.crossborder import NO_RATES, Rates, hold_reason, invoice_rate
from severa_ledger.domain.documents import OrderConfirmation
from severa_ledger.domain.exchange import ExchangeRate, ExchangeRates, rates_id

if TYPE_CHECKING:
    from severa_ledger.domain.subscription import Subscription
    from severa_ledger.reader.reader import LedgerReader
    from severa_ledger.store.unit import Unit

Key = tuple[date, str, str, int]  # issue date, series, customer, order sequence


@attrs.frozen
class BillingReport:
    """What a billing run recorded (``Ledger.run_billing``)."""

    through: date
    subscriptions: int
    events: int
    orders: int
    invoice_numbers: tuple[str, ...]
    #: The invoices issued without payment details: no account in their currency (R23).
    without_payment_details: tuple[str, ...] = ()
    #: Subscriptions whose due invoices billing held back, and why (R31, R32).
    held_back: tuple[HeldBack, ...] = ()


@attrs.frozen
class HeldBack:
    """A subscription's due invoices held back by billing: the first due, and why (R31, R32).

    Its later orders wait too: a customer's orders are invoiced in order. Once
    the missing fact is recorded, the next run issues them all.
    """

    customer_number: str
    order_sequence: int
    issue_date: date
    reason: str


@attrs.frozen
class Due:
    """An order to invoice: its place in the global order, and what its invoice shows."""

    key: Key
    order: OrderConfirmation
    buyer: CompanyDetails
    #: The exchange rate its VAT is also stated by (R32), when it needs one.
    rate: ExchangeRate | None = None

    @property
    def issue_date(self) -> date:
        """The day its invoice is issued."""
        return self.key[0]

    @property
    def series(self) -> str:
        """The number series of its seller."""
        return self.key[1]

    @property
    def customer_number(self) -> str:
        """The customer it bills."""
        return self.key[2]

    @property
    def order_sequence(self) -> int:
        """The order's place in the customer's orders."""
        return self.key[3]


@attrs.define
class Advanced:
    """What phase 1 found in one chunk: orders made, orders due, account handles."""

    orders: int = 0
    due: list[Due] = attrs.Factory(list)
    accounts: dict[str, Account] = attrs.Factory(dict)
    #: From a worker: the keys of the due orders it keeps for drafting (``due`` is empty).
    held: list[Key] = attrs.Factory(list)
    #: The keys of due orders whose seller has no account in their currency (R23).
    unpaid: list[Key] = attrs.Factory(list)
    #: Subscriptions whose due invoices are held back (R31, R32).
    held_back: list[HeldBack] = attrs.Factory(list)


def recorded_rates(unit: Unit) -> Rates:
    """Return the exchange rates recorded (R32), read in ``unit`` without opening a book."""
    found = unit.get(rates_id(), ExchangeRates)
    return NO_RATES if found is None else found


def due_order(
    ledger: LedgerReader, sub: Subscription, order: OrderConfirmation, issued: date, rates: Rates
) -> Due | HeldBack:
    """Return the order as due on ``issued``, with its buyer and rate, or why it is held back."""
    seller = ledger.sellers[order.seller]
    buyer = sub.company_on(issued)
    currency = order.currency
    reason = hold_reason(
        ledger.vat, seller.country, buyer=buyer, currency=currency, issued=issued, rates=rates
    )
    if reason is not None:
        return HeldBack(sub.customer_number, order.sequence, issued, reason)
    rate = invoice_rate(
        ledger.vat,
        seller.country,
        buyer_country=buyer.country,
        currency=currency,
        issued=issued,
        rates=rates,
    )
    key = (issued, seller.series, sub.customer_number, order.sequence)
    return Due(key, order, buyer, rate)


def due_orders(
    ledger: LedgerReader, sub: Subscription, invoiced: int, through: date, rates: Rates
) -> list[Due | HeldBack]:
    """Return the orders after the ``invoiced`` first whose invoice is due by ``through``.

    The first one that may not be issued yet (R31, R32) ends the list, as a
    HeldBack: the customer's later orders wait for it.
    """
    found: list[Due | HeldBack] = []
    for order in sub.orders[invoiced:]:
        issued = ledger.issue_date_of(order)
        if issued <= through:
            item = due_order(ledger, sub, order, issued, rates)
            found.append(item)
            if isinstance(item, HeldBack):
                break
    return found
