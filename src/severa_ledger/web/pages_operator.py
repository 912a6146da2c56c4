"""The operator's pages (the seller's billing team): subscriptions, billing, payments, audit.

Operator sessions only: a customer's session gets 404 here, as for any page
outside its scope. Every post is CSRF-checked; payments and credit notes carry
a command id from the form's nonce (a double submit records once); a billing run
records nothing new when repeated, by its own rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import attrs
from fastapi import APIRouter, Request, Response

from severa_ledger.domain import inputs
from severa_ledger.domain.errors import LedgerError
from severa_ledger.domain.subscription import Subscription
from severa_ledger.projections.subscription_rows import SubscriptionRow
from severa_ledger.reader.lists import SubscriptionFilter
from severa_ledger.web.deliveries import problems
from severa_ledger.web.forms import form_arguments
from severa_ledger.web.listing import (
    on_day,
    overdue_among,
    overdue_now,
    read_page,
    terms_required,
)
from severa_ledger.web.pages_common import (
    Visit,
    command_id,
    operator_visit,
    posted,
    render,
    seller_name,
)
from severa_ledger.web.verify_result import keep_verify, last_verify

router = APIRouter(include_in_schema=False)

STATUSES = ("ok", "terms_pending", "overdue")
#: Rows on one page of the subscriptions list.
PAGE_SIZE = 50


@attrs.frozen
class Row:
    """One subscription in the operator's list."""

    customer: str
    name: str
    seller: str
    seller_name: str
    currency: str
    licenses: int
    status: str


def _row(found: Visit, customer: str) -> Row | None:
    sub = found.ledger.subscription(customer, as_of=found.today)
    if sub is None:
        return None
    late = partial(overdue_now, found.ledger, today=found.today)
    return _shown(found, sub, terms=sub.terms_acceptance_required, overdue=late)


def _shown(
    found: Visit,
    sub: Subscription,
    *,
    terms: Callable[[date], bool],
    overdue: Callable[[str], bool],
) -> Row:
    ledger, today, customer = found.ledger, found.today, sub.customer_number
    status = "ok"
    if terms(today):
        status = "terms_pending"
    elif overdue(customer):
        status = "overdue"
    return Row(
        customer,
        sub.company.legal_name,
        sub.seller,
        seller_name(ledger, sub.seller),
        sub.currency,
        sum(sub.licenses.values()),
        status,
    )


def _page_row(found: Visit, row: SubscriptionRow, overdue: Callable[[str], bool]) -> Row | None:
    sub = on_day(found.ledger, row, found.today)
    if sub is None:
        return None
    terms = partial(terms_required, found.ledger, row)
    return _shown(found, sub, terms=terms, overdue=overdue)


def _listed(found: Visit, query: str, seller: str, status: str, page: int) -> tuple[list[Row], int]:
    """Return the page's rows and how many match in all.

    Without a seller or status filter the page is read from the subscriptions
    read model (docs/web.md): a subscription opening after the business date
    is left off its page, yet counted. The seller and status filters are of
    the terms on the business date (a migration changes the seller on its
    cohort date), so they still look at every subscription.
    """
    start = (page - 1) * PAGE_SIZE
    chosen = SubscriptionFilter(text=query)
    read = (
        None
        if seller or status
        else read_page(found.ledger, chosen, offset=start, limit=PAGE_SIZE, counted=True)
    )
    if read is not None:
        late = overdue_among(found.ledger, [r.customer_number for r in read.rows], found.today)
        rows = [r for row in read.rows if (r := _page_row(found, row, late)) is not None]
        return rows, read.total or 0
    rows = [row for c in found.ledger.customers() if (row := _row(found, c)) is not None]
    shown = [row for row in rows if _matches(row, query, seller, status)]
    return shown[start : start + PAGE_SIZE], len(shown)


