"""The JSON API's queries on subscriptions: list, licenses, users, costs, orders, history.

A customer key sees only its own subscription; another customer's is answered
404, exactly as a missing one. ``as_of`` defaults to the request's business date.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from severa_ledger.projections.subscription_rows import subscription_of
from severa_ledger.reader.lists import SubscriptionFilter
from severa_ledger.web import api_views as views
from severa_ledger.web.api_deps import Caller, Cursor, Limit, ledger_of, paged, today, visible
from severa_ledger.web.api_responses import (
    HistoryPage,
    LicensesOut,
    OrdersPage,
    PreviewOut,
    ReceivablesOut,
    SubscriptionOut,
    SubscriptionsPage,
    TermsOut,
    UserOut,
    UsersPage,
)
from severa_ledger.web.auth import Principal
from severa_ledger.web.listing import read_page, terms_required
from severa_ledger.web.problems import PROBLEM_RESPONSES
from severa_ledger.web.schemas import IsoDate

router = APIRouter(prefix="/api/v1", tags=["subscriptions"], responses=PROBLEM_RESPONSES)
AsOf = Annotated[IsoDate | None, Query(description="business date (default: today)")]
Text = Annotated[str | None, Query(max_length=200)]


def _as_of(request: Request, as_of: date | None) -> date:
    return as_of or today(request)


def _subscription(request: Request, customer: str) -> SubscriptionOut:
    ledger = ledger_of(request)
    sub = ledger.subscription(customer)
    assert sub is not None  # noqa: S101 -- as_of None: found or SubscriptionNotFoundError
    required = ledger.terms_acceptance_required(customer, as_of=today(request))
    return views.subscription(sub, required)


@router.get(
    "/subscriptions",
    summary="List subscriptions (a customer key: its own)",
    description="Paged by customer number (as text, in the store's collation), read from the "
    "subscriptions read model: `limit` items from `cursor`; `next_cursor` is the next page's "
    "cursor, null on the last page (docs/web.md).",
)
async def list_subscriptions(
    request: Request,
    *,
    caller: Caller,
    limit: Limit = 100,
    cursor: Cursor = None,
    seller: Text = None,
    currency: Text = None,
) -> SubscriptionsPage:
    """Return subscriptions by customer number, filtered by seller and currency."""
    ledger, start = ledger_of(request), int(cursor or 0)
    chosen = SubscriptionFilter(customer=caller.customer_number, seller=seller, currency=currency)
    found = read_page(ledger, chosen, offset=start, limit=limit)
    if found is None:
        return _every_subscription(request, caller, limit, cursor, chosen)
    day = today(request)
    items = [
        views.subscription(subscription_of(r), terms_required(ledger, r, day)) for r in found.rows
    ]
    after = start + limit
    return SubscriptionsPage(items=items, next_cursor=str(after) if found.more else None)


def _every_subscription(
    request: Request, caller: Principal, limit: int, cursor: str | None, chosen: SubscriptionFilter
) -> SubscriptionsPage:
    """Return the page from every subscription: when the read models cannot answer now."""
    customers = sorted(c for c in ledger_of(request).customers() if caller.may_see(c))
    seller, currency = chosen.seller, chosen.currency
    kept = [
        s
        for s in (_subscription(request, c) for c in customers)
        if (seller is None or s.seller == seller) and (currency is None or s.currency == currency)
    ]
    page, after = paged(kept, limit, cursor)
    return SubscriptionsPage(items=page, next_cursor=after)


@router.get("/subscriptions/{customer}", summary="One subscription")
async def get_subscription(request: Request, *, caller: Caller, customer: str) -> SubscriptionOut:
    """Return a subscription's terms and whether new terms await acceptance (R25)."""
    return _subscription(request, visible(caller, customer))


@router.get("/subscriptions/{customer}/licenses", summary="License counts per kind")
async def get_licenses(
    request: Request, *, caller: Caller, customer: str, as_of: AsOf = None
) -> LicensesOut:
    """Return licenses, active users, free and pending removal per kind (R3-R6)."""
    day = _as_of(request, as_of)
    counts = ledger_of(request).license_counts(visible(caller, customer), as_of=day)
    return views.licenses(customer, day, counts)


@router.get("/subscriptions/{customer}/users", summary="Active users")
async def get_users(
    request: Request, *, caller: Caller, customer: str, limit: Limit = 100, cursor: Cursor = None
) -> UsersPage:
    """Return the active users and the kind of license each uses (R5, R7)."""
    sub = ledger_of(request).subscription(visible(caller, customer))
    assert sub is not None  # noqa: S101 -- as_of None: found or SubscriptionNotFoundError
    users = [UserOut(user_id=user, kind=kind) for user, kind in sorted(sub.users.items())]
    page, after = paged(users, limit, cursor)
    return UsersPage(items=page, next_cursor=after)


@router.get("/subscriptions/{customer}/upcoming-cost", summary="The next period's cost (R28)")
async def get_upcoming_cost(
    request: Request, *, caller: Caller, customer: str, as_of: AsOf = None
) -> PreviewOut:
    """Return the next period's cost, as its renewal invoice will show it (R28)."""
    day = _as_of(request, as_of)
    return views.preview(ledger_of(request).upcoming_cost(visible(caller, customer), as_of=day))


@router.get("/subscriptions/{customer}/terms", summary="Whether terms await acceptance (R25)")
async def get_terms(
    request: Request, *, caller: Caller, customer: str, as_of: AsOf = None
) -> TermsOut:
    """Return whether the new seller's terms must be accepted first (R25)."""
    day = _as_of(request, as_of)
    required = ledger_of(request).terms_acceptance_required(visible(caller, customer), as_of=day)
    return TermsOut(customer_number=customer, as_of=day, terms_acceptance_required=required)


@router.get("/subscriptions/{customer}/orders", summary="Order confirmations, oldest first")
async def get_orders(
    request: Request, *, caller: Caller, customer: str, limit: Limit = 100, cursor: Cursor = None
) -> OrdersPage:
    """Return the order confirmations and, once billed, their invoice numbers."""
    orders = ledger_of(request).orders(visible(caller, customer))
    page, after = paged(orders, limit, cursor)
    return OrdersPage(items=[views.order(o) for o in page], next_cursor=after)


@router.get("/subscriptions/{customer}/history", summary="The audit trail, oldest first")
async def get_history(
    request: Request, *, caller: Caller, customer: str, limit: Limit = 100, cursor: Cursor = None
) -> HistoryPage:
    """Return the customer's recorded facts with effective dates and recorded times."""
    entries = ledger_of(request).history(visible(caller, customer))
    page, after = paged(entries, limit, cursor)
    return HistoryPage(items=[views.history_entry(e) for e in page], next_cursor=after)


@router.get("/subscriptions/{customer}/receivables", summary="Balance, credit and invoices")
async def get_receivables(
    request: Request, *, caller: Caller, customer: str, as_of: AsOf = None
) -> ReceivablesOut:
    """Return what the customer owes, its credit and every invoice's status (R29)."""
    found = ledger_of(request).receivables(visible(caller, customer), as_of=_as_of(request, as_of))
    return ReceivablesOut(
        customer_number=customer,
        balance=str(found.balance),
        credit=str(found.credit),
        invoices=[views.invoice(v) for v in found.invoices],
    )
