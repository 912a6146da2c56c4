"""Loading many aggregates from PostgreSQL in two queries instead of two per aggregate.

``Repository.get`` asks for an aggregate's last snapshot, then for its events
after it: two statements, each on a connection taken from the pool and checked
with a round trip of its own (``POSTGRES_PRE_PING``). A billing chunk of 50
customers loads 100 aggregates that way: 400 round trips. Here one connection
runs two statements for all of them, the last snapshot of each (``DISTINCT
ON``) and then the events after it, and each aggregate is folded from the
same stored events, decoded by the same mappers, as ``Repository.get`` folds it
(``store/projecting.py``). Imported only for a PostgreSQL ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg.sql import SQL, Composed, Identifier

from severa_ledger.store.projecting import project

if TYPE_CHECKING:
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, CanMutateProtocol
    from psycopg import Cursor
    from psycopg.rows import DictRow

LAST_SNAPSHOTS = (
    "SELECT DISTINCT ON (originator_id) originator_id, originator_version, topic, state "
    "FROM {table} WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version DESC"
)
EVENTS_AFTER = (
    "SELECT e.originator_id, e.originator_version, e.topic, e.state "
    "FROM unnest(%s::{kind}[], %s::bigint[]) AS w(id, after) "
    "JOIN {table} AS e ON e.originator_id = w.id AND e.originator_version > w.after "
    "ORDER BY e.originator_id, e.originator_version"
)


def can_load_many(app: Application[UUID]) -> bool:
    """Return whether ``app`` stores in PostgreSQL with no aggregate cache of its own."""
    return isinstance(app.recorder, PostgresAggregateRecorder) and not app.repository.cache


def load_many(app: Application[UUID], ids: Iterable[UUID]) -> dict[UUID, Aggregate]:
    """Return the aggregates of ``ids`` found in the store (the others are left out)."""
    wanted = list(dict.fromkeys(ids))
    recorder = cast("PostgresAggregateRecorder", app.recorder)
    datastore = recorder.datastore
    with datastore.transaction(commit=False) as curs:
        snapshots = _last_snapshots(app, curs, wanted)
        after = [snapshots[i].originator_version if i in snapshots else 0 for i in wanted]
        statement = SQL(EVENTS_AFTER).format(
            kind=Identifier(datastore.originator_id_type),
            table=Identifier(datastore.schema, recorder.events_table_name),
        )
        curs.execute(statement, (wanted, after), prepare=True)
        events = _by_originator(curs.fetchall())
    found: dict[UUID, Aggregate] = {}
    for aggregate_id in wanted:
        first = [snapshots[aggregate_id]] if aggregate_id in snapshots else []
        stored = events.get(aggregate_id, [])
        decoded = [*first, *(app.mapper.to_domain_event(s) for s in stored)]
        folded = project(None, cast("list[CanMutateProtocol[Aggregate]]", decoded))
        if folded is not None:
            found[aggregate_id] = folded
    return found


def _last_snapshots(
    app: Application[UUID], curs: Cursor[DictRow], wanted: Sequence[UUID]
) -> dict[UUID, Any]:
    """Return the last snapshot of each of ``wanted`` that has one."""
    if app.snapshots is None:
        return {}
    recorder = cast("PostgresAggregateRecorder", app.snapshots.recorder)
    table = Identifier(recorder.datastore.schema, recorder.events_table_name)
    statement: Composed = SQL(LAST_SNAPSHOTS).format(table=table)
    curs.execute(statement, (list(wanted),), prepare=True)
    mapper = app.snapshots.mapper
    return {
        aggregate_id: mapper.to_domain_event(stored[0])
        for aggregate_id, stored in _by_originator(curs.fetchall()).items()
    }


def _by_originator(rows: Sequence[DictRow]) -> dict[UUID, list[StoredEvent]]:
    """Group stored rows by originator, each group in the rows' order."""
    grouped: dict[UUID, list[StoredEvent]] = {}
    for row in rows:
        stored = StoredEvent(
            originator_id=row["originator_id"],
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=bytes(row["state"]),
        )
        grouped.setdefault(row["originator_id"], []).append(stored)
    return grouped
