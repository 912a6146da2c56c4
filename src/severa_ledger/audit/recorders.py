"""Recorders that chain the events they insert, in the transaction that inserts them.

A save writes its events and their digests together, so every committed event
is chained: no window in which a crash or a concurrent ``verify`` sees an event
without its digest, and no second commit per save. ``extend_chain`` chains what
a store holds unchained (a store written before the chain existed) in a
transaction of its own, serialised with the writers.

The ledger installs these recorders itself (:func:`recorder_topic`,
:func:`chained_memory_recorder`); PostgreSQL's is in
:mod:`severa_ledger.audit.pgstore`, imported only with psycopg.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.persistence import (
    ApplicationRecorder,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from severa_ledger.audit.chain import GENESIS, chain_rows
from severa_ledger.audit.stores import COLUMNS, PAGE, TABLE, MemoryChainStore
from severa_ledger.unit import MAX_ATTEMPTS, back_off

SQLITE_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (notification_id INTEGER PRIMARY KEY, "
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
    "event_hash TEXT NOT NULL, digest TEXT NOT NULL)"
)
RECORDERS = {
    "eventsourcing.sqlite": "severa_ledger.audit.recorders:ChainedSQLiteRecorder",
    "eventsourcing.postgres": "severa_ledger.audit.pgstore:ChainedPostgresRecorder",
}


class ChainingRecorder(Protocol):
    """A recorder that keeps the chain itself."""

    def extend_chain(self) -> int:
        """Chain every stored event not chained yet; return how many."""


def recorder_topic(persistence_module: str) -> str | None:
    """Return the topic of the chaining recorder for an eventsourcing persistence module."""
    return RECORDERS.get(persistence_module)


def chained_memory_recorder(recorder: ApplicationRecorder) -> ApplicationRecorder:
    """Return a chaining in-memory recorder in place of eventsourcing's plain one."""
    if type(recorder) is POPOApplicationRecorder:
        return ChainedPOPORecorder()
    return recorder


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite events and their digests, written in one transaction."""

    def construct_create_table_statements(self) -> list[str]:
        """Create the digests table with the events table."""
        return [*super().construct_create_table_statements(), SQLITE_CREATE]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,  # noqa: ANN401 -- eventsourcing's signature
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        self._chain(c, list(zip(ids or (), stored_events, strict=True)))
        return ids

    def extend_chain(self) -> int:
        """Chain what is unchained, holding the write lock from the first statement."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                with self.datastore.transaction(commit=True) as c:
                    c.execute(f"UPDATE {TABLE} SET digest = digest WHERE notification_id < 0")  # noqa: S608
                    return self._chain(c)
            except OperationalError:  # another process began writing first
                if attempt == MAX_ATTEMPTS - 1:
                    raise
                back_off(attempt)
        return 0  # pragma: no cover -- the loop returns or raises

    def _chain(self, c: SQLiteCursor, inserted: Sequence[tuple[int, StoredEvent]] = ()) -> int:
        """Chain the unchained events; ``inserted``, when they directly follow the head.

        A save's own events, with the positions their inserts returned, are
        chained from memory when they directly follow the chain's head (the usual
        case: the write lock is held since their first insert); otherwise the
        unchained events are read back page by page.
        """
        c.execute(f"SELECT notification_id, digest FROM {TABLE} "  # noqa: S608 -- constants
                  "ORDER BY notification_id DESC LIMIT 1")  # fmt: skip
        head = c.fetchone()
        last, previous = (int(head[0]), str(head[1])) if head else (0, GENESIS)
        total = 0
        if inserted and inserted[0][0] == last + 1 and inserted[-1][0] == last + len(inserted):
            self._insert_chain_rows(c, inserted, previous)
            return len(inserted)  # the newest rows: their inserts took max(rowid) + 1
        while True:
            c.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
                f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, PAGE),
            )
            found = c.fetchall()
            if not found:
                return total
            notes = [
                (int(r[0]), StoredEvent(self.convert_originator_id(r[1]), r[2], r[3], r[4]))
                for r in found
            ]
            last, previous = self._insert_chain_rows(c, notes, previous)
            total += len(notes)

    @staticmethod
    def _insert_chain_rows(
        c: SQLiteCursor, notes: Sequence[tuple[int, StoredEvent]], previous: str
    ) -> tuple[int, str]:
        """Insert the chain rows of ``notes`` after digest ``previous``; return the new head."""
        rows = list(chain_rows(iter(notes), previous))
        c.executemany(
            f"INSERT OR IGNORE INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?)",  # noqa: S608
            [(r.position, r.originator_id, r.originator_version, r.event_hash, r.digest)
             for r in rows],
        )  # fmt: skip
        return rows[-1].position, rows[-1].digest


class ChainedPOPORecorder(POPOApplicationRecorder):
    """In-memory events and their digests, written under one lock."""

    def __init__(self) -> None:
        super().__init__()
        self.chain_store = MemoryChainStore()

    def _insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,  # noqa: ANN401 -- eventsourcing's signature
    ) -> Sequence[int] | None:
        with self._database_lock:
            ids = super()._insert_events(stored_events, **kwargs)
            self.extend_chain()
            return ids

    def extend_chain(self) -> int:
        """Chain what is unchained."""
        with self._database_lock:
            head = self.chain_store.head()
            last, previous = (head.position, head.digest) if head else (0, GENESIS)
            notes: Sequence[Notification] = self.select_notifications(
                start=last, limit=10**12, inclusive_of_start=False
            )
            rows = list(chain_rows(((n.id, n) for n in notes), previous))
            self.chain_store.insert(rows)
            return len(rows)
