"""Phase 2 of a billing run on several cores: workers build and encode, the parent records.

Numbers follow one global order, so they can be planned before any invoice is
built: walking the due orders in that order, each gets the next number of its
series and the next version of its customer's account. Building an invoice
and encoding its event (two thirds of issuing) then need nothing but the
plan, and run in the worker processes, a chunk of 2,000 invoices per task.
The parent records each chunk's encoded events with its series' numbers in
one transaction, in chunk order, as the one-process path does.

If another writer recorded meanwhile, that chunk's insert conflicts on a
version: the chunk and everything after it go back to the one-process path,
which reloads what it touches. Snapshots are taken as ``Application.save``
takes them, at every SNAPSHOT_EVERY-th version.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, StoredEvent

from severa_ledger.domain.account import Account, account_id
from severa_ledger.domain.billing import InvoiceNumber, build_invoice
from severa_ledger.domain.series import InvoiceSeries
from severa_ledger.unit import Unit

if TYPE_CHECKING:
    from severa_ledger.application import Ledger
    from severa_ledger.billing_pool import Pool
    from severa_ledger.billing_run import Due


@attrs.frozen
class Draft:
    """One planned invoice: the due order, its number and its account event's version."""

    due: Due
    number: InvoiceNumber
    version: int


def draft_chunk(ledger: Ledger, drafts: Sequence[Draft]) -> list[StoredEvent]:
    """Return the stored ``InvoiceIssued`` events of planned invoices (a worker's task)."""
    stored = []
    for draft in drafts:
        item = draft.due
        invoice = build_invoice(
            item.order,
            number=draft.number,
            issued=item.issue_date,
            seller=ledger.sellers[item.order.seller],
            buyer=item.buyer,
            vat=ledger.vat,
        )
        event = Account.InvoiceIssued(  # type: ignore[attr-defined]
            originator_id=account_id(item.customer_number),
            originator_version=draft.version,
            timestamp=Account.InvoiceIssued.create_timestamp(),  # type: ignore[attr-defined]
            invoice=invoice,
            effective_date=invoice.issue_date,
        )
        stored.append(ledger.mapper.to_stored_event(event))
    return stored


class DraftIssuer:
    """Plans the due orders, has workers draft them, records each chunk in order."""

    def __init__(self, ledger: Ledger, accounts: dict[str, Account], chunk_size: int) -> None:
        self.ledger = ledger
        self.accounts = accounts
        self.chunk_size = chunk_size
        self.series: dict[str, InvoiceSeries] = {}
        self.heads: dict[str, int] = {}
        self.versions = {c: a.version for c, a in accounts.items()}
        self.planned: deque[list[Draft]] = deque()

    def issue(self, due: list[Due], pool: Pool) -> tuple[list[str], int]:
        """Issue from ``due`` (sorted latest first) until done or a conflict; return numbers."""
        numbers: list[str] = []
        events = 0
        results = pool.map("draft", ((chunk,) for chunk in self._plan(due)))
        for stored in results:
            drafts = self.planned.popleft()
            try:
                events += self._record(drafts, stored)
            except IntegrityError:
                self._give_back(drafts, due)
                pool.stop()
                break
            numbers.extend(str(d.number) for d in drafts)
        return numbers, events

    def _plan(self, due: list[Due]) -> Iterator[list[Draft]]:
        while due:
            chunk = []
            for _ in range(min(self.chunk_size, len(due))):
                item = due.pop()
                head = self.heads.get(item.series)
                if head is None:
                    head = self._open_series(item.series)
                self.heads[item.series] = head + 1
                self.versions[item.customer_number] += 1
                number = InvoiceNumber(item.series, head + 1)
                chunk.append(Draft(item, number, self.versions[item.customer_number]))
            self.planned.append(chunk)
            yield chunk

    def _open_series(self, name: str) -> int:
        seller = self.ledger.sellers.by_series(name)
        assert seller is not None  # noqa: S101 -- series came from the registry
        self.series[name] = Unit(self.ledger).series(seller)
        return self.series[name].last_sequence

    def _record(self, drafts: Sequence[Draft], stored: list[StoredEvent]) -> int:
        """Record one chunk's invoices with its numbers in one transaction; count events."""
        by_series: dict[str, list[Draft]] = {}
        for draft in drafts:
            by_series.setdefault(draft.number.series, []).append(draft)
        touched = []
        for name, items in by_series.items():
            series = self.series[name]
            numbers = series.assign(
                [d.due.customer_number for d in items], items[-1].due.issue_date
            )
            assert numbers == [d.number for d in items]  # noqa: S101 -- as planned
            touched.append(series)
        pending = [e for series in touched for e in series.collect_events()]
        self.ledger.recorder.insert_events(
            stored + [self.ledger.mapper.to_stored_event(e) for e in pending]
        )
        for draft in drafts:
            handle = self.accounts[draft.due.customer_number]
            handle.version = draft.version
            handle.invoiced_orders = draft.due.order_sequence
        self._snapshots(Account, [(account_id(d.due.customer_number), d.version) for d in drafts])
        self._snapshots(InvoiceSeries, [(e.originator_id, e.originator_version) for e in pending])
        return len(stored) + len(pending)

    def _snapshots(self, kind: type, recorded: Sequence[tuple[UUID, int]]) -> None:
        """Snapshot what reached its interval, as ``Application._take_snapshots`` does."""
        interval = (self.ledger.snapshotting_intervals or {}).get(kind)
        if not interval or self.ledger.snapshots is None:
            return
        for aggregate_id, version in recorded:
            if version % interval == 0:
                self.ledger.take_snapshot(aggregate_id, version=version)

    def _give_back(self, drafts: Sequence[Draft], due: list[Due]) -> None:
        """Return the unrecorded chunk and every planned one after it to ``due``, in order."""
        rest = [d.due for chunk in (drafts, *self.planned) for d in chunk]
        self.planned.clear()
        self.series.clear()
        due.extend(reversed(rest))
