"""Pages of the subscriptions and invoices lists, read from the read models (docs/web.md).

The operator's page and ``GET /api/v1/subscriptions`` show a page of
subscriptions by customer number; with 100,000 of them, loading each to
filter and count would take seconds. Here one page is one query on the
read model's table (``ORDER BY customer_number LIMIT .. OFFSET ..``) and the
count another; a text search reads two columns of every row (customer
number and company name) and matches them in Python (``casefold``, as
before), then loads only the page's rows.
"""

from __future__ import annotations

from datetime import date

import attrs

from severa_ledger.projections.paging import Where, columns, count, page
from severa_ledger.projections.receivables import INVOICES, InvoiceRow
from severa_ledger.projections.store import Reader
from severa_ledger.projections.subscription_rows import SUBSCRIPTIONS, SubscriptionRow

ORDER = ("customer_number",)
#: Invoices and credit notes by number: the seller's series, then the sequence in it.
INVOICE_ORDER = ("series", "sequence")


@attrs.frozen
class SubscriptionFilter:
    """Which subscriptions: one customer's, by seller, currency, opened by a date, a text."""

    customer: str | None = None
    seller: str | None = None
    currency: str | None = None
    opened_by: date | None = None
    text: str = ""

    def where(self) -> Where:
        """Return the rows' columns to compare (the text is matched apart)."""
        equal = {"customer_number": self.customer, "seller": self.seller, "currency": self.currency}
        at_most = {} if self.opened_by is None else {"opened_on": self.opened_by}
        return Where({k: v for k, v in equal.items() if v is not None}, at_most)


@attrs.frozen
class SubscriptionPage:
    """One page of subscription rows, by customer number, and how many match in all."""

    rows: tuple[SubscriptionRow, ...]
    total: int


def subscriptions_page(
    reader: Reader, chosen: SubscriptionFilter, *, offset: int, limit: int
) -> SubscriptionPage:
    """Return the rows ``chosen`` keeps, ``limit`` from ``offset``, and their total."""
    where = chosen.where()
    if not chosen.text:
        rows = page(reader, SUBSCRIPTIONS, order_by=ORDER, where=where, offset=offset, limit=limit)
        return SubscriptionPage(tuple(rows), count(reader, SUBSCRIPTIONS, where))
    text = chosen.text.casefold()
    names = ("subscription_id", "customer_number", "company_name")
    found = columns(reader, SUBSCRIPTIONS, names, order_by=ORDER, where=where)
    matched = [(sid,) for sid, c, name in found if text in c.casefold() or text in name.casefold()]
    keys = matched[offset : offset + limit]
    loaded = reader.get_many(SUBSCRIPTIONS, keys)
    return SubscriptionPage(tuple(loaded[k] for k in keys if k in loaded), len(matched))


@attrs.frozen
class InvoicePage:
    """One page of invoice rows, by number, and how many there are in all."""

    rows: tuple[InvoiceRow, ...]
    total: int


def invoices_page(reader: Reader, *, offset: int, limit: int) -> InvoicePage:
    """Return ``limit`` invoices and credit notes from ``offset``, by number, and the total."""
    rows = page(reader, INVOICES, order_by=INVOICE_ORDER, where=Where(), offset=offset, limit=limit)
    return InvoicePage(tuple(rows), count(reader, INVOICES, Where()))
