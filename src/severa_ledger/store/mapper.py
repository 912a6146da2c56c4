"""The mapper aggregates load through: eventsourcing's, decoding with EventDecoder."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent

from severa_ledger.store.decoding import EventDecoder


class LedgerMapper(Mapper[UUID]):
    """eventsourcing's mapper, decoding stored events with :class:`EventDecoder`.

    The events are equal to the library's decoding (tests/test_replay_reading.py);
    loading an aggregate decodes about twice as fast.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 -- the library's
        super().__init__(*args, **kwargs)
        self._decoder = EventDecoder(self)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """Return the domain event of ``stored_event``."""
        event: DomainEventProtocol[UUID] = self._decoder.to_domain_event(stored_event)
        return event
