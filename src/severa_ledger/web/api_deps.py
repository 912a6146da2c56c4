"""What every API route needs: the caller's key, the ledger, the business date, scope checks.

Routes are ``async def``: they run on the event loop one at a time, so the
ledger (not thread-safe) is never used by two requests at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Depends, Header, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from severa_ledger.domain import inputs
from severa_ledger.domain.errors import (
    InvoiceNotFoundError,
    SubscriptionNotFoundError,
)
from severa_ledger.ledger.ledger import Ledger
from severa_ledger.web.auth import Principal, check_terms_accepted
from severa_ledger.web.keys import KeyStore

T = TypeVar("T")
_bearer = HTTPBearer(auto_error=False, description="an API key: `severa-ledger keys create`")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Return the key's principal; refuse a missing, invalid or revoked key (401)."""
    if credentials is None:
        raise HTTPException(401, "an API key is needed: Authorization: Bearer <key>", _CHALLENGE)
    keys: KeyStore = request.app.state.keys
    found = keys.verify(credentials.credentials)
    if found is None:  # never echo the key: it may be a real one, mistyped
        raise HTTPException(401, "the API key is not valid or has been revoked", _CHALLENGE)
    return found


Caller = Annotated[Principal, Depends(principal)]


async def operator(caller: Caller) -> Principal:
    """Return the operator's principal; refuse a customer key (403)."""
    if not caller.is_operator:
        raise HTTPException(403, "only the operator (the seller's billing team) may do this")
    return caller


Operator = Annotated[Principal, Depends(operator)]


def ledger_of(request: Request) -> Ledger:
    """Return the app's ledger."""
    ledger: Ledger = request.app.state.ledger
    return ledger


def today(request: Request) -> date:
    """Return the request's business date (the edge's clock; tests fix it)."""
    day: date = request.app.state.today()
    return day


def visible(caller: Principal, customer: str) -> str:
    """Return ``customer`` if the caller may see it; else 404, as if it did not exist."""
    if not caller.may_see(customer):
        raise SubscriptionNotFoundError(f"no subscription for customer {customer!r}")
    return customer


def invoice_visible(caller: Principal, number: str, customer: str) -> None:
    """Refuse (404, as a missing one) an invoice of another customer."""
    if not caller.may_see(customer):
        raise InvoiceNotFoundError(f"no invoice numbered {number!r}")


def effective(request: Request, caller: Principal, on: date | None) -> date:
    """Return a command's effective date: ``on`` (operator only), else today."""
    if on is not None and not caller.is_operator:
        raise HTTPException(403, "only the operator may set `on`; a customer's changes are today")
    return on or today(request)


def writable(request: Request, caller: Principal, customer: str) -> None:
    """Refuse a customer's change before the new seller's terms are accepted (R25)."""
    check_terms_accepted(ledger_of(request), caller, customer, today(request))


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        json_schema_extra={"pattern": inputs.TEXT_PATTERN},  # read by the catalogue's text rules
        description="retry-safe: the same key and body record once (another body: 409)",
    ),
]


def command_id(caller: Principal, key: str | None) -> str | None:
    """Return the ledger's ``command_id`` of an ``Idempotency-Key``, scoped by the caller."""
    if key is None:
        return None
    return f"api:{caller.customer_number or 'operator'}:{key}"


Limit = Annotated[int, Query(ge=1, le=500, description="items per page")]
Cursor = Annotated[str | None, Query(pattern=r"^[0-9]{1,9}$", description="from a next_cursor")]


def paged(items: Sequence[T], limit: int, cursor: str | None) -> tuple[list[T], str | None]:
    """Return one page of ``items`` and the cursor of the next page (None: the last)."""
    start = int(cursor or 0)
    end = start + limit
    return list(items[start:end]), str(end) if end < len(items) else None
