"""The billing run: roll every subscription to a date, then issue what is due (R13-R20).

Invoices are issued in one global order, (issue date, series, customer,
order), so billing day by day and billing the same span at once assign the
same numbers. Work is saved in chunks, each atomic, each retried on a writer
conflict; a rerun skips what is done.

Each subscription and account is loaded once per run, not once per invoice.
Phase 1 loads a chunk of customers, advances them and notes, for every order
due, the order and the buyer's details on its issue date. Phase 2 issues the
due orders in the global order. It appends to each account through a handle
kept from phase 1 and to each number series through the object saved by the
previous chunk, both at the version last saved. The handle holds none of the
account's documents, so memory grows with the documents a run issues, not
with the history. If another writer saved meanwhile, the save conflicts, and
the chunk is retried on fresh copies from the store.

With worker processes, phase 1 runs in them (``workers/pool.py``) and so does
building and encoding the invoices of phase 2 (``billing/drafts.py``); this
process numbers and records them, chunk by chunk in the same order.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar, cast

from eventsourcing.persistence import IntegrityError

from severa_ledger.billing.drafts import DraftIssuer
from severa_ledger.domain.account import Account, account_id
from severa_ledger.domain.billing import InvoiceNumber, build_invoice
from severa_ledger.domain.errors import ConcurrencyError
from severa_ledger.domain.rules import check_date
from severa_ledger.domain.series import InvoiceSeries
from severa_ledger.domain.subscription import subscription_id
from severa_ledger.store.retry import MAX_ATTEMPTS, back_off
from severa_ledger.store.unit import MAX_EVENTS_PER_SAVE, Unit
from severa_ledger.workers.pool import open_pool, worker_count

if TYPE_CHECKING:
    from severa_ledger.reader.reader import LedgerReader as Ledger

from severa_ledger.billing.plan import (
    Advanced,
    BillingReport,
    Due,
    HeldBack,
    Key,
    due_orders,
    recorded_rates,
)

#: The worker task that advances a chunk (billing/tasks.py).
ADVANCE = "severa_ledger.billing.tasks:advance"


#: Customers advanced per phase-1 chunk.
CUSTOMERS_PER_SAVE = 200


#: Invoices per phase-2 chunk: its invoices and numbers must fit one save (one transaction).
INVOICES_PER_SAVE = min(2_000, MAX_EVENTS_PER_SAVE // 2)


#: On PostgreSQL a save's bytes stay well under a socket buffer: one billing run with
#: 2,000 invoices (about 5 MB) a save hung in psycopg's pipeline sync, the server
#: waiting for the rest of the batch (the eventsourcing 9.5 hazard, reached by bytes).
POSTGRES_CUSTOMERS_PER_SAVE = 50


POSTGRES_INVOICES_PER_SAVE = 250


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def retrying(ledger: Ledger, work: Callable[[Unit], T]) -> tuple[T, int]:
    """Run ``work`` in a fresh unit and save it, again on a writer conflict; return its result."""
    for attempt in range(MAX_ATTEMPTS):
        unit = Unit(ledger)
        result = work(unit)
        try:
            return result, unit.save()
        except IntegrityError:
            back_off(attempt)
            continue
    raise ConcurrencyError(f"a billing chunk still conflicted after {MAX_ATTEMPTS} attempts")


def account_handle(ledger: Ledger, account: Account) -> Account:
    """Return the saved ``account`` without its documents: enough to append invoices.

    Issuing reads only the account's version and its cursor of invoiced
    orders; a snapshot is always taken from the store, never from this object.
    An aggregate cache that keeps saved objects (no fast-forward) would hand
    this object out again, so then the account keeps its documents.
    """
    cache = ledger.repository.cache
    if cache is not None and not ledger.repository.fastforward:
        return account
    account.invoices = {}
    account.by_order = {}
    account.payments = []
    account.credited = {}
    return account


#: Told (done, total) as a run goes: customers advanced, then invoices issued.
Progress = Callable[[int, int], None]


def run_billing(
    ledger: Ledger, through: date, workers: int | None = None, progress: Progress | None = None
) -> BillingReport:
    """Record every roll, renewal and invoice due on or before ``through``.

    With worker processes (``workers/pool.py``), they advance the subscriptions
    and draft the invoices (``billing/drafts.py``); this process plans the numbers
    and records the invoices, in the same order either way. ``progress`` is told
    (customers advanced, customers), then (invoices issued, invoices due).
    """
    tell = progress or (lambda _done, _total: None)
    through = check_date(through, "through")
    customers = ledger.customers()
    per_save, invoices_per_save = _save_sizes(ledger)
    chunks = list(_chunks(customers, per_save))
    count = min(worker_count(ledger, len(customers), workers), len(chunks))
    due: list[Due] = []
    accounts: dict[str, Account] = {}
    numbers: list[str] = []
    unpaid: set[Key] = set()
    lacking: list[str] = []  # issued without payment details (R23)
    held_back: list[HeldBack] = []
    events = orders = 0
    with _long_lived_heap() as settle, open_pool(ledger, count) as pool:
        held: list[tuple[Key, int]] = []  # due orders kept by workers, with the worker
        advanced = (
            ((0, advance_chunk(ledger, chunk, through)) for chunk in chunks)
            if pool is None
            else pool.map(ADVANCE, ((chunk, through) for chunk in chunks))
        )
        for index, (worker, (found, saved)) in enumerate(advanced):
            due.extend(found.due)
            held_back.extend(found.held_back)
            held.extend((key, worker) for key in found.held)
            unpaid.update(found.unpaid)
            accounts.update(found.accounts)
            orders += found.orders
            events += saved
            tell(min(len(customers), (index + 1) * per_save), len(customers))
            settle()
        if pool is not None and held:
            held.sort(reverse=True)  # popped from the end: earliest first
            drafter = DraftIssuer(ledger, accounts, invoices_per_save, (unpaid, lacking))
            issued, saved = drafter.issue(held, pool)
            numbers.extend(issued)
            events += saved
            due.extend(drafter.rest)  # after a conflict: for the one-process path
        due.sort(key=attrgetter("key"), reverse=True)  # popped from the end: earliest first
        issuer = _Issuer(ledger, accounts, lacking)
        total = len(due) + len(numbers)
        while due:
            batch = [due.pop() for _ in range(min(invoices_per_save, len(due)))]
            issued, saved = issuer.issue(batch)
            numbers.extend(issued)
            events += saved
            tell(total - len(due), total)
            settle()
    lacked = set(lacking)
    without = tuple(n for n in numbers if n in lacked)
    return BillingReport(
        through, len(customers), events, orders, tuple(numbers), without, tuple(held_back)
    )


def _save_sizes(ledger: Ledger) -> tuple[int, int]:
    """Return the customers advanced and the invoices issued per save on ``ledger``'s store."""
    if ledger.env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        return (
            min(CUSTOMERS_PER_SAVE, POSTGRES_CUSTOMERS_PER_SAVE),
            min(INVOICES_PER_SAVE, POSTGRES_INVOICES_PER_SAVE),
        )
    return CUSTOMERS_PER_SAVE, INVOICES_PER_SAVE


