"""A billing worker process: ``python -m severa_ledger.billing_worker`` (see billing_pool).

It reads the ledger's settings, then tasks (a name in :data:`TASKS` and its
arguments), as pickles on its standard input, and answers each task with a
pickle on its standard output: ``("ok", result)`` or ``("error", exception)``.
"""

from __future__ import annotations

import os
import pickle
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, BinaryIO

from eventsourcing.persistence import StoredEvent

from severa_ledger.audit.rederive import rederive_chunk
from severa_ledger.billing_drafts import Draft, draft_chunk
from severa_ledger.billing_run import Advanced, Due, Key, advance_chunk

if TYPE_CHECKING:
    from severa_ledger.application import Ledger
    from severa_ledger.domain.billing import InvoiceNumber

#: The due orders this worker found, until it drafts their invoices.
HELD: dict[Key, Due] = {}


def advance(ledger: Ledger, chunk: Sequence[str], through: date) -> tuple[Advanced, int]:
    """Advance ``chunk``; keep its due orders here and send back only their keys."""
    found, saved = advance_chunk(ledger, chunk, through)
    for item in found.due:
        HELD[item.key] = item
    found.held, found.due = [item.key for item in found.due], []
    return found, saved


def draft(ledger: Ledger, planned: Sequence[tuple[Key, InvoiceNumber, int]]) -> list[StoredEvent]:
    """Return the stored invoice events of kept due orders, numbered as planned."""
    return draft_chunk(ledger, [Draft(HELD.pop(key), n, v) for key, n, v in planned])


def echo(_: Ledger, payload: object) -> object:
    """Return ``payload``: shows the worker is alive and its pipes carry large messages."""
    return payload


#: The functions a parent may ask for, by name; each takes the ledger first.
TASKS: dict[str, Callable[..., object]] = {
    "advance": advance,
    "draft": draft,
    "rederive": rederive_chunk,
    "echo": echo,
}


def main() -> None:
    """Serve tasks from the parent until it closes the pipe (the worker process).

    A thread reads the tasks as they come, so the parent's writes never wait on
    this process writing a result: with a task and a result both larger than a
    pipe's buffer, each side would otherwise wait for the other for ever.
    """
    received, sent = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the results pipe
    cls, env, sellers, vat, weekday = pickle.load(received)  # noqa: S301 -- from our parent
    ledger = cls(env, sellers=sellers, vat=vat, invoice_weekday=weekday)
    tasks: queue.SimpleQueue[tuple[str, tuple[object, ...]] | None] = queue.SimpleQueue()
    threading.Thread(target=_read, args=(received, tasks), daemon=True).start()
    while (task := tasks.get()) is not None:
        name, args = task
        try:
            reply: tuple[str, object] = ("ok", TASKS[name](ledger, *args))
        except Exception as error:  # noqa: BLE001 -- raised again in the parent
            reply = ("error", error)
        pickle.dump(reply, sent, protocol=pickle.HIGHEST_PROTOCOL)
        sent.flush()


def _read(received: BinaryIO, tasks: queue.SimpleQueue[tuple[str, Any] | None]) -> None:
    """Queue every task the parent sends; None when its pipe closes (or breaks)."""
    try:
        while True:
            tasks.put(pickle.load(received))  # noqa: S301 -- from our parent
    except Exception:  # noqa: BLE001 -- EOFError, or a broken pipe: either way, the end
        tasks.put(None)


if __name__ == "__main__":
    main()
