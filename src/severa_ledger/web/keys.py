"""API keys, one-time login links and the session secret, kept beside the events.

Keys are secrets, not business facts: they are not events and are not in the
hash chain. They live in three small tables of the ledger's own store (the
SQLite file, the PostgreSQL schema, or memory). Only the SHA-256 digest of a
key or a login token is stored; the secret is shown once, when it is made.

A key reads ``slk_<id>_<secret>`` and a login token ``sll_<id>_<secret>``: the
id is visible (``keys list``, ``keys revoke``), the secret is 32 random bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any

import attrs

from severa_ledger.domain.errors import ApiKeyNotFoundError, InvalidValueError
from severa_ledger.store.environment import environment
from severa_ledger.web.auth import Principal

KEY_PREFIX, TOKEN_PREFIX = "slk", "sll"
TABLES = ("severa_ledger_web_keys", "severa_ledger_web_login_tokens", "severa_ledger_web_secrets")
_SCHEMA = (
    (
        "CREATE TABLE IF NOT EXISTS {0} (key_id TEXT PRIMARY KEY, digest TEXT NOT NULL, "
        "customer_number TEXT, label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS {1} (token_id TEXT PRIMARY KEY, digest TEXT NOT NULL, "
        "key_id TEXT NOT NULL, customer_number TEXT, expires_at TEXT NOT NULL, used_at TEXT)"
    ),
    "CREATE TABLE IF NOT EXISTS {2} (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
Rows = list[tuple[Any, ...]]


@attrs.frozen
class KeyInfo:
    """What ``keys list`` shows of a key: never its secret."""

    key_id: str
    customer_number: str | None
    label: str
    created_at: datetime
    revoked_at: datetime | None


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest of a key or token, as stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _made(prefix: str) -> tuple[str, str]:
    """Return a new (id, whole secret) with ``prefix``."""
    key_id = secrets.token_hex(6)
    return key_id, f"{prefix}_{key_id}_{secrets.token_urlsafe(32)}"


def _id_of(secret: str, prefix: str) -> str | None:
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != prefix or not parts[1].isalnum():  # noqa: PLR2004
        return None
    return parts[1]


def _text(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise InvalidValueError(f"a key's time needs a time zone, got {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


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


class KeyStore:
    """API keys, login tokens and the session secret in one store (module docstring)."""

    def __init__(
        self, backend: Backend, tables: Sequence[str] = TABLES, *, create: bool = True
    ) -> None:
        self._run = backend.run
        self._keys, self._tokens, self._secrets = tables
        if create:
            for statement in _SCHEMA:
                self._run(statement.format(*tables))

    def create(
        self, *, customer_number: str | None, label: str, now: datetime
    ) -> tuple[str, Principal]:
        """Make a key for a customer (or the operator: None); return it (shown once)."""
        if customer_number is not None and not customer_number.strip():
            raise InvalidValueError("a customer key needs a customer number")
        key_id, secret = _made(KEY_PREFIX)
        self._run(
            f"INSERT INTO {self._keys} VALUES (?, ?, ?, ?, ?, NULL)",  # noqa: S608 -- fixed names
            (key_id, digest(secret), customer_number, label, _text(now)),
        )
        return secret, Principal(key_id, customer_number)

    def verify(self, secret: str) -> Principal | None:
        """Return the principal of a key that is not revoked, else None (constant-time)."""
        key_id = _id_of(secret, KEY_PREFIX)
        if key_id is None:
            return None
        rows, _ = self._run(
            f"SELECT digest, customer_number FROM {self._keys} "  # noqa: S608 -- fixed names
            "WHERE key_id = ? AND revoked_at IS NULL",
            (key_id,),
        )
        if not rows or not hmac.compare_digest(rows[0][0], digest(secret)):
            return None
        return Principal(key_id, rows[0][1])

    def principal(self, key_id: str) -> Principal | None:
        """Return the principal of the key ``key_id`` if it exists and is not revoked."""
        rows, _ = self._run(
            f"SELECT customer_number FROM {self._keys} "  # noqa: S608 -- fixed names
            "WHERE key_id = ? AND revoked_at IS NULL",
            (key_id,),
        )
        return Principal(key_id, rows[0][0]) if rows else None

    def revoke(self, key_id: str, *, now: datetime | None = None) -> None:
        """Revoke a key: it stops working at once (raise ApiKeyNotFoundError if unknown)."""
        when = _text(now or datetime.now(UTC))
        _, count = self._run(
            f"UPDATE {self._keys} SET revoked_at = COALESCE(revoked_at, ?) "  # noqa: S608
            "WHERE key_id = ?",
            (when, key_id),
        )
        if count != 1:
            raise ApiKeyNotFoundError(f"no API key with id {key_id!r}")

    def list(self) -> list[KeyInfo]:
        """Return every key, oldest first, without secrets or digests."""
        try:
            rows, _ = self._run(
                f"SELECT key_id, customer_number, label, created_at, revoked_at "  # noqa: S608
                f"FROM {self._keys} ORDER BY created_at, key_id"
            )
        except sqlite3.OperationalError as error:  # opened without create: no table, no key
            if "no such table" not in str(error):
                raise
            return []
        return [
            KeyInfo(r[0], r[1], r[2], datetime.fromisoformat(r[3]), _moment(r[4])) for r in rows
        ]

    def issue_login_token(self, principal: Principal, *, now: datetime, ttl: timedelta) -> str:
        """Return a one-time login token for ``principal``, valid ``ttl`` from ``now``."""
        token_id, token = _made(TOKEN_PREFIX)
        self._run(
            f"INSERT INTO {self._tokens} VALUES (?, ?, ?, ?, ?, NULL)",  # noqa: S608
            (token_id, digest(token), principal.key_id, principal.customer_number,
             _text(now + ttl)),
        )  # fmt: skip
        return token

    def redeem_login_token(self, token: str, *, now: datetime) -> Principal | None:
        """Return the token's principal once, if it has not expired; else None."""
        token_id = _id_of(token, TOKEN_PREFIX)
        if token_id is None:
            return None
        rows, _ = self._run(
            f"SELECT digest, key_id, customer_number, expires_at FROM {self._tokens} "  # noqa: S608
            "WHERE token_id = ? AND used_at IS NULL",
            (token_id,),
        )
        if not rows or not hmac.compare_digest(rows[0][0], digest(token)):
            return None
        expires = datetime.fromisoformat(rows[0][3])
        _, used = self._run(
            f"UPDATE {self._tokens} SET used_at = ? WHERE token_id = ? "  # noqa: S608
            "AND used_at IS NULL",
            (_text(now), token_id),
        )
        if used != 1 or now >= expires:
            return None
        return Principal(rows[0][1], rows[0][2])

    def session_secret(self) -> bytes:
        """Return the random secret that signs sessions, made once and kept here."""
        self._run(
            f"INSERT INTO {self._secrets} VALUES (?, ?) ON CONFLICT (name) DO NOTHING",  # noqa: S608
            ("session", secrets.token_hex(32)),
        )
        rows, _ = self._run(f"SELECT value FROM {self._secrets} WHERE name = ?", ("session",))  # noqa: S608
        return bytes.fromhex(rows[0][0])


