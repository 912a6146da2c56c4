"""The quote shown before a purchase is confirmed (R9, R14), decided by the domain itself.

The ledger has no query for "what would this purchase cost"; rather than
computing proration again here (a business rule in an edge), the quote runs
the aggregate's own ``buy`` on a copy of the subscription loaded for this
request and never saved: the order it returns is the one ``buy_licenses``
would record (cancelled pending removals, the in-advance second line, R4, R20).
"""

from __future__ import annotations

from datetime import date

from severa_ledger.domain.documents import OrderConfirmation
from severa_ledger.domain.errors import SubscriptionNotFoundError
from severa_ledger.ledger.ledger import Ledger


def quote(
    ledger: Ledger, customer: str, kind: str, quantity: int, today: date
) -> OrderConfirmation | None:
    """Return the order that buying ``quantity`` of ``kind`` today would confirm; record nothing.

    None when the purchase bills nothing (it only cancels pending removals, R4).
    A purchase the ledger would refuse raises the same error here.
    """
    scratch = ledger.subscription(customer)  # a fresh copy from the store, dropped after
    if scratch is None:  # pragma: no cover -- without as_of it is found or raised
        raise SubscriptionNotFoundError(f"no subscription for customer {customer!r}")
    return scratch.buy(kind, quantity, today, "severa")
