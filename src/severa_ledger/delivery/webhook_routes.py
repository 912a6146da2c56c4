"""Which webhook deliveries a stored event makes due, and the parcel of each (R35).

A webhook delivery has kind ``event`` and names its notice as its document:
``invoice.issued/VSOY-000007``, ``credit_note.issued/VSOY-000009``,
``order_confirmation.created/1002-3``, ``payment.recorded/VSOY-000007/41`` (the
payment's event: version 41 of the customer's account),
``delivery.failed/<delivery id>``. One delivery per endpoint asking for the
notice (recipient: the endpoint's id), due on the notified thing's date (an
invoice on its issue date, never before). An endpoint is told of what is
recorded after it was added and before it was removed: the endpoints are read
as the log held them when the notified event was recorded, so the follower and
``verify`` agree whenever they run. A delivery that failed for good is notified
once it is dead, except a webhook's own (no loops).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from severa_ledger.delivery import webhook_payloads as payloads
from severa_ledger.delivery.transport import Parcel
from severa_ledger.domain.account import Account, Payment, account_id
from severa_ledger.domain.delivery import WEBHOOK, Delivery
from severa_ledger.domain.documents import Invoice
from severa_ledger.domain.errors import OrderNotFoundError
from severa_ledger.domain.subscription import Subscription
from severa_ledger.domain.webhooks import WebhookEndpoint, WebhookEndpoints, endpoints_id

if TYPE_CHECKING:
    from severa_ledger.delivery.queries import DeliveryView
    from severa_ledger.reader.reader import LedgerReader

#: The kind of every webhook delivery.
EVENT = "event"
Routing = Callable[["LedgerReader", Any], list[Delivery]]


def endpoints(reader: LedgerReader) -> list[WebhookEndpoint]:
    """Return the endpoints not removed, as recorded now."""
    try:
        found = cast("WebhookEndpoints", reader.repository.get(endpoints_id()))
    except AggregateNotFoundError:
        return []
    return found.active


def endpoints_at(reader: LedgerReader, at: datetime) -> list[WebhookEndpoint]:
    """Return the endpoints added and not removed by the events recorded up to ``at``."""
    found: WebhookEndpoints | None = None
    for stored in cast("list[Any]", reader.repository.event_store.get(endpoints_id())):
        if stored.timestamp > at:
            break
        found = cast("WebhookEndpoints", stored.mutate(found))
    return [] if found is None else found.active


def notices(
    reader: LedgerReader, at: datetime, notice: str, *, key: str, customer: str, on: date
) -> list[Delivery]:
    """Return one delivery of ``notice`` about ``key`` per endpoint asking for it at ``at``."""
    return [
        Delivery.due(
            EVENT, f"{notice}/{key}", customer, WEBHOOK, recipient=e.endpoint_id, due_date=on
        )
        for e in endpoints_at(reader, at)
        if notice in e.events
    ]


def _order(reader: LedgerReader, event: Any) -> list[Delivery]:  # noqa: ANN401 -- an event
    order = event.order
    key = f"{order.customer_number}-{order.sequence}"
    customer = order.customer_number
    notice = "order_confirmation.created"
    return notices(reader, event.timestamp, notice, key=key, customer=customer, on=order.date)


def _issued(notice: str) -> Routing:
    def route(reader: LedgerReader, event: Any) -> list[Delivery]:  # noqa: ANN401 -- an event
        invoice: Invoice = event.invoice if notice == "invoice.issued" else event.credit_note
        customer, on = invoice.customer_number, invoice.issue_date
        key = invoice.number
        return notices(reader, event.timestamp, notice, key=key, customer=customer, on=on)

    return route


def _payment(reader: LedgerReader, event: Any) -> list[Delivery]:  # noqa: ANN401 -- an event
    payment = event.payment
    customer = reader.invoice(payment.invoice_number).customer_number
    key = f"{payment.invoice_number}/{event.originator_version}"  # the account's event
    notice = "payment.recorded"
    return notices(reader, event.timestamp, notice, key=key, customer=customer, on=payment.paid_on)


def _dead(reader: LedgerReader, event: Any) -> list[Delivery]:  # noqa: ANN401 -- an event
    dead = cast(
        "Delivery", reader.repository.get(event.originator_id, version=event.originator_version)
    )
    if dead.channel == WEBHOOK:
        return []
    # due on the failed delivery's own date: it was attempted, so that day has come
    customer, on = dead.customer_number, dead.due_date
    key = str(dead.id)
    return notices(reader, event.timestamp, "delivery.failed", key=key, customer=customer, on=on)


#: (topics, routing) of each notice; :data:`severa_ledger.delivery.routes.ROUTES` includes them.
WEBHOOK_ROUTES: tuple[tuple[tuple[str, ...], Routing], ...] = (
    ((Subscription.OrderConfirmed.TOPIC,), _order),
    ((Account.InvoiceIssued.TOPIC,), _issued("invoice.issued")),  # type: ignore[attr-defined]
    ((Account.CreditNoteIssued.TOPIC,), _issued("credit_note.issued")),
    ((Account.PaymentRecorded.TOPIC,), _payment),  # type: ignore[attr-defined]
    ((Delivery.DeliveryDead.TOPIC,), _dead),  # type: ignore[attr-defined]
)


def webhook_parcel(reader: LedgerReader, delivery: DeliveryView) -> Parcel:
    """Return the parcel of a webhook delivery: its JSON body, the same on every attempt."""
    notice, _, key = delivery.document.partition("/")
    data = _facts(reader, notice, key, delivery.customer_number)
    return Parcel(
        kind=EVENT,
        document=delivery.document,
        customer_number=delivery.customer_number,
        seller="",
        language="en",
        subject=notice,
        body="",
        attachments=(),
        payload=payloads.body(notice, delivery.due_date, data),
    )


def _facts(reader: LedgerReader, notice: str, key: str, customer: str) -> dict[str, object]:
    """Return the data of a notice, from what is recorded (the same on every attempt)."""
    if notice in {"invoice.issued", "credit_note.issued"}:
        return payloads.invoice_issued(reader.invoice(key))
    if notice == "order_confirmation.created":
        order = next(
            (o for o in reader.orders(customer) if f"{customer}-{o.sequence}" == key), None
        )
        if order is None:
            raise OrderNotFoundError(f"no order confirmation {key} of {customer}")
        return payloads.order_created(order)
    if notice == "payment.recorded":
        return _payment_data(reader, key, customer)
    return _failure(reader, key)


def _payment_data(reader: LedgerReader, key: str, customer: str) -> dict[str, object]:
    """Return the data of ``payment.recorded``: the payment event the key names, read alone."""
    number, _, version = key.rpartition("/")
    stored = reader.repository.event_store.get(
        account_id(customer), gt=int(version) - 1, lte=int(version)
    )
    (recorded,) = list(stored)
    payment: Payment = getattr(recorded, "payment")  # noqa: B009 -- an Account event's field
    currency = reader.invoice(number).currency
    return payloads.payment_recorded(customer, number, payment.amount, currency, payment.paid_on)


def _failure(reader: LedgerReader, key: str) -> dict[str, object]:
    """Return the data of ``delivery.failed``: the dead delivery as recorded."""
    dead = cast("Delivery", reader.repository.get(UUID(key)))
    return payloads.delivery_failed(
        delivery_id=key,
        kind=dead.kind,
        document=dead.document,
        customer_number=dead.customer_number,
        channel=dead.channel,
        recipient=dead.recipient,
        status=dead.status,
        attempts=dead.attempts,
        error=dead.error or "",
    )
