"""The customer's page: licenses, users, the coming period, company details, documents.

Read-only routes here; the forms it posts to are in :mod:`severa_ledger.web.pages_forms`.
A customer's session reaches only its own customer number (anything else is 404);
the operator reaches every customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Response

from severa_ledger.domain.documents import InvoiceLine, InvoiceView, OrderConfirmation
from severa_ledger.domain.errors import LedgerError
from severa_ledger.web.deliveries import visible
from severa_ledger.web.pages_common import (
    TERMS_VERSION,
    Visit,
    customer_visit,
    latest,
    not_found,
    render,
    seller_name,
)

router = APIRouter(include_in_schema=False)

#: Messages a redirect after a successful form may name (``?msg=``): only these are shown.
MESSAGES = ("done", "bought", "removal_scheduled")


def customer_context(found: Visit, customer: str, **extra: object) -> dict[str, Any]:
    """Return everything the customer's page shows, as of the request's business date."""
    ledger, today = found.ledger, found.today
    sub = latest(found.request, customer)
    held = ledger.subscription(customer, as_of=today) or sub
    counts = ledger.license_counts(customer, as_of=today)
    try:
        upcoming = ledger.upcoming_cost(customer, as_of=today)
    except LedgerError:
        upcoming = None
    context: dict[str, Any] = {
        "customer": customer,
        "today": today,
        "company": sub.company_on(today),
        "scheduled": ledger.scheduled_changes(customer, as_of=today),
        "seller": seller_name(ledger, held.seller),
        "currency": sub.currency,
        "counts": counts,
        "kinds": sorted(counts),
        "users": sorted(held.users.items()),
        "upcoming": upcoming,
        "terms_required": held.terms_acceptance_required(today),
        "forms_locked": held.terms_acceptance_required(today) and not found.principal.is_operator,
        "terms_version": TERMS_VERSION,
        "new_seller": seller_name(ledger, held.migration.seller if held.migration else ""),
        "invoices": ledger.invoices(customer, as_of=today),
        "unpaid": _unpaid(ledger.invoices(customer, as_of=today)),
        "reverse_charge": upcoming is not None and _reverse_charged(upcoming.lines),
        "orders": ledger.orders(customer),
        "deliveries": visible(ledger, customer),
        "quote": None,
        "error": None,
        "message": _message(found),
    }
    context.update(extra)
    return context


#: The VAT category of a reverse-charged line (EN 16931: "VAT reverse charge").
REVERSE_CHARGE = "AE"
#: Invoice statuses with something left to pay (R29).
UNPAID = ("open", "overdue")


def _unpaid(invoices: Sequence[InvoiceView]) -> list[InvoiceView]:
    """Return the invoices with an amount left to pay, oldest first."""
    return [i for i in invoices if i.status in UNPAID and i.open_amount > 0]


def _reverse_charged(lines: Sequence[InvoiceLine]) -> bool:
    """Whether a line is reverse charged (VAT category AE): why its VAT is 0."""
    return any(line.vat_category == REVERSE_CHARGE for line in lines)


def _message(found: Visit) -> str | None:
    key = found.request.query_params.get("msg")
    if key not in MESSAGES:
        return None
    day = found.request.query_params.get("day", "")
    return found.text[key].format(day=day[:10])


def customer_page(found: Visit, customer: str, status: int = 200, **extra: object) -> Response:
    """Render the customer's page, with a quote, an error or a message if given."""
    return render(found, "customer.html", customer_context(found, customer, **extra), status)


def quote_lines(order: OrderConfirmation | None) -> list[Any]:
    """Return the lines of a quoted order (none when the purchase costs nothing)."""
    return list(order.lines) if order is not None else []


@router.get("/c/{customer}")
async def show_customer(request: Request, customer: str) -> Response:
    """Show the customer's page."""
    return customer_page(customer_visit(request, customer), customer)


def _invoice_in_scope(found: Visit, customer: str, number: str) -> None:
    try:
        invoice = found.ledger.invoice(number)
    except LedgerError:
        raise not_found() from None
    if invoice.customer_number != customer:
        raise not_found()


@router.get("/c/{customer}/invoices/{number}.pdf")
async def invoice_pdf(request: Request, customer: str, number: str) -> Response:
    """Send an invoice's (or credit note's) PDF, in the page's language."""
    found = customer_visit(request, customer)
    _invoice_in_scope(found, customer, number)
    pdf = found.ledger.invoice_pdf(number, language=found.lang)
    return _download(pdf, "application/pdf", f"{number}.pdf")


@router.get("/c/{customer}/invoices/{number}.xml")
async def invoice_xml(request: Request, customer: str, number: str) -> Response:
    """Send an invoice's (or credit note's) EHF / Peppol BIS Billing 3.0 XML."""
    found = customer_visit(request, customer)
    _invoice_in_scope(found, customer, number)
    xml = found.ledger.invoice_xml(number)
    return _download(xml, "application/xml", f"{number}.xml")


@router.get("/c/{customer}/orders/{sequence}.pdf")
async def order_pdf(request: Request, customer: str, sequence: int) -> Response:
    """Send an order confirmation's PDF, in the page's language."""
    found = customer_visit(request, customer)
    try:
        pdf = found.ledger.order_pdf(customer, sequence, language=found.lang)
    except LedgerError:
        raise not_found() from None
    return _download(pdf, "application/pdf", f"order-{customer}-{sequence}.pdf")


def _download(content: bytes, media_type: str, filename: str) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(content, media_type=media_type, headers=headers)
