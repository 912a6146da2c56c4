"""Deliveries over the API (R35): who was sent what and when; the operator's re-send.

``GET /api/v1/deliveries`` lists a customer key's own documents (by e-mail and
Peppol; webhooks are the operator's) and every delivery for the operator, each
filtered by ``?status=``. ``POST /api/v1/deliveries/{id}/resend`` (operator)
records a new delivery of the same document or notice on the same channel.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request

from severa_ledger.delivery.queries import DeliveryView
from severa_ledger.web.api_deps import (
    Caller,
    IdempotencyKey,
    Operator,
    command_id,
    ledger_of,
    today,
)
from severa_ledger.web.api_responses import Out
from severa_ledger.web.deliveries import resend, visible
from severa_ledger.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["deliveries"], responses=PROBLEM_RESPONSES)
Status = Literal["due", "sending", "failed", "sent", "dead"]
DeliveryPath = Annotated[UUID, Path(description="the delivery's id")]


class DeliveryOut(Out):
    """One delivery: which document, by which channel, to whom, and how far it got (R35)."""

    id: UUID
    kind: str
    document: str
    customer_number: str
    channel: str
    recipient: str
    sequence: int
    message_id: str
    due_date: date
    reason: str
    status: Status
    attempts: int
    sent_at: datetime | None
    next_attempt: datetime | None
    error: str | None

    @classmethod
    def of(cls, view: DeliveryView) -> DeliveryOut:
        """Return the answer for ``view``."""
        return cls.model_validate(view, from_attributes=True)


class DeliveriesOut(Out):
    """The deliveries the caller may see, oldest first."""

    items: list[DeliveryOut]


class ResentOut(Out):
    """The new deliveries a re-send recorded (``deliver`` sends them)."""

    deliveries: list[UUID]


@router.get("/deliveries", summary="List deliveries (a customer key: its own documents)")
async def list_deliveries(
    request: Request, *, caller: Caller, status: Annotated[Status | None, Query()] = None
) -> DeliveriesOut:
    """Return the deliveries the caller may see, oldest first, optionally of one status."""
    found = visible(ledger_of(request), caller.customer_number, status)
    return DeliveriesOut(items=[DeliveryOut.of(v) for v in found])


@router.post(
    "/deliveries/{delivery_id}/resend",
    summary="Re-send a delivery (a new delivery)",
    status_code=201,
)
async def resend_delivery(
    request: Request,
    *,
    caller: Operator,
    delivery_id: DeliveryPath,
    idempotency_key: IdempotencyKey = None,
) -> ResentOut:
    """Record a new delivery of the same document or notice on the same channel (R35)."""
    key = command_id(caller, idempotency_key)
    made = resend(ledger_of(request), str(delivery_id), today(request), key)
    return ResentOut(deliveries=[UUID(i) for i in made])
