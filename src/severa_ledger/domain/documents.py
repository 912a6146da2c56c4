"""Order confirmations and invoices: immutable documents (R13-R18).

Amounts on documents are ``Decimal`` in the document's ``currency``;
arithmetic on them goes through :class:`~severa_ledger.domain.money.Money`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import attrs

from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.exchange import VatInTaxCurrency
from severa_ledger.domain.explanation import Explanation
from severa_ledger.domain.sellers import PaymentDetails

RENEWAL = "renewal"
ADDITION = "addition"
INVOICE = 380
CREDIT_NOTE = 381


@attrs.frozen
class OrderLine:
    """One line of an order confirmation: a kind of license over a period (R13, R14)."""

    kind: str
    description: str
    licenses: int
    quantity: int
    unit: str
    unit_price: Decimal
    amount: Decimal
    period_start: date
    period_end: date
    #: The arithmetic behind ``amount`` (None: stored before explanations were; readers derive it).
    explanation: Explanation | None = None


def _order_lines(lines: Iterable[OrderLine]) -> tuple[OrderLine, ...]:
    return tuple(lines)


@attrs.frozen
class OrderConfirmation:
    """What was bought, when, from whom: a renewal or an addition (R13, R14)."""

    customer_number: str
    sequence: int
    date: date
    kind: str
    seller: str
    regime: str
    currency: str
    lines: tuple[OrderLine, ...] = attrs.field(converter=_order_lines)

    @property
    def net(self) -> Decimal:
        """Return the sum of the line amounts, excluding VAT."""
        return sum((line.amount for line in self.lines), Decimal(0))


@attrs.frozen
class SellerSnapshot:
    """The seller as printed on an invoice (R18)."""

    key: str
    name: str
    vat_id: str | None
    business_id: str | None
    country: str
    address: str | None
    #: Registered in Foretaksregisteret; None: stored before it was configurable (Norway: yes).
    enterprise_register: bool | None = None


@attrs.frozen
class InvoiceLine:
    """An invoice line: an order line with its VAT category and rate (R18, R27)."""

    kind: str
    description: str
    quantity: int
    unit: str
    unit_price: Decimal
    amount: Decimal
    period_start: date
    period_end: date
    vat_category: str
    vat_rate: Decimal
    #: The arithmetic behind ``amount`` (None: stored before explanations were; readers derive it).
    explanation: Explanation | None = None


@attrs.frozen
class VatSubtotal:
    """VAT of one category and rate, computed on the category total (R27)."""

    category: str
    rate: Decimal
    taxable: Decimal
    vat: Decimal
    note: str | None


def _invoice_lines(lines: Iterable[InvoiceLine]) -> tuple[InvoiceLine, ...]:
    return tuple(lines)


def _subtotals(subtotals: Iterable[VatSubtotal]) -> tuple[VatSubtotal, ...]:
    return tuple(subtotals)


def _notes(notes: Iterable[str]) -> tuple[str, ...]:
    return tuple(notes)


@attrs.frozen
class Invoice:
    """A numbered invoice (type 380) or credit note (type 381) as issued (R15-R18)."""

    number: str
    series: str
    sequence: int
    type_code: int
    customer_number: str
    order_sequence: int | None
    order_date: date | None
    issue_date: date
    due_date: date
    seller: SellerSnapshot
    payment_details: PaymentDetails | None
    buyer: CompanyDetails
    currency: str
    lines: tuple[InvoiceLine, ...] = attrs.field(converter=_invoice_lines)
    vat_breakdown: tuple[VatSubtotal, ...] = attrs.field(converter=_subtotals)
    net: Decimal
    vat: Decimal
    total: Decimal
    #: The structured reference to pay with (R30); None without payment details (R23).
    payment_reference: str | None
    notes: tuple[str, ...] = attrs.field(converter=_notes)
    credited_invoice: str | None = None
    reason: str | None = None
    #: The VAT in the VAT country's currency, with the rate (R32); None: not needed, or older.
    vat_in_tax_currency: VatInTaxCurrency | None = None


@attrs.frozen
class InvoiceView(Invoice):
    """An invoice with its payment status as of a date (R29)."""

    status: str = "open"
    paid: Decimal = Decimal(0)
    open_amount: Decimal = Decimal(0)
    credited_by: str | None = None
    #: A credit note's: the issue date of the invoice it credits (R33).
    credited_issue_date: date | None = None
