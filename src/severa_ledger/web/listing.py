"""The lists of the API and the operator's page, a page at a time (docs/web.md).

A page is read from the subscriptions read model
(:mod:`severa_ledger.reader.lists`); each row is then shown as the ledger
would show it: the recorded terms (the API) or the terms on the business date
(the page), with R25's terms check and, for the page, the overdue check of
that row only. None when the read models cannot answer now (a ledger with
them turned off, or lagging while another process holds SQLite's write
lock): the callers then load every subscription, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from severa_ledger.domain.documents import InvoiceView
from severa_ledger.domain.subscription import Subscription
from severa_ledger.ledger.ledger import Ledger
from severa_ledger.projections.subscription_rows import SubscriptionRow, subscription_of
from severa_ledger.reader.lists import (
    InvoicePage,
    SubscriptionFilter,
    SubscriptionPage,
    invoices_page,
    overdue_customers,
    subscriptions_page,
)


def read_page(
    ledger: Ledger, chosen: SubscriptionFilter, *, offset: int, limit: int, counted: bool = False
) -> SubscriptionPage | None:
    """Return one page of the subscriptions ``chosen`` keeps, or None (see the module)."""
    if not ledger.read_models_enabled:
        return None
    return ledger.read_models.query(
        lambda reader: subscriptions_page(
            reader, chosen, offset=offset, limit=limit, counted=counted
        )
    )


def terms_required(ledger: Ledger, row: SubscriptionRow, today: date) -> bool:
    """Return whether the row's customer must accept new terms on ``today`` (R25).

    Only a migration whose cohort date has come needs the acceptances, which the
    row does not keep: the recorded subscription has them (a snapshot and the
    events after it), and with no fact dated after ``today`` its acceptances
    are those of ``today``; else the ledger folds the history up to ``today``.
    """
    if row.migration is None or today < row.migration.cohort:
        return False
    if today < row.last_effective:
        return ledger.terms_acceptance_required(row.customer_number, as_of=today)
    recorded = ledger.subscription(row.customer_number)
    return recorded is not None and recorded.terms_acceptance_required(today)


def on_day(ledger: Ledger, row: SubscriptionRow, today: date) -> Subscription | None:
    """Return the row's subscription for a list on ``today`` (None: opened later).

    A list shows the company, seller, currency and licenses. Only a scheduled
    removal (R6) or a migration (R21) changes those as days pass, so a row
    with neither is shown as recorded, without renewing it period by period
    in memory up to ``today``.
    """
    if today < row.opened_on:
        return None
    if today < row.last_effective:  # a fact dated after today: fold the history
        return ledger.subscription(row.customer_number, as_of=today)
    sub = subscription_of(row)
    if row.removals or row.migration is not None:
        sub.advance_to(today)  # in memory only: queries never record
    return sub


def read_invoices(ledger: Ledger, *, offset: int, limit: int) -> InvoicePage | None:
    """Return one page of every invoice and credit note, by number, or None (see the module)."""
    if not ledger.read_models_enabled:
        return None
    return ledger.read_models.query(
        lambda reader: invoices_page(reader, offset=offset, limit=limit)
    )


def invoice_views(ledger: Ledger, page: InvoicePage, today: date) -> list[InvoiceView]:
    """Return the page's invoices with their status on ``today`` (R29).

    A status on a day is its customer's account's (payments, credit), so each
    customer on the page is read once, as ``Ledger.invoices`` reads one customer.
    """
    customers = dict.fromkeys(r.customer_number for r in page.rows)
    found = {c: {v.number: v for v in ledger.invoices(c, as_of=today)} for c in customers}
    return [found[r.customer_number][r.number] for r in page.rows]


def overdue_now(ledger: Ledger, customer: str, *, today: date) -> bool:
    """Return whether ``customer`` has an invoice overdue on ``today`` (R29)."""
    return any(i.status == "overdue" for i in ledger.invoices(customer, as_of=today))


def overdue_among(ledger: Ledger, customers: Sequence[str], today: date) -> Callable[[str], bool]:
    """Return a check of "overdue on ``today``" for ``customers``, read for all at once.

    Three queries for the whole page instead of a few per customer; without the
    read models now, the check asks the ledger customer by customer.
    """
    found = None
    if ledger.read_models_enabled:
        found = ledger.read_models.query(lambda r: overdue_customers(r, customers, today))
    if found is None:
        return lambda customer: overdue_now(ledger, customer, today=today)
    return found.__contains__