@contextmanager
def _long_lived_heap() -> Iterator[Callable[[], None]]:
    """Keep the cycle collector from rescanning what a run holds until its end.

    A run holds every due order until its invoice is numbered: millions of
    objects at 100,000 customers, without reference cycles. Each full pass of
    Python's cycle collector walked all of them again (16 % of a run at 10,000
    customers). ``settle()`` moves what is alive into the collector's permanent
    generation (``gc.freeze``): still freed by reference counting, no longer
    scanned. At the end everything frozen here is handed back, unless the
    process had frozen objects of its own before the run (``gc.unfreeze`` would
    release theirs too).
    """
    owned = gc.get_freeze_count() == 0
    try:
        yield gc.freeze
    finally:
        if owned:
            gc.unfreeze()


def advance_chunk(ledger: Ledger, chunk: Sequence[str], through: date) -> tuple[Advanced, int]:
    """Advance one chunk of customers in one save; return what is due, with account handles."""
    found, saved = retrying(ledger, advance(ledger, chunk, through))
    found.accounts = {c: account_handle(ledger, a) for c, a in found.accounts.items()}
    return found, saved


def advance(ledger: Ledger, chunk: Sequence[str], through: date) -> Callable[[Unit], Advanced]:
    """Return the work of advancing ``chunk``'s subscriptions to ``through`` in one unit."""

    def work(unit: Unit) -> Advanced:
        found = Advanced()
        unit.prefetch(i for c in chunk for i in (subscription_id(c), account_id(c)))
        rates = recorded_rates(unit)
        for customer in chunk:
            sub = unit.subscription(customer)
            before = len(sub.orders)
            sub.advance_to(through)
            found.orders += len(sub.orders) - before
            account = unit.account(customer)
            due = due_orders(ledger, sub, account.invoiced_orders, through, rates)
            if due and isinstance(last := due[-1], HeldBack):
                found.held_back.append(last)
                due.pop()
            if due:
                payable = cast("list[Due]", due)
                found.due.extend(payable)
                found.unpaid.extend(d.key for d in payable if not _payable(ledger, d))
                found.accounts[customer] = account
        return found

    return work


