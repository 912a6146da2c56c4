"""The JSON API's commands on one subscription: licenses, users, company details, terms.

A customer key changes only its own subscription, effective on the request's
business date, and (after migration) only once the new terms are accepted
(R25). ``Idempotency-Key`` makes a retry safe (:func:`api_deps.command_id`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from severa_ledger.web import api_views as views
from severa_ledger.web.api_deps import (
    Caller,
    IdempotencyKey,
    command_id,
    effective,
    ledger_of,
    visible,
    writable,
)
from severa_ledger.web.api_responses import QuoteOut, Recorded
from severa_ledger.web.problems import PROBLEM_RESPONSES
from severa_ledger.web.schemas import ActivateIn, CompanyChangeIn, DeactivateIn, LicensesIn, TermsIn

router = APIRouter(prefix="/api/v1/subscriptions", tags=["commands"], responses=PROBLEM_RESPONSES)


def _change(request: Request, caller: Caller, customer: str) -> str:
    """Return ``customer`` if the caller may change it now (scope, then R25)."""
    writable(request, caller, visible(caller, customer))
    return customer


@router.post("/{customer}/licenses/quote", summary="What buying licenses now costs (R9, R14)")
async def quote_licenses(
    request: Request, *, caller: Caller, customer: str, body: LicensesIn
) -> QuoteOut:
    """Return the order buying ``quantity`` licenses would create; record nothing."""
    ledger = ledger_of(request)
    visible(caller, customer)
    day = effective(request, caller, body.on)
    order = ledger.quote_licenses(customer, body.kind, body.quantity, on=day)
    if order is None:  # it only cancels a pending removal (R4): nothing to pay
        sub = ledger.subscription(customer)
        assert sub is not None  # noqa: S101 -- as_of None: found or SubscriptionNotFoundError
        return QuoteOut(customer_number=customer, on=day, currency=sub.currency, net="0", lines=[])
    lines = [views.order_line(line) for line in order.lines]
    return QuoteOut(customer_number=customer, on=day, currency=order.currency,
                    net=str(order.net), lines=lines)  # fmt: skip


@router.post("/{customer}/licenses/buy", summary="Buy licenses (R3, R4, R14)")
async def buy_licenses(
    request: Request, *, caller: Caller, customer: str, body: LicensesIn,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:  # fmt: skip
    """Buy licenses from today (or ``on``); return the addition order, if one was created."""
    day = effective(request, caller, body.on)
    order = ledger_of(request).buy_licenses(
        _change(request, caller, customer), body.kind, body.quantity, on=day,
        command_id=command_id(caller, idempotency_key),
    )  # fmt: skip
    return Recorded(order=views.order(order) if order else None)


@router.post("/{customer}/licenses/remove", summary="Schedule a removal (R4, R5)")
async def remove_licenses(
    request: Request, *, caller: Caller, customer: str, body: LicensesIn,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:  # fmt: skip
    """Schedule removing licenses: the count drops at the next period start, no credit (R4)."""
    day = effective(request, caller, body.on)
    drops = ledger_of(request).remove_licenses(
        _change(request, caller, customer), body.kind, body.quantity, on=day,
        command_id=command_id(caller, idempotency_key),
    )  # fmt: skip
    return Recorded(effective=drops)


@router.post("/{customer}/users/{user_id}/activate", summary="Activate a user (R5, R7)")
async def activate_user(
    request: Request, *, caller: Caller, customer: str, user_id: str, body: ActivateIn,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:  # fmt: skip
    """Activate a user; with ``buy_if_needed`` buy a license in the same change (R5)."""
    day = effective(request, caller, body.on)
    order = ledger_of(request).activate_user(
        _change(request, caller, customer), user_id, on=day, kind=body.kind,
        buy_if_needed=body.buy_if_needed, command_id=command_id(caller, idempotency_key),
    )  # fmt: skip
    return Recorded(order=views.order(order) if order else None)


@router.post("/{customer}/users/{user_id}/deactivate", summary="Deactivate a user (R6)")
async def deactivate_user(
    request: Request, *, caller: Caller, customer: str, user_id: str, body: DeactivateIn,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:  # fmt: skip
    """Deactivate a user; with ``remove_license`` schedule removing the freed seat (R4, R6)."""
    day = effective(request, caller, body.on)
    ledger_of(request).deactivate_user(
        _change(request, caller, customer), user_id, on=day,
        remove_license=body.remove_license, command_id=command_id(caller, idempotency_key),
    )  # fmt: skip
    return Recorded()


@router.post("/{customer}/company", summary="Change company details (R26)")
async def change_company(
    request: Request, *, caller: Caller, customer: str, body: CompanyChangeIn,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:  # fmt: skip
    """Change the fields given from today (or ``on``); return the details now in force."""
    day = effective(request, caller, body.on)
    fields = body.model_dump(exclude_unset=True, exclude={"on"})
    details = ledger_of(request).change_company_details(
        _change(request, caller, customer), on=day,
        command_id=command_id(caller, idempotency_key), **fields,
    )  # fmt: skip
    return Recorded(details=views.jsonable(details))


@router.post("/{customer}/terms/accept", summary="Accept the new seller's terms (R25)")
async def accept_terms(
    request: Request, *, caller: Caller, customer: str, body: TermsIn,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:  # fmt: skip
    """Record the acceptance of the new terms: version, who and when (R25)."""
    day = effective(request, caller, body.on)
    ledger_of(request).accept_terms(
        visible(caller, customer), version=body.version, accepted_by=body.accepted_by, on=day,
        command_id=command_id(caller, idempotency_key),
    )  # fmt: skip
    return Recorded()
