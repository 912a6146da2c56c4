"""The JSON API's commands on one subscription: licenses, users, company details, terms.

A customer key changes only its own subscription, effective on the request's
business date (company details: from today to the end of the next billing
period, R36), and (after migration) only once the new terms are accepted (R25).
Bodies are read by the command catalogue (:mod:`severa_ledger.web.api_bodies`),
as every other edge reads them. ``Idempotency-Key`` makes a retry safe
(:func:`api_deps.command_id`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from severa_ledger.web import api_views as views
from severa_ledger.web.api_bodies import (
    ChangePath,
    CustomerPath,
    UserPath,
    arguments,
    body_of,
)
from severa_ledger.web.api_deps import (
    Caller,
    IdempotencyKey,
    command_id,
    ledger_of,
    today,
    visible,
    writable,
)
from severa_ledger.web.api_responses import (
    QuoteOut,
    Recorded,
    ScheduledChangeOut,
    ScheduledChangesOut,
)
from severa_ledger.web.problems import PROBLEM_RESPONSES
from severa_ledger.web.schemas import IsoDate

router = APIRouter(prefix="/api/v1/subscriptions", tags=["commands"], responses=PROBLEM_RESPONSES)


def _change(request: Request, caller: Caller, customer: str) -> str:
    """Return ``customer`` if the caller may change it now (scope, then R25)."""
    writable(request, caller, visible(caller, customer))
    return customer


@router.post(
    "/{customer}/licenses/quote",
    summary="What buying licenses now costs (R9, R14)",
    openapi_extra=body_of("buy_licenses"),
)
async def quote_licenses(request: Request, *, caller: Caller, customer: CustomerPath) -> QuoteOut:
    """Return the order buying ``quantity`` licenses would create; record nothing."""
    ledger = ledger_of(request)
    visible(caller, customer)
    given = await arguments(request, caller, "buy_licenses", path={"customer_number": customer})
    day, kind, quantity = given["on"], given["kind"], given["quantity"]
    order = ledger.quote_licenses(customer, kind, quantity, on=day)
    if order is None:  # it only cancels a pending removal (R4): nothing to pay
        sub = ledger.subscription(customer)
        assert sub is not None  # noqa: S101 -- as_of None: found or SubscriptionNotFoundError
        return QuoteOut(customer_number=customer, on=day, currency=sub.currency, net="0", lines=[])
    lines = [views.order_line(line) for line in order.lines]
    return QuoteOut(
        customer_number=customer, on=day, currency=order.currency, net=str(order.net), lines=lines
    )


async def _record(
    request: Request, caller: Caller, command: str, key: str | None, **path: str
) -> object:
    """Record ``command`` for the path's customer, its body read by the catalogue."""
    _change(request, caller, path["customer_number"])
    given = await arguments(request, caller, command, path=path)
    run = getattr(ledger_of(request), command)
    return run(**given, command_id=command_id(caller, key))


@router.post(
    "/{customer}/licenses/buy",
    summary="Buy licenses (R3, R4, R14)",
    openapi_extra=body_of("buy_licenses"),
)
async def buy_licenses(
    request: Request,
    *,
    caller: Caller,
    customer: CustomerPath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Buy licenses from today (or ``on``); return the addition order, if one was created."""
    order = await _record(
        request, caller, "buy_licenses", idempotency_key, customer_number=customer
    )
    return Recorded(order=views.order(order) if order else None)  # type: ignore[arg-type]


@router.post(
    "/{customer}/licenses/remove",
    summary="Schedule a removal (R4, R5)",
    openapi_extra=body_of("remove_licenses"),
)
async def remove_licenses(
    request: Request,
    *,
    caller: Caller,
    customer: CustomerPath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Schedule removing licenses: the count drops at the next period start, no credit (R4)."""
    drops = await _record(
        request, caller, "remove_licenses", idempotency_key, customer_number=customer
    )
    return Recorded(effective=drops)  # type: ignore[arg-type]


@router.post(
    "/{customer}/users/{user_id}/activate",
    summary="Activate a user (R5, R7)",
    openapi_extra=body_of("activate_user"),
)
async def activate_user(
    request: Request,
    *,
    caller: Caller,
    customer: CustomerPath,
    user_id: UserPath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Activate a user; with ``buy_if_needed`` buy a license in the same change (R5)."""
    order = await _record(
        request, caller, "activate_user", idempotency_key, customer_number=customer, user_id=user_id
    )
    return Recorded(order=views.order(order) if order else None)  # type: ignore[arg-type]


@router.post(
    "/{customer}/users/{user_id}/deactivate",
    summary="Deactivate a user (R6)",
    openapi_extra=body_of("deactivate_user"),
)
async def deactivate_user(
    request: Request,
    *,
    caller: Caller,
    customer: CustomerPath,
    user_id: UserPath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Deactivate a user; with ``remove_license`` schedule removing the freed seat (R4, R6)."""
    await _record(
        request,
        caller,
        "deactivate_user",
        idempotency_key,
        customer_number=customer,
        user_id=user_id,
    )
    return Recorded()


@router.post(
    "/{customer}/company",
    summary="Change company details (R26, R36)",
    openapi_extra=body_of("change_company_details"),
)
async def change_company(
    request: Request,
    *,
    caller: Caller,
    customer: CustomerPath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Change the fields given from today (or ``on``); return the details now in force."""
    details = await _record(
        request, caller, "change_company_details", idempotency_key, customer_number=customer
    )
    return Recorded(details=views.jsonable(details))


@router.post(
    "/{customer}/terms/accept",
    summary="Accept the new seller's terms (R25)",
    openapi_extra=body_of("accept_terms"),
)
async def accept_terms(
    request: Request,
    *,
    caller: Caller,
    customer: CustomerPath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Record the acceptance of the new terms: version, who and when (R25)."""
    visible(caller, customer)
    given = await arguments(request, caller, "accept_terms", path={"customer_number": customer})
    ledger_of(request).accept_terms(**given, command_id=command_id(caller, idempotency_key))
    return Recorded()


@router.get("/{customer}/scheduled", summary="Changes scheduled for a later date (R36)")
async def scheduled_changes(
    request: Request,
    *,
    caller: Caller,
    customer: CustomerPath,
    as_of: Annotated[IsoDate | None, Query(description="business date (default: today)")] = None,
) -> ScheduledChangesOut:
    """Return the company, removal, price and migration changes not yet in effect."""
    day: date = as_of or today(request)
    changes = ledger_of(request).scheduled_changes(visible(caller, customer), as_of=day)
    items = [ScheduledChangeOut.model_validate(views.jsonable(change)) for change in changes]
    return ScheduledChangesOut(customer_number=customer, as_of=day, items=items)


@router.post(
    "/{customer}/scheduled/{change_id}/cancel",
    summary="Cancel a scheduled change before it takes effect (R36)",
    openapi_extra=body_of("cancel_scheduled_change"),
)
async def cancel_scheduled_change(
    request: Request,
    *,
    caller: Caller,
    customer: CustomerPath,
    change_id: ChangePath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Record the cancellation (a new fact: nothing recorded is edited); return the change."""
    path = {"customer_number": customer, "change_id": change_id}
    change = await _record(request, caller, "cancel_scheduled_change", idempotency_key, **path)
    return Recorded(details=views.jsonable(change))
