"""Store URL (and cipher key) -> the eventsourcing environment (docs/architecture.md)."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse
from uuid import uuid4

from severa_ledger.domain.errors import InvalidValueError

DEFAULT_URL = "sqlite:///severa-ledger.db"


CIPHER_KEY_VARIABLE = "SEVERA_LEDGER_CIPHER_KEY"


CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"


#: Seconds to wait for a PostgreSQL connection before giving up (``?connect_timeout=N``).
CONNECT_TIMEOUT = "5"


def environment(url: str | None = None, cipher_key: str | None = None) -> dict[str, str]:
    """Return the eventsourcing environment for a store URL and optional cipher key.

    With a key (``cipher_key``, else ``SEVERA_LEDGER_CIPHER_KEY``: base64 of 16,
    24 or 32 random bytes), every event's state is stored encrypted with AES-GCM
    (eventsourcing's ``cryptography`` cipher); topics, ids and versions stay
    readable. The key is set under the ledger's own prefix, so an explicit
    ``cipher_key`` wins over the environment variable (docs/auditing.md).
    """
    env = _store_environment(url)
    key = cipher_key or os.environ.get(CIPHER_KEY_VARIABLE)
    if key:
        env["CIPHER_TOPIC"] = CIPHER_TOPIC
        env[CIPHER_KEY_VARIABLE] = _checked_key(key)
    return env


def _checked_key(key: str) -> str:
    try:
        size = len(base64.b64decode(key, validate=True))
    except ValueError:
        size = 0
    if size not in {16, 24, 32}:
        raise InvalidValueError(
            f"the cipher key ({CIPHER_KEY_VARIABLE}) must be base64 of 16, 24 or 32 bytes"
        )
    return key


def _store_environment(url: str | None = None) -> dict[str, str]:
    """Return the eventsourcing environment for a store URL (``Ledger.open``, README.md).

    ``memory://``; ``sqlite:///path`` (``sqlite:///:memory:`` for a shared
    in-process database); ``postgresql://user:pw@host:port/db?schema=name``.
    """
    url = url or os.environ.get("SEVERA_LEDGER_DB") or DEFAULT_URL
    parsed = urlparse(url)
    if parsed.scheme == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if parsed.scheme == "sqlite":
        path = unquote(url.removeprefix("sqlite://").removeprefix("/"))
        if not path:
            raise InvalidValueError(f"store URL {url!r} names no SQLite file")
        if path == ":memory:":
            path = f"file:severa-ledger-{uuid4().hex}?mode=memory&cache=shared"
        elif Path(path).is_file() and not os.access(path, os.W_OK):
            path = _read_only_uri(path)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
    if parsed.scheme in {"postgresql", "postgres"}:
        query = parse_qs(parsed.query)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parsed.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "POSTGRES_SCHEMA": query.get("schema", ["public"])[0],
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_CONNECT_TIMEOUT": query.get("connect_timeout", [CONNECT_TIMEOUT])[0],
            "POSTGRES_PRE_PING": "y",
        }
    raise InvalidValueError(
        f"store URL {url!r}: use memory://, sqlite:///PATH or postgresql://USER@HOST/DB"
    )


#: How an unchangeable SQLite file is opened: no journal, no lock, no -shm file to create.
_READ_ONLY = "?immutable=1"


def _read_only_uri(path: str) -> str:
    """Return the URI opening a SQLite file we may not write (a read-only copy): reads only."""
    return f"file:{quote(str(Path(path).resolve()))}{_READ_ONLY}"


def sqlite_file(env: Mapping[str, str]) -> Path | None:
    """Return the SQLite file a store environment names, or None (memory, PostgreSQL)."""
    name = env.get("SQLITE_DBNAME", "")
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.sqlite" or "mode=memory" in name:
        return None
    if name.startswith("file:"):
        return Path(unquote(name.removeprefix("file:").removesuffix(_READ_ONLY)))
    return Path(name)
