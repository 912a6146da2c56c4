"""A unit of work: the aggregates one command (or one batch) loads, changes and saves."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

import attrs
from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.domain import Aggregate

from severa_ledger.domain.account import Account, account_id
from severa_ledger.domain.errors import (
    BatchTooLargeError,
    CommandTooLargeError,
    SubscriptionNotFoundError,
)
from severa_ledger.domain.exchange import ExchangeRates, rates_id
from severa_ledger.domain.sellers import Seller
from severa_ledger.domain.series import InvoiceSeries, series_id
from severa_ledger.domain.subscription import Subscription, subscription_id

if TYPE_CHECKING:
    from uuid import UUID as _UUID

    from eventsourcing.application import Application

from severa_ledger.store.cache import AggregateCache
from severa_ledger.store.projecting import project

A = TypeVar("A", bound=Aggregate)
__all__ = ["MAX_EVENTS_PER_SAVE", "Mark", "Unit", "project", "record", "save"]


#: Events per save(): below eventsourcing's PostgreSQL pipeline hang (~22,000).
MAX_EVENTS_PER_SAVE = 5_000


def is_postgres(app: Application[_UUID]) -> bool:
    """Return whether ``app`` stores its events in PostgreSQL."""
    return app.env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres"


def save(app: Application[_UUID], aggregates: Sequence[Aggregate]) -> None:
    """Record the aggregates' pending events in one transaction, as ``Application.save`` does.

    ``Application.save`` first asks of every object whether it is a domain
    event, then whether it can collect events: two runtime Protocol checks,
    each walking the protocol's members (about a tenth of a billing run's
    issuing, which saves thousands of accounts at a time). A unit saves only
    aggregates, so their events are collected directly; recording, snapshots
    and notification are the application's own steps (eventsourcing 9.5).
    """
    record(app, [(a, a.collect_events()) for a in aggregates])


def record(app: Application[_UUID], slices: Sequence[tuple[Aggregate, Sequence[object]]]) -> None:
    """Record each aggregate's given events (already taken from it) in one transaction."""
    processing: ProcessingEvent[_UUID] = ProcessingEvent()
    for aggregate, events in slices:
        processing.events.extend(cast("Any", events))
        processing.aggregates[aggregate.id] = aggregate
    recordings = app._record(processing)  # noqa: SLF001 -- Application.save's own steps
    app._take_snapshots(processing)  # noqa: SLF001
    app._notify(recordings)  # noqa: SLF001
    app.notify(processing.events)  # deprecated in eventsourcing, still called by its save


@attrs.frozen
class Mark:
    """Where one command ended: its events, and each changed aggregate's pending count."""

    events: int
    ends: dict[UUID, int]
    #: Whether the command carries a command_id (its record commits with its events).
    keyed: bool
    #: Every aggregate the command looked at (found or not), changed or only read.
    reads: frozenset[UUID] = frozenset()