def _matches(row: Row, query: str, seller: str, status: str) -> bool:
    text = query.casefold()
    return (
        (not text or text in row.customer.casefold() or text in row.name.casefold())
        and (not seller or row.seller == seller)
        and (not status or row.status == status)
    )


def operator_context(found: Visit, **extra: object) -> dict[str, Any]:
    """Return what the operator's page shows: the filtered subscriptions and the forms."""
    params = found.request.query_params
    query, seller, status = params.get("q", ""), params.get("seller", ""), params.get("status", "")
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    rows, matched = _listed(found, query, seller, status, page)
    context: dict[str, Any] = {
        "rows": rows,
        "matched": matched,
        "page": page,
        "pages": max(1, -(-matched // PAGE_SIZE)),
        "filters": {"q": query, "seller": seller, "status": status},
        "sellers": {key: s.name for key, s in found.ledger.sellers.sellers.items()},
        "statuses": STATUSES,
        "today": found.today,
        "last_verify": last_verify(found.request),
        "problems": problems(found.ledger),
        "preview": None,
        "error": None,
        "message": None,
    }
    context.update(extra)
    return context


def operator_page(found: Visit, status: int = 200, **extra: object) -> Response:
    """Render the operator's page."""
    return render(found, "operator.html", operator_context(found, **extra), status)


@router.get("/operator")
async def show_operator(request: Request) -> Response:
    """All subscriptions, with filters; the billing, payment, credit and verify forms."""
    return operator_page(operator_visit(request))


def _through(found: Visit) -> date:
    return inputs.written_date(found.form.get("through"), "through")


async def _act(request: Request, run: Callable[[Visit], Response]) -> Response:
    found = await posted(request, operator=True)
    try:
        return run(found)
    except LedgerError as error:
        return operator_page(found, 422, error=str(error))


@router.post("/operator/billing/preview")
async def billing_preview(request: Request) -> Response:
    """Show the invoices a billing run through a date would issue (a dry run: records nothing)."""

    def run(found: Visit) -> Response:
        preview = found.ledger.preview_billing(through=_through(found))
        message = found.text["would_issue"].format(day=preview.through, count=len(preview.invoices))
        return operator_page(found, preview=preview, message=message)

    return await _act(request, run)


@router.post("/operator/billing/run")
async def billing_run(request: Request) -> Response:
    """Run billing through a date (R13-R20); repeating it records nothing new."""

    def run(found: Visit) -> Response:
        if found.form.get("confirm") != "yes":  # confirmed from the preview's second form
            return operator_page(found, 422, error=found.text["run_unconfirmed"])
        report = found.ledger.run_billing(through=_through(found))
        count = len(report.invoice_numbers)
        return operator_page(found, message=found.text["issued_now"].format(count=count))

    return await _act(request, run)


@router.post("/operator/payments")
async def payment(request: Request) -> Response:
    """Record a payment against an invoice (R29)."""

    def run(found: Visit) -> Response:
        given = form_arguments(found, "record_payment")
        key = command_id(found, "operator", "payment")
        found.ledger.record_payment(**given, command_id=key)
        number, amount = given["invoice_number"], given["amount"]
        return operator_page(found, message=f"{found.text['done']} {number}: {amount}")

    return await _act(request, run)


@router.post("/operator/credit-notes")
async def credit_note(request: Request) -> Response:
    """Issue a credit note for an invoice (R17)."""

    def run(found: Visit) -> Response:
        given = form_arguments(found, "credit_invoice", fields={"invoice_number": "number"})
        key = command_id(found, "operator", "credit")
        credit = found.ledger.credit_invoice(**given, command_id=key)
        return operator_page(found, message=f"{found.text['done']} {given['number']} -> {credit}")

    return await _act(request, run)


@router.post("/operator/verify")
async def run_verify(request: Request) -> Response:
    """Verify the stored history now; the result is kept and shown until the next run."""

    def run(found: Visit) -> Response:
        keep_verify(request, found.ledger.verify())
        return operator_page(found)

    return await _act(request, run)
