"""The customer page's forms: buy (with a quote first), remove, users, company, terms.

Every post is checked for its CSRF token, then for scope, then (R25) for the new
seller's terms: until they are accepted, every form but the acceptance is
refused here, server-side, and nothing is recorded. Each command carries a
command id derived from the form's nonce, so a double submit records once. A
refusal of the ledger is shown on the page with its own message (422).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from severa_ledger.domain.errors import InvalidValueError, LedgerError, TermsNotAcceptedError
from severa_ledger.web.auth import check_terms_accepted
from severa_ledger.web.forms import form_arguments
from severa_ledger.web.pages_common import (
    TERMS_VERSION,
    Visit,
    command_id,
    latest,
    posted,
    render,
)
from severa_ledger.web.pages_customer import customer_page, quote_lines
from severa_ledger.web.pages_quote import quote

router = APIRouter(include_in_schema=False)

#: Company fields a customer may change on the page (R26); empty optional ones are cleared.
COMPANY_FIELDS = (
    "legal_name",
    "org_number",
    "street",
    "postcode",
    "city",
    "vat_id",
    "invoice_email",
    "bank_account",
)


def _done(customer: str, message: str, **params: str) -> Response:
    query = urlencode({"msg": message, **params})
    return RedirectResponse(f"/c/{customer}?{query}#top", status_code=303)


async def _change(request: Request, customer: str, run: Callable[[Visit], Response]) -> Response:
    """Post a change: CSRF, scope and the terms gate (R25) first; a refusal shown on the page."""
    found = await posted(request, customer)
    try:
        check_terms_accepted(found.ledger, found.principal, customer, found.today)
    except TermsNotAcceptedError:
        return customer_page(found, customer, 403, error=found.text["terms_required"])
    try:
        return run(found)
    except LedgerError as error:
        return customer_page(found, customer, 422, error=str(error))


@router.post("/c/{customer}/buy/quote")
async def buy_quote(request: Request, customer: str) -> Response:
    """Show what buying licenses today costs for the rest of the period (R9, R14)."""
    htmx = request.headers.get("HX-Request") == "true"

    def show(found: Visit) -> Response:
        try:
            given = form_arguments(found, "buy_licenses", customer_number=customer)
            kind, quantity = given["kind"], given["quantity"]
            order = quote(found.ledger, customer, kind, quantity, found.today)
        except LedgerError as error:
            if not htmx:
                raise
            return render(found, "_error.html", {"error": str(error)})  # htmx swaps a 200 only
        details = {
            "kind": kind,
            "quantity": quantity,
            "lines": quote_lines(order),
            "net": order.net if order is not None else None,
        }
        if htmx:
            currency = latest(found.request, customer).currency
            context = {"customer": customer, "quote": details, "currency": currency}
            return render(found, "_quote.html", context)
        return customer_page(found, customer, quote=details)

    return await _change(request, customer, show)


@router.post("/c/{customer}/buy")
async def buy(request: Request, customer: str) -> Response:
    """Buy licenses today (R3, R14); the addition's order confirmation is recorded at once."""

    def run(found: Visit) -> Response:
        given = form_arguments(found, "buy_licenses", customer_number=customer)
        found.ledger.buy_licenses(**given, command_id=command_id(found, customer, "buy"))
        return _done(customer, "bought")

    return await _change(request, customer, run)


@router.post("/c/{customer}/remove")
async def remove(request: Request, customer: str) -> Response:
    """Schedule a removal: the count drops at the next period start, no credit (R4, R5)."""

    def run(found: Visit) -> Response:
        key = command_id(found, customer, "remove")
        given = form_arguments(found, "remove_licenses", customer_number=customer)
        day = found.ledger.remove_licenses(**given, command_id=key)
        return _done(customer, "removal_scheduled", day=day.isoformat())

    return await _change(request, customer, run)


@router.post("/c/{customer}/users/activate")
async def activate(request: Request, customer: str) -> Response:
    """Activate a user, buying a license in the same step if asked and none is free (R5)."""

    def run(found: Visit) -> Response:
        given = form_arguments(found, "activate_user", customer_number=customer)
        found.ledger.activate_user(**given, command_id=command_id(found, customer, "activate"))
        return _done(customer, "done")

    return await _change(request, customer, run)


@router.post("/c/{customer}/users/deactivate")
async def deactivate(request: Request, customer: str) -> Response:
    """Deactivate a user, freeing the seat at once, and remove the license if asked (R6)."""

    def run(found: Visit) -> Response:
        given = form_arguments(found, "deactivate_user", customer_number=customer)
        key = command_id(found, customer, f"deactivate/{given['user_id']}")
        found.ledger.deactivate_user(**given, command_id=key)
        return _done(customer, "done")

    return await _change(request, customer, run)


@router.post("/c/{customer}/company")
async def company(request: Request, customer: str) -> Response:
    """Change company details from an effective date, validated by the ledger (R26)."""

    def run(found: Visit) -> Response:
        current = latest(found.request, customer).company_on(found.today)
        given = form_arguments(
            found, "change_company_details", fields={"effective": "on"}, customer_number=customer
        )
        unchanged = [
            name for name in COMPANY_FIELDS if given.get(name, ...) == getattr(current, name)
        ]
        for name in [*unchanged, *(n for n in COMPANY_FIELDS if n not in found.form)]:
            given.pop(name, None)
        key = command_id(found, customer, "company")
        found.ledger.change_company_details(**given, command_id=key)
        return _done(customer, "done")

    return await _change(request, customer, run)


@router.post("/c/{customer}/terms")
async def accept(request: Request, customer: str) -> Response:
    """Record the acceptance of the new seller's terms: version, who and when (R25)."""
    found = await posted(request, customer)
    name = found.form.get("accepted_by", "")
    try:
        if found.form.get("accept") != "yes" or not name:
            raise InvalidValueError("tick the box and give your name to accept the terms")
        given = form_arguments(
            found,
            "accept_terms",
            customer_number=customer,
            version=TERMS_VERSION,
            accepted_by=f"{name} (key {found.principal.key_id})",
        )
        found.ledger.accept_terms(**given, command_id=command_id(found, customer, "terms"))
    except LedgerError as error:
        return customer_page(found, customer, 422, error=str(error))
    return _done(customer, "done")


@router.post("/c/{customer}/scheduled/cancel")
async def cancel_change(request: Request, customer: str) -> Response:
    """Cancel a change scheduled for a later date, by a recorded command (R36)."""

    def run(found: Visit) -> Response:
        given = form_arguments(found, "cancel_scheduled_change", customer_number=customer)
        key = command_id(found, customer, f"cancel/{given['change_id']}")
        found.ledger.cancel_scheduled_change(**given, command_id=key)
        return _done(customer, "done")

    return await _change(request, customer, run)
