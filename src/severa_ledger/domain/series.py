"""A seller's gapless invoice number series (R17).

Numbers are assigned at issue by recording them on the series aggregate in
the same save as the invoices, so two concurrent billing runs conflict on the
series' version instead of producing a gap or a duplicate.
"""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from severa_ledger.domain.billing import InvoiceNumber

T = "severa_ledger:InvoiceSeries"


def series_id(series: str) -> UUID:
    """Return the deterministic id of a number series."""
    return uuid5(NAMESPACE_URL, f"severa-ledger/series/{series}")


class InvoiceSeries(Aggregate):
    """The numbers a seller has issued, each with the customer it went to."""

    TOPIC = T

    class Created(Aggregate.Created):
        """Unused base creation event; pinned so every stored topic is explicit."""

        TOPIC = f"{T}.Created.v1"

    @staticmethod
    def create_id(series: str) -> UUID:
        """Return the id for ``series``."""
        return series_id(series)

    @event("SeriesOpened", topic=f"{T}.SeriesOpened.v1")
    def __init__(self, series: str, seller: str) -> None:
        self.series = series
        self.seller = seller
        self.customers: list[str] = []

    @property
    def last_sequence(self) -> int:
        """Return the last number issued in the series (0 before the first)."""
        return len(self.customers)

    @property
    def latest_issue_date(self) -> date | None:
        """Return the latest issue date numbered in the series, as far as its events tell (R33).

        None before the first number. A series restored from a snapshot taken before
        this was kept knows only the dates numbered since: the caller reads the last
        document's date too (``Ledger.credit_invoice``).
        """
        latest: date | None = self.__dict__.get("latest")
        return latest

    def customer_of(self, sequence: int) -> str | None:
        """Return the customer that number ``sequence`` was issued to."""
        if 1 <= sequence <= len(self.customers):
            return self.customers[sequence - 1]
        return None

    def assign(self, customers: list[str], last_issue_date: date) -> list[InvoiceNumber]:
        """Assign the next numbers, in order, to invoices for ``customers`` (R17)."""
        first = self.last_sequence + 1
        self._numbers_assigned(first=first, customers=customers, effective_date=last_issue_date)
        return [InvoiceNumber(self.series, first + i) for i in range(len(customers))]

    @event("NumbersAssigned", topic=f"{T}.NumbersAssigned.v1")
    def _numbers_assigned(self, first: int, customers: list[str], effective_date: date) -> None:
        self.customers.extend(customers)
        self.latest = max(self.__dict__.get("latest", effective_date), effective_date)
