"""PostgreSQL billing's fast path records what the library's own path records, byte for byte.

The fast path loads a chunk's aggregates in two queries (``store/postgres_loading.py``)
and inserts a save's events and digests as binary column arrays (``store/postgres.py``);
the slow path is eventsourcing's ``Repository.get`` per aggregate, its composite-array
insert, and one INSERT per digest.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import pytest
from attrs import astuple
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL

from severa_ledger import Ledger
from severa_ledger.domain.account import Account, account_id
from severa_ledger.domain.series import InvoiceSeries
from severa_ledger.domain.subscription import Subscription
from severa_ledger.store import postgres_loading
from severa_ledger.store.chain_stores import COLUMNS
from severa_ledger.store.postgres import ChainedPostgresRecorder, PostgresChainStore
from tests.conftest import pg_schema_url, stored_log
from tests.test_billing_pool import CUSTOMERS, book, documents

D = date
NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


class SnappyLedger(Ledger):
    """A ledger snapshotting every third version: loads start from snapshots."""

    snapshotting_intervals: ClassVar[dict[Any, int]] = {
        Subscription: 3,
        Account: 3,
        InvoiceSeries: 3,
    }


@pytest.fixture
def two_pg() -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL schemas."""
    for first in pg_schema_url():
        for second in pg_schema_url():
            yield first, second


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every event recorded at one instant, so two runs can be compared byte for byte."""
    monkeypatch.setattr("eventsourcing.domain.datetime_now_with_tzinfo", lambda: NOW)


def library_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load one aggregate at a time and insert composites, as eventsourcing does."""
    monkeypatch.setattr(postgres_loading, "can_load_many", lambda _app: False)

    def insert(self: ChainedPostgresRecorder, curs: Any, stored: Any, **kwargs: Any) -> None:
        self._lock_table(curs)
        self._heads.previous = self._covered_head(curs)
        PostgresApplicationRecorder._insert_stored_events(self, curs, stored, **kwargs)

    monkeypatch.setattr(ChainedPostgresRecorder, "_insert_stored_events", insert)

    def insert_rows(self: ChainedPostgresRecorder, curs: Any, rows: Any) -> None:
        one_each = SQL(f"INSERT INTO {{table}} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s)").format(
            table=self.chain_table
        )
        with curs.connection.cursor() as writer:
            writer.executemany(one_each, [astuple(r) for r in rows])

    monkeypatch.setattr(ChainedPostgresRecorder, "_insert_rows", insert_rows)


def bill_twice(url: str) -> tuple[list[object], list[object], list[tuple[object, ...]]]:
    """Bill to June, then to September (loads from snapshots); return reports, documents, log."""
    with SnappyLedger.open(url) as ledger:
        book(ledger)
        reports = [
            ledger.run_billing(through=D(2025, 6, 30), workers=1),
            ledger.run_billing(through=D(2025, 9, 30), workers=1),
        ]
        assert ledger.verify().ok
        snapshots = ledger.snapshots
        assert snapshots is not None
        assert snapshots.recorder.select_events(account_id("P00"))
        return reports, documents(ledger), stored_log(ledger)


def chain(url: str) -> list[object]:
    """Return the digests table's rows in order."""
    with Ledger.open(url) as ledger:
        return list(PostgresChainStore(ledger.recorder).rows_after(0, 10**9))


def test_fast_postgres_billing_records_the_library_paths_events_and_chain(
    two_pg: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same reports, documents, stored events (bytes) and digests as the library's path."""
    load_many, loads = postgres_loading.load_many, []
    monkeypatch.setattr(
        postgres_loading, "load_many", lambda app, ids: loads.append(1) or load_many(app, ids)
    )
    fast = bill_twice(two_pg[0])
    assert loads
    fast_chain = chain(two_pg[0])
    library_path(monkeypatch)
    slow = bill_twice(two_pg[1])
    assert fast[0] == slow[0]
    assert fast[1] == slow[1]
    assert fast[2] == slow[2]
    assert fast_chain == chain(two_pg[1])
    assert len(fast[2]) > CUSTOMERS * 10
