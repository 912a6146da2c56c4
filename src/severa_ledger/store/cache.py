"""Aggregates kept between units of work, fast-forwarded before use."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from uuid import UUID

from eventsourcing.domain import Aggregate


class AggregateCache:
    """Aggregates as this process last saved them, lent to one unit of work at a time.

    A unit *takes* an aggregate out (so no other unit can see its uncommitted
    changes), brings it up to date with the events other writers stored since
    (one indexed query, the fast-forward), and the unit *returns* it only after
    its save committed. A unit that fails or refuses returns nothing: what it
    held is loaded from the store next time. Least recently returned go first.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._held: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, aggregate_id: UUID) -> Aggregate | None:
        """Remove and return the cached aggregate, if any."""
        with self._lock:
            return self._held.pop(aggregate_id, None)

    def give_back(self, aggregates: Iterable[Aggregate]) -> None:
        """Keep saved aggregates (without pending events) for the next unit."""
        if self.maxsize <= 0:
            return
        with self._lock:
            for aggregate in aggregates:
                self._held[aggregate.id] = aggregate
                self._held.move_to_end(aggregate.id)
            while len(self._held) > self.maxsize:
                self._held.popitem(last=False)

    def clear(self) -> None:
        """Forget every cached aggregate."""
        with self._lock:
            self._held.clear()
