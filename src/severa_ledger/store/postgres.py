"""The digests table on PostgreSQL: ``severa_ledger_chain`` in the events' schema.

:class:`ChainedPostgresRecorder` writes the digests of the events it inserts in
the same transaction, under the events table's EXCLUSIVE lock (so in
notification order), and refuses a save when the chain does not end at the
log's last event; :class:`PostgresChainStore` reads them. Imported only for a
PostgreSQL ledger, so that psycopg stays an optional extra.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.conninfo import make_conninfo
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from severa_ledger.store.chain import GENESIS, ChainRow, chain_rows
from severa_ledger.store.chain_stores import (
    COLUMNS,
    EXTENSION_COLUMNS,
    EXTENSIONS,
    PAGE,
    TABLE,
    Extension,
    log_extension,
)
from severa_ledger.store.coverage import check_covered, missing_table
from severa_ledger.store.opening import UnreachableError, connection_refusal
from severa_ledger.store.postgres_locks import fail_at_lock_timeout

CREATE = (
    "CREATE TABLE IF NOT EXISTS {table} (notification_id bigint PRIMARY KEY, "
    "originator_id text NOT NULL, originator_version bigint NOT NULL, "
    "event_hash text NOT NULL, digest text NOT NULL)"
)
CREATE_EXTENSIONS = (
    "CREATE TABLE IF NOT EXISTS {table} (first_position bigint NOT NULL, "
    "last_position bigint NOT NULL, events bigint NOT NULL, "
    "chained_at timestamptz NOT NULL DEFAULT now())"
)

#: A save's events as four binary arrays, not eventsourcing's one array of composites: the
#: composites' text form escapes every byte of every state on both sides (a third of a
#: billing run's client time). The same rows in the same order, so the same notification ids.
INSERT_COLUMNS = (
    "INSERT INTO {table} (originator_id, originator_version, topic, state) "
    "SELECT * FROM unnest(%b::{kind}[], %b::bigint[], %b::text[], %b::bytea[]) "
    "RETURNING notification_id"
)


class PostgresChainStore:
    """The digests table in the ledger's PostgreSQL schema."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        if not isinstance(recorder, PostgresApplicationRecorder):
            msg = f"no chain store for {type(recorder).__name__}"
            raise TypeError(msg)
        self.datastore = recorder.datastore
        self.table = Identifier(self.datastore.schema, TABLE)
        self.extensions_table = Identifier(self.datastore.schema, EXTENSIONS)
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._sql(CREATE))
            cursor.execute(SQL(CREATE_EXTENSIONS).format(table=self.extensions_table))

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
        return self._select(
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s", (position, limit)
        )

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

    def extensions(self) -> list[Extension]:
        """Return the explicit re-chains."""
        query = SQL(
            f"SELECT {EXTENSION_COLUMNS} FROM {{table}} "  # noqa: S608 -- constants
            "ORDER BY first_position"
        ).format(table=self.extensions_table)
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(query)
            return [_extension(r) for r in cursor.fetchall()]

    def record_extension(self, extension: Extension) -> None:
        """Record an explicit re-chain."""
        with self.datastore.transaction(commit=True) as cursor:
            _insert_extension(cursor, self.extensions_table, extension)


def _extension(row: DictRow) -> Extension:
    at = row["chained_at"]
    return Extension(
        int(row["first_position"]),
        int(row["last_position"]),
        int(row["events"]),
        at.isoformat() if at is not None else None,
    )


