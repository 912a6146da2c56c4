"""Recorders that chain the events they insert, in the transaction that inserts them.

A save writes its events and their digests together, so every committed event
is chained: no window in which a crash or a concurrent ``verify`` sees an event
without its digest, and no second commit per save. A save whose events would
not directly follow the chain's head is refused, nothing written
(:mod:`severa_ledger.store.coverage`): only ``extend_chain``, an explicit and
recorded re-chain in a transaction of its own, chains what a store holds
unchained (a store written before the chain existed, or edited around it).

The ledger installs these recorders itself (:func:`recorder_topic`,
:func:`chained_memory_recorder`); PostgreSQL's is in
:mod:`severa_ledger.store.postgres`, imported only with psycopg.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.persistence import (
    ApplicationRecorder,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from severa_ledger.store.chain import GENESIS, chain_rows
from severa_ledger.store.chain_stores import (
    COLUMNS,
    EXTENSIONS,
    PAGE,
    SQLITE_CREATE_EXTENSIONS,
    TABLE,
    Extension,
    MemoryChainStore,
    log_extension,
)
from severa_ledger.store.coverage import check_covered, missing_table
from severa_ledger.store.retry import MAX_ATTEMPTS, back_off
from severa_ledger.store.sqlite_locks import interruptible_lock_waits

SQLITE_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (notification_id INTEGER PRIMARY KEY, "
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
    "event_hash TEXT NOT NULL, digest TEXT NOT NULL)"
)
RECORDERS = {
    "eventsourcing.sqlite": "severa_ledger.store.recorders:ChainedSQLiteRecorder",
    "eventsourcing.postgres": "severa_ledger.store.postgres:ChainedPostgresRecorder",
}


class ChainingRecorder(Protocol):
    """A recorder that keeps the chain itself."""

    def extend_chain(self) -> int:
        """Chain every stored event not chained yet, and record that; return how many."""


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

    def __init__(
        self, datastore: SQLiteDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        interruptible_lock_waits(datastore)  # Ctrl-C while another process holds the write lock
        super().__init__(datastore, events_table_name=events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        """Create the digests table (and the re-chains' record) with the events table."""
        return [
            *super().construct_create_table_statements(),
            SQLITE_CREATE,
            SQLITE_CREATE_EXTENSIONS,
        ]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,  # noqa: ANN401 -- eventsourcing's signature
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            self._chain_saved(c, list(zip(ids, stored_events, strict=True)))
        return ids

    def extend_chain(self) -> int:
        """Chain what is unchained, holding the write lock from the first statement; record it."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                with self.datastore.transaction(commit=True) as c:
                    c.execute(SQLITE_CREATE)  # dropped meanwhile: a re-chain makes it again
                    c.execute(SQLITE_CREATE_EXTENSIONS)
                    c.execute(f"UPDATE {TABLE} SET digest = digest WHERE notification_id < 0")  # noqa: S608 -- the write lock, before reading
                    extension = self._chain(c)
                break
            except OperationalError:  # another process began writing first
                if attempt == MAX_ATTEMPTS - 1:
                    raise
                back_off(attempt)
        else:  # pragma: no cover -- the loop breaks or raises
            return 0
        if extension is None:
            return 0
        log_extension(extension)
        return extension.events

    @staticmethod
    def _head(c: SQLiteCursor) -> tuple[int, str]:
        """Return the chain head's position and digest (0 and GENESIS: nothing chained)."""
        try:
            c.execute(
                f"SELECT notification_id, digest FROM {TABLE} "  # noqa: S608 -- constants
                "ORDER BY notification_id DESC LIMIT 1"
            )
        except sqlite3.OperationalError as error:
            if "no such table" not in str(error):
                raise
            raise missing_table() from None
        head = c.fetchone()
        return (int(head[0]), str(head[1])) if head else (0, GENESIS)

    def _chain_saved(self, c: SQLiteCursor, inserted: Sequence[tuple[int, StoredEvent]]) -> None:
        """Chain a save's own events from memory, or refuse it if the chain ends elsewhere.

        SQLite gives a new row the largest id plus one, so the event before
        the save's first is at its position minus one: the chain's head must
        be there (raising rolls the whole save back).
        """
        last, previous = self._head(c)
        check_covered(last, inserted[0][0] - 1)
        self._insert_chain_rows(c, inserted, previous)

    def _chain(self, c: SQLiteCursor) -> Extension | None:
        """Chain every event after the chain's head, page by page; record what was chained."""
        last, previous = self._head(c)
        first = total = 0
        while True:
            c.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
                f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, PAGE),
            )
            found = c.fetchall()
            if not found:
                break
            notes = [
                (int(r[0]), StoredEvent(self.convert_originator_id(r[1]), r[2], r[3], r[4]))
                for r in found
            ]
            last, previous = self._insert_chain_rows(c, notes, previous)
            first, total = first or notes[0][0], total + len(notes)
        if not total:
            return None
        c.execute(
            f"INSERT INTO {EXTENSIONS} (first_position, last_position, events) "  # noqa: S608
            "VALUES (?, ?, ?)",
            (first, last, total),
        )
        return Extension(first, last, total)

    @staticmethod
    def _insert_chain_rows(
        c: SQLiteCursor, notes: Sequence[tuple[int, StoredEvent]], previous: str
    ) -> tuple[int, str]:
        """Insert the chain rows of ``notes`` after digest ``previous``; return the new head."""
        rows = list(chain_rows(iter(notes), previous))
        c.executemany(
            f"INSERT OR IGNORE INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?)",  # noqa: S608
            [
                (r.position, r.originator_id, r.originator_version, r.event_hash, r.digest)
                for r in rows
            ],
        )
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
            if not stored_events:
                return super()._insert_events(stored_events, **kwargs)
            head = self.chain_store.head()  # refused, nothing inserted, unless it ends the log
            check_covered(head.position if head else 0, self.max_notification_id() or 0)
            ids = super()._insert_events(stored_events, **kwargs)
            self._chain()
            return ids

    def extend_chain(self) -> int:
        """Chain what is unchained, and record it."""
        with self._database_lock:
            extension = self._chain()
            if extension is None:
                return 0
            self.chain_store.record_extension(extension)
        log_extension(extension)
        return extension.events

    def _chain(self) -> Extension | None:
        """Chain every event after the chain's head; return what was chained."""
        head = self.chain_store.head()
        last, previous = (head.position, head.digest) if head else (0, GENESIS)
        notes: Sequence[Notification] = self.select_notifications(
            start=last, limit=10**12, inclusive_of_start=False
        )
        rows = list(chain_rows(((n.id, n) for n in notes), previous))
        self.chain_store.insert(rows)
        return Extension(rows[0].position, rows[-1].position, len(rows)) if rows else None
