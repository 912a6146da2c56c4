"""The digests table on PostgreSQL: ``severa_ledger_chain`` in the events' schema.

:class:`ChainedPostgresRecorder` writes the digests of the events it inserts in
the same transaction, under the events table's EXCLUSIVE lock (so in
notification order); :class:`PostgresChainStore` reads them. Imported only for
a PostgreSQL ledger, so that psycopg stays an optional extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from severa_ledger.audit.chain import GENESIS, ChainRow, chain_rows
from severa_ledger.audit.stores import COLUMNS, PAGE, TABLE

CREATE = (
    "CREATE TABLE IF NOT EXISTS {table} (notification_id bigint PRIMARY KEY, "
    "originator_id text NOT NULL, originator_version bigint NOT NULL, "
    "event_hash text NOT NULL, digest text NOT NULL)"
)


class PostgresChainStore:
    """The digests table in the ledger's PostgreSQL schema."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        if not isinstance(recorder, PostgresApplicationRecorder):
            msg = f"no chain store for {type(recorder).__name__}"
            raise TypeError(msg)
        self.datastore = recorder.datastore
        self.table = Identifier(self.datastore.schema, TABLE)
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._sql(CREATE))

    def _sql(self, text: str) -> Composed:
        return SQL(text).format(table=self.table)

    def _select(self, where: str, params: Sequence[object]) -> list[ChainRow]:
        query = self._sql(f"SELECT {COLUMNS} FROM {{table}} {where}")  # noqa: S608 -- constants
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(query, params)
            return [
                ChainRow(
                    int(r["notification_id"]),
                    str(r["originator_id"]),
                    int(r["originator_version"]),
                    str(r["event_hash"]),
                    str(r["digest"]),
                )
                for r in cursor.fetchall()
            ]

    def head(self) -> ChainRow | None:
        """Return the last row."""
        rows = self._select("ORDER BY notification_id DESC LIMIT 1", ())
        return rows[0] if rows else None

    def rows_after(self, position: int, limit: int) -> list[ChainRow]:
        """Return rows after ``position``."""
        return self._select("WHERE notification_id > %s ORDER BY notification_id LIMIT %s",
                            (position, limit))  # fmt: skip

    def insert(self, rows: Sequence[ChainRow]) -> None:
        """Insert rows, ignoring positions already chained."""
        query = self._sql(
            f"INSERT INTO {{table}} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (notification_id) DO NOTHING"
        )
        values = [
            (r.position, r.originator_id, r.originator_version, r.event_hash, r.digest)
            for r in rows
        ]
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(query, values)

    def position_of(self, event_hash: str) -> int | None:
        """Return where ``event_hash`` was chained."""
        rows = self._select("WHERE event_hash = %s LIMIT 1", (event_hash,))
        return rows[0].position if rows else None

    def count_through(self, position: int) -> int:
        """Return rows at or before ``position``."""
        query = self._sql("SELECT COUNT(*) AS n FROM {table} WHERE notification_id <= %s")
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(query, (position,))
            row = cursor.fetchone()
            return int(row["n"]) if row else 0


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL events and their digests, written in one transaction."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table = Identifier(datastore.schema, TABLE)
        self.events_table = Identifier(datastore.schema, events_table_name)
        self.sql_create_statements.append(SQL(CREATE).format(table=self.chain_table))

    def _fetch_ids_after_insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,  # noqa: ANN401 -- eventsourcing's signature
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        self._chain(curs)  # still in the inserting transaction, under its table lock
        return ids

    def extend_chain(self) -> int:
        """Chain what is unchained, holding the events table's lock like a writer."""
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            return self._chain(curs)

    def _chain(self, curs: Cursor[DictRow]) -> int:
        curs.execute(
            SQL("SELECT notification_id, digest FROM {table} "
                "ORDER BY notification_id DESC LIMIT 1").format(table=self.chain_table)
        )  # fmt: skip
        head = curs.fetchone()
        last, previous = (
            (int(head["notification_id"]), str(head["digest"])) if head else (0, GENESIS)
        )
        select = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {events} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(events=self.events_table)
        insert = SQL(
            f"INSERT INTO {{table}} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (notification_id) DO NOTHING"
        ).format(table=self.chain_table)
        total = 0
        while True:
            curs.execute(select, (last, PAGE))
            found = curs.fetchall()
            if not found:
                return total
            notes = (
                (int(r["notification_id"]), StoredEvent(r["originator_id"],
                 r["originator_version"], r["topic"], bytes(r["state"])))
                for r in found
            )  # fmt: skip
            rows = list(chain_rows(notes, previous))
            # In pipeline mode a cursor's results come back in order: writing with a
            # cursor of its own keeps the next page's SELECT from reading INSERT results.
            with curs.connection.cursor() as writer:
                writer.executemany(
                    insert,
                    [(r.position, r.originator_id, r.originator_version, r.event_hash, r.digest)
                     for r in rows],
                )  # fmt: skip
            previous, last = rows[-1].digest, rows[-1].position
            total += len(rows)
