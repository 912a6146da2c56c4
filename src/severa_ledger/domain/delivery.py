"""Deliveries: a document sent to its customer over one channel, recorded as events (R35).

A delivery is one document (an order confirmation, an invoice, a credit note,
or for webhooks a notified event) to one recipient over one channel. Its id
follows from ``(kind, document, channel, recipient, sequence)``, so recording
the same delivery twice conflicts in the store: each document is delivered
once per channel and recipient. A deliberate re-send is the next ``sequence``,
a new delivery with a new message identifier.

Every attempt is recorded before the transport is called (``AttemptStarted``)
and its outcome after (``DeliverySucceeded``, ``DeliveryFailed`` with the time
of the next attempt, or ``DeliveryDead``). Every attempt of one delivery
carries the same ``message_id`` (e-mail ``Message-ID``, ``webhook-id``, SBDH
``InstanceIdentifier``), so a receiver sees a retry as the same message.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

import attrs
from eventsourcing.domain import Aggregate, event

from severa_ledger.domain.delivery_errors import DeliveryNotReadyError

T = "severa_ledger:Delivery"

#: Document kinds.
ORDER = "order"
INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
#: Channels.
EMAIL = "email"
PEPPOL = "peppol"
WEBHOOK = "webhook"

#: Statuses, in the order a delivery goes through them.
DUE, SENDING, FAILED, SENT, DEAD = "due", "sending", "failed", "sent", "dead"
STATUSES = (DUE, SENDING, FAILED, SENT, DEAD)

#: Attempts of one delivery before it is dead (docs/delivery.md "Retries").
MAX_ATTEMPTS = 6
#: The wait after the first failed attempt; each further failure waits four times longer.
FIRST_RETRY = timedelta(minutes=1)
#: An attempt with no outcome after this long was abandoned (its runner died): retried.
LEASE = timedelta(minutes=5)

#: Countries whose buyers have a Peppol endpoint (documents/parties.py, ``_ENDPOINTS``).
PEPPOL_COUNTRIES = frozenset({"NO", "FI", "SE", "DK"})


def delivery_id(kind: str, document: str, channel: str, recipient: str, sequence: int) -> UUID:
    """Return the deterministic id of one delivery of a document."""
    key = f"severa-ledger/delivery/{kind}/{document}/{channel}/{recipient}/{sequence}"
    return uuid5(NAMESPACE_URL, key)


def retry_delay(attempt: int) -> timedelta:
    """Return the wait after failed attempt ``attempt``: 1, 4, 16, 64, 256 minutes."""
    return FIRST_RETRY * (1 << (2 * (attempt - 1)))


class _Progress(Protocol):
    """How far a delivery got: an aggregate, a view or a read-model row."""

    @property
    def status(self) -> str: ...
    @property
    def due_date(self) -> date: ...
    @property
    def next_attempt(self) -> datetime | None: ...
    @property
    def started_at(self) -> datetime | None: ...


def attempt_may_start(
    delivery: _Progress, today: date, now: datetime, lease: timedelta = LEASE
) -> bool:
    """Return whether an attempt of ``delivery`` may start now (never before its date, R35).

    Due and never tried; failed and its back-off passed; or sending for longer
    than the lease (the attempt was abandoned).
    """
    if delivery.due_date > today:
        return False
    if delivery.status == DUE:
        return True
    if delivery.status == FAILED:
        return delivery.next_attempt is not None and delivery.next_attempt <= now
    if delivery.status == SENDING:
        return delivery.started_at is not None and delivery.started_at + lease <= now
    return False


class Delivery(Aggregate):
    """One document to one recipient over one channel: due, attempted, sent or dead (R35)."""

    TOPIC = T

    class Created(Aggregate.Created):
        """Unused base creation event; pinned so every stored topic is explicit."""

        TOPIC = f"{T}.Created.v1"

    @staticmethod
    def create_id(kind: str, document: str, channel: str, recipient: str, sequence: int) -> UUID:
        """Return the id of this delivery."""
        return delivery_id(kind, document, channel, recipient, sequence)

    @event("DeliveryDue", topic=f"{T}.DeliveryDue.v1")
    def __init__(
        self,
        kind: str,
        document: str,
        customer_number: str,
        channel: str,
        recipient: str,
        sequence: int,
        message_id: str,
        due_date: date,
        reason: str,
    ) -> None:
        self.kind = kind
        self.document = document
        self.customer_number = customer_number
        self.channel = channel
        self.recipient = recipient
        self.sequence = sequence
        self.message_id = message_id
        self.due_date = due_date
        self.reason = reason
        self.status = DUE
        self.attempts = 0
        self.started_at: datetime | None = None
        self.next_attempt: datetime | None = None
        self.sent_at: datetime | None = None
        self.receipt: str | None = None
        self.error: str | None = None

    @classmethod
    def due(
        cls,
        kind: str,
        document: str,
        customer_number: str,
        channel: str,
        *,
        recipient: str,
        due_date: date,
        sequence: int = 1,
        reason: str = "due",
    ) -> Delivery:
        """Return a new delivery; its message id is its own id (the same on every attempt)."""
        message_id = str(delivery_id(kind, document, channel, recipient, sequence))
        return cls(
            kind=kind,
            document=document,
            customer_number=customer_number,
            channel=channel,
            recipient=recipient,
            sequence=sequence,
            message_id=message_id,
            due_date=due_date,
            reason=reason,
        )

    # ----------------------------------------------------------------- deciding

    def ready(self, today: date, now: datetime, lease: timedelta = LEASE) -> bool:
        """Return whether an attempt may start now (never before the due date, R35)."""
        return attempt_may_start(self, today, now, lease)

    def start(self, today: date, now: datetime, lease: timedelta = LEASE) -> int:
        """Record the next attempt before it is made; return its number."""
        if not self.ready(today, now, lease):
            raise DeliveryNotReadyError(
                f"delivery {self.id} of {self.kind} {self.document} by {self.channel} is "
                f"{self.status} (due {self.due_date.isoformat()}): no attempt may start now (R35)"
            )
        self._attempt_started(attempt=self.attempts + 1, at=now)
        return self.attempts

    def succeed(self, now: datetime, receipt: str) -> None:
        """Record that the transport accepted the current attempt."""
        self._succeeded(attempt=self.attempts, at=now, receipt=receipt)

    def fail(self, now: datetime, error: str, *, permanent: bool = False) -> None:
        """Record a failed attempt: retried after a back-off, dead after the last attempt."""
        if permanent or self.attempts >= MAX_ATTEMPTS:
            self._dead(attempt=self.attempts, at=now, error=error)
        else:
            retry = now + retry_delay(self.attempts)
            self._failed(attempt=self.attempts, at=now, error=error, retry_after=retry)

    # ------------------------------------------------------------------ events

    @event("AttemptStarted", topic=f"{T}.AttemptStarted.v1")
    def _attempt_started(self, attempt: int, at: datetime) -> None:
        self.attempts = attempt
        self.status = SENDING
        self.started_at = at

    @event("DeliverySucceeded", topic=f"{T}.DeliverySucceeded.v1")
    def _succeeded(self, attempt: int, at: datetime, receipt: str) -> None:
        self.status = SENT
        self.sent_at = at
        self.receipt = receipt
        self.error = None

    @event("DeliveryFailed", topic=f"{T}.DeliveryFailed.v1")
    def _failed(self, attempt: int, at: datetime, error: str, retry_after: datetime) -> None:
        self.status = FAILED
        self.error = error
        self.next_attempt = retry_after

    @event("DeliveryDead", topic=f"{T}.DeliveryDead.v1")
    def _dead(self, attempt: int, at: datetime, error: str) -> None:
        self.status = DEAD
        self.error = error
        self.next_attempt = None


F = "severa_ledger:DeliveryFollower"


def follower_id() -> UUID:
    """Return the id of the follower that records deliveries as documents appear."""
    return uuid5(NAMESPACE_URL, "severa-ledger/delivery-follower")


class DeliveryFollower(Aggregate):
    """How far the delivery follower has read the log (a notification id)."""

    TOPIC = F

    class Created(Aggregate.Created):
        """Unused base creation event; pinned so every stored topic is explicit."""

        TOPIC = f"{F}.Created.v1"

    @staticmethod
    def create_id() -> UUID:
        """Return the follower's one id."""
        return follower_id()

    @event("FollowerStarted", topic=f"{F}.FollowerStarted.v1")
    def __init__(self) -> None:
        self.position = 0

    def follow(self, position: int) -> None:
        """Record that every document up to log position ``position`` has its deliveries."""
        if position > self.position:
            self._followed(position=position)

    @event("Followed", topic=f"{F}.Followed.v1")
    def _followed(self, position: int) -> None:
        self.position = position


@attrs.frozen
class Undelivered:
    """A document due by a date with no delivery recorded on one of its channels (R35)."""

    kind: str
    document: str
    customer_number: str
    channel: str
    recipient: str
    due_date: date
