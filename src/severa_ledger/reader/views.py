"""What queries return beside the domain's own values: history entries, previews, order views."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from severa_ledger.domain.documents import InvoiceLine, InvoiceView, OrderConfirmation

HIDDEN_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic"}


@attrs.frozen
class HistoryEntry:
    """One recorded fact: its type, effective date, recorded time and data (``Ledger.history``).

    ``backdated``: the fact takes effect before the day it was recorded (R36: only
    the operator dates a command earlier than today); both dates are in the log.
    """

    type: str
    effective_date: date | None
    recorded_at: datetime
    aggregate: str
    version: int
    data: dict[str, Any]
    backdated: bool = False


@attrs.frozen
class Preview:
    """The next period's cost (R28), built exactly as its renewal invoice will be."""

    customer_number: str
    period_start: date
    period_end: date
    order_date: date
    issue_date: date
    seller: str
    currency: str
    lines: tuple[InvoiceLine, ...]
    net: Decimal
    vat: Decimal
    total: Decimal


@attrs.frozen
class OrderView(OrderConfirmation):
    """An order confirmation and, once billed, its invoice number."""

    invoice_number: str | None = None


@attrs.frozen
class Receivables:
    """What a customer owes and holds as credit, as of a date (R29)."""

    customer_number: str
    balance: Decimal
    credit: Decimal
    invoices: tuple[InvoiceView, ...]
