"""The webhook endpoint commands and queries (R35, docs/delivery.md).

Endpoints are business facts (who is told what), so adding and removing one is
a recorded command; their signing secrets are not, and are derived on demand
from the server secret (:func:`severa_ledger.domain.webhooks.signing_secret`).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from severa_ledger.domain.delivery import WEBHOOK, Delivery, delivery_id
from severa_ledger.domain.delivery_errors import WebhookDeliveryNotFoundError
from severa_ledger.domain.rules import check_date
from severa_ledger.domain.webhooks import (
    WebhookEndpoint,
    WebhookEndpoints,
    endpoints_id,
    signing_secret,
)
from severa_ledger.ledger.base import LedgerBase
from severa_ledger.ledger.catalogue import COMMANDS, catalogued
from severa_ledger.store.unit import Unit, project


class WebhookCommands(LedgerBase):
    """Adding, removing and listing webhook endpoints; their derived signing secrets."""

    @catalogued("add_webhook_endpoint")
    def add_webhook_endpoint(
        self,
        url: str,
        *,
        events: str | None = None,
        on: date,
        command_id: str | None = None,
    ) -> str:
        """Add an endpoint receiving ``events`` (comma-separated; None: all); return its id."""
        payload = COMMANDS["add_webhook_endpoint"].payload(locals())

        def decide(unit: Unit) -> str:
            return _endpoints(unit).add(url, events, check_date(on)).endpoint_id

        return self._execute("add_webhook_endpoint", payload, command_id, decide)

    @catalogued("remove_webhook_endpoint")
    def remove_webhook_endpoint(
        self, endpoint_id: str, *, on: date, command_id: str | None = None
    ) -> None:
        """Remove an endpoint: nothing more is sent to it (WebhookEndpointNotFoundError if none)."""
        payload = COMMANDS["remove_webhook_endpoint"].payload(locals())

        def decide(unit: Unit) -> None:
            _endpoints(unit).remove(endpoint_id, check_date(on))

        self._execute("remove_webhook_endpoint", payload, command_id, decide)

    @catalogued("resend_webhook")
    def resend_webhook(self, delivery_id: str, *, on: date, command_id: str | None = None) -> str:
        """Record a new delivery of a webhook delivery's notice to its endpoint; return its id.

        The new delivery is the next in sequence, so it carries a new ``webhook-id``:
        a deliberate re-send always goes out (R35); due on ``on``, never before the
        notice itself was due.
        """
        payload = COMMANDS["resend_webhook"].payload(locals())

        def decide(unit: Unit) -> str:
            first = _webhook_delivery(unit, delivery_id)
            self.webhook_endpoint(first.recipient)  # WebhookEndpointNotFoundError if removed
            return str(resend(unit, first, check_date(on)).id)

        return self._execute("resend_webhook", payload, command_id, decide)

    def webhook_endpoints(self) -> list[WebhookEndpoint]:
        """Return the endpoints not removed, in the order they were added (no secrets)."""
        found = self._webhook_aggregate()
        return [] if found is None else found.active

    def webhook_endpoint(self, endpoint_id: str) -> WebhookEndpoint:
        """Return one endpoint not removed, or raise WebhookEndpointNotFoundError."""
        found = self._webhook_aggregate() or WebhookEndpoints()
        return found.endpoint(endpoint_id)

    def webhook_secret(self, endpoint_id: str, server_secret: bytes) -> str:
        """Return the endpoint's ``whsec_`` signing secret, derived from ``server_secret``."""
        return signing_secret(server_secret, self.webhook_endpoint(endpoint_id))

    def _webhook_aggregate(self) -> WebhookEndpoints | None:
        try:
            found = self.repository.get(endpoints_id(), projector_func=project)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, WebhookEndpoints) else None


def _webhook_delivery(unit: Unit, delivery_id: str) -> Delivery:
    """Return the webhook delivery ``delivery_id`` names, or raise WebhookDeliveryNotFoundError."""
    try:
        found = unit.get(UUID(delivery_id), Delivery)
    except ValueError:
        found = None
    if found is None or found.channel != WEBHOOK:
        raise WebhookDeliveryNotFoundError(f"no webhook delivery {delivery_id!r} (R35)")
    return found


def resend(unit: Unit, first: Delivery, on: date) -> Delivery:
    """Add the next delivery of ``first``'s document to its recipient, due on ``on`` or later."""
    key = (first.kind, first.document, first.channel, first.recipient)
    sequence = 1
    while unit.get(delivery_id(*key, sequence), Delivery) is not None:
        sequence += 1
    delivery = Delivery.due(
        first.kind,
        first.document,
        first.customer_number,
        first.channel,
        recipient=first.recipient,
        due_date=max(on, first.due_date),
        sequence=sequence,
        reason="resend",
    )
    unit.add(delivery)
    return delivery


def _endpoints(unit: Unit) -> WebhookEndpoints:
    """Return the one endpoints aggregate of ``unit``, opening it on first use."""
    found = unit.get(endpoints_id(), WebhookEndpoints)
    if found is None:
        found = WebhookEndpoints()
        unit.add(found)
    return found
