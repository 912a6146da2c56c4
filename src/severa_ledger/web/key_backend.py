"""Where the key store's SQL runs: a SQLite file, a PostgreSQL schema, or memory.

A SQLite file the key store is first to open is created owner-only (0600),
like the ledger's own (:func:`severa_ledger.store.opening.create_private_file`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from typing import Any

from severa_ledger.store.opening import create_private_file

Rows = list[tuple[Any, ...]]


class Backend:
    """Runs SQL on one store: ``?`` placeholders, one transaction a statement."""

    def __init__(self, connect: Callable[[], Any], placeholder: str, *, shared: bool) -> None:
        self._connect = connect
        self._placeholder = placeholder
        self._shared = connect() if shared else None
        self._lock = threading.Lock()

    def run(self, sql: str, params: Sequence[object] = ()) -> tuple[Rows, int]:
        """Run one statement in its own transaction; return its rows and row count."""
        sql = sql.replace("?", self._placeholder)
        with self._lock:
            conn = self._shared or self._connect()
            try:
                cursor = conn.execute(sql, tuple(params))
                rows = cursor.fetchall() if cursor.description else []
                conn.commit()
                return rows, cursor.rowcount
            finally:
                if self._shared is None:
                    conn.close()


def memory_backend() -> Backend:
    """Return a backend on a private in-memory SQLite database."""
    return Backend(lambda: sqlite3.connect(":memory:", check_same_thread=False), "?", shared=True)


def sqlite_backend(env: Mapping[str, str], *, create: bool) -> Backend:
    """Return a backend on the SQLite file of ``env`` (read-only without ``create``)."""
    name = env["SQLITE_DBNAME"]
    uri = name.startswith("file:")
    if create:
        create_private_file(env)
    elif not uri:
        name, uri = f"file:{name}?mode=ro", True
    return Backend(lambda: sqlite3.connect(name, uri=uri, timeout=10), "?", shared=False)


def postgres_backend(env: Mapping[str, str]) -> Backend:
    """Return a backend on the PostgreSQL database of ``env``."""
    psycopg = import_module("psycopg")  # the postgres extra; the store already needs it
    params = {
        "dbname": env["POSTGRES_DBNAME"],
        "host": env["POSTGRES_HOST"],
        "port": env["POSTGRES_PORT"],
        "user": env["POSTGRES_USER"],
        "password": env["POSTGRES_PASSWORD"] or None,
        "connect_timeout": env["POSTGRES_CONNECT_TIMEOUT"],
    }
    return Backend(lambda: psycopg.connect(**params), "%s", shared=False)