class Unit:
    """Aggregates loaded once, changed in memory, saved together.

    Commands mark where they end (:meth:`mark`); :meth:`save_commands` then
    commits whole commands only, so a command's events and its command record
    always share one transaction, however a large batch is split.
    """

    def __init__(self, app: Application[_UUID], cache: AggregateCache | None = None) -> None:
        self.app = app
        self.cache = cache
        self.loaded: dict[UUID, Aggregate] = {}
        #: Aggregates handed out since the last mark: the only ones a command can change.
        self.touched: set[UUID] = set()
        #: Pending events of each aggregate at the last mark.
        self.counts: dict[UUID, int] = {}
        self.marks: list[Mark] = []
        #: Each looked-at aggregate's stored version when first looked at (0: none stored).
        self.base: dict[UUID, int] = {}
        #: Each aggregate's events committed so far, and the positions of the marks committed.
        self.saved: dict[UUID, int] = {}
        self.done: list[int] = []
        #: Loaded ahead by :meth:`prefetch`, handed out by the first ``get`` of each.
        self.ahead: dict[UUID, Aggregate] = {}

    def prefetch(self, ids: Iterable[UUID]) -> None:
        """Load the aggregates of ``ids`` together where the store can (PostgreSQL, no cache)."""
        if self.cache is not None or not is_postgres(self.app):
            return
        from severa_ledger.store.postgres_loading import can_load_many, load_many  # noqa: PLC0415

        if can_load_many(self.app):
            self.ahead.update(load_many(self.app, (i for i in ids if i not in self.loaded)))

    def get(self, aggregate_id: UUID, cls: type[A]) -> A | None:
        """Return the aggregate, from this unit if loaded here, else from the cache or store."""
        self.touched.add(aggregate_id)
        if aggregate_id not in self.loaded:
            try:
                self.loaded[aggregate_id] = self._load(aggregate_id)
            except AggregateNotFoundError:
                self.base.setdefault(aggregate_id, 0)
                return None
            self.base.setdefault(aggregate_id, self.loaded[aggregate_id].version)
        found = self.loaded[aggregate_id]
        if not isinstance(found, cls):
            return None
        return found

    def _load(self, aggregate_id: UUID) -> Aggregate:
        if aggregate_id in self.ahead:
            return self.ahead.pop(aggregate_id)
        cached = self.cache.take(aggregate_id) if self.cache is not None else None
        if cached is None:
            loaded: Aggregate = self.app.repository.get(aggregate_id, projector_func=project)
            return loaded
        newer = self.app.repository.event_store.get(aggregate_id, gt=cached.version)
        return cast("Aggregate", project(cached, cast("Any", newer)))

    def add(self, aggregate: Aggregate) -> None:
        """Take a new aggregate into the unit, to be saved with it."""
        self.touched.add(aggregate.id)
        self.base.setdefault(aggregate.id, 0)
        self.loaded[aggregate.id] = aggregate

    def subscription(self, customer_number: str) -> Subscription:
        """Return the customer's subscription, or raise SubscriptionNotFoundError."""
        found = self.get(subscription_id(customer_number), Subscription)
        if found is None:
            raise SubscriptionNotFoundError(f"no subscription for customer {customer_number!r}")
        return found

    def account(self, customer_number: str) -> Account:
        """Return the customer's account (opened with the subscription)."""
        found = self.get(account_id(customer_number), Account)
        if found is None:
            found = Account(customer_number=customer_number)
            self.add(found)
        return found

    def series(self, seller: Seller) -> InvoiceSeries:
        """Return the seller's number series, opening it on first use."""
        found = self.get(series_id(seller.series), InvoiceSeries)
        if found is None:
            found = InvoiceSeries(series=seller.series, seller=seller.key)
            self.add(found)
        return found

    def rates(self) -> ExchangeRates:
        """Return the book of exchange rates, opening it on first use (R32)."""
        found = self.get(rates_id(), ExchangeRates)
        if found is None:
            found = ExchangeRates()
            self.add(found)
        return found

    def changed(self) -> list[Aggregate]:
        """Return the aggregates with events not yet saved."""
        return [a for a in self.loaded.values() if a.pending_events]

    def chunks(self) -> Iterator[list[Aggregate]]:
        """Yield the changed aggregates in groups small enough for one save()."""
        group: list[Aggregate] = []
        size = 0
        for aggregate in self.changed():
            n = len(aggregate.pending_events)
            if group and size + n > MAX_EVENTS_PER_SAVE:
                yield group
                group, size = [], 0
            group.append(aggregate)
            size += n
        if group:
            yield group

    def mark(self, *, keyed: bool = True) -> int:
        """Note that a command ended here; return the events it added.

        A command larger than one transaction may hold is refused here, before
        anything of its unit is written (CommandTooLargeError).
        """
        ends: dict[UUID, int] = {}
        events = 0
        for aggregate_id in self.touched:
            aggregate = self.loaded.get(aggregate_id)
            if aggregate is None:
                continue
            count = len(aggregate.pending_events)
            before = self.counts.get(aggregate_id, 0)
            if count != before:
                ends[aggregate_id] = count
                events += count - before
        reads = frozenset(self.touched)
        self.touched.clear()
        if events > MAX_EVENTS_PER_SAVE:
            raise CommandTooLargeError(
                f"one command would record {events} events, more than one transaction "
                f"holds ({MAX_EVENTS_PER_SAVE}); nothing of it was recorded"
            )
        self.counts.update(ends)
        self.marks.append(Mark(events, ends, keyed, reads))
        return events

    def save_commands(self) -> int:
        """Save the marked commands, whole commands to a transaction; return the events.

        One transaction when they fit in ``MAX_EVENTS_PER_SAVE`` events, else
        consecutive groups of whole commands, in order: if a later group fails,
        the earlier ones stay committed with their command records (``done``), and
        running the same commands again skips them by their ``command_id``.
        """
        self._check_marked()
        groups = list(self._groups(range(len(self.marks))))
        unkeyed = sum(not mark.keyed for mark in self.marks)
        if len(groups) > 1 and unkeyed:
            events = sum(mark.events for mark in self.marks)
            raise BatchTooLargeError(
                f"a batch of {len(self.marks)} commands records {events} events, more than "
                f"one transaction holds ({MAX_EVENTS_PER_SAVE}), and {unkeyed} of its commands "
                "have no command_id, so a batch cut short could not be resumed; give every "
                "command a command_id, or run smaller batches; nothing was recorded"
            )
        count = self._record_groups(groups)
        for aggregate in self.loaded.values():
            aggregate.pending_events.clear()
        self.finish()
        return count

    def save_marked(self, positions: Sequence[int]) -> int:
        """Save the marked commands at ``positions``, whole commands a transaction; return events.

        Each aggregate's events among them must be a prefix of its unsaved ones.
        """
        return self._record_groups(list(self._groups(positions)))

    def _record_groups(
        self, groups: Sequence[tuple[dict[UUID, tuple[int, int]], list[int]]]
    ) -> int:
        count = 0
        for group, positions in groups:
            slices = []
            for aggregate_id, (start, end) in group.items():
                aggregate = self.loaded[aggregate_id]
                slices.append((aggregate, aggregate.pending_events[start:end]))
                count += end - start
            if slices:
                record(self.app, slices)
            self.saved.update((key, end) for key, (_, end) in group.items())
            self.done.extend(positions)
        return count

    def _check_marked(self) -> None:
        """Raise if any aggregate holds events outside the marked commands (a bug, not input)."""
        for aggregate in self.loaded.values():
            if len(aggregate.pending_events) != self.counts.get(aggregate.id, 0):
                message = f"aggregate {aggregate.id} changed outside a marked command"
                raise RuntimeError(message)

    def _groups(
        self, positions: Iterable[int]
    ) -> Iterator[tuple[dict[UUID, tuple[int, int]], list[int]]]:
        """Yield, per transaction, each aggregate's slice of pending events (whole commands).

        With each slice, the positions of the marked commands the transaction holds.
        """
        saved = dict(self.saved)
        group: dict[UUID, tuple[int, int]] = {}
        held: list[int] = []
        size = 0
        for position in positions:
            mark = self.marks[position]
            if group and size + mark.events > MAX_EVENTS_PER_SAVE:
                yield group, held
                saved.update((key, end) for key, (_, end) in group.items())
                group, held, size = {}, [], 0
            for aggregate_id, end in mark.ends.items():
                start = (
                    group[aggregate_id][0] if aggregate_id in group else saved.get(aggregate_id, 0)
                )
                group[aggregate_id] = (start, end)
            held.append(position)
            size += mark.events
        if held:
            yield group, held

    def save(self) -> int:
        """Save every change, each aggregate whole, in as few transactions as fit; return events.

        For work whose aggregates stand alone (a billing run's advance, its
        invoices with their numbers): an aggregate's events never split across
        transactions, but different aggregates may. Commands use
        :meth:`save_commands`.
        """
        count = 0
        for group in self.chunks():
            count += sum(len(a.pending_events) for a in group)
            save(self.app, group)
        self.finish()
        return count

    def finish(self) -> None:
        """Hand the loaded aggregates to the cache and start empty (after a save)."""
        if self.cache is not None:
            self.cache.give_back(self.loaded.values())
        self.loaded.clear()
        self.touched.clear()
        self.counts.clear()
        self.marks.clear()
        self.base.clear()
        self.saved.clear()
        self.done.clear()
