"""The read models wired to a ledger: where they are kept, and the queries they answer.

Every ``Ledger`` has ``read_models`` (docs/projections.md): the projections of
:mod:`severa_ledger.projections` materialised beside its events (SQLite file,
PostgreSQL schema, or memory for ``memory://``). The queries
(``license_counts``, ``upcoming_cost``, ``invoices``, ``invoice``,
``receivables``) catch up first, then read the tables; each returns None
when the read models cannot answer (no such subscription, or an ``as_of``
before the last recorded fact), and the query then folds the aggregates.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import PersistenceError
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from severa_ledger.domain.account import account_id
from severa_ledger.domain.documents import InvoiceView
from severa_ledger.domain.rules import check_date
from severa_ledger.domain.subscription import Subscription, subscription_id
from severa_ledger.domain.values import LicenseCount
from severa_ledger.projections.deliveries import DeliveriesProjection
from severa_ledger.projections.dialects import postgres_dialect, sqlite_dialect
from severa_ledger.projections.invoice_lines import InvoiceLinesProjection
from severa_ledger.projections.receivables import (
    DOCUMENTS,
    INVOICES,
    PAYMENTS,
    RECEIVABLES,
    ReceivablesProjection,
    account_of,
)
from severa_ledger.projections.rows import Projection, R, Table
from severa_ledger.projections.runner import PAGE, ProjectionStatus, Runner
from severa_ledger.projections.sql import PostgresStore, SQLiteStore
from severa_ledger.projections.store import MemoryStore, Reader, Store
from severa_ledger.projections.subscription_rows import (
    LICENSE_COUNTS,
    SUBSCRIPTIONS,
    subscription_of,
)
from severa_ledger.projections.subscriptions import SubscriptionsProjection
from severa_ledger.reader.invoice_views import dated, documents_by_number, views_of

T = TypeVar("T")
#: Seconds ``follow`` waits for a notification before it polls the log anyway.
POLL_INTERVAL = 1.0
#: Longest a wait blocks before checking whether to stop.
_WAIT_SLICE = 0.2


def projections() -> tuple[Projection, ...]:
    """Return the ledger's projections."""
    return (
        SubscriptionsProjection(),
        InvoiceLinesProjection(),
        ReceivablesProjection(),
        DeliveriesProjection(),
    )


def store_for(app: Application[UUID]) -> Store:
    """Return the store of ``app``'s read models: beside its events."""
    recorder = app.recorder
    transcoder = app.mapper.transcoder
    if isinstance(recorder, SQLiteApplicationRecorder):
        dialect = sqlite_dialect(transcoder, recorder.events_table_name)
        return SQLiteStore(recorder.datastore, dialect)
    if isinstance(recorder, POPOApplicationRecorder):
        return MemoryStore(recorder)
    from eventsourcing.postgres import PostgresApplicationRecorder  # noqa: PLC0415 -- extra

    if isinstance(recorder, PostgresApplicationRecorder):
        datastore = recorder.datastore
        dialect = postgres_dialect(transcoder, datastore.schema, recorder.events_table_name)
        return PostgresStore(datastore, dialect)
    msg = f"no read-model store for {type(recorder).__name__}"
    raise TypeError(msg)


