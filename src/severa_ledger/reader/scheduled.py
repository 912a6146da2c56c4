"""The queries of scheduled changes: what is recorded ahead, and how far ahead (R36)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from severa_ledger.domain.rules import check_date
from severa_ledger.domain.scheduled import DATED_AHEAD

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from severa_ledger.domain.scheduled import ScheduledChange
    from severa_ledger.domain.subscription import Subscription


@attrs.frozen
class DatedAhead:
    """A fact dated ahead of its recording, as ``as_of`` prefixes see it: undated (R36)."""

    originator_version: int
    timestamp: datetime


def undated(events: Iterable[Any]) -> Iterator[Any]:
    """Yield ``events``; a scheduled company change does not end an ``as_of`` prefix (R36).

    Company details recorded ahead stay in the state, where ``company_on``
    reads them by date; the facts recorded after them still count.
    """
    for event in events:
        if type(event).__name__ in DATED_AHEAD:
            yield DatedAhead(event.originator_version, event.timestamp)
        else:
            yield event


class ScheduledQueries:
    """Scheduled changes and the company-change window; mixed into the reader."""

    if TYPE_CHECKING:

        def subscription(
            self,
            customer_number: str,
            as_of: date | None = None,
            known_at: datetime | None = None,
        ) -> Subscription | None:
            """Return the subscription as recorded (LedgerReader.subscription)."""

    def scheduled_changes(self, customer_number: str, *, as_of: date) -> list[ScheduledChange]:
        """Return the changes recorded that have not taken effect by ``as_of``, by date (R36).

        Each carries the id ``cancel_scheduled_change`` takes (docs/billing.md).
        """
        day = check_date(as_of, "as_of")
        sub = self.subscription(customer_number)
        if sub is None:  # pragma: no cover -- without as_of a subscription is found or refused
            return []
        sub.advance_to(day)  # in memory only: queries never record
        return sub.scheduled(day)

    def company_change_window(self, customer_number: str, *, today: date) -> tuple[date, date]:
        """Return the first and last day a customer may date a company-details change (R36).

        From ``today`` to the end of the billing period after the one containing it.
        """
        day = check_date(today, "today")
        sub = self.subscription(customer_number)
        if sub is None:  # pragma: no cover -- as above
            return day, day
        return day, sub.schedule.period(sub.schedule.index_of(day) + 1).end
