"""Store URL (and cipher key) -> the eventsourcing environment (docs/architecture.md)."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import ParseResult, parse_qs, quote, unquote, urlparse
from uuid import uuid4

from severa_ledger.domain.errors import InvalidValueError, StoreUrlError

DEFAULT_URL = "sqlite:///severa-ledger.db"


CIPHER_KEY_VARIABLE = "SEVERA_LEDGER_CIPHER_KEY"


CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"


#: Seconds to wait for a PostgreSQL connection before giving up (``?connect_timeout=N``).
CONNECT_TIMEOUT = "5"
#: The PostgreSQL schema names a URL may give: plain lower-case identifiers, the same
#: quoted or not (eventsourcing looks its composite type up by the unquoted name).
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
#: What a host may hold: a name, an IPv4 address, or an IPv6 address in brackets.
_HOST = re.compile(r"[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]")


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
    try:
        parsed = urlparse(url)
    except ValueError as error:  # "Invalid IPv6 URL"
        raise StoreUrlError(f"store URL {url!r} is malformed: {error}") from None
    if parsed.scheme == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if parsed.scheme == "sqlite":
        return _sqlite_environment(url)
    if parsed.scheme in {"postgresql", "postgres"}:
        return _postgres_environment(url, parsed)
    raise StoreUrlError(
        f"store URL {url!r}: use memory://, sqlite:///PATH or postgresql://USER@HOST/DB"
    )


def _sqlite_environment(url: str) -> dict[str, str]:
    path = unquote(url.removeprefix("sqlite://").removeprefix("/"))
    if not path:
        raise StoreUrlError(f"store URL {url!r} names no SQLite file")
    if path == ":memory:":
        path = f"file:severa-ledger-{uuid4().hex}?mode=memory&cache=shared"
    elif Path(path).is_file() and not os.access(path, os.W_OK):
        path = _read_only_uri(path)
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}


def _postgres_environment(url: str, parsed: ParseResult) -> dict[str, str]:
    """Return the environment of a PostgreSQL URL, every part checked (StoreUrlError)."""
    query = parse_qs(parsed.query)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "POSTGRES_HOST": _host(url, parsed),
        "POSTGRES_PORT": str(_port(url, parsed)),
        "POSTGRES_USER": unquote(parsed.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parsed.password or ""),
        "POSTGRES_SCHEMA": _schema(url, query.get("schema", ["public"])[0]),
        "POSTGRES_LOCK_TIMEOUT": "10",
        "POSTGRES_CONNECT_TIMEOUT": _timeout(
            url, query.get("connect_timeout", [CONNECT_TIMEOUT])[0]
        ),
        "POSTGRES_PRE_PING": "y",
    }


def _host(url: str, parsed: ParseResult) -> str:
    host = parsed.netloc.rpartition("@")[2]
    host = host.rpartition(":")[0] if not host.endswith("]") and ":" in host else host
    if host and not _HOST.fullmatch(host):
        raise StoreUrlError(f"store URL {url!r}: {host!r} is not a host name or address")
    return parsed.hostname or "127.0.0.1"


def _port(url: str, parsed: ParseResult) -> int:
    try:
        port = parsed.port
    except ValueError:
        port = 0
    if port == 0:
        raise StoreUrlError(f"store URL {url!r}: the port must be a number from 1 to 65535")
    return port or 5432


def _schema(url: str, schema: str) -> str:
    if not SCHEMA_NAME.fullmatch(schema):
        raise StoreUrlError(
            f"store URL {url!r}: schema {schema!r} is not a plain name (a lower-case letter "
            "or _, then lower-case letters, digits or _, at most 63 in all)"
        )
    return schema


def _timeout(url: str, seconds: str) -> str:
    if not (seconds.isascii() and seconds.isdigit() and 1 <= int(seconds) <= 3600):  # noqa: PLR2004
        raise StoreUrlError(
            f"store URL {url!r}: connect_timeout must be a whole number of seconds from 1 to 3600"
        )
    return str(int(seconds))


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
