"""Phase 2 of a billing run on several cores: workers build and encode, the parent records.

Numbers follow one global order, so they can be planned before any invoice is
built: walking the due orders' keys in that order, each gets the next number
of its series and the next version of its customer's account. Building an
invoice and encoding its event (two thirds of issuing) then need only the plan
and the due order, which the worker that found it in phase 1 still holds, so
they run in the workers, a chunk of 2,000 invoices at a time. The parent
records each chunk's encoded events with its series' numbers in one
transaction, in chunk order, as the one-process path does. The event's
recorded time is eventsourcing's ``create_timestamp``, as when an aggregate
triggers it.

If another writer recorded meanwhile, that chunk's insert conflicts on a
version: the chunk and everything after it go back to the one-process path,
which reloads what it touches. Snapshots are taken as ``Application.save``
takes them, at every SNAPSHOT_EVERY-th version.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
from eventsourcing.persistence import IntegrityError, StoredEvent

from severa_ledger.billing.plan import Due, Key, due_order, recorded_rates
from severa_ledger.domain.account import Account, account_id
from severa_ledger.domain.billing import InvoiceNumber, build_invoice
from severa_ledger.domain.series import InvoiceSeries
from severa_ledger.store.unit import Unit

if TYPE_CHECKING:
    from severa_ledger.reader.reader import LedgerReader as Ledger
    from severa_ledger.workers.pool import Pool


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
            rate=item.rate,
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


Planned = tuple["Key", InvoiceNumber, int]  # due order, its number, its account event's version


#: The worker task that drafts numbered invoices (billing/tasks.py).
DRAFT = "severa_ledger.billing.tasks:draft"


class DraftIssuer:
    """Plans the due orders the workers keep, has them draft, records each chunk in order.

    Each worker keeps the due orders it found in phase 1; a chunk's plan is
    split by the worker that keeps each order, and the parts are put back in
    the chunk's order when they return. Two chunks are in the workers at a
    time: one is drafted while the parent records the one before.
    """

    IN_FLIGHT = 2

    def __init__(
        self,
        ledger: Ledger,
        accounts: dict[str, Account],
        chunk_size: int,
        unpaid: tuple[set[Key], list[str]] | None = None,
    ) -> None:
        self.ledger = ledger
        #: The due orders whose seller has no account in their currency; told their numbers (R23).
        self.unpaid, self.lacking = unpaid or (set(), [])
        self.accounts = accounts
        self.chunk_size = chunk_size
        self.series: dict[str, InvoiceSeries] = {}
        self.heads: dict[str, int] = {}
        self.versions = {c: a.version for c, a in accounts.items()}
        #: After a conflict: the due orders left for the one-process path, reloaded.
        self.rest: list[Due] = []

    def issue(self, held: list[tuple[Key, int]], pool: Pool) -> tuple[list[str], int]:
        """Issue ``held`` (sorted latest first) until done or a conflict; return numbers."""
        numbers: list[str] = []
        events = 0
        flight: deque[tuple[list[tuple[Planned, int]], list[int]]] = deque()
        while held or flight:
            while held and len(flight) < self.IN_FLIGHT:
                flight.append(self._dispatch(self._plan(held), pool))
            chunk, workers = flight.popleft()
            parts = {w: iter(pool.receive(w)) for w in workers}
            stored = [next(parts[worker]) for _, worker in chunk]
            try:
                events += self._record([planned for planned, _ in chunk], stored)
            except IntegrityError:
                pool.stop()
                unrecorded = [chunk, *(c for c, _ in flight)]
                keys = [planned[0] for c in unrecorded for planned, _ in c]
                keys += [key for key, _ in reversed(held)]
                self.rest = reload_due(self.ledger, keys)
                held.clear()
                break
            numbers.extend(str(number) for (_, number, _), _ in chunk)
            self.lacking.extend(str(n) for (key, n, _), _ in chunk if key in self.unpaid)
        return numbers, events

    def _plan(self, held: list[tuple[Key, int]]) -> list[tuple[Planned, int]]:
        chunk = []
        for _ in range(min(self.chunk_size, len(held))):
            key, worker = held.pop()
            series, customer = key[1], key[2]
            head = self.heads.get(series)
            if head is None:
                head = self._open_series(series)
            self.heads[series] = head + 1
            self.versions[customer] += 1
            chunk.append(((key, InvoiceNumber(series, head + 1), self.versions[customer]), worker))
        return chunk

    @staticmethod
    def _dispatch(
        chunk: list[tuple[Planned, int]], pool: Pool
    ) -> tuple[list[tuple[Planned, int]], list[int]]:
        parts: dict[int, list[Planned]] = {}
        for planned, worker in chunk:
            parts.setdefault(worker, []).append(planned)
        for worker, part in parts.items():
            pool.send(worker, DRAFT, part)
        return chunk, list(parts)

    def _open_series(self, name: str) -> int:
        seller = self.ledger.sellers.by_series(name)
        assert seller is not None  # noqa: S101 -- series came from the registry
        self.series[name] = Unit(self.ledger).series(seller)
        return self.series[name].last_sequence

    def _record(self, planned: Sequence[Planned], stored: list[StoredEvent]) -> int:
        """Record one chunk's invoices with its numbers in one transaction; count events."""
        by_series: dict[str, list[Planned]] = {}
        for item in planned:
            by_series.setdefault(item[1].series, []).append(item)
        touched = []
        for name, items in by_series.items():
            series = self.series[name]
            numbers = series.assign([key[2] for key, _, _ in items], items[-1][0][0])
            assert numbers == [number for _, number, _ in items]  # noqa: S101 -- as planned
            touched.append(series)
        pending = [e for series in touched for e in series.collect_events()]
        self.ledger.recorder.insert_events(
            stored + [self.ledger.mapper.to_stored_event(e) for e in pending]
        )
        for key, _, version in planned:
            handle = self.accounts[key[2]]
            handle.version = version
            handle.invoiced_orders = key[3]
            if self._snapshot_due(Account, version):
                self.ledger.take_snapshot(account_id(key[2]), version=version)
        for series in touched:
            if self._snapshot_due(InvoiceSeries, series.version):
                self.ledger.take_snapshot(series.id, version=series.version)
        return len(stored) + len(pending)

    def _snapshot_due(self, kind: type, version: int) -> bool:
        """Return whether ``Application._take_snapshots`` would snapshot this version."""
        interval = (self.ledger.snapshotting_intervals or {}).get(kind)
        if not interval or self.ledger.snapshots is None:
            return False
        return version % interval == 0


def reload_due(ledger: Ledger, keys: Sequence[Key]) -> list[Due]:
    """Return the due orders of ``keys`` from the store (after a conflict ended the drafting)."""
    found = []
    subscriptions = {}
    held: set[str] = set()  # customers whose earlier order is held back now: theirs wait
    rates = recorded_rates(Unit(ledger))
    for key in keys:
        issued, _, customer, sequence = key
        if customer not in subscriptions:
            subscriptions[customer] = Unit(ledger).subscription(customer)
        sub = subscriptions[customer]
        order = next(o for o in sub.orders if o.sequence == sequence)
        item = due_order(ledger, sub, order, issued, rates)
        if isinstance(item, Due) and customer not in held:
            found.append(item)
        else:  # held back (R31, R32): the next run issues it and its successors in order
            held.add(customer)
    return found
