"""API keys, one-time login links and signed-in sessions, kept beside the events.

Keys are secrets, not business facts: they are not events and are not in the
hash chain. They live in three small tables of the ledger's own store (the
SQLite file, the PostgreSQL schema, or memory). Only the SHA-256 digest of a
key, a login token or a session id is stored; a key or token is shown once,
when it is made, and a session id only ever travels in its cookie.

A key reads ``slk_<id>_<secret>`` and a login token ``sll_<id>_<secret>``: the
id is visible (``keys list``, ``keys revoke``), the secret is 32 random bytes.
The secret that signs cookies is not kept here (:mod:`severa_ledger.web.secret`);
the table an older version kept it in is dropped when the tables are made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import attrs

from severa_ledger.domain.errors import ApiKeyNotFoundError, InvalidValueError
from severa_ledger.store.environment import environment
from severa_ledger.web.auth import Principal
from severa_ledger.web.key_backend import (
    Backend,
    memory_backend,
    postgres_backend,
    sqlite_backend,
)

KEY_PREFIX, TOKEN_PREFIX = "slk", "sll"
TABLES = ("severa_ledger_web_keys", "severa_ledger_web_login_tokens", "severa_ledger_web_sessions")
#: Where older versions kept the cookie-signing secret: dropped, never read.
OLD_SECRETS_TABLE = "severa_ledger_web_secrets"
_SCHEMA = (
    (
        "CREATE TABLE IF NOT EXISTS {0} (key_id TEXT PRIMARY KEY, digest TEXT NOT NULL, "
        "customer_number TEXT, label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS {1} (token_id TEXT PRIMARY KEY, digest TEXT NOT NULL, "
        "key_id TEXT NOT NULL, customer_number TEXT, expires_at TEXT NOT NULL, used_at TEXT)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS {2} (digest TEXT PRIMARY KEY, key_id TEXT NOT NULL, "
        "customer_number TEXT, by_link INTEGER NOT NULL, created_at TEXT NOT NULL, "
        "seen_at TEXT NOT NULL)"
    ),
)


@attrs.frozen
class SessionLimits:
    """How long a signed-in session lasts: ``idle`` since its last request, ``absolute`` in all."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)

    def cutoffs(self, now: datetime) -> tuple[str, str]:
        """Return the stored times before which a session has ended: (created, last seen)."""
        return _text(now - self.absolute), _text(now - self.idle)


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