def _payable(ledger: Ledger, item: Due) -> bool:
    """Tell whether the invoice of a due order will carry payment details (R23)."""
    seller = ledger.sellers[item.order.seller]
    return seller.payment_details(item.order.currency) is not None


class _Issuer:
    """Issues due invoices chunk by chunk, keeping accounts and series between chunks."""

    def __init__(
        self, ledger: Ledger, accounts: dict[str, Account], lacking: list[str] | None = None
    ) -> None:
        self.ledger = ledger
        self.accounts = accounts
        self.series: dict[str, InvoiceSeries] = {}
        #: Told the numbers issued without payment details (R23).
        self.lacking = [] if lacking is None else lacking

    def issue(self, chunk: Sequence[Due]) -> tuple[list[str], int]:
        """Issue one chunk in one save; on a conflict, reload what it touches and retry."""
        for attempt in range(MAX_ATTEMPTS):
            unit = Unit(self.ledger)
            if attempt:
                self._reload(unit, chunk)
            numbers, unpaid = self._issue(unit, chunk)
            try:
                saved = unit.save()
            except IntegrityError:
                back_off(attempt)
                continue
            self.lacking.extend(unpaid)  # only once saved: a retry may number anew
            return numbers, saved
        raise ConcurrencyError(f"a billing chunk still conflicted after {MAX_ATTEMPTS} attempts")

    def _reload(self, unit: Unit, chunk: Sequence[Due]) -> None:
        self.series.clear()
        customers = {d.customer_number for d in chunk}
        unit.prefetch(account_id(c) for c in customers)
        for customer in customers:
            self.accounts[customer] = account_handle(self.ledger, unit.account(customer))
        unit.loaded.clear()

    def _issue(self, unit: Unit, chunk: Sequence[Due]) -> tuple[list[str], list[str]]:
        """Issue the invoices of one chunk in order, skipping any issued meanwhile.

        Return their numbers, and those of them without payment details (R23).
        """
        todo = [
            d for d in chunk if self.accounts[d.customer_number].invoiced_orders < d.order_sequence
        ]
        for item in todo:
            unit.add(self.accounts[item.customer_number])
        numbers = self._assign(unit, todo)
        issued, unpaid = [], []
        for item in todo:
            invoice = build_invoice(
                item.order,
                number=numbers[item.key],
                issued=item.issue_date,
                seller=self.ledger.sellers[item.order.seller],
                buyer=item.buyer,
                vat=self.ledger.vat,
                rate=item.rate,
            )
            self.accounts[item.customer_number].issue(invoice)
            issued.append(invoice.number)
            if invoice.payment_details is None:
                unpaid.append(invoice.number)
        return issued, unpaid

    def _assign(self, unit: Unit, todo: Sequence[Due]) -> dict[Key, InvoiceNumber]:
        """Assign the next numbers of each series to the chunk's invoices, in order (R17)."""
        by_series: dict[str, list[Due]] = {}
        for item in todo:
            by_series.setdefault(item.series, []).append(item)
        numbers: dict[Key, InvoiceNumber] = {}
        for name, items in by_series.items():
            series = self._series(unit, name)
            assigned = series.assign([d.customer_number for d in items], items[-1].issue_date)
            numbers.update(zip((d.key for d in items), assigned, strict=True))
        return numbers

    def _series(self, unit: Unit, name: str) -> InvoiceSeries:
        if name not in self.series:
            seller = self.ledger.sellers.by_series(name)
            assert seller is not None  # noqa: S101 -- series came from the registry
            self.series[name] = unit.series(seller)
        unit.add(self.series[name])
        return self.series[name]
