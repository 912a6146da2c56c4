"""Editing a ledger's stored tables directly with SQL, as someone tampering with it would.

Positions are notification ids: SQLite's ``rowid`` of ``stored_events``,
PostgreSQL's ``notification_id`` of ``severa_ledger_events``.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from urllib.parse import parse_qs, urlparse

CHAIN = "severa_ledger_chain"


class Tamper:
    """Direct SQL access to one store's events and digests."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = urlparse(url)
        self.postgres = parsed.scheme.startswith("postgres")
        if self.postgres:
            schema = parse_qs(parsed.query)["schema"][0]
            self.events = f"{schema}.severa_ledger_events"
            self.chain = f"{schema}.{CHAIN}"
            self.id = "notification_id"
            self.mark = "%s"
        else:
            self.path = url.removeprefix("sqlite:///")
            self.events = "stored_events"
            self.chain = CHAIN
            self.id = "rowid"
            self.mark = "?"

    def sql(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        """Run one statement (``?`` marks parameters) in its own transaction; return rows."""
        statement = statement.replace("?", self.mark)
        if self.postgres:
            import psycopg  # noqa: PLC0415

            parsed = urlparse(self.url)
            conninfo = f"host={parsed.hostname} port={parsed.port} user=postgres dbname=test"
            with psycopg.connect(conninfo, autocommit=True) as conn:
                cursor = conn.execute(statement, params)  # type: ignore[arg-type]
                return list(cursor.fetchall()) if cursor.description else []
        conn = sqlite3.connect(self.path)
        try:
            with conn:
                cursor = conn.execute(statement, params)
                return cursor.fetchall()
        finally:
            conn.close()

    # ---------------------------------------------------------------- reading

    def positions(self, topic_part: str = "") -> list[int]:
        """Return the positions of the events whose topic contains ``topic_part``."""
        rows = self.sql(
            f"SELECT {self.id} FROM {self.events} WHERE topic LIKE ? ORDER BY {self.id}",
            f"%{topic_part}%",
        )
        return [int(r[0]) for r in rows]

    def row(self, position: int) -> tuple[Any, ...]:
        """Return (originator_id, originator_version, topic, state) at ``position``."""
        (found,) = self.sql(
            f"SELECT originator_id, originator_version, topic, state FROM {self.events} "
            f"WHERE {self.id} = ?",
            position,
        )
        return (found[0], found[1], found[2], bytes(found[3]))

    def state(self, position: int) -> bytes:
        """Return the stored state bytes at ``position``."""
        return self.row(position)[3]

    # ---------------------------------------------------------------- editing

    def set_state(self, position: int, state: bytes) -> None:
        """Overwrite the state bytes at ``position``."""
        self.sql(f"UPDATE {self.events} SET state = ? WHERE {self.id} = ?", state, position)

    def flip_byte(self, position: int, needle: bytes, replacement: bytes) -> None:
        """Change one byte: the first ``needle`` in the state becomes ``replacement``."""
        state = self.state(position)
        assert needle in state
        assert len(needle) == len(replacement) == 1
        self.set_state(position, state.replace(needle, replacement, 1))

    def edit_json(self, position: int, path: list[str], value: object) -> None:
        """Set a field inside the JSON state (keys along ``path``) and store it re-encoded."""
        data = json.loads(self.state(position))
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        self.set_state(position, json.dumps(data, separators=(",", ":")).encode())

    def delete(self, position: int) -> None:
        """Delete the event at ``position``."""
        self.sql(f"DELETE FROM {self.events} WHERE {self.id} = ?", position)

    def swap(self, first: int, second: int) -> None:
        """Exchange the positions of two events."""
        for old, new in ((first, -1), (second, first), (-1, second)):
            self.sql(f"UPDATE {self.events} SET {self.id} = ? WHERE {self.id} = ?", new, old)

    def forge(self, like: int, version: int) -> tuple[Any, ...]:
        """Return a forged event: a copy of the one at ``like`` with another version."""
        originator, _, topic, state = self.row(like)
        return (originator, version, topic, state)

    def append(self, forged: tuple[Any, ...]) -> int:
        """Insert a forged event at the end of the log; return its position."""
        self.sql(
            f"INSERT INTO {self.events} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            *forged,
        )
        return max(self.positions())

    def insert_at(self, position: int, forged: tuple[Any, ...]) -> None:
        """Insert a forged event at ``position``, renumbering the later events up by one."""
        self.sql(f"UPDATE {self.events} SET {self.id} = -{self.id} WHERE {self.id} >= ?", position)
        self.sql(f"UPDATE {self.events} SET {self.id} = 1 - {self.id} WHERE {self.id} < 0")
        self.sql(
            f"INSERT INTO {self.events} (originator_id, originator_version, topic, state, "
            f"{self.id}) VALUES (?, ?, ?, ?, ?)",
            *forged,
            position,
        )

    def drop_digests(self, after: int = 0) -> None:
        """Delete the stored digests after ``after`` (all by default)."""
        self.sql(f"DELETE FROM {self.chain} WHERE notification_id > ?", after)

    # ------------------------------------------------ hiding it from the chain

    def table(self, name: str) -> str:
        """Return a ledger table's name as SQL must give it on this store."""
        return self.chain.replace(CHAIN, name)

    def delete_and_rechain(self, position: int) -> None:
        """Delete the event at ``position`` and recompute every digest (docs/auditing.md)."""
        from severa_ledger import Ledger  # noqa: PLC0415

        self.delete(position)
        self.drop_digests()
        with Ledger.open(self.url) as ledger:
            ledger.extend_chain()

    def delete_tail(self, count: int) -> int:
        """Delete the last ``count`` events with their digests; return the first position gone."""
        gone = self.positions()[-count:]
        for position in gone:
            self.delete(position)
        self.drop_digests(after=gone[0] - 1)
        return gone[0]

    def raise_tracking(self, projection: str, by: int) -> None:
        """Raise a read model's tracking position by ``by``."""
        tracking = self.table("severa_ledger_tracking")
        self.sql(
            f"UPDATE {tracking} SET position = position + ? WHERE projection = ?", by, projection
        )
