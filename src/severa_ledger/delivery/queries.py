"""Deliveries as recorded: every delivery's state, in log order (R35).

Read from the ``deliveries`` read model (``projections/deliveries.py``), which
folds only what was recorded since it last caught up; when the read models
cannot be caught up now (a read-only store, SQLite's write lock held
elsewhere) or are switched off, every delivery event is folded here instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs

from severa_ledger.domain.delivery import Delivery, attempt_may_start
from severa_ledger.projections.deliveries import DELIVERIES, OPEN, DeliveryRow

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


_FIELDS = tuple(f.name for f in attrs.fields(DeliveryView) if f.name != "id")


def view_of(delivery: Delivery | DeliveryRow) -> DeliveryView:
    """Return the view of a delivery aggregate or of its read-model row."""
    fields = {name: getattr(delivery, name) for name in _FIELDS}
    return DeliveryView(id=UUID(str(delivery.id)), **fields)


def _rows(reader: LedgerReader, *equal: Mapping[str, object]) -> list[DeliveryView] | None:
    """Return the read model's deliveries matching any ``equal``, in log order; None: lagging."""
    if not reader.read_models_enabled:
        return None
    rows: list[DeliveryRow] = []
    for where in equal:
        found = reader.read_models.select(DELIVERIES, **where)
        if found is None:
            return None
        rows += found
    return [view_of(r) for r in sorted(rows, key=attrgetter("ordinal"))]


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
    given = {"status": status, "customer_number": customer_number, "document": document}
    found = _rows(reader, {k: v for k, v in given.items() if v is not None})
    if found is not None:
        return found
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


def deliveries_in(reader: LedgerReader, statuses: Sequence[str]) -> list[DeliveryView]:
    """Return the deliveries in any of ``statuses``, oldest first (only those rows read)."""
    found = _rows(reader, *({"status": status} for status in statuses))
    if found is not None:
        return found
    return [view_of(d) for d in all_deliveries(reader).values() if d.status in statuses]


def ready_deliveries(
    reader: LedgerReader, today: date, now: datetime, lease: timedelta
) -> list[DeliveryView]:
    """Return the deliveries an attempt may start for now, oldest first (only open ones read)."""
    views = deliveries_in(reader, OPEN)
    return [v for v in views if attempt_may_start(v, today, now, lease)]