class KeyStore:
    """API keys, login tokens and sessions in one store (module docstring)."""

    def __init__(
        self, backend: Backend, tables: Sequence[str] = TABLES, *, create: bool = True
    ) -> None:
        self._run = backend.run
        self._keys, self._tokens, self._sessions = tables[:3]
        if create:
            for statement in _SCHEMA:
                self._run(statement.format(*tables))
            old = tables[3] if len(tables) > 3 else OLD_SECRETS_TABLE  # noqa: PLR2004
            self._run(f"DROP TABLE IF EXISTS {old}")

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
        """Revoke a key or a login link by id: it and its sessions stop at once.

        Raise ApiKeyNotFoundError if there is neither.
        """
        when = _text(now or datetime.now(UTC))
        _, count = self._run(
            f"UPDATE {self._keys} SET revoked_at = COALESCE(revoked_at, ?) "  # noqa: S608
            "WHERE key_id = ?",
            (when, key_id),
        )
        if count != 1:
            _, count = self._run(
                f"UPDATE {self._tokens} SET used_at = COALESCE(used_at, ?) "  # noqa: S608
                "WHERE token_id = ? AND key_id = token_id",
                (when, key_id),
            )
        if count != 1:
            raise ApiKeyNotFoundError(f"no API key or login link with id {key_id!r}")
        self._run(f"DELETE FROM {self._sessions} WHERE key_id = ?", (key_id,))  # noqa: S608

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
        """Return a one-time login token for ``principal``'s key, valid ``ttl`` from ``now``."""
        token_id, token = _made(TOKEN_PREFIX)
        self._insert_token(token_id, token, principal.key_id, principal.customer_number, now + ttl)
        return token

    def issue_login_link(
        self, customer_number: str | None, *, now: datetime, ttl: timedelta
    ) -> tuple[str, Principal]:
        """Return a one-time login token that needs no key, and the principal it signs in.

        The principal's id is the link's own (``keys revoke`` takes it).
        """
        token_id, token = _made(TOKEN_PREFIX)
        self._insert_token(token_id, token, token_id, customer_number, now + ttl)
        return token, Principal(token_id, customer_number, by_link=True)

    def _insert_token(
        self, token_id: str, token: str, key_id: str, customer: str | None, expires: datetime
    ) -> None:
        self._run(
            f"INSERT INTO {self._tokens} VALUES (?, ?, ?, ?, ?, NULL)",  # noqa: S608
            (token_id, digest(token), key_id, customer, _text(expires)),
        )

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
        _, used = self._run(
            f"UPDATE {self._tokens} SET used_at = ? WHERE token_id = ? "  # noqa: S608
            "AND used_at IS NULL",
            (_text(now), token_id),
        )
        if used != 1 or now >= datetime.fromisoformat(rows[0][3]):
            return None
        return Principal(rows[0][1], rows[0][2], by_link=rows[0][1] == token_id)

    def start_session(self, principal: Principal, *, now: datetime, limits: SessionLimits) -> str:
        """Return the id of a new session of ``principal`` (only its digest is kept).

        Sessions that have ended by ``limits`` are deleted on the way.
        """
        self._run(
            f"DELETE FROM {self._sessions} WHERE created_at <= ? OR seen_at <= ?",  # noqa: S608
            limits.cutoffs(now),
        )
        session_id = secrets.token_urlsafe(32)
        self._run(
            f"INSERT INTO {self._sessions} VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
            (
                digest(session_id),
                principal.key_id,
                principal.customer_number,
                int(principal.by_link),
                _text(now),
                _text(now),
            ),
        )
        return session_id

    def session(self, session_id: str, *, now: datetime, limits: SessionLimits) -> Principal | None:
        """Return a live session's principal and mark it seen; None once it has ended.

        A session ends on logout, when its key is revoked, ``limits.idle`` after
        its last request and ``limits.absolute`` after it started.
        """
        created, seen = limits.cutoffs(now)
        rows, _ = self._run(
            f"SELECT s.key_id, s.customer_number, s.by_link FROM {self._sessions} s "  # noqa: S608
            f"LEFT JOIN {self._keys} k ON k.key_id = s.key_id AND k.revoked_at IS NULL "
            "WHERE s.digest = ? AND s.created_at > ? AND s.seen_at > ? "
            "AND (s.by_link = 1 OR k.key_id IS NOT NULL)",
            (digest(session_id), created, seen),
        )
        if not rows:
            self.end_session(session_id)
            return None
        self._run(
            f"UPDATE {self._sessions} SET seen_at = ? WHERE digest = ?",  # noqa: S608
            (_text(now), digest(session_id)),
        )
        return Principal(rows[0][0], rows[0][1], by_link=bool(rows[0][2]))

    def end_session(self, session_id: str) -> None:
        """End a session (logout): its cookie is refused from now on."""
        self._run(f"DELETE FROM {self._sessions} WHERE digest = ?", (digest(session_id),))  # noqa: S608


def open_key_store(url: str, *, create: bool = True) -> KeyStore:
    """Open the key store of the ledger at ``url`` (``memory://``, SQLite, PostgreSQL).

    Without ``create`` no table is made: a store without them lists no key.
    """
    env = environment(url)
    if "SQLITE_DBNAME" in env:
        return KeyStore(sqlite_backend(env, create=create), create=create)
    if "POSTGRES_DBNAME" in env:
        schema = env["POSTGRES_SCHEMA"].replace('"', '""')
        tables = tuple(f'"{schema}".{table}' for table in (*TABLES, OLD_SECRETS_TABLE))
        return KeyStore(postgres_backend(env), tables, create=create)
    return KeyStore(memory_backend())
