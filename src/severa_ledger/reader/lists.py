"""Pages of the subscriptions and invoices lists, read from the read models (docs/web.md).

The operator's page and ``GET /api/v1/subscriptions`` show a page of
subscriptions by customer number; with 100,000 of them, loading each to
filter and count would take seconds. Here one page is one query on the
read model's table (``ORDER BY customer_number LIMIT .. OFFSET ..``, served
by its index; one row more says whether a next page follows) and the count,
when asked for, another; a text search reads two columns of every row
(customer number and company name) and matches them in Python
(``casefold``, as before), then loads only the page's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import attrs

from severa_ledger.projections.paging import Where, columns, count, page, select_in
from severa_ledger.projections.receivables import DOCUMENTS, INVOICES, PAYMENTS, InvoiceRow
from severa_ledger.projections.store import Reader
from severa_ledger.projections.subscription_rows import SUBSCRIPTIONS, SubscriptionRow
from severa_ledger.reader.invoice_views import views_of

ORDER = ("customer_number",)
#: Invoices and credit notes by number: the seller's series, then the sequence in it.
INVOICE_ORDER = ("series", "sequence")


@attrs.frozen
class SubscriptionFilter:
    """Which subscriptions: one customer's, by seller, by currency, matching a text."""

    customer: str | None = None
    seller: str | None = None
    currency: str | None = None
    text: str = ""

    def where(self) -> Where:
        """Return the rows' columns to compare (the text is matched apart)."""
        equal = {"customer_number": self.customer, "seller": self.seller, "currency": self.currency}
        return Where({k: v for k, v in equal.items() if v is not None})


@attrs.frozen
class SubscriptionPage:
    """One page of subscription rows, by customer number; whether more follow; the total.

    ``total`` is counted only when asked for (the operator's page shows it):
    the API needs only ``more``, read as one row past the page.
    """

    rows: tuple[SubscriptionRow, ...]
    more: bool
    total: int | None = None


def subscriptions_page(
    reader: Reader, chosen: SubscriptionFilter, *, offset: int, limit: int, counted: bool = False
) -> SubscriptionPage:
    """Return the rows ``chosen`` keeps, ``limit`` from ``offset`` (and their total if counted)."""
    where = chosen.where()
    if not chosen.text:
        rows = page(
            reader, SUBSCRIPTIONS, order_by=ORDER, where=where, offset=offset, limit=limit + 1
        )
        total = count(reader, SUBSCRIPTIONS, where) if counted else None
        return SubscriptionPage(tuple(rows[:limit]), len(rows) > limit, total)
    text = chosen.text.casefold()
    names = ("subscription_id", "customer_number", "company_name")
    found = columns(reader, SUBSCRIPTIONS, names, order_by=ORDER, where=where)
    matched = [(sid,) for sid, c, name in found if text in c.casefold() or text in name.casefold()]
    keys = matched[offset : offset + limit]
    loaded = reader.get_many(SUBSCRIPTIONS, keys)
    kept = tuple(loaded[k] for k in keys if k in loaded)
    return SubscriptionPage(kept, offset + limit < len(matched), len(matched))


@attrs.frozen
class InvoicePage:
    """One page of invoice rows, by number, and whether more follow."""

    rows: tuple[InvoiceRow, ...]
    more: bool


def invoices_page(reader: Reader, *, offset: int, limit: int) -> InvoicePage:
    """Return ``limit`` invoices and credit notes from ``offset``, by number."""
    rows = page(
        reader, INVOICES, order_by=INVOICE_ORDER, where=Where(), offset=offset, limit=limit + 1
    )
    return InvoicePage(tuple(rows[:limit]), len(rows) > limit)


def overdue_customers(reader: Reader, customers: Sequence[str], as_of: date) -> set[str]:
    """Return which of ``customers`` have an invoice overdue on ``as_of`` (R29), in 3 queries.

    The statuses are those ``Ledger.invoices(customer, as_of=...)`` gives: each
    customer's account, from its documents and payments.
    """
    rows = select_in(reader, INVOICES, "customer_number", customers)
    documents = {
        d.number: d.document for d in select_in(reader, DOCUMENTS, "customer_number", customers)
    }
    payments = select_in(reader, PAYMENTS, "customer_number", customers)
    views = views_of(rows, documents, payments, as_of)
    return {v.customer_number for v in views if v.status == "overdue"}
