"""Read model ``invoice_lines``: one row per line of every invoice and credit note (R18, R27).

The auditors' and BI tools' table (docs/projections.md): who sold what to
whom, when, for which period, at which price and VAT. Rows are only ever
added: issued documents never change (R17).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from severa_ledger.domain.account import T as ACCOUNT
from severa_ledger.domain.documents import CREDIT_NOTE, Invoice, InvoiceLine
from severa_ledger.projections.rows import Change, Projection, Rows, Table, upsert


@attrs.frozen
class InvoiceLineRow:
    """One line of an invoice (document type 380) or credit note (381)."""

    number: str
    line_no: int
    document_type: str
    customer_number: str
    buyer_name: str
    buyer_country: str
    seller: str
    seller_name: str
    seller_vat_id: str | None
    series: str
    sequence: int
    issue_date: date
    due_date: date
    currency: str
    kind: str
    description: str
    quantity: int
    unit: str
    unit_price: Decimal
    amount: Decimal
    vat_category: str
    vat_rate: Decimal
    period_start: date
    period_end: date
    credited_invoice: str | None


INVOICE_LINES = Table(
    "severa_ledger_invoice_lines",
    InvoiceLineRow,
    ("number", "line_no"),
    indexes=(("seller", "issue_date"), ("customer_number", "issue_date"), ("issue_date",)),
)


def lines_of(doc: Invoice) -> list[InvoiceLineRow]:
    """Return the rows of every line of ``doc``, numbered from 1."""
    return [_line(doc, n, line) for n, line in enumerate(doc.lines, start=1)]


def _line(doc: Invoice, n: int, line: InvoiceLine) -> InvoiceLineRow:
    return InvoiceLineRow(
        number=doc.number,
        line_no=n,
        document_type="credit_note" if doc.type_code == CREDIT_NOTE else "invoice",
        customer_number=doc.customer_number,
        buyer_name=doc.buyer.legal_name,
        buyer_country=doc.buyer.country,
        seller=doc.seller.key,
        seller_name=doc.seller.name,
        seller_vat_id=doc.seller.vat_id,
        series=doc.series,
        sequence=doc.sequence,
        issue_date=doc.issue_date,
        due_date=doc.due_date,
        currency=doc.currency,
        kind=line.kind,
        description=line.description,
        quantity=line.quantity,
        unit=line.unit,
        unit_price=line.unit_price,
        amount=line.amount,
        vat_category=line.vat_category,
        vat_rate=line.vat_rate,
        period_start=line.period_start,
        period_end=line.period_end,
        credited_invoice=doc.credited_invoice,
    )


def invoice_issued(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R15-R18: an invoice's lines."""
    del rows
    return [upsert(INVOICE_LINES, row) for row in lines_of(event.invoice)]


def credit_note_issued(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R17: a credit note's lines, each the negation of the credited invoice's."""
    del rows
    return [upsert(INVOICE_LINES, row) for row in lines_of(event.credit_note)]


class InvoiceLinesProjection(Projection):
    """Every line of every issued document."""

    name = "invoice_lines"
    version = 1
    tables = (INVOICE_LINES,)
    handlers = MappingProxyType(
        {
            f"{ACCOUNT}.InvoiceIssued.v1": invoice_issued,
            f"{ACCOUNT}.CreditNoteIssued.v1": credit_note_issued,
        }
    )
