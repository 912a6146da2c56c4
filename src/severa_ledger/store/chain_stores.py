"""Where the chain's digests are kept: beside the log, in the same store.

* SQLite: table ``severa_ledger_chain`` in the same file as ``stored_events``;
* PostgreSQL: table ``severa_ledger_chain`` in the same schema as the events;
* memory: a list held by the ledger instance (eventsourcing's POPO recorder
  keeps its events per instance too).

Rows are inserted with insert-or-ignore: two processes extending the chain at
once compute identical rows, so the second insert changes nothing.

Beside the digests, table ``severa_ledger_chain_extensions`` records each
explicit re-chain (``Ledger.extend_chain``, ``severa-ledger seal --extend``):
the positions it chained after the fact, so that ``verify`` can say which
events the chain vouches for only from then on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import attrs
from eventsourcing.sqlite import SQLiteDatastore

from severa_ledger.store.chain import ChainRow

TABLE = "severa_ledger_chain"
EXTENSIONS = "severa_ledger_chain_extensions"
PAGE = 1000
COLUMNS = "notification_id, originator_id, originator_version, event_hash, digest"
EXTENSION_COLUMNS = "first_position, last_position, events, chained_at"
SQLITE_CREATE_EXTENSIONS = (
    f"CREATE TABLE IF NOT EXISTS {EXTENSIONS} (first_position INTEGER NOT NULL, "
    "last_position INTEGER NOT NULL, events INTEGER NOT NULL, "
    "chained_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
)
LOG = logging.getLogger("severa_ledger.audit")


@attrs.frozen
class Extension:
    """One explicit re-chain: the positions it chained after the fact, and when (store time).

    ``chained_at`` is the database's clock when the re-chain committed (ISO 8601,
    UTC), or None in memory.
    """

    first: int
    last: int
    events: int
    chained_at: str | None = None


def log_extension(extension: Extension) -> None:
    """Log an explicit re-chain (a warning: the chain did not cover those events)."""
    LOG.warning(
        "re-chained %d stored events (positions %d to %d) that no digest covered: the "
        "chain vouches for them from now on, not from when they were written",
        extension.events,
        extension.first,
        extension.last,
    )


class ChainStore(Protocol):
    """The digests table of one store."""

    def head(self) -> ChainRow | None:
        """Return the last row (highest position), or None when nothing is chained."""

    def rows_after(self, position: int, limit: int) -> list[ChainRow]:
        """Return up to ``limit`` rows after ``position``, in order."""

    def insert(self, rows: Sequence[ChainRow]) -> None:
        """Insert rows; rows already stored at a position are left as they are."""

    def position_of(self, event_hash: str) -> int | None:
        """Return the position where an event with this hash was chained, if any."""

    def count_through(self, position: int) -> int:
        """Return the number of rows at or before ``position``."""

    def extensions(self) -> list[Extension]:
        """Return every explicit re-chain, oldest first."""

    def record_extension(self, extension: Extension) -> None:
        """Record an explicit re-chain (its rows inserted already)."""


def all_rows(store: ChainStore, stop: int | None = None) -> Iterator[ChainRow]:
    """Yield every row in order (up to position ``stop``), a page at a time (constant memory)."""
    last = 0
    while True:
        rows = store.rows_after(last, PAGE)
        if not rows:
            return
        for row in rows:
            if stop is not None and row.position > stop:
                return
            yield row
        last = rows[-1].position


def _row(values: Sequence[Any]) -> ChainRow:
    return ChainRow(int(values[0]), str(values[1]), int(values[2]), str(values[3]), str(values[4]))


def _values(row: ChainRow) -> tuple[int, str, int, str, str]:
    return (row.position, row.originator_id, row.originator_version, row.event_hash, row.digest)


class MemoryChainStore:
    """The digests of an in-memory ledger."""

    def __init__(self) -> None:
        self._rows: list[ChainRow] = []
        self._positions: dict[int, int] = {}
        self._extensions: list[Extension] = []

    def head(self) -> ChainRow | None:
        """Return the last row."""
        return self._rows[-1] if self._rows else None

    def rows_after(self, position: int, limit: int) -> list[ChainRow]:
        """Return rows after ``position``."""
        return [r for r in self._rows if r.position > position][:limit]

    def insert(self, rows: Sequence[ChainRow]) -> None:
        """Append new rows (they always follow the head)."""
        for row in rows:
            if row.position not in self._positions:
                self._positions[row.position] = len(self._rows)
                self._rows.append(row)

    def position_of(self, event_hash: str) -> int | None:
        """Return where ``event_hash`` was chained."""
        return next((r.position for r in self._rows if r.event_hash == event_hash), None)

    def count_through(self, position: int) -> int:
        """Return rows at or before ``position``."""
        return sum(1 for r in self._rows if r.position <= position)

    def extensions(self) -> list[Extension]:
        """Return the explicit re-chains."""
        return list(self._extensions)

    def record_extension(self, extension: Extension) -> None:
        """Keep an explicit re-chain."""
        self._extensions.append(extension)


class SQLiteChainStore:
    """The digests table in the ledger's SQLite file."""

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (notification_id INTEGER PRIMARY KEY, "
                "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
                "event_hash TEXT NOT NULL, digest TEXT NOT NULL)"
            )
            cursor.execute(SQLITE_CREATE_EXTENSIONS)

    def _select(self, where: str, params: Sequence[object]) -> list[ChainRow]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT {COLUMNS} FROM {TABLE} {where}", params)  # noqa: S608
            return [_row(tuple(r)) for r in cursor.fetchall()]

    def head(self) -> ChainRow | None:
        """Return the last row."""
        rows = self._select("ORDER BY notification_id DESC LIMIT 1", ())
        return rows[0] if rows else None

    def rows_after(self, position: int, limit: int) -> list[ChainRow]:
        """Return rows after ``position``."""
        return self._select(
            "WHERE notification_id > ? ORDER BY notification_id LIMIT ?", (position, limit)
        )

    def insert(self, rows: Sequence[ChainRow]) -> None:
        """Insert rows, ignoring positions already chained."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                f"INSERT OR IGNORE INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?)",  # noqa: S608
                [_values(r) for r in rows],
            )

    def position_of(self, event_hash: str) -> int | None:
        """Return where ``event_hash`` was chained."""
        rows = self._select("WHERE event_hash = ? LIMIT 1", (event_hash,))
        return rows[0].position if rows else None

    def count_through(self, position: int) -> int:
        """Return rows at or before ``position``."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {TABLE} WHERE notification_id <= ?",  # noqa: S608
                (position,),
            )
            return int(cursor.fetchone()[0])

    def extensions(self) -> list[Extension]:
        """Return the explicit re-chains."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT {EXTENSION_COLUMNS} FROM {EXTENSIONS} "  # noqa: S608
                "ORDER BY first_position"
            )
            return [
                Extension(int(r[0]), int(r[1]), int(r[2]), str(r[3])) for r in cursor.fetchall()
            ]

    def record_extension(self, extension: Extension) -> None:
        """Record an explicit re-chain."""
        values = (extension.first, extension.last, extension.events)
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {EXTENSIONS} (first_position, last_position, events) "  # noqa: S608
                "VALUES (?, ?, ?)",
                values,
            )
