"""PostgreSQL: a lock held by another session fails a command at the lock timeout (10 s)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import OperationalError, PersistenceError
from eventsourcing.postgres import PostgresDatastore
from psycopg import Connection
from psycopg.errors import LockNotAvailable
from psycopg.rows import DictRow


class LockTimeoutError(PersistenceError):
    """Raised when another session held a lock the ledger needs for the whole lock timeout.

    Not an ``OperationalError``: eventsourcing retries those ten times, which would
    turn the documented 10 s into 100 s.
    """


def fail_at_lock_timeout(datastore: PostgresDatastore) -> None:
    """Make every statement, reads too, wait at most ``POSTGRES_LOCK_TIMEOUT`` for a lock.

    eventsourcing sets the timeout only on the statement that locks the events table
    for a save, so a read of a table another session holds locked waited as long as
    the lock was held; and it retries a timed-out statement ten times. Here each
    connection gets the timeout, and a timed-out statement fails at once.
    """
    if not datastore.lock_timeout or not isinstance(datastore.pool.kwargs, dict):
        return
    datastore.pool.kwargs["options"] = f"-c lock_timeout={int(datastore.lock_timeout)}s"
    connection = datastore.get_connection

    @contextmanager
    def get_connection() -> Iterator[Connection[DictRow]]:
        try:
            with connection() as conn:
                yield conn
        except OperationalError as error:
            if isinstance(error.__cause__, LockNotAvailable):
                raise LockTimeoutError(str(error)) from error
            raise

    datastore.get_connection = get_connection  # type: ignore[method-assign]