class ReadModels:
    """A ledger's read models: catch-up, status, rebuild, follow, and the queries they answer."""

    def __init__(self, app: Application[UUID], *, page: int = PAGE) -> None:
        self.app = app
        self.store = store_for(app)
        self.runner = Runner(app.recorder, app.mapper, self.store, projections(), page=page)

    @property
    def names(self) -> tuple[str, ...]:
        """Return the projections' names."""
        return tuple(self.runner.projections)

    def catch_up(self) -> int:
        """Fold every event not yet applied into every read model; return how many."""
        return self.runner.catch_up()

    def status(self) -> list[ProjectionStatus]:
        """Return each projection's position, the log's head and its lag."""
        return self.runner.status()

    def rebuild(self, name: str, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop one read model's tables and fold it again (``progress(position, head)``)."""
        return self.runner.rebuild(name, progress)

    def rows(self, name: str) -> dict[str, list[Any]]:
        """Return every row of a projection's tables as stored (no catch-up), sorted by key."""
        (projection,) = self.runner.chosen([name])
        self.runner.setup()
        with self.store.reading() as reader:
            return {t.name: sorted(reader.select(t), key=t.key_of) for t in projection.tables}

    def select(self, table: Table[R], **equal: object) -> list[R] | None:
        """Return the current rows of ``table`` whose columns equal ``equal``; None if lagging.

        None when the read models lag and cannot be caught up now (see ``_current``):
        the caller then folds the events itself.
        """
        with self._current() as reader:
            return None if reader is None else reader.select(table, **equal)

    def follow(
        self,
        *,
        should_stop: Callable[[], bool],
        interval: float = POLL_INTERVAL,
        on_page: Callable[[int], None] | None = None,
    ) -> int:
        """Keep the read models current until ``should_stop``; return the events folded.

        On PostgreSQL it wakes on the store's NOTIFY (sent with every insert)
        and otherwise polls every ``interval`` seconds.
        """
        with self._waiter(interval, should_stop) as wait:
            return self.runner.follow(should_stop=should_stop, wait=wait, on_page=on_page)

    @contextmanager
    def _waiter(
        self, interval: float, should_stop: Callable[[], bool]
    ) -> Iterator[Callable[[], None]]:
        if not isinstance(self.store, PostgresStore):
            pause = threading.Event()

            def poll() -> None:
                waited = 0.0
                while waited < interval and not should_stop():
                    pause.wait(min(_WAIT_SLICE, interval - waited))
                    waited += _WAIT_SLICE

            yield poll
            return
        with self.store.listening(self.app.recorder) as notified:

            def listen() -> None:
                waited = 0.0
                while waited < interval and not should_stop():
                    if notified(min(_WAIT_SLICE, interval - waited)):
                        return
                    waited += _WAIT_SLICE

            yield listen

    # ------------------------------------------------------------- queries

    @contextmanager
    def _current(self, *, consistent: bool = True) -> Iterator[Reader | None]:
        """Return a reader of up-to-date read models, catching up first if the log moved on.

        Checking costs two small reads in the reader's own transaction (one
        connection, one snapshot); only when something is new does it catch up,
        without waiting for a lock. None when they lag and cannot be written
        now (a read-only store, or another process holding SQLite's write
        lock): the query then folds the aggregates (reads never wait for writers).
        """
        with self.store.reading(consistent=consistent) as reader:
            if self.runner.is_current(reader):
                yield reader
                return
        try:
            self.runner.catch_up(wait=False)
        except (PersistenceError, sqlite3.Error) as error:
            if not _read_only(error) and not _locked(error):
                raise
            yield None
            return
        with self.store.reading(consistent=consistent) as reader:
            yield reader

    def query(self, read: Callable[[Reader], T]) -> T | None:
        """Return ``read`` of up-to-date read models, or None when they cannot answer now."""
        with self._current() as reader:
            return None if reader is None else read(reader)

    def license_counts(
        self, customer_number: str, as_of: date | None = None
    ) -> dict[str, LicenseCount] | None:
        """Return the license counts per kind (recorded, or on ``as_of``), or None (see held)."""
        if not isinstance(customer_number, str):
            return None  # the aggregates' path says what it makes of it
        if as_of is not None:
            held = self.held(customer_number, as_of)
            return None if held is None else held.counts()
        with self._current(consistent=False) as reader:
            if reader is None:
                return None
            rows = reader.select(LICENSE_COUNTS, customer_number=customer_number)
        if not rows:
            return None
        return {row.kind: row.count() for row in sorted(rows, key=lambda r: r.kind)}

    def held(self, customer_number: str, as_of: date) -> Subscription | None:
        """Return the subscription as it stands on ``as_of`` (advanced in memory), or None.

        None when there is no subscription, or when ``as_of`` is before a
        recorded fact's effective date (the history must then be folded).
        """
        if not isinstance(customer_number, str):
            return None
        day = check_date(as_of, "as_of")
        with self._current(consistent=False) as reader:
            sid = str(subscription_id(customer_number))
            row = None if reader is None else reader.get(SUBSCRIPTIONS, (sid,))
        if row is None or day < row.last_effective:
            return None
        sub = subscription_of(row)
        sub.advance_to(day)  # in memory only: queries never record
        return sub

    def invoice(self, number: str, as_of: date | None) -> InvoiceView | None:
        """Return one invoice or credit note with its status, or None if there is none."""
        if not isinstance(number, str):
            return None
        with self._current() as reader:
            row = None if reader is None else reader.get(INVOICES, (number,))
            if reader is None or row is None:
                return None
            notes = (  # every credit note of it counts as of a day (R33: partial credits)
                reader.select(INVOICES, credited_invoice=number)
                if row.credited_by and as_of is not None
                else []
            )
            rows = [row, *sorted(notes, key=lambda r: r.account_version)]
            numbers = [(r.number,) for r in rows] + [(n,) for n in [row.credited_invoice] if n]
            documents = documents_by_number(reader.get_many(DOCUMENTS, numbers).values())
            payments = reader.select(PAYMENTS, invoice_number=number) if as_of else []
        return next(v for v in views_of(rows, documents, payments, as_of) if v.number == number)

    def invoices(self, customer_number: str | None, as_of: date | None) -> list[InvoiceView] | None:
        """Return the documents of one customer (None if unknown) or of all, by number."""
        if customer_number and not isinstance(customer_number, str):
            return None
        where = {"customer_number": customer_number} if customer_number else {}
        with self._current() as reader:
            if reader is None:
                return None
            sid = str(subscription_id(customer_number)) if customer_number else None
            if sid is not None and reader.get(SUBSCRIPTIONS, (sid,)) is None:
                return None
            rows = reader.select(INVOICES, **where)
            documents = documents_by_number(reader.select(DOCUMENTS, **where))
            payments = reader.select(PAYMENTS, **where) if as_of is not None else []
        views = views_of(rows, documents, payments, as_of)
        return sorted(views, key=lambda v: (v.series, v.sequence))

    def receivables(
        self, customer_number: str, as_of: date | None
    ) -> tuple[Decimal, Decimal, tuple[InvoiceView, ...]] | None:
        """Return balance, credit and every document's status, or None without a subscription."""
        if not isinstance(customer_number, str):
            return None
        where = {"customer_number": customer_number}
        with self._current() as reader:
            if reader is None:
                return None
            customer = reader.get(RECEIVABLES, (str(account_id(customer_number)),))
            if customer is None:
                return None
            rows = sorted(reader.select(INVOICES, **where), key=lambda r: r.account_version)
            documents = documents_by_number(reader.select(DOCUMENTS, **where))
            payments = reader.select(PAYMENTS, **where) if as_of is not None else []
        if as_of is None:
            views = tuple(dated([r.view(documents[r.number]) for r in rows], documents))
            return customer.balance, customer.credit, views
        account = account_of(
            customer_number, [documents[r.number] for r in rows], [p.payment() for p in payments]
        )
        views = tuple(account.view(n, as_of) for n in account.invoices)
        return account.balance(as_of), account.credit_balance(as_of), views


def _read_only(error: Exception) -> bool:
    """Return whether ``error`` says the store may not be written (a read-only copy, a role)."""
    text = str(error).lower()
    return any(sign in text for sign in ("readonly", "read-only", "permission denied"))


def _locked(error: Exception) -> bool:
    """Return whether ``error`` says another connection holds SQLite's write lock."""
    return "database is locked" in str(error).lower()


def unwritable_now(error: Exception) -> bool:
    """Return whether ``error`` says the read models cannot be written now (read-only, locked)."""
    return _read_only(error) or _locked(error)
