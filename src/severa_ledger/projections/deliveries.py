"""Read model ``deliveries``: one row per delivery, as its events leave it (R35).

``deliveries`` and ``deliver`` read it instead of folding every delivery event
of the log on each run (docs/delivery.md): a listing selects by status,
customer or document, and ``deliver`` selects the open ones (due, sending,
failed). Each row mirrors the ``Delivery`` aggregate's state; ``ordinal`` is
its place in the log (1 for the first delivery recorded), kept by a one-row
counter, so listings keep the log's order. ``deliver`` still claims each
delivery on its aggregate: a row only says which ones to try.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import attrs

from severa_ledger.domain.delivery import DEAD, DUE, FAILED, SENDING, SENT
from severa_ledger.domain.delivery import T as DELIVERY
from severa_ledger.projections.rows import Change, Key, Projection, Rows, Table, upsert

#: The statuses ``deliver`` may still attempt.
OPEN = (DUE, SENDING, FAILED)


@attrs.frozen
class DeliveryRow:
    """One delivery: what, to whom, by which channel, and how far it got."""

    id: str
    ordinal: int
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


@attrs.frozen
class DeliveryCountRow:
    """How many deliveries the log holds (the next one's ordinal is one more)."""

    name: str
    count: int


DELIVERIES = Table(
    "severa_ledger_deliveries",
    DeliveryRow,
    ("id",),
    indexes=(("status",), ("customer_number",), ("document",)),
)
DELIVERY_COUNT = Table("severa_ledger_delivery_count", DeliveryCountRow, ("name",))
_COUNT = ("deliveries",)


def delivery_due(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R35: a delivery recorded, due on its date, never attempted."""
    counted = rows.get(DELIVERY_COUNT, _COUNT)
    ordinal = (counted.count if counted else 0) + 1
    row = DeliveryRow(
        id=str(event.originator_id),
        ordinal=ordinal,
        kind=event.kind,
        document=event.document,
        customer_number=event.customer_number,
        channel=event.channel,
        recipient=event.recipient,
        sequence=event.sequence,
        message_id=event.message_id,
        due_date=event.due_date,
        reason=event.reason,
        status=DUE,
        attempts=0,
        started_at=None,
        next_attempt=None,
        sent_at=None,
        receipt=None,
        error=None,
    )
    return [upsert(DELIVERIES, row), upsert(DELIVERY_COUNT, DeliveryCountRow(_COUNT[0], ordinal))]


def _changed(rows: Rows, event: Any, **values: Any) -> list[Change]:  # noqa: ANN401 -- event
    row = rows.get(DELIVERIES, (str(event.originator_id),))
    if row is None:  # an outcome without its delivery: nothing to show
        return []
    return [upsert(DELIVERIES, attrs.evolve(row, **values))]


def attempt_started(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R35: an attempt claimed, recorded before the transport is called."""
    return _changed(rows, event, status=SENDING, attempts=event.attempt, started_at=event.at)


def delivery_succeeded(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R35: the receiver took the message."""
    return _changed(rows, event, status=SENT, sent_at=event.at, receipt=event.receipt, error=None)


def delivery_failed(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R35: an attempt failed; the next one is due after the back-off."""
    return _changed(rows, event, status=FAILED, error=event.error, next_attempt=event.retry_after)


def delivery_dead(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R35: no more attempts (the last failed, or the receiver refused for good)."""
    return _changed(rows, event, status=DEAD, error=event.error, next_attempt=None)


class DeliveriesProjection(Projection):
    """Every delivery and its status."""

    def prefetch(self, event: Any) -> Iterable[tuple[Table[Any], Key]]:  # noqa: ANN401 -- event
        """Return the event's delivery row and the counter, for the runner to load in bulk."""
        return [(DELIVERIES, (str(event.originator_id),)), (DELIVERY_COUNT, _COUNT)]

    name = "deliveries"
    version = 1
    tables = (DELIVERIES, DELIVERY_COUNT)
    handlers = MappingProxyType(
        {
            f"{DELIVERY}.DeliveryDue.v1": delivery_due,
            f"{DELIVERY}.AttemptStarted.v1": attempt_started,
            f"{DELIVERY}.DeliverySucceeded.v1": delivery_succeeded,
            f"{DELIVERY}.DeliveryFailed.v1": delivery_failed,
            f"{DELIVERY}.DeliveryDead.v1": delivery_dead,
        }
    )
