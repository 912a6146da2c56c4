"""A billing worker process: ``python -m severa_ledger.billing_worker`` (see billing_pool).

It reads the ledger's settings, then tasks (a name in :data:`TASKS` and its
arguments), as pickles on its standard input, and answers each task with a
pickle on its standard output: ``("ok", result)`` or ``("error", exception)``.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable

from severa_ledger.billing_drafts import draft_chunk
from severa_ledger.billing_run import advance_chunk

#: The functions a parent may ask for, by name; each takes the ledger first.
TASKS: dict[str, Callable[..., object]] = {"advance": advance_chunk, "draft": draft_chunk}


def main() -> None:
    """Serve tasks from the parent until it closes the pipe (the worker process)."""
    received, sent = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the results pipe
    cls, env, sellers, vat, weekday = pickle.load(received)  # noqa: S301 -- from our parent
    ledger = cls(env, sellers=sellers, vat=vat, invoice_weekday=weekday)
    while True:
        try:
            name, args = pickle.load(received)  # noqa: S301 -- from our parent
        except EOFError:
            return
        try:
            reply: tuple[str, object] = ("ok", TASKS[name](ledger, *args))
        except Exception as error:  # noqa: BLE001 -- raised again in the parent
            reply = ("error", error)
        pickle.dump(reply, sent, protocol=pickle.HIGHEST_PROTOCOL)
        sent.flush()


if __name__ == "__main__":
    main()
