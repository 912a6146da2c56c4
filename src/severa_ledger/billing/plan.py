"""What a billing run finds and reports: due orders in the global order, and its report."""

from __future__ import annotations

from datetime import date

import attrs

from severa_ledger.domain.account import Account
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import OrderConfirmation

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


@attrs.frozen
class Due:
    """An order to invoice: its place in the global order, and what its invoice shows."""

    key: Key
    order: OrderConfirmation
    buyer: CompanyDetails

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
