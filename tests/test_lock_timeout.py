"""A lock another PostgreSQL session holds fails a command at the documented 10 s timeout.

docs/postgresql.md: the ledger waits at most ``POSTGRES_LOCK_TIMEOUT`` (10 s) for a
lock. With the events table locked by another session, a read and a write each
fail after about that long, with one line and exit 4, and record nothing
(issue 26: they used to wait as long as the lock was held).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError

from severa_ledger import Ledger
from tests.conftest import PG_HOST, PG_PORT, run

TIMEOUT = 10.0
#: Seconds beyond the timeout a failure may take (opening, one round trip, a loaded machine).
SLACK = 4.0


@contextmanager
def events_locked(url: str) -> Iterator[None]:
    """Hold the store's events table locked (as ``LOCK TABLE`` does) in another session."""
    schema = url.rpartition("schema=")[2]
    conninfo = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=test"
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"LOCK TABLE {schema}.severa_ledger_events")
        yield
        conn.rollback()


def test_a_read_fails_at_the_lock_timeout_when_another_session_holds_the_events_table(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`licenses` with the events table locked elsewhere: exit 4 after about 10 s, one line."""
    Ledger.open(pg_url).close()
    with events_locked(pg_url):
        started = time.monotonic()
        code, _, err = run(capsys, "--db", pg_url, "licenses", "C1", "--as-of", "2025-03-10")
        took = time.monotonic() - started
    assert code == 4, err
    assert TIMEOUT - 1 < took < TIMEOUT + SLACK, took
    assert "lock timeout" in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_a_command_fails_at_the_lock_timeout_and_records_nothing(pg_url: str) -> None:
    """A purchase waiting on the locked events table fails after about 10 s; nothing recorded."""
    with Ledger.open(pg_url) as ledger:
        before = ledger.recorder.max_notification_id()
        with events_locked(pg_url):
            started = time.monotonic()
            with pytest.raises(PersistenceError, match="lock timeout"):
                ledger.buy_licenses("C1", "user", 1, on=date(2025, 3, 10), command_id="b-1")
            took = time.monotonic() - started
        assert TIMEOUT - 1 < took < TIMEOUT + SLACK, took
        assert ledger.recorder.max_notification_id() == before
