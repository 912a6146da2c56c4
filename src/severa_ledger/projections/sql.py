"""Read models as real tables beside the events: SQLite (same file) and PostgreSQL (same schema).

Both use the ledger's own datastore, so rows and the tracking position are
written in one transaction of the store that holds the events.

* SQLite: a session is a ``BEGIN IMMEDIATE`` transaction: it holds the
  database's write lock from its first statement, so two sessions (threads
  or processes) never interleave. Dates and money are ISO and decimal TEXT.
* PostgreSQL: a session takes a transaction-scoped advisory lock keyed by the
  schema (``pg_advisory_xact_lock``), so a ``follow`` process and an
  in-process catch-up never interleave. Money is NUMERIC, dates DATE.

Queries read in one transaction (REPEATABLE READ on PostgreSQL), so the rows
of several tables they combine come from the same commit.
"""

# ruff: noqa: S608 -- SQL is built from this module's own table and column names, quoted;
# every value is passed as a parameter.
from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import OperationalError, PersistenceError
from eventsourcing.sqlite import SQLiteDatastore

from severa_ledger.projections.dialects import Dialect, quote
from severa_ledger.projections.rows import Change, Key, Projection, R, Table
from severa_ledger.projections.store import TRACKING_TABLE, Tracking

#: Keys per ``IN (...)`` list when loading many rows at once.
IN_CHUNK = 500


class SqlSession:
    """Reads and writes through one cursor, in one transaction."""

    def __init__(self, dialect: Dialect, cursor: Any) -> None:  # noqa: ANN401 -- a DB-API cursor
        self.dialect = dialect
        self.cursor = cursor

    def _fetch(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        self.cursor.execute(sql, tuple(params))
        return list(self.cursor.fetchall())

    def tracking(self) -> dict[str, Tracking]:
        """Return every projection's tracking row."""
        rows = self._fetch(
            f"SELECT projection, position, fingerprint FROM {self.dialect.qualify(TRACKING_TABLE)}"
        )
        return {r["projection"]: Tracking(int(r["position"]), r["fingerprint"]) for r in rows}

    def get(self, table: Table[R], key: Key) -> R | None:
        """Return the row at ``key``, or None."""
        s = self.dialect.statements(table)
        sql = f"SELECT {s.columns} FROM {s.name} WHERE {s.where(table.key)}"
        found = self._fetch(sql, s.encode_key(key))
        row: R | None = s.decode(found[0]) if found else None
        return row

    def get_many(self, table: Table[R], keys: Iterable[Key]) -> dict[Key, R]:
        """Return the rows found at ``keys``, a few queries for many keys."""
        wanted = list(dict.fromkeys(keys))
        if len(table.key) != 1:
            found = {key: self.get(table, key) for key in wanted}
            return {key: row for key, row in found.items() if row is not None}
        s = self.dialect.statements(table)
        rows: dict[Key, R] = {}
        for i in range(0, len(wanted), IN_CHUNK):
            chunk = [s.encode_key(k)[0] for k in wanted[i : i + IN_CHUNK]]
            marks = ", ".join([self.dialect.param] * len(chunk))
            sql = f"SELECT {s.columns} FROM {s.name} WHERE {quote(table.key[0])} IN ({marks})"
            for found in self._fetch(sql, chunk):
                row = s.decode(found)
                rows[table.key_of(row)] = row
        return rows

    def select(self, table: Table[R], **equal: object) -> list[R]:
        """Return the rows whose columns equal the values given."""
        s = self.dialect.statements(table)
        where = f" WHERE {s.where(list(equal))}" if equal else ""
        found = self._fetch(f"SELECT {s.columns} FROM {s.name}{where}", s.encode_values(equal))
        return [s.decode(r) for r in found]

    def write(self, changes: Iterable[Change]) -> None:
        """Delete and upsert rows, one statement per table and kind of change."""
        upserts: dict[str, list[tuple[object, ...]]] = {}
        deletes: dict[str, list[Key]] = {}
        tables: dict[str, Table[Any]] = {}
        for change in changes:
            tables[change.table.name] = change.table
            s = self.dialect.statements(change.table)
            if change.row is None:
                deletes.setdefault(change.table.name, []).append(change.key)
            else:
                upserts.setdefault(change.table.name, []).append(s.encode(change.row))
        try:
            for name, keys in deletes.items():
                s = self.dialect.statements(tables[name])
                sql = f"DELETE FROM {s.name} WHERE {s.where(s.table.key)}"
                self.cursor.executemany(sql, [s.encode_key(k) for k in keys])
            for name, values in upserts.items():
                self.cursor.executemany(self.dialect.statements(tables[name]).upsert(), values)
        except self.dialect.range_errors as error:  # PostgreSQL: "bigint out of range"
            raise OverflowError(str(error).strip()) from error

    def remember(self, value: object, text: str) -> None:
        """Write ``text`` (``value``'s JSON in a stored event) for it while the session lasts."""
        self.dialect.objects.pin(value, text)

    def track(self, name: str, tracking: Tracking) -> None:
        """Record a projection's position and fingerprint."""
        p = self.dialect.param
        self.cursor.execute(
            f"INSERT INTO {self.dialect.qualify(TRACKING_TABLE)} (projection, position, "
            f"fingerprint) VALUES ({p}, {p}, {p}) ON CONFLICT (projection) DO UPDATE SET "
            f"position = excluded.position, fingerprint = excluded.fingerprint",
            (name, tracking.position, tracking.fingerprint),
        )

    def recreate(self, projection: Projection) -> None:
        """Drop the projection's tables and create them empty."""
        for table in projection.tables:
            s = self.dialect.statements(table)
            self.cursor.execute(f"DROP TABLE IF EXISTS {s.name}")
            for statement in s.create():
                self.cursor.execute(statement)

    def create_tracking(self) -> None:
        """Create the tracking table if it does not exist."""
        self.cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.dialect.qualify(TRACKING_TABLE)} "
            f"(projection TEXT PRIMARY KEY, position BIGINT NOT NULL, fingerprint TEXT NOT NULL)"
        )

    def count_after(self, position: int, topics: Sequence[str], limit: int | None = None) -> int:
        """Return how many notifications with ``topics`` the log holds after ``position``."""
        d = self.dialect
        marks = ", ".join([d.param] * len(topics))
        rows = (
            f"SELECT 1 FROM {d.qualify(d.events_table)} "
            f"WHERE {d.events_id} > {d.param} AND topic IN ({marks})"
        )
        if limit is not None:
            rows += f" ORDER BY {d.events_id} LIMIT {int(limit)}"
        found = self._fetch(f"SELECT COUNT(*) AS n FROM ({rows}) AS found", [position, *topics])
        return int(found[0]["n"])


