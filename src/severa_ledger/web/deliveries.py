"""Delivery status for the pages and the API: what was sent to whom, what failed (R35).

A customer sees the deliveries of its own documents by e-mail and Peppol (when
and to whom each was sent); webhooks go to the operator's systems and are the
operator's only. The operator sees every delivery, and re-sends a failed or
dead one as a new delivery: a document again on its channel
(``resend_document``, to the buyer's current address), a webhook again to its
endpoint (``resend_webhook``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from severa_ledger.delivery.queries import DeliveryView, deliveries, deliveries_in, delivery
from severa_ledger.domain.delivery import DEAD, FAILED, WEBHOOK
from severa_ledger.domain.delivery_errors import DeliveryNotFoundError

if TYPE_CHECKING:
    from severa_ledger.ledger.ledger import Ledger

#: The statuses the operator's page lists for a re-send.
PROBLEMS = (FAILED, DEAD)


def visible(ledger: Ledger, customer: str | None, status: str | None = None) -> list[DeliveryView]:
    """Return what a caller sees: a customer's own documents; the operator (None) all."""
    found = deliveries(ledger, status=status, customer_number=customer)
    if customer is None:
        return found
    return [v for v in found if v.channel != WEBHOOK]


def problems(ledger: Ledger) -> list[DeliveryView]:
    """Return the failed and dead deliveries, oldest first."""
    return deliveries_in(ledger, PROBLEMS)


def find(ledger: Ledger, delivery_id: str) -> DeliveryView:
    """Return the delivery ``delivery_id`` names, or raise DeliveryNotFoundError."""
    try:
        return delivery(ledger, UUID(delivery_id))
    except (ValueError, AggregateNotFoundError):
        raise DeliveryNotFoundError(f"no delivery {delivery_id!r} (R35)") from None


def resend(ledger: Ledger, delivery_id: str, on: date, command_id: str | None) -> list[str]:
    """Re-send a delivery's document or notice on its channel; return the new deliveries' ids."""
    view = find(ledger, delivery_id)
    if view.channel == WEBHOOK:
        return [ledger.resend_webhook(str(view.id), on=on, command_id=command_id)]
    return ledger.resend_document(view.document, channel=view.channel, on=on, command_id=command_id)