def _insert_extension(curs: Cursor[DictRow], table: Identifier, extension: Extension) -> None:
    curs.execute(
        SQL(
            "INSERT INTO {table} (first_position, last_position, events) VALUES (%s, %s, %s)"
        ).format(table=table),
        (extension.first, extension.last, extension.events),
    )


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL events and their digests, written in one transaction."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        _check_reachable(datastore)
        fail_at_lock_timeout(datastore)
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table = Identifier(datastore.schema, TABLE)
        self.extensions_table = Identifier(datastore.schema, EXTENSIONS)
        self.events_table = Identifier(datastore.schema, events_table_name)
        self.chain_tables = [
            SQL(CREATE).format(table=self.chain_table),
            SQL(CREATE_EXTENSIONS).format(table=self.extensions_table),
        ]
        self.sql_create_statements.extend(self.chain_tables)
        self._heads = threading.local()  # a save's chain head, from its check to its rows
        self.insert_columns_statement = SQL(INSERT_COLUMNS).format(
            table=self.events_table, kind=Identifier(datastore.originator_id_type)
        )

    def _insert_stored_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **_: Any,  # noqa: ANN401 -- eventsourcing's signature
    ) -> None:
        """Refuse (nothing inserted) unless the chain ends at the log's last event; insert.

        eventsourcing commits what a failed save inserted before its error, so the
        check runs first, under the table lock the insert takes anyway. The insert is
        eventsourcing's own (lock, notify, one INSERT ... SELECT FROM unnest), its rows
        passed as binary column arrays (INSERT_COLUMNS).
        """
        self._lock_table(curs)
        self._heads.previous = self._covered_head(curs)
        self._notify_channel(curs)
        curs.execute(
            self.insert_columns_statement,
            (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ),
            prepare=True,
        )

    def _covered_head(self, curs: Cursor[DictRow]) -> str:
        """Return the chain head's digest; raise ChainBrokenError unless it ends the log."""
        curs.execute(
            SQL(
                "SELECT to_regclass(format('%%I.%%I', %s::text, %s::text)) IS NOT NULL AS chained, "
                "(SELECT max(notification_id) FROM {events}) AS last"
            ).format(events=self.events_table),
            (self.datastore.schema, TABLE),
        )
        found = curs.fetchone()
        if found is None or not found["chained"]:
            raise missing_table()
        head, previous = self._head(curs)
        check_covered(head, int(found["last"] or 0))
        return previous

    def _head(self, curs: Cursor[DictRow]) -> tuple[int, str]:
        curs.execute(
            SQL(
                "SELECT notification_id, digest FROM {table} ORDER BY notification_id DESC LIMIT 1"
            ).format(table=self.chain_table)
        )
        head = curs.fetchone()
        return (int(head["notification_id"]), str(head["digest"])) if head else (0, GENESIS)

    def _fetch_ids_after_insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,  # noqa: ANN401 -- eventsourcing's signature
    ) -> Sequence[int] | None:
        """Chain the save's events from memory: they directly follow the checked head."""
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        previous: str | None = self._heads.__dict__.pop("previous", None)
        if ids and previous is not None and len(ids) == len(stored_events):
            self._insert_rows(
                curs, list(chain_rows(zip(ids, stored_events, strict=True), previous))
            )
        else:  # pragma: no cover -- eventsourcing returns one id per event
            self._chain(curs)
        return ids

    def extend_chain(self) -> int:
        """Chain what is unchained, holding the events table's lock like a writer; record it."""
        with self.datastore.transaction(commit=True) as curs:
            for statement in self.chain_tables:  # dropped meanwhile: an explicit re-chain
                curs.execute(statement)  # makes them again
            self._lock_table(curs)
            extension = self._chain(curs)
            if extension is not None:
                _insert_extension(curs, self.extensions_table, extension)
        if extension is None:
            return 0
        log_extension(extension)
        return extension.events

    def _insert_rows(self, curs: Cursor[DictRow], rows: Sequence[ChainRow]) -> None:
        """Insert chain rows in one statement of five binary column arrays (not one per row)."""
        insert = SQL(
            f"INSERT INTO {{table}} ({COLUMNS}) "  # noqa: S608 -- constants
            "SELECT * FROM unnest(%b::bigint[], %b::text[], %b::bigint[], %b::text[], %b::text[]) "
            "ON CONFLICT (notification_id) DO NOTHING"
        ).format(table=self.chain_table)
        # In pipeline mode a cursor's results come back in order: writing with a
        # cursor of its own keeps a later SELECT from reading INSERT results.
        with curs.connection.cursor() as writer:
            writer.execute(
                insert,
                (
                    [r.position for r in rows],
                    [r.originator_id for r in rows],
                    [r.originator_version for r in rows],
                    [r.event_hash for r in rows],
                    [r.digest for r in rows],
                ),
            )

    def _chain(self, curs: Cursor[DictRow]) -> Extension | None:
        """Chain every event after the head, a page at a time; return what was chained."""
        last, previous = self._head(curs)
        select = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {events} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(events=self.events_table)
        first, total = 0, 0
        for rows in _pages(curs, select, last, previous):
            self._insert_rows(curs, rows)
            first, last, total = first or rows[0].position, rows[-1].position, total + len(rows)
        return Extension(first, last, total) if total else None


def _check_reachable(datastore: PostgresDatastore) -> None:
    """Raise UnreachableError at once when one new connection fails (nothing listening).

    Also for no such database or a wrong password: the pool would retry until
    its timeout and then say only that it timed out.
    """
    pool = datastore.pool
    if pool.get_password_func is not None or not isinstance(pool.kwargs, dict):
        return
    settings = {k: v for k, v in pool.kwargs.items() if k != "row_factory"}
    reason = connection_refusal(make_conninfo(**settings))
    if reason is not None:
        raise UnreachableError(reason)


def _pages(
    curs: Cursor[DictRow], select: Composed, last: int, previous: str
) -> Iterator[list[ChainRow]]:
    """Yield the chain rows of the events after position ``last``, a page at a time."""
    while True:
        curs.execute(select, (last, PAGE))
        found = curs.fetchall()
        if not found:
            return
        notes = (
            (
                int(r["notification_id"]),
                StoredEvent(
                    r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
                ),
            )
            for r in found
        )
        rows = list(chain_rows(notes, previous))
        yield rows
        previous, last = rows[-1].digest, rows[-1].position


def stored_topics(recorder: ApplicationRecorder) -> list[str]:
    """Return the distinct topics of a PostgreSQL ledger's stored events."""
    if not isinstance(recorder, PostgresApplicationRecorder):
        msg = f"no topics query for {type(recorder).__name__}"
        raise TypeError(msg)
    table = Identifier(recorder.datastore.schema, recorder.events_table_name)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(SQL("SELECT DISTINCT topic FROM {table}").format(table=table))
        return [str(row["topic"]) for row in cursor.fetchall()]