def open_key_store(url: str, *, create: bool = True) -> KeyStore:
    """Open the key store of the ledger at ``url`` (``memory://``, SQLite, PostgreSQL).

    Without ``create`` no table is made: a store without them lists no key.
    """
    env = environment(url)
    if "SQLITE_DBNAME" in env:
        return KeyStore(_sqlite(env["SQLITE_DBNAME"], create=create), create=create)
    if "POSTGRES_DBNAME" in env:
        schema = env["POSTGRES_SCHEMA"].replace('"', '""')
        tables = tuple(f'"{schema}".{table}' for table in TABLES)
        return KeyStore(_postgres(env), tables, create=create)
    return KeyStore(Backend(lambda: sqlite3.connect(":memory:", check_same_thread=False), "?",
                            shared=True))  # fmt: skip


def _sqlite(name: str, *, create: bool) -> Backend:
    uri = name.startswith("file:")
    if not create and not uri:
        name, uri = f"file:{name}?mode=ro", True
    return Backend(lambda: sqlite3.connect(name, uri=uri, timeout=10), "?", shared=False)


def _postgres(env: dict[str, str]) -> Backend:
    psycopg = import_module("psycopg")  # the postgres extra; the store already needs it
    params = {
        "dbname": env["POSTGRES_DBNAME"], "host": env["POSTGRES_HOST"],
        "port": env["POSTGRES_PORT"], "user": env["POSTGRES_USER"],
        "password": env["POSTGRES_PASSWORD"] or None,
        "connect_timeout": env["POSTGRES_CONNECT_TIMEOUT"],
    }  # fmt: skip
    return Backend(lambda: psycopg.connect(**params), "%s", shared=False)
