"""SQLite: a command waiting for another process's write lock stays interruptible (Ctrl-C).

SQLite waits for a lock inside one C call (its busy timeout), which Python
cannot interrupt: Ctrl-C used to be acted on only when the whole 5 s wait
ended. Here each call waits at most :data:`TRY`, and the cursor calls again
until the store's lock timeout (eventsourcing's 5 s) has passed, then reports
"database is locked" as before. Python raises KeyboardInterrupt between two
calls, so Ctrl-C takes effect within about :data:`TRY`.

Only a statement SQLite itself would have waited for is called again: one
outside a transaction (``BEGIN IMMEDIATE`` among them) or the first after a
deferred ``BEGIN``. Neither holds anything yet (a refused write lock changes
nothing), so calling again is exactly SQLite's own wait, in Python: a save is
still whole or absent. A later statement of a transaction that has read fails
at once, as it always did (its snapshot may be stale: the transaction starts
over), and a connection told not to wait (``PRAGMA busy_timeout = 0``) is not
called again. Reads never wait in WAL mode, and are left as they are.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import InterfaceError
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
)

#: Seconds SQLite may wait for a lock in one call: the longest Ctrl-C waits for.
TRY = 0.1
_DEFERRED_BEGIN = re.compile(r"\s*BEGIN(\s+DEFERRED)?(\s+TRANSACTION)?\s*;?\s*", re.IGNORECASE)


def interruptible_lock_waits(datastore: SQLiteDatastore) -> None:
    """Make ``datastore``'s connections wait for locks in calls Ctrl-C can come between.

    Called before the datastore made any connection (a recorder's construction):
    its pool is replaced by one with the same settings.
    """
    pool = datastore.pool
    if isinstance(pool, WaitingPool):
        return
    datastore.pool = WaitingPool(
        db_name=pool.db_name,
        lock_timeout=pool.lock_timeout,
        pool_size=pool.pool_size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.pool_timeout,
        max_age=pool.max_age,
        pre_ping=pool.pre_ping,
    )
    pool.close()


class WaitingPool(SQLiteConnectionPool):
    """eventsourcing's SQLite pool, making :class:`WaitingConnection` connections."""

    def _create_connection(self) -> SQLiteConnection:
        """Connect as eventsourcing does (auto-commit, WAL, rows), waiting :data:`TRY` a call."""
        try:
            raw = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,
                cached_statements=True,
                timeout=TRY,
            )
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        wait = self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT
        connection = WaitingConnection(raw, max_age=self.max_age, wait=wait)
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            self._use_wal(connection.cursor())
        raw.row_factory = sqlite3.Row
        return connection

    def _use_wal(self, cursor: SQLiteCursor) -> None:
        """Put a file in WAL mode (readers never wait for a writer), as eventsourcing does."""
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
            self.journal_mode_was_changed_to_wal = True
        self.is_journal_mode_wal = True


class WaitingConnection(SQLiteConnection):
    """A connection whose cursors wait for locks in short, interruptible calls."""

    def __init__(self, sqlite_conn: sqlite3.Connection, max_age: float | None, wait: float) -> None:
        super().__init__(sqlite_conn, max_age)
        self.wait = wait
        #: A deferred BEGIN was the last statement: the transaction holds nothing yet.
        self.fresh = False

    def cursor(self) -> SQLiteCursor:
        """Return a cursor that waits for locks as this module describes."""
        return WaitingCursor(self._sqlite_conn.cursor(), self)

    def commit(self) -> None:
        """Commit the transaction (it ends: nothing is fresh)."""
        self.fresh = False
        super().commit()

    def rollback(self) -> None:
        """Roll the transaction back (it ends: nothing is fresh)."""
        self.fresh = False
        super().rollback()


class WaitingCursor(SQLiteCursor):
    """A cursor calling a statement SQLite would wait for again, until the lock timeout."""

    def __init__(self, sqlite_cursor: sqlite3.Cursor, connection: WaitingConnection) -> None:
        super().__init__(sqlite_cursor)
        self.waiting = connection

    def execute(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 -- eventsourcing's signature
        """Execute a statement, waiting for a lock another connection holds (module docstring)."""
        self._waiting(self.sqlite_cursor.execute, *args, **kwargs)

    def executemany(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 -- eventsourcing's signature
        """Execute a statement for each parameter set, waiting as :meth:`execute` does."""
        self._waiting(self.sqlite_cursor.executemany, *args, **kwargs)

    def _waiting(self, call: Callable[..., object], *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        holds_nothing = self.waiting.fresh or not self.sqlite_cursor.connection.in_transaction
        self.waiting.fresh = False
        deadline = time.monotonic() + self.waiting.wait
        while True:
            try:
                call(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if not (holds_nothing and self._may_wait(error, deadline)):
                    raise
            else:
                break
        self.waiting.fresh = bool(args) and _DEFERRED_BEGIN.fullmatch(str(args[0])) is not None

    def _may_wait(self, error: sqlite3.OperationalError, deadline: float) -> bool:
        """Return whether to call again: the lock is busy, time is left, waiting is wanted."""
        if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
            return False
        found = self.sqlite_cursor.connection.execute("PRAGMA busy_timeout").fetchone()
        return int(found[0]) > 0
