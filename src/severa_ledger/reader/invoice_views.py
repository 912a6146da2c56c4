"""Invoice views from the read models' rows: as recorded, or by the Account rules as of a day.

A part of :mod:`severa_ledger.reader.read_models`, used by its queries and by the paged
lists (:mod:`severa_ledger.reader.lists`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import attrs

from severa_ledger.domain.account import Payment
from severa_ledger.domain.documents import Invoice, InvoiceView
from severa_ledger.projections.receivables import (
    DocumentRow,
    InvoiceRow,
    PaymentRow,
    account_of,
)


def documents_by_number(rows: Iterable[DocumentRow]) -> dict[str, Invoice]:
    """Return each document of ``rows`` by its number."""
    return {row.number: row.document for row in rows}


def dated(views: list[InvoiceView], documents: Mapping[str, Invoice]) -> list[InvoiceView]:
    """Return ``views`` with each credit note's credited invoice date, when at hand (R33)."""
    return [
        attrs.evolve(v, credited_issue_date=documents[v.credited_invoice].issue_date)
        if v.credited_invoice and v.credited_invoice in documents
        else v
        for v in views
    ]


def views_of(
    rows: list[InvoiceRow],
    documents: Mapping[str, Invoice],
    payments: list[PaymentRow],
    as_of: date | None,
) -> list[InvoiceView]:
    """Return the documents' views: as recorded, or by the Account rules as of a day."""
    if as_of is None:
        return dated([row.view(documents[row.number]) for row in rows], documents)
    by_customer: dict[str, list[InvoiceRow]] = {}
    for row in sorted(rows, key=lambda r: (r.customer_number, r.account_version)):
        by_customer.setdefault(row.customer_number, []).append(row)
    paid: dict[str, list[Payment]] = {}
    for payment in sorted(payments, key=lambda p: (p.customer_number, p.account_version)):
        paid.setdefault(payment.customer_number, []).append(payment.payment())
    views = []
    for customer, issued in by_customer.items():
        account = account_of(
            customer, [documents[r.number] for r in issued], paid.get(customer, [])
        )
        views += [account.view(r.number, as_of) for r in issued]
    return dated(views, documents)
