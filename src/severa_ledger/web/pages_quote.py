"""The quote shown before a purchase is confirmed (R9, R14), decided by the ledger itself.

``Ledger.quote_licenses`` decides the purchase exactly as ``buy_licenses`` would
(cancelled pending removals, the in-advance second line, R4, R20) and records
nothing, so the page repeats no proration rule and shows what the purchase bills.
"""

from __future__ import annotations

from datetime import date

from severa_ledger.domain.documents import OrderConfirmation
from severa_ledger.ledger.ledger import Ledger


def quote(
    ledger: Ledger, customer: str, kind: str, quantity: int, today: date
) -> OrderConfirmation | None:
    """Return the order that buying ``quantity`` of ``kind`` today would confirm; record nothing.

    None when the purchase bills nothing (it only cancels pending removals, R4).
    A purchase the ledger would refuse raises the same error here.
    """
    return ledger.quote_licenses(customer, kind, quantity, on=today)
