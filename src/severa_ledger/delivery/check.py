"""``verify``'s delivery check: every document due by a date has its deliveries recorded (R35)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from severa_ledger.delivery.routes import ROUTES, Route
from severa_ledger.domain.delivery import Delivery, Undelivered

if TYPE_CHECKING:
    from severa_ledger.reader.reader import LedgerReader

_PAGE = 1000


def _missing(d: Delivery, today: date, reader: LedgerReader) -> bool:
    return d.due_date <= today and d.id not in reader.repository


def undelivered(
    reader: LedgerReader, today: date, routes: Sequence[Route] = ROUTES
) -> tuple[Undelivered, ...]:
    """Return each delivery a document due by ``today`` needs and the log does not hold."""
    topics = sorted({topic for route in routes for topic in route.topics})
    missing: list[Delivery] = []
    last = 0
    while notes := reader.recorder.select_notifications(
        start=last, limit=_PAGE, topics=topics, inclusive_of_start=False
    ):
        for note in notes:
            event = reader.mapper.to_domain_event(note)
            for route in (r for r in routes if note.topic in r.topics):
                missing.extend(
                    d for d in route.deliveries(reader, event) if _missing(d, today, reader)
                )
        last = notes[-1].id
    return tuple(
        Undelivered(d.kind, d.document, d.customer_number, d.channel, d.recipient, d.due_date)
        for d in missing
    )
