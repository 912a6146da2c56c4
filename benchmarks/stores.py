"""The stores a run measures: fresh empty ones, copies of a prepared one, clean-up.

* ``memory``: eventsourcing's POPO store; it lives in one process and cannot be
  copied, so work on a prepared book starts by loading the book again.
* ``sqlite``: one file per store in a temporary folder, removed at the end.
* ``postgresql``: one schema per store in database ``test`` on 127.0.0.1:5432
  (user ``postgres``), named ``bench_<pid>_<n>``; every schema made is dropped
  at the end.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qs, urlparse

from severa_ledger import Ledger

if TYPE_CHECKING:
    import psycopg

KINDS = ("memory", "sqlite", "postgresql")
PG_CONNINFO = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test?schema={schema}"


def pg_connect() -> psycopg.Connection[Any]:
    """Return an autocommit psycopg connection to the benchmark database."""
    import psycopg  # noqa: PLC0415 -- optional extra

    return psycopg.connect(PG_CONNINFO, autocommit=True)


def schema_of(url: str) -> str:
    """Return the schema named in a PostgreSQL store URL."""
    return parse_qs(urlparse(url).query)["schema"][0]


def sqlite_path(url: str) -> str:
    """Return the file of a SQLite store URL."""
    return url.removeprefix("sqlite:///")


class Stores:
    """Makes, copies and removes the stores of one kind for one benchmark run."""

    def __init__(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown store {kind!r}; known: {', '.join(KINDS)}")
        self.kind = kind
        self.folder = Path(tempfile.mkdtemp(prefix="severa-bench-"))
        self.schemas: list[str] = []
        self.numbers = itertools.count(1)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def copyable(self) -> bool:
        """Return whether a prepared store can be copied (not so in memory)."""
        return self.kind != "memory"

    def fresh(self, tag: str) -> str:
        """Return the URL of a new, empty store."""
        number = next(self.numbers)
        if self.kind == "memory":
            return "memory://"
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder / f'{tag}-{number}.db'}"
        schema = f"bench_{os.getpid()}_{number}"
        with pg_connect() as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        self.schemas.append(schema)
        return PG_URL.format(schema=schema)

    def copy(self, url: str, tag: str) -> str:
        """Return the URL of a copy of the (closed) store at ``url``."""
        target = self.fresh(tag)
        if self.kind == "sqlite":
            source = sqlite_path(url)
            conn = sqlite3.connect(source)  # closed at once: no connection may outlive a step
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
            shutil.copyfile(source, sqlite_path(target))
        else:
            _copy_schema(schema_of(url), schema_of(target))
        return target

    def drop(self, url: str) -> None:
        """Remove the store at ``url`` (its file or schema)."""
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(sqlite_path(url) + suffix).unlink(missing_ok=True)
        elif self.kind == "postgresql":
            schema = schema_of(url)
            with pg_connect() as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            self.schemas.remove(schema)

    def close(self) -> None:
        """Remove every store made."""
        for schema in list(self.schemas):
            self.drop(PG_URL.format(schema=schema))
        shutil.rmtree(self.folder, ignore_errors=True)


def _copy_schema(source: str, target: str) -> None:
    """Copy every table of schema ``source`` into ``target``, serial counters included."""
    Ledger.open(PG_URL.format(schema=target)).close()  # the store's own tables and types
    with pg_connect() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = %s AND table_type = 'BASE TABLE'",
                (source,),
            )
        ]
        for table in tables:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {target}.{table} (LIKE {source}.{table} INCLUDING ALL)"
            )
            conn.execute(f"INSERT INTO {target}.{table} SELECT * FROM {source}.{table}")
        serials = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND column_default LIKE 'nextval%%'",
            (target,),
        ).fetchall()
        for table, column in serials:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{target}.{table}', '{column}'), "
                f"COALESCE((SELECT MAX({column}) FROM {target}.{table}), 0) + 1, false)"
            )
