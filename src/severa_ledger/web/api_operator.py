"""The operator's API: open, prices, migration, payments, credit notes, billing, verify.

The operator is the seller's billing team; a customer key is refused (403).
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Depends, HTTPException, Request

from severa_ledger.billing.plan import HeldBack
from severa_ledger.web import api_views as views
from severa_ledger.web.api_bodies import (
    CustomerPath,
    InvoicePath,
    arguments,
    body_of,
)
from severa_ledger.web.api_deps import (
    IdempotencyKey,
    Operator,
    command_id,
    ledger_of,
    operator,
)
from severa_ledger.web.api_operator_responses import (
    BillingOut,
    HeldBackOut,
    PlannedInvoiceOut,
    VerifyOut,
)
from severa_ledger.web.api_responses import Recorded
from severa_ledger.web.problems import PROBLEM_RESPONSES
from severa_ledger.web.schemas import BillingIn
from severa_ledger.web.verify_result import keep_verify, last_verify

router = APIRouter(prefix="/api/v1", tags=["operator"], responses=PROBLEM_RESPONSES)
OPERATOR = [Depends(operator)]


@router.post(
    "/subscriptions",
    summary="Open a subscription",
    status_code=201,
    openapi_extra=body_of("open_subscription", omit=("channel",)),
)
async def open_subscription(
    request: Request, *, caller: Operator, idempotency_key: IdempotencyKey = None
) -> Recorded:
    """Open a subscription (R1, R8-R12, R20, R26)."""
    given = await arguments(request, caller, "open_subscription", omit=("channel",))
    ledger_of(request).open_subscription(**given, command_id=command_id(caller, idempotency_key))
    return Recorded()


@router.post(
    "/subscriptions/{customer}/prices",
    summary="A new price-list version (R12)",
    openapi_extra=body_of("change_prices"),
)
async def change_prices(
    request: Request,
    *,
    caller: Operator,
    customer: CustomerPath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Record a price-list version effective from ``effective`` (R12)."""
    given = await arguments(request, caller, "change_prices", path={"customer_number": customer})
    ledger_of(request).change_prices(**given, command_id=command_id(caller, idempotency_key))
    return Recorded()


@router.post(
    "/subscriptions/{customer}/migration",
    summary="Schedule the migration (R21-R24)",
    openapi_extra=body_of("schedule_migration"),
)
async def schedule_migration(
    request: Request,
    *,
    caller: Operator,
    customer: CustomerPath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Schedule the move to Visma Solutions Oy from ``cohort`` (R21-R24)."""
    given = await arguments(
        request, caller, "schedule_migration", path={"customer_number": customer}
    )
    migration = ledger_of(request).schedule_migration(
        **given, command_id=command_id(caller, idempotency_key)
    )
    return Recorded(details=views.jsonable(migration))


@router.post(
    "/payments",
    summary="Record a payment (R29)",
    openapi_extra=body_of("record_payment", omit=()),
)
async def record_payment(
    request: Request, *, caller: Operator, idempotency_key: IdempotencyKey = None
) -> Recorded:
    """Record a payment against an invoice; an overpayment becomes credit (R29)."""
    given = await arguments(request, caller, "record_payment", omit=())
    ledger_of(request).record_payment(**given, command_id=command_id(caller, idempotency_key))
    return Recorded()


@router.post(
    "/exchange-rates",
    summary="Record an exchange rate (R32)",
    openapi_extra=body_of("record_exchange_rate", omit=()),
)
async def record_exchange_rate(
    request: Request, *, caller: Operator, idempotency_key: IdempotencyKey = None
) -> Recorded:
    """Record that 1 base (EUR) is ``rate`` of ``quote`` on ``on``, as ``source`` says (R32)."""
    given = await arguments(request, caller, "record_exchange_rate", omit=())
    rate = ledger_of(request).record_exchange_rate(
        **given, command_id=command_id(caller, idempotency_key)
    )
    return Recorded(details=views.jsonable(rate))


@router.post(
    "/invoices/{number}/credit",
    summary="Issue a credit note (R17)",
    openapi_extra=body_of("credit_invoice"),
)
async def credit_invoice(
    request: Request,
    *,
    caller: Operator,
    number: InvoicePath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Issue a credit note (type 381) for an invoice; return its number (R17)."""
    given = await arguments(request, caller, "credit_invoice", path={"number": number})
    credit = ledger_of(request).credit_invoice(
        **given, command_id=command_id(caller, idempotency_key)
    )
    return Recorded(number=credit)


@router.post("/billing/runs", summary="Run billing, or preview it (dry_run)", dependencies=OPERATOR)
async def run_billing(request: Request, *, body: BillingIn) -> BillingOut:
    """Bill everything due through a date; ``dry_run`` (the default) records nothing."""
    ledger = ledger_of(request)
    if body.dry_run:
        preview = ledger.preview_billing(through=body.through)
        planned = [PlannedInvoiceOut.model_validate(views.jsonable(i)) for i in preview.invoices]
        return BillingOut(
            through=preview.through,
            dry_run=True,
            subscriptions=preview.subscriptions,
            orders=preview.orders,
            invoice_numbers=[i.number for i in planned],
            invoices=planned,
            without_payment_details=preview.without_payment_details(),
            held_back=_held_back(preview.held_back),
        )
    report = ledger.run_billing(through=body.through, workers=1)
    return BillingOut(
        through=report.through,
        dry_run=False,
        subscriptions=report.subscriptions,
        orders=report.orders,
        invoice_numbers=list(report.invoice_numbers),
        invoices=[],
        without_payment_details=list(report.without_payment_details),
        held_back=_held_back(report.held_back),
    )


def _held_back(held: Sequence[HeldBack]) -> list[HeldBackOut]:
    return [HeldBackOut.model_validate(views.jsonable(h)) for h in held]


@router.post("/verify", summary="Verify the stored history now", dependencies=OPERATOR)
async def run_verify(request: Request) -> VerifyOut:
    """Check the hash chain and the log, re-derive every document; keep the result for GET."""
    return keep_verify(request, ledger_of(request).verify(workers=1)).out()


@router.get("/verify", summary="The last verify result", dependencies=OPERATOR)
async def show_last_verify(request: Request) -> VerifyOut:
    """Return the last verify since the app started, by the API or the page (404 before)."""
    kept = last_verify(request)
    if kept is None:
        raise HTTPException(404, "verify has not run since the app started: POST /api/v1/verify")
    return kept.out()
