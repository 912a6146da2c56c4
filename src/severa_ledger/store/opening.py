"""Why a store cannot be opened, in one line; a missing PostgreSQL schema, created on request."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from eventsourcing.persistence import OperationalError

from severa_ledger.domain.errors import StoreUnavailableError
from severa_ledger.store.environment import sqlite_file

#: Seconds the probe that asks the driver why a server is unreachable may take.
PROBE_TIMEOUT = 2
_MISSING_SCHEMA = re.compile(r'schema "[^"]*" does not exist')


class UnreachableError(OperationalError):
    """The driver's one-line reason a new PostgreSQL connection failed (before any pool wait)."""


def missing_file(env: Mapping[str, str]) -> StoreUnavailableError | None:
    """Return the refusal to open a SQLite file that does not exist (a read creates nothing)."""
    path = sqlite_file(env)
    if path is None or path.exists():
        return None
    return StoreUnavailableError(
        f"no store at {path}: the file does not exist (nothing was created; "
        "`severa-ledger init` creates an empty one)"
    )


def store_place(env: Mapping[str, str]) -> str:
    """Return where a store is, as messages name it: its file, or its schema and server."""
    path = sqlite_file(env)
    if path is not None:
        return str(path)
    if "POSTGRES_HOST" in env:
        schema = env.get("POSTGRES_SCHEMA", "public")
        return (
            f"schema {schema!r} of database {env['POSTGRES_DBNAME']!r} "
            f"(PostgreSQL at {env['POSTGRES_HOST']}:{env['POSTGRES_PORT']})"
        )
    return "memory://"


def store_exists(env: Mapping[str, str]) -> bool | None:
    """Return whether the SQLite file exists (None: PostgreSQL or memory, opened as is)."""
    path = sqlite_file(env)
    if path is None:
        return None
    return path.exists() and path.stat().st_size > 0


def create_private_file(env: Mapping[str, str]) -> None:
    """Create a missing SQLite file empty and owner-only (0600): it holds keys and sessions.

    SQLite gives its journal and WAL files the same mode. A file that exists is
    left as it is; a path that cannot be created is left to the opening to report.
    """
    path = sqlite_file(env)
    if path is None or path.exists():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        return


def missing_schema(env: Mapping[str, str], error: Exception) -> bool:
    """Return whether ``error`` says the store's PostgreSQL schema does not exist."""
    return "POSTGRES_SCHEMA" in env and bool(_MISSING_SCHEMA.search(str(error)))


def create_schema(env: Mapping[str, str]) -> None:
    """Create the store's PostgreSQL schema (a writing command's first use of it)."""
    import psycopg  # noqa: PLC0415 -- the postgres extra
    from psycopg import sql  # noqa: PLC0415 -- the postgres extra

    with psycopg.connect(_conninfo(env), autocommit=True) as conn:
        name = sql.Identifier(env["POSTGRES_SCHEMA"])
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(name))


def unusable(env: Mapping[str, str], error: Exception) -> StoreUnavailableError:
    """Return the one-line refusal for a store that ``error`` kept from opening."""
    path = sqlite_file(env)
    if path is not None:
        if "file is not a database" in str(error):
            return StoreUnavailableError(f"{path} is not a SQLite database")
        return StoreUnavailableError(f"the SQLite file {path} cannot be used: {error}")
    if "POSTGRES_SCHEMA" not in env:
        return StoreUnavailableError(f"the store cannot be used: {error}")
    where = f"PostgreSQL at {env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}"
    database = f"database {env['POSTGRES_DBNAME']!r}"
    if missing_schema(env, error):
        schema = env["POSTGRES_SCHEMA"]
        return StoreUnavailableError(
            f"schema {schema!r} does not exist in {database} ({where}): create it with "
            f'`severa-ledger --db URL init` (or CREATE SCHEMA "{schema}")'
        )
    reason = str(error) if isinstance(error, UnreachableError) else locked(error) or _probe(env)
    reason = reason or _one_line(str(error))
    return StoreUnavailableError(f"{where} ({database}) cannot be used: {reason}")


def locked(error: Exception) -> str | None:
    """Return the one-line reason for a lock held too long by another session, or None."""
    if "lock timeout" not in str(error):
        return None
    return (
        "another session held a lock on the store's tables for the whole lock timeout "
        "(POSTGRES_LOCK_TIMEOUT, 10 s; docs/postgresql.md); nothing was recorded, "
        "try again once it is released"
    )


def _conninfo(env: Mapping[str, str]) -> str:
    from psycopg.conninfo import make_conninfo  # noqa: PLC0415 -- the postgres extra

    return make_conninfo(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        dbname=env["POSTGRES_DBNAME"],
    )


def _probe(env: Mapping[str, str]) -> str | None:
    """Return the driver's reason a new connection fails (the pool only says it timed out)."""
    return connection_refusal(_conninfo(env))


def connection_refusal(conninfo: str) -> str | None:
    """Return why one new connection to ``conninfo`` fails, within PROBE_TIMEOUT, or None."""
    import psycopg  # noqa: PLC0415 -- the postgres extra

    try:
        with psycopg.connect(conninfo, connect_timeout=PROBE_TIMEOUT):
            return None
    except psycopg.Error as error:
        return _one_line(str(error))


def _one_line(text: str) -> str:
    return " ".join(text.split())
