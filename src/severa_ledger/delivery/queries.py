"""Deliveries as recorded: every delivery's state, folded from its events in log order (R35)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs

from severa_ledger.domain.delivery import Delivery

if TYPE_CHECKING:
    from severa_ledger.reader.reader import LedgerReader

#: Every stored topic of a delivery.
TOPICS = tuple(
    getattr(Delivery, name).TOPIC
    for name in (
        "DeliveryDue",
        "AttemptStarted",
        "DeliverySucceeded",
        "DeliveryFailed",
        "DeliveryDead",
    )
)
_PAGE = 1000


@attrs.frozen
class DeliveryView:
    """One delivery as recorded: what, to whom, by which channel, and how far it got."""

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
    status: str
    attempts: int
    started_at: datetime | None
    next_attempt: datetime | None
    sent_at: datetime | None
    receipt: str | None
    error: str | None


def view_of(delivery: Delivery) -> DeliveryView:
    """Return the view of a delivery aggregate."""
    fields = {f.name: getattr(delivery, f.name) for f in attrs.fields(DeliveryView)}
    return DeliveryView(**fields)


def _events(reader: LedgerReader) -> Iterator[Any]:
    last = 0
    while True:
        notes = reader.recorder.select_notifications(
            start=last, limit=_PAGE, topics=TOPICS, inclusive_of_start=False
        )
        if not notes:
            return
        for note in notes:
            yield reader.mapper.to_domain_event(note)
        last = notes[-1].id


def all_deliveries(reader: LedgerReader) -> dict[UUID, Delivery]:
    """Return every delivery aggregate, by id, in the order they were first recorded."""
    found: dict[UUID, Delivery] = {}
    for event in _events(reader):
        found[event.originator_id] = event.mutate(found.get(event.originator_id))
    return found


def deliveries(
    reader: LedgerReader,
    *,
    status: str | None = None,
    customer_number: str | None = None,
    document: str | None = None,
) -> list[DeliveryView]:
    """Return the deliveries recorded, oldest first, filtered by status, customer or document."""
    return [
        view_of(d)
        for d in all_deliveries(reader).values()
        if (status is None or d.status == status)
        and (customer_number is None or d.customer_number == customer_number)
        and (document is None or d.document == document)
    ]


def delivery(reader: LedgerReader, delivery_id: UUID) -> DeliveryView:
    """Return one delivery by its id."""
    found: Delivery = reader.repository.get(delivery_id)
    return view_of(found)
