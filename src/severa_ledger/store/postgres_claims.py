"""Claims with leases in PostgreSQL: how processes sharing one billing run divide it.

A run (named by its through date) is a row per part in ``severa_ledger_claims``:
parts 0, 1, ... are chunks of customers to advance, part -1 is numbering and
issuing. A process claims the first part not done whose lease is free or has
ended (``FOR UPDATE SKIP LOCKED``: two processes never claim the same free
part at once), holds it for ``lease`` seconds (renewable) and marks it done.
A process killed while it holds a part leaves it to whoever claims it once its
lease ends. When numbering is done the run's rows are deleted: the next run
with that date starts afresh. Imported only for a PostgreSQL ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psycopg.sql import SQL, Identifier

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresDatastore

TABLE = "severa_ledger_claims"
NUMBERING = -1
#: Any constant: serialises the table's creation (concurrent CREATE IF NOT EXISTS can fail).
DDL_LOCK = 27_0427
CREATE = (
    "CREATE TABLE IF NOT EXISTS {table} (run text NOT NULL, part integer NOT NULL, "
    "holder text, lease_until timestamptz, done boolean NOT NULL DEFAULT false, "
    "PRIMARY KEY (run, part))"
)
OPEN = (
    "INSERT INTO {table} (run, part) SELECT %s, p FROM unnest(%s::int[]) AS p "
    "ON CONFLICT DO NOTHING"
)
CLAIM = (
    "UPDATE {table} SET holder = %s, lease_until = now() + make_interval(secs => %s) "
    "WHERE (run, part) = (SELECT run, part FROM {table} WHERE run = %s AND part {which} "
    "AND NOT done AND (lease_until IS NULL OR lease_until < now()) "
    "ORDER BY part LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING part"
)
RENEW = (
    "UPDATE {table} SET lease_until = now() + make_interval(secs => %s) "
    "WHERE run = %s AND part = %s AND holder = %s AND NOT done"
)
FINISH = "UPDATE {table} SET done = true WHERE run = %s AND part = %s AND holder = %s"
LEFT = (
    "SELECT count(*) FILTER (WHERE part >= 0 AND NOT done) AS left, count(*) AS parts "
    "FROM {table} WHERE run = %s"
)
CLOSE = "DELETE FROM {table} WHERE run = %s"


class Claims:
    """The claims of one run in a ledger's PostgreSQL schema, for one holder."""

    def __init__(self, datastore: PostgresDatastore, run: str, holder: str) -> None:
        self.datastore, self.run, self.holder = datastore, run, holder
        self.table = Identifier(datastore.schema, TABLE)
        with datastore.transaction(commit=True) as curs:
            curs.execute("SELECT pg_advisory_xact_lock(%s)", (DDL_LOCK,))
            curs.execute(SQL(CREATE).format(table=self.table))

    def open(self, parts: int) -> None:
        """Make the run's rows (numbering, and ``parts`` chunks) unless they exist."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL(OPEN).format(table=self.table), (self.run, [NUMBERING, *range(parts)]))

    def claim(self, lease: float, *, numbering: bool = False) -> int | None:
        """Claim the first free chunk (or numbering) for ``lease`` seconds; None: none free."""
        which = SQL("= -1" if numbering else ">= 0")
        query = SQL(CLAIM).format(table=self.table, which=which)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(query, (self.holder, lease, self.run))
            row = curs.fetchone()
        return None if row is None else int(row["part"])

    def renew(self, part: int, lease: float) -> bool:
        """Hold ``part`` ``lease`` seconds more; False if it is no longer this holder's."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL(RENEW).format(table=self.table), (lease, self.run, part, self.holder))
            return curs.rowcount == 1

    def finish(self, part: int) -> None:
        """Mark ``part`` done (if still this holder's)."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL(FINISH).format(table=self.table), (self.run, part, self.holder))

    def left(self) -> tuple[int, int]:
        """Return (chunks not done, rows of the run): no rows means the run is over."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL(LEFT).format(table=self.table), (self.run,))
            row = curs.fetchone()
        return (0, 0) if row is None else (int(row["left"]), int(row["parts"]))

    def close(self) -> None:
        """Delete the run's rows: it is over, the next run with this date starts afresh."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL(CLOSE).format(table=self.table), (self.run,))
