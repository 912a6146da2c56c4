"""Where read models are kept: the store's interface, and its in-memory implementation.

A store keeps the read models' tables and one tracking row per projection
(its position in the notification log and the fingerprint of the tables it
built). Two ways in:

* :meth:`Store.reading` gives a consistent, read-only snapshot (queries);
* :meth:`Store.session` gives the single writer's transaction: rows and
  positions written in it are committed together or not at all, and no other
  session (thread or process) runs at the same time.

SQLite and PostgreSQL implement it in :mod:`severa_ledger.projections.sql`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

import attrs
from eventsourcing.persistence import ApplicationRecorder

from severa_ledger.projections.rows import Change, Key, MemoryRows, Projection, R, Table

TRACKING_TABLE = "severa_ledger_tracking"


@attrs.frozen
class Tracking:
    """How far a projection has read the log, and the fingerprint of its tables."""

    position: int
    fingerprint: str


class Reader(Protocol):
    """Read access to the read models and the tracking rows."""

    def tracking(self) -> dict[str, Tracking]:
        """Return every projection's tracking row, by projection name."""
        ...  # pragma: no cover -- a protocol

    def get(self, table: Table[R], key: Key) -> R | None:
        """Return the row at ``key``, or None."""
        ...  # pragma: no cover -- a protocol

    def get_many(self, table: Table[R], keys: Iterable[Key]) -> dict[Key, R]:
        """Return the rows found at ``keys``."""
        ...  # pragma: no cover -- a protocol

    def select(self, table: Table[R], **equal: object) -> list[R]:
        """Return the rows whose columns equal the values given (all rows if none given)."""
        ...  # pragma: no cover -- a protocol

    def count_after(self, position: int, topics: Sequence[str], limit: int | None = None) -> int:
        """Return how many notifications with ``topics`` the log holds after ``position``."""
        ...  # pragma: no cover -- a protocol


class Session(Reader, Protocol):
    """The single writer's transaction."""

    def write(self, changes: Iterable[Change]) -> None:
        """Upsert and delete rows."""
        ...  # pragma: no cover -- a protocol

    def track(self, name: str, tracking: Tracking) -> None:
        """Record a projection's position and fingerprint."""
        ...  # pragma: no cover -- a protocol

    def recreate(self, projection: Projection) -> None:
        """Drop the projection's tables and create them empty."""
        ...  # pragma: no cover -- a protocol

    def create_tracking(self) -> None:
        """Create the tracking table if it does not exist."""
        ...  # pragma: no cover -- a protocol

    def remember(self, value: object, text: str) -> None:
        """Write ``text`` (``value``'s JSON in a stored event) for it, while the session lasts."""
        ...  # pragma: no cover -- a protocol


class Store(Protocol):
    """The read models' tables and tracking rows of one event store."""

    def reading(self, *, consistent: bool = True) -> AbstractContextManager[Reader]:
        """Return read access: one snapshot for all statements, or one per statement."""
        ...  # pragma: no cover -- a protocol

    def session(self, *, wait: bool = True) -> AbstractContextManager[Session]:
        """Return the exclusive writing transaction (not ``wait``: raise if another holds it)."""
        ...  # pragma: no cover -- a protocol


class _MemorySession:
    """Writes buffered until the session ends without an error."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.changes: list[Change] = []
        self.positions: dict[str, Tracking] = {}
        self.dropped: list[Projection] = []

    def tracking(self) -> dict[str, Tracking]:
        return {**self.store.positions, **self.positions}

    def get(self, table: Table[R], key: Key) -> R | None:
        return self.store.rows.get(table, key)

    def get_many(self, table: Table[R], keys: Iterable[Key]) -> dict[Key, R]:
        return _get_many(self, table, keys)

    def select(self, table: Table[R], **equal: object) -> list[R]:
        return _select(self.store.rows, table, equal)

    def count_after(self, position: int, topics: Sequence[str], limit: int | None = None) -> int:
        count = 0
        while notes := self.store.recorder.select_notifications(
            start=position, limit=limit or 1000, topics=topics, inclusive_of_start=False
        ):
            count += len(notes)
            position = notes[-1].id
            if limit is not None and count >= limit:
                break
        return count

    def write(self, changes: Iterable[Change]) -> None:
        self.changes.extend(changes)

    def track(self, name: str, tracking: Tracking) -> None:
        self.positions[name] = tracking

    def recreate(self, projection: Projection) -> None:
        self.dropped.append(projection)

    def create_tracking(self) -> None:
        pass

    def remember(self, value: object, text: str) -> None:
        pass  # rows in memory are never encoded

    def commit(self) -> None:
        for projection in self.dropped:
            for table in projection.tables:
                self.store.rows.tables.pop(table.name, None)
        self.store.rows.write(self.changes)
        self.store.positions.update(self.positions)


def _get_many(reader: Reader, table: Table[R], keys: Iterable[Key]) -> dict[Key, R]:
    found = {key: reader.get(table, key) for key in keys}
    return {key: row for key, row in found.items() if row is not None}


def _select(rows: MemoryRows, table: Table[R], equal: dict[str, object]) -> list[R]:
    return [
        row
        for row in rows.rows(table)
        if all(getattr(row, name) == value for name, value in equal.items())
    ]


class MemoryStore:
    """Read models held in dicts, for ``memory://`` ledgers (which keep their events in memory)."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder
        self.rows = MemoryRows()
        self.positions: dict[str, Tracking] = {}
        self.lock = threading.RLock()

    @contextmanager
    def reading(self, *, consistent: bool = True) -> Iterator[Reader]:
        """Return the rows under the store's lock (always one snapshot)."""
        del consistent
        with self.lock:
            yield _MemorySession(self)

    @contextmanager
    def session(self, *, wait: bool = True) -> Iterator[Session]:
        """Return a session whose writes apply when it ends without an error."""
        del wait  # held only while another thread writes rows in memory
        with self.lock:
            session = _MemorySession(self)
            yield session
            session.commit()
