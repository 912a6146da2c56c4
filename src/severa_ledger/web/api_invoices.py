"""The JSON API's invoices: the list, one invoice, and its EHF XML and PDF documents.

A customer key sees only its own invoices; another customer's number is
answered 404, exactly as a number no invoice has.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from severa_ledger.domain.documents import InvoiceView
from severa_ledger.web import api_views as views
from severa_ledger.web.api_credits import CreditableOut
from severa_ledger.web.api_deps import (
    Caller,
    Cursor,
    Limit,
    invoice_visible,
    ledger_of,
    paged,
    today,
    visible,
)
from severa_ledger.web.api_responses import InvoiceOut, InvoicesPage
from severa_ledger.web.listing import invoice_views, read_invoices
from severa_ledger.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/invoices", tags=["invoices"], responses=PROBLEM_RESPONSES)
STATUSES = "^(open|paid|overdue|credited|credit_note)$"


def _document(media_type: str, description: str) -> dict[int | str, dict[str, object]]:
    schema = {"type": "string", "format": "binary"}
    return {200: {"description": description, "content": {media_type: {"schema": schema}}}}


def _invoice(request: Request, caller: Caller, number: str) -> InvoiceView:
    view = ledger_of(request).invoice(number, as_of=today(request))
    invoice_visible(caller, number, view.customer_number)
    return view


@router.get("", summary="List invoices and credit notes (a customer key: its own)")
async def list_invoices(
    request: Request,
    *,
    caller: Caller,
    limit: Limit = 100,
    cursor: Cursor = None,
    customer: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(pattern=STATUSES)] = None,
) -> InvoicesPage:
    """Return invoices by number with their status today, filtered by customer and status."""
    mine = customer if customer is not None else caller.customer_number
    if mine is not None:
        visible(caller, mine)
    ledger, day = ledger_of(request), today(request)
    every = None
    if mine is None and status is None:  # one page from the read model (docs/web.md)
        every = read_invoices(ledger, offset=int(cursor or 0), limit=limit)
    if every is not None:
        after = int(cursor or 0) + limit
        return InvoicesPage(
            items=[views.invoice(v) for v in invoice_views(ledger, every, day)],
            next_cursor=str(after) if every.more else None,
        )
    found = ledger.invoices(mine, as_of=day)
    kept = [v for v in found if status is None or v.status == status]
    page, after_cursor = paged(kept, limit, cursor)
    return InvoicesPage(items=[views.invoice(v) for v in page], next_cursor=after_cursor)


@router.get("/{number}", summary="One invoice or credit note")
async def get_invoice(request: Request, *, caller: Caller, number: str) -> InvoiceOut:
    """Return the invoice as issued, with its status today (R18, R29)."""
    return views.invoice(_invoice(request, caller, number))


@router.get("/{number}/creditable", summary="What remains creditable of an invoice (R33)")
async def get_creditable(request: Request, *, caller: Caller, number: str) -> CreditableOut:
    """Return each line's net amount, what credit notes credited of it and what remains."""
    _invoice(request, caller, number)
    found = ledger_of(request).creditable(number)
    return CreditableOut.model_validate(views.jsonable(found.as_data()))


@router.get(
    "/{number}/ehf",
    summary="The EHF / Peppol BIS 3 UBL XML",
    response_class=Response,
    responses=_document("application/xml", "the UBL 2.1 XML"),
)
async def get_invoice_ehf(request: Request, *, caller: Caller, number: str) -> Response:
    """Return the invoice's EHF (Peppol BIS Billing 3.0) UBL XML."""
    _invoice(request, caller, number)
    xml = ledger_of(request).invoice_xml(number)
    disposition = f'attachment; filename="{number}.xml"'
    return Response(xml, media_type="application/xml", headers={"Content-Disposition": disposition})


@router.get(
    "/{number}/pdf",
    summary="The invoice as PDF",
    response_class=Response,
    responses=_document("application/pdf", "the PDF/A-3 document"),
)
async def get_invoice_pdf(
    request: Request,
    *,
    caller: Caller,
    number: str,
    language: Annotated[str | None, Query(pattern="^(nb|en|fi)$")] = None,
) -> Response:
    """Return the invoice's PDF, in ``language`` (default: the buyer's country's)."""
    _invoice(request, caller, number)
    pdf = ledger_of(request).invoice_pdf(number, language=language)
    disposition = f'attachment; filename="{number}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
