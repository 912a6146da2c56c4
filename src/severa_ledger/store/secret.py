"""The server secret: it signs session cookies and CSRF tokens and derives webhook secrets.

Never kept in the data store. It lives in this layer (not in ``web/``) because
the web app, the CLI and the delivery of webhooks all need it: each webhook
endpoint's signing secret is derived from it (:mod:`severa_ledger.domain.webhooks`).

``SEVERA_LEDGER_SECRET`` when set (the same value on every instance behind a
load balancer); else a key file made once, owner-only (0600), of 32 random
bytes in hex:

- a SQLite store: ``<file>.secret`` beside it (``ledger.db.secret``), so the
  store and its secret are backed up and moved together, yet a copy of the
  database file alone cannot forge a cookie;
- a PostgreSQL store: ``$XDG_CONFIG_HOME/severa-ledger/secret`` (by default
  ``~/.config/severa-ledger/secret``), the serving user's own configuration;
- memory: a new random secret each start (the store dies with the process too).

Sessions themselves are server-side rows (:mod:`severa_ledger.web.session`):
the secret alone signs nobody in.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from severa_ledger.domain.errors import InvalidValueError
from severa_ledger.store.environment import environment, sqlite_file

SECRET_VARIABLE = "SEVERA_LEDGER_SECRET"  # noqa: S105 -- the name of a variable
#: The shortest secret accepted from the environment or a key file, in characters.
MIN_LENGTH = 32


def secret_file(url: str, environ: Mapping[str, str]) -> Path | None:
    """Return the key file of the store at ``url`` (None for memory stores)."""
    env = environment(url)
    if "SQLITE_DBNAME" in env:
        path = sqlite_file(env)
        return None if path is None else path.with_name(path.name + ".secret")
    if "POSTGRES_DBNAME" in env:
        home = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~")) / ".config")
        return Path(home).expanduser() / "severa-ledger" / "secret"
    return None


def server_secret(url: str, environ: Mapping[str, str] | None = None) -> bytes:
    """Return the server secret of the store at ``url`` (module docstring)."""
    environ = os.environ if environ is None else environ
    given = environ.get(SECRET_VARIABLE, "")
    if given:
        return _checked(given, SECRET_VARIABLE)
    path = secret_file(url, environ)
    if path is None:
        return secrets.token_hex(32).encode()
    return _checked(_read_or_make(path), str(path))


#: The name the web app knows it by: the secret that signs its sessions.
session_secret = server_secret


def _read_or_make(path: Path) -> str:
    """Return the key file's text, making it (0600, its folder 0700) if it is missing."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip()


def _checked(text: str, where: str) -> bytes:
    if len(text) < MIN_LENGTH:
        raise InvalidValueError(
            f"the server secret in {where} is {len(text)} characters; at least {MIN_LENGTH}"
        )
    return text.encode()
