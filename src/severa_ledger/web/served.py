"""The app of one ``severa-ledger serve --workers N`` worker process (docs/web.md).

With several workers, uvicorn starts N processes, each calling
:func:`worker_app`: each opens its own ledger and key store on the same
store (the parent's ``--db``, passed as ``SEVERA_LEDGER_DB``) and serves its
requests one at a time, as the single-process app does. What must hold
across workers is kept in the store: the events (a command's ``command_id``
records it once, whichever worker runs it; a conflict with another writer
retries, as with any two processes), the API keys, and the sessions (rows of
the key store); the secret that signs cookies is the store's key file or
``SEVERA_LEDGER_SECRET``, read alike by every worker. Kept per worker: the
last verify result, and the count of failed sign-ins (a limit per worker).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date

from fastapi import FastAPI

from severa_ledger.ledger.ledger import Ledger
from severa_ledger.ledger.sellers_file import sellers_from_environment
from severa_ledger.web.app import create_app
from severa_ledger.web.keys import open_key_store
from severa_ledger.web.secret import session_secret
from severa_ledger.web.settings import WebSettings

#: The business date ``serve --today`` pins, passed to the workers.
TODAY_VARIABLE = "SEVERA_LEDGER_SERVE_TODAY"
DB_VARIABLE = "SEVERA_LEDGER_DB"


def worker_environ(url: str, today: date | None) -> dict[str, str]:
    """Return what the parent sets for its workers: the store, and ``--today`` if given."""
    return {DB_VARIABLE: url, **({TODAY_VARIABLE: today.isoformat()} if today else {})}


def worker_app(environ: Mapping[str, str] | None = None) -> FastAPI:
    """Return one worker's app on the store of ``environ`` (default: the process's)."""
    environ = os.environ if environ is None else environ
    url = environ[DB_VARIABLE]
    ledger = Ledger.open(url, create=False, sellers=sellers_from_environment())
    pinned = environ.get(TODAY_VARIABLE)
    day = date.fromisoformat(pinned) if pinned else None
    return create_app(
        ledger,
        open_key_store(url),
        secret=session_secret(url),
        settings=WebSettings.from_environ(environ),
        today=(lambda: day) if day else date.today,
    )
