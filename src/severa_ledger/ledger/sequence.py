"""The latest issue date in a seller's number series, which a credit note may not precede (R33)."""

from __future__ import annotations

from datetime import date

from severa_ledger.domain.billing import InvoiceNumber
from severa_ledger.domain.series import InvoiceSeries
from severa_ledger.store.unit import Unit


def latest_issue_date(unit: Unit, series: InvoiceSeries) -> date | None:
    """Return the latest issue date numbered in ``series`` (None before its first number).

    The series keeps the latest date of its numbers; one restored from a snapshot
    taken before it kept them knows only the dates since, so the last document's
    own issue date (read from its customer's account) is taken too.
    """
    last = series.last_sequence
    customer = series.customer_of(last)
    if customer is None:
        return series.latest_issue_date
    document = unit.account(customer).invoices.get(str(InvoiceNumber(series.series, last)))
    dates = [d for d in (series.latest_issue_date, document and document.issue_date) if d]
    return max(dates) if dates else None
