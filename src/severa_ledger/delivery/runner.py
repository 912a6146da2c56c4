"""``deliver``: record what became due, then send every ready delivery through its channel (R35).

Each attempt is three steps, each its own save:

1. ``AttemptStarted`` is recorded (a claim: two runners racing conflict, one sends);
2. the transport sends, with the delivery's ``message_id`` on the wire;
3. the outcome is recorded: ``DeliverySucceeded``, or ``DeliveryFailed`` with the
   time of the next attempt, or ``DeliveryDead``.

A crash between 1 and 3 leaves the attempt without an outcome; after the
lease it is tried again with the same message id, so the ledger records each
delivery once and the transport is at least once (docs/delivery.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, cast

import attrs
from eventsourcing.persistence import IntegrityError

from severa_ledger.delivery.follower import follow, pending
from severa_ledger.delivery.parcels import Packer, document_parcel, require_renderers
from severa_ledger.delivery.queries import DeliveryView, ready_deliveries, view_of
from severa_ledger.delivery.routes import ROUTES, Route
from severa_ledger.delivery.transport import Parcel, Transport, TransportError
from severa_ledger.domain.delivery import DEAD, FAILED, LEASE, SENT, Delivery
from severa_ledger.domain.errors import LedgerError
from severa_ledger.store.unit import save

if TYPE_CHECKING:
    from eventsourcing.domain import Aggregate

    from severa_ledger.reader.reader import LedgerReader

#: Told (done, total) as deliveries are attempted.
Progress = Callable[[int, int], None]


@attrs.frozen
class Outcome:
    """One attempt: which delivery, its attempt number, the status it left and why."""

    delivery: DeliveryView
    attempt: int
    status: str
    detail: str


@attrs.frozen
class DeliveryReport:
    """What one ``deliver`` did (or, in a dry run, would do) on ``today``."""

    today: date
    dry_run: bool
    #: Deliveries the follower recorded (in a dry run: would record).
    recorded: int
    #: Ready deliveries, in the order they are attempted.
    ready: tuple[DeliveryView, ...]
    outcomes: tuple[Outcome, ...]
    #: Ready deliveries of a channel with no transport configured (left for a later run).
    waiting: tuple[DeliveryView, ...]

    def count(self, status: str) -> int:
        """Return how many attempts left their delivery in ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def sent(self) -> int:
        """Return the attempts that succeeded."""
        return self.count(SENT)

    @property
    def failed(self) -> int:
        """Return the attempts that failed and will be retried."""
        return self.count(FAILED)

    @property
    def dead(self) -> int:
        """Return the attempts after which their delivery is dead."""
        return self.count(DEAD)


@attrs.frozen
class Sending:
    """How a run sends: transports by channel, packers by channel, the clock, the lease."""

    transports: Mapping[str, Transport]
    clock: Callable[[], datetime]
    lease: timedelta = LEASE
    packers: Mapping[str, Packer] = attrs.field(factory=dict)

    def pack(self, reader: LedgerReader, delivery: DeliveryView) -> Parcel:
        """Return the parcel of ``delivery``: its channel's packer, else the rendered document."""
        return self.packers.get(delivery.channel, document_parcel)(reader, delivery)


def _claim(
    reader: LedgerReader, view: DeliveryView, today: date, sending: Sending
) -> Delivery | None:
    """Record the next attempt of ``view``; None if another runner moved it meanwhile."""
    delivery = cast("Delivery", reader.repository.get(view.id))
    if not delivery.ready(today, sending.clock(), sending.lease):
        return None
    delivery.start(today, sending.clock(), sending.lease)
    try:
        save(reader, [cast("Aggregate", delivery)])
    except IntegrityError:
        return None
    return delivery


def _record(
    reader: LedgerReader, delivery: Delivery, outcome: Callable[[Delivery], None]
) -> Delivery:
    """Record the outcome of the attempt; on a conflict, on the delivery as stored now."""
    for _ in range(3):
        outcome(delivery)
        try:
            save(reader, [cast("Aggregate", delivery)])
        except IntegrityError:
            delivery = cast("Delivery", reader.repository.get(delivery.id))
            if delivery.status in {SENT, DEAD}:
                return delivery
        else:
            return delivery
    return delivery


def attempt(
    reader: LedgerReader, view: DeliveryView, today: date, sending: Sending
) -> Outcome | None:
    """Attempt a ready delivery and record the outcome; None if another runner has it."""
    delivery = _claim(reader, view, today, sending)
    if delivery is None:
        return None
    number = delivery.attempts
    try:
        parcel = sending.pack(reader, view)
        receipt = sending.transports[view.channel].send(view, parcel)
    except TransportError as error:
        message, permanent = str(error), error.permanent
    except LedgerError as error:  # the document cannot be rendered: retrying will not help
        message, permanent = f"{type(error).__name__}: {error}", True
    else:
        done = _record(reader, delivery, lambda d: d.succeed(sending.clock(), receipt))
        return Outcome(view_of(done), number, done.status, receipt)
    done = _record(
        reader, delivery, lambda d: d.fail(sending.clock(), message, permanent=permanent)
    )
    return Outcome(view_of(done), number, done.status, message)


def deliver(
    reader: LedgerReader,
    sending: Sending,
    *,
    today: date,
    dry_run: bool = False,
    routes: Sequence[Route] = ROUTES,
    progress: Progress | None = None,
) -> DeliveryReport:
    """Record the deliveries due, then attempt every ready one whose channel has a transport."""
    if dry_run:
        would = pending(reader, routes)
        ready = [*ready_deliveries(reader, today, sending.clock(), sending.lease)]
        ready += [view_of(d) for d in would if d.ready(today, sending.clock(), sending.lease)]
        return DeliveryReport(today, dry_run, len(would), tuple(ready), (), ())
    recorded = follow(reader, routes)
    ready = ready_deliveries(reader, today, sending.clock(), sending.lease)
    waiting = tuple(v for v in ready if v.channel not in sending.transports)
    todo = [v for v in ready if v.channel in sending.transports]
    if any(v.channel not in sending.packers for v in todo):
        require_renderers()  # a missing extra stops the run; it does not kill deliveries
    outcomes = []
    for done, view in enumerate(todo, start=1):
        outcome = attempt(reader, view, today, sending)
        if outcome is not None:
            outcomes.append(outcome)
        if progress is not None:
            progress(done, len(todo))
    return DeliveryReport(today, dry_run, recorded, tuple(todo), tuple(outcomes), waiting)