class SQLiteStore:
    """Read models in the SQLite file that holds the events."""

    def __init__(self, datastore: SQLiteDatastore, dialect: Dialect) -> None:
        self.datastore = datastore
        self.dialect = dialect

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as error:
            raise OperationalError(error) from error
        except sqlite3.Error as error:
            raise PersistenceError(error) from error

    @contextmanager
    def reading(self, *, consistent: bool = True) -> Iterator[SqlSession]:
        """Return a read transaction (one snapshot in WAL mode; cheap either way)."""
        del consistent
        with self._translated(), self.datastore.transaction(commit=False) as cursor:
            yield SqlSession(self.dialect, cursor)

    @contextmanager
    def session(self, *, wait: bool = True) -> Iterator[SqlSession]:
        """Return a write transaction holding the database's write lock from its start.

        Not ``wait``: "database is locked" at once while another connection
        (another process) holds the write lock, instead of after the lock timeout.
        """
        with self._translated(), self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            with _busy_timeout(cursor, None if wait else 0):
                cursor.execute("BEGIN IMMEDIATE")
            try:
                yield SqlSession(self.dialect, cursor)
            except BaseException:
                connection.rollback()
                raise
            finally:
                self.dialect.objects.unpin()
            connection.commit()


@contextmanager
def _busy_timeout(cursor: Any, milliseconds: int | None) -> Iterator[None]:  # noqa: ANN401
    """Wait at most ``milliseconds`` for the write lock meanwhile (None: as configured)."""
    if milliseconds is None:
        yield
        return
    cursor.execute("PRAGMA busy_timeout")
    configured = int(cursor.fetchone()[0])
    cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {configured}")


class PostgresStore:
    """Read models in the PostgreSQL schema that holds the events."""

    def __init__(self, datastore: Any, dialect: Dialect) -> None:  # noqa: ANN401 -- optional extra
        self.datastore = datastore
        self.dialect = dialect
        digest = hashlib.sha256(f"severa-ledger/projections/{dialect.schema}".encode()).digest()
        self.lock_key = int.from_bytes(digest[:8], "big", signed=True)

    @contextmanager
    def reading(self, *, consistent: bool = True) -> Iterator[SqlSession]:
        """Return a REPEATABLE READ transaction (every statement sees the same commit).

        Not ``consistent``: autocommit statements, for a single read, one
        round trip each instead of a transaction's four.
        """
        if not consistent:
            with self.datastore.get_connection() as connection, connection.cursor() as cursor:
                yield SqlSession(self.dialect, cursor)
            return
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield SqlSession(self.dialect, cursor)

    @contextmanager
    def session(self, *, wait: bool = True) -> Iterator[SqlSession]:
        """Return a transaction holding the schema's read-model lock.

        ``wait`` is not needed: writers of events never hold this lock, and
        readers never wait for writers on PostgreSQL.
        """
        del wait
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute("SET LOCAL lock_timeout = '60s'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (self.lock_key,))
            try:
                yield SqlSession(self.dialect, cursor)
            finally:
                self.dialect.objects.unpin()

    @contextmanager
    def listening(self, recorder: Any) -> Iterator[Callable[[float], bool]]:  # noqa: ANN401
        """LISTEN on the channel the events' inserts NOTIFY; yield ``wait(seconds) -> notified``."""
        channel = quote(recorder.channel_name)
        with self.datastore.get_connection() as connection:
            connection.execute(f"LISTEN {channel}")

            def notified(seconds: float) -> bool:
                return any(True for _ in connection.notifies(timeout=seconds, stop_after=1))

            try:
                yield notified
            finally:
                connection.execute(f"UNLISTEN {channel}")
