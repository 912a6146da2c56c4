"""The physical limit: the raw database driver doing the same I/O as the ledger.

Writes go into a table shaped like eventsourcing's stored events
(``originator_id, originator_version, topic, state``, primary key on the
first two; on PostgreSQL also the ``notification_id`` bigserial the event
store keeps), with rows whose ``state`` is as long as the ledger's average
event in the same run. SQLite is opened as eventsourcing opens it: WAL,
default ``synchronous``, explicit ``BEGIN``/``COMMIT``. Reads page through the
ledger's own events table in notification order, 1,000 rows a page, and
decode each state with ``json.loads``.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from benchmarks.measure import Stopwatch, Timing
from benchmarks.stores import pg_connect

if TYPE_CHECKING:
    import psycopg

TOPIC = "severa_ledger:Subscription.LicensesBought.v1"
PAGE = 1_000
VERSIONS_PER_ID = 10
SQLITE_TABLE = (
    "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
    "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
)
PG_TABLE = (
    "CREATE TABLE {schema}.stored_events (originator_id uuid NOT NULL, "
    "originator_version bigint NOT NULL, topic text, state bytea, "
    "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
)
PG_INDEX = "CREATE UNIQUE INDEX ON {schema}.stored_events (notification_id ASC)"


def state_of(size: int) -> bytes:
    """Return a JSON object of ``size`` bytes, like an event's stored state."""
    filler = max(size - len(b'{"data":""}'), 0)
    return b'{"data":"' + b"x" * filler + b'"}'


def _rows(count: int, size: int, *, hex_ids: bool) -> Iterator[tuple[object, int, str, bytes]]:
    """Yield ``count`` rows: ten versions per originator, like a short aggregate."""
    state = state_of(size)
    originator: object = None
    for i in range(count):
        version = i % VERSIONS_PER_ID + 1
        if version == 1:
            originator = uuid.uuid4().hex if hex_ids else uuid.uuid4()
        yield originator, version, TOPIC, state


# ------------------------------------------------------------------ SQLite


def _sqlite(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode=WAL")
    return conn


def sqlite_commits(path: str, count: int, size: int, rows: int = 1) -> Timing:
    """Commit ``count`` transactions of ``rows`` rows each into a new file."""
    conn = _sqlite(path)
    conn.execute(SQLITE_TABLE)
    insert = "INSERT INTO stored_events VALUES (?, ?, ?, ?)"
    data = list(_rows(count * rows, size, hex_ids=True))
    with Stopwatch() as watch:
        for first in range(0, count * rows, rows):
            conn.execute("BEGIN")
            for row in data[first : first + rows]:
                conn.execute(insert, row)
            conn.execute("COMMIT")
    conn.close()
    return watch.timing(count)


def sqlite_batches(path: str, count: int, size: int, batch: int) -> Timing:
    """Insert ``count`` rows into a new file, ``batch`` rows per transaction."""
    conn = _sqlite(path)
    conn.execute(SQLITE_TABLE)
    insert = "INSERT INTO stored_events VALUES (?, ?, ?, ?)"
    rows = list(_rows(count, size, hex_ids=True))
    with Stopwatch() as watch:
        for first in range(0, count, batch):
            conn.execute("BEGIN")
            conn.executemany(insert, rows[first : first + batch])
            conn.execute("COMMIT")
    conn.close()
    return watch.timing(count)


def sqlite_read(path: str) -> Timing:
    """Read every event of a ledger's SQLite file in notification order, decoding each state."""
    conn = _sqlite(path)
    query = (
        "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
        "WHERE rowid > ? ORDER BY rowid LIMIT ?"
    )
    count = last = 0
    with Stopwatch() as watch:
        while rows := conn.execute(query, (last, PAGE)).fetchall():
            for row in rows:
                json.loads(row[4])
            count += len(rows)
            last = rows[-1][0]
    conn.close()
    return watch.timing(count)


def sqlite_state_size(path: str) -> int:
    """Return the average length of the stored states in a ledger's SQLite file."""
    conn = _sqlite(path)
    (size,) = conn.execute("SELECT AVG(LENGTH(state)) FROM stored_events").fetchone()
    conn.close()
    return round(size or 0)


# -------------------------------------------------------------- PostgreSQL


def _pg_table(schema: str) -> psycopg.Connection[Any]:
    conn = pg_connect()
    conn.execute(PG_TABLE.format(schema=schema))
    conn.execute(PG_INDEX.format(schema=schema))
    conn.autocommit = False
    return conn


def pg_commits(schema: str, count: int, size: int, rows: int = 1) -> Timing:
    """Commit ``count`` transactions of ``rows`` rows each into a new table in ``schema``."""
    conn = _pg_table(schema)
    insert = (
        f"INSERT INTO {schema}.stored_events "
        "(originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
    )
    data = list(_rows(count * rows, size, hex_ids=False))
    with Stopwatch() as watch:
        for first in range(0, count * rows, rows):
            for row in data[first : first + rows]:
                conn.execute(insert, row)
            conn.commit()
    conn.close()
    return watch.timing(count)


def pg_batches(schema: str, count: int, size: int, batch: int) -> Timing:
    """Insert ``count`` rows into a new table in ``schema``, ``batch`` rows per transaction."""
    conn = _pg_table(schema)
    insert = (
        f"INSERT INTO {schema}.stored_events "
        "(originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
    )
    rows = list(_rows(count, size, hex_ids=False))
    with Stopwatch() as watch:
        for first in range(0, count, batch):
            with conn.cursor() as cursor:
                cursor.executemany(insert, rows[first : first + batch])
            conn.commit()
    conn.close()
    return watch.timing(count)


def pg_read(schema: str, table: str = "severa_ledger_events") -> Timing:
    """Read every event of a ledger's schema in notification order, decoding each state."""
    query = (
        "SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {schema}.{table} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
    )
    count = last = 0
    with pg_connect() as conn, Stopwatch() as watch:
        while rows := conn.execute(query, (last, PAGE)).fetchall():
            for row in rows:
                json.loads(row[4])
            count += len(rows)
            last = rows[-1][0]
    return watch.timing(count)


def pg_state_size(schema: str, table: str = "severa_ledger_events") -> int:
    """Return the average length of the stored states in a ledger's schema."""
    with pg_connect() as conn:
        row = conn.execute(f"SELECT AVG(LENGTH(state)) FROM {schema}.{table}").fetchone()
    return round(row[0] or 0) if row else 0
