"""Reading the stored log fast: pages of stored events as plain tuples, and histories in bulk.

Catch-up, the chain check and the re-derivation read every stored event. The
recorder's ``select_notifications`` builds a ``Notification`` and a ``UUID``
per event; on SQLite this module reads the same rows with the driver and
leaves the id as its stored text. Other stores (PostgreSQL, memory) go
through the recorder: the tuples are the same.

A stored event here is ``(position, originator id, version, topic, state)``
with the id as ``str(uuid)`` (the text the hash chain and the read models'
keys hold).
"""

# ruff: noqa: S608 -- SQL is built from the recorder's own table name; values are parameters.
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

#: Stored events per page read.
PAGE = 1000
#: Aggregates per bulk read of histories.
IDS_PER_READ = 200
Stored = tuple[int, str, int, str, bytes]
_HEX_UUID = 32


def id_text(stored: str) -> str:
    """Return ``str(UUID(stored))`` for a hex id as SQLite stores it; other text as it is."""
    if len(stored) == _HEX_UUID:
        s = stored
        return f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]}".lower()
    return str(UUID(stored))


class Log:
    """The stored events of one recorder, read in pages or by aggregate."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder
        self._sqlite = (
            recorder
            if isinstance(recorder, SQLiteApplicationRecorder)
            and recorder.datastore.originator_id_type == "uuid"
            else None
        )

    def page(
        self, after: int, *, limit: int = PAGE, stop: int | None = None, topics: Sequence[str] = ()
    ) -> list[Stored]:
        """Return up to ``limit`` stored events after position ``after`` (up to ``stop``)."""
        if self._sqlite is None:
            notes = self.recorder.select_notifications(
                start=after, limit=limit, stop=stop, topics=topics, inclusive_of_start=False
            )
            return [
                (n.id, str(n.originator_id), n.originator_version, n.topic, n.state) for n in notes
            ]
        sql = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM "
            f"{self._sqlite.events_table_name} WHERE rowid > ?"
        )
        params: list[Any] = [after]
        if stop is not None:
            sql += " AND rowid <= ?"
            params.append(stop)
        if topics:
            sql += f" AND topic IN ({', '.join('?' * len(topics))})"
            params += list(topics)
        sql += " ORDER BY rowid LIMIT ?"
        params.append(limit)
        with self._sqlite.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [(r[0], id_text(r[1]), r[2], r[3], r[4]) for r in rows]

    def pages(
        self,
        after: int = 0,
        *,
        limit: int = PAGE,
        stop: int | None = None,
        topics: Sequence[str] = (),
    ) -> Iterator[list[Stored]]:
        """Yield every page of stored events after ``after`` (up to ``stop``), in order."""
        while found := self.page(after, limit=limit, stop=stop, topics=topics):
            yield found
            after = found[-1][0]

    def histories(self, ids: Sequence[UUID]) -> dict[UUID, list[Stored]]:
        """Return the stored events of each aggregate in ``ids``, by version (position 0)."""
        found: dict[UUID, list[Stored]] = {i: [] for i in ids}
        if self._sqlite is None:
            for i in ids:
                found[i] = [
                    (0, str(i), e.originator_version, e.topic, e.state)
                    for e in self.recorder.select_events(i)
                ]
            return found
        by_hex = {i.hex: (i, str(i)) for i in ids}
        for start in range(0, len(ids), IDS_PER_READ):
            chunk = [i.hex for i in ids[start : start + IDS_PER_READ]]
            sql = (
                f"SELECT originator_id, originator_version, topic, state FROM "
                f"{self._sqlite.events_table_name} WHERE originator_id IN "
                f"({', '.join('?' * len(chunk))}) "
                "ORDER BY originator_id, originator_version"
            )
            with self._sqlite.datastore.transaction(commit=False) as cursor:
                cursor.execute(sql, chunk)
                rows = cursor.fetchall()
            for r in rows:
                key, text = by_hex[r[0]]
                found[key].append((0, text, r[1], r[2], r[3]))
        return found
