"""The delivery follower: a tracked reader of the log that records every delivery due (R35).

It reads the log by notification id from its recorded position, with the
topics its routes read, so it meets every document in the order it was
committed, including invoices issued by parallel billing workers. For each
page it records the new deliveries and its new position in ONE save: after a
crash the page is read again and nothing is recorded twice or skipped. Two
followers racing conflict on the position; the loser reads again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from severa_ledger.delivery.routes import ROUTES, Route
from severa_ledger.domain.delivery import Delivery, DeliveryFollower, follower_id
from severa_ledger.domain.errors import ConcurrencyError
from severa_ledger.store.retry import MAX_ATTEMPTS, back_off
from severa_ledger.store.unit import save

if TYPE_CHECKING:
    from eventsourcing.domain import Aggregate

    from severa_ledger.reader.reader import LedgerReader

#: Stored events read per page (each page is one save).
PAGE = 500


def _follower(reader: LedgerReader) -> DeliveryFollower:
    try:
        return cast("DeliveryFollower", reader.repository.get(follower_id()))
    except AggregateNotFoundError:
        return DeliveryFollower()


def _exists(reader: LedgerReader, delivery: Delivery) -> bool:
    return delivery.id in reader.repository


def _collect(
    reader: LedgerReader, routes: Sequence[Route], position: int
) -> tuple[list[Delivery], int | None]:
    """Return the new deliveries of the page after ``position`` and its last id (None: head)."""
    topics = sorted({topic for route in routes for topic in route.topics})
    notes = reader.recorder.select_notifications(
        start=position, limit=PAGE, topics=topics, inclusive_of_start=False
    )
    if not notes:
        return [], None
    new: dict[object, Delivery] = {}
    for note in notes:
        event = reader.mapper.to_domain_event(note)
        for route in routes:
            if note.topic in route.topics:
                for delivery in route.deliveries(reader, event):
                    new.setdefault(delivery.id, delivery)
    return [d for d in new.values() if not _exists(reader, d)], notes[-1].id


def _page(reader: LedgerReader, routes: Sequence[Route]) -> int | None:
    """Record the deliveries of the next page; return how many, None at the log's head."""
    follower = _follower(reader)
    fresh, last = _collect(reader, routes, follower.position)
    if last is None:
        return None
    follower.follow(last)
    save(reader, cast("list[Aggregate]", [follower, *fresh]))
    return len(fresh)


def pending(reader: LedgerReader, routes: Sequence[Route] = ROUTES) -> list[Delivery]:
    """Return the deliveries the follower would record now, recording nothing (a dry run)."""
    found: list[Delivery] = []
    position: int | None = _follower(reader).position
    while position is not None:
        fresh, position = _collect(reader, routes, position)
        found += fresh
    return found


def follow(reader: LedgerReader, routes: Sequence[Route] = ROUTES) -> int:
    """Record every delivery due for documents the follower has not read yet; return how many."""
    recorded = 0
    attempt = 0
    while True:
        try:
            found = _page(reader, routes)
        except IntegrityError:
            attempt += 1
            if attempt >= MAX_ATTEMPTS:
                raise ConcurrencyError(
                    f"the delivery follower still conflicted after {MAX_ATTEMPTS} attempts"
                ) from None
            back_off(attempt)
            continue
        if found is None:
            return recorded
        recorded += found
        attempt = 0
