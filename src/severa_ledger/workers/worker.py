"""A billing worker process: ``python -m severa_ledger.workers.worker`` (see workers/pool.py).

It reads the ledger's settings, then tasks (the path of a function,
``module:function``, and its arguments), as pickles on its standard input,
and answers each task with a pickle on its standard output: ``("ok", result)``
or ``("error", exception)``.

The parent decides when a worker ends: a worker ignores SIGINT (the parent
stops it), ends when its input closes, and when the parent is gone (its input
ends while a task is still to do, or its answer finds no reader) it exits at
once and quietly: no traceback, no orphan working on for nobody.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

from eventsourcing.utils import resolve_topic

from severa_ledger.domain.errors import WorkerError

if TYPE_CHECKING:
    from severa_ledger.reader.reader import LedgerReader

#: The task that answers with its payload (tests: the worker is alive, its pipes carry much).
ECHO = "severa_ledger.workers.worker:echo"


def echo(_: LedgerReader, payload: object) -> object:
    """Return ``payload``: shows the worker is alive and its pipes carry large messages."""
    return payload


def resolve_task(name: str) -> Callable[..., object]:
    """Return the function a task names (``module:function``; it takes the ledger first)."""
    found: Callable[..., object] = resolve_topic(name)
    return found


def main() -> None:
    """Serve tasks from the parent until it closes the pipe (the worker process).

    A thread reads the tasks as they come, so the parent's writes never wait on
    this process writing a result: with a task and a result both larger than a
    pipe's buffer, each side would otherwise wait for the other for ever.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    received, sent = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the results pipe
    try:
        cls, env, sellers, vat, weekday = pickle.load(received)  # noqa: S301 -- from our parent
    except Exception:  # noqa: BLE001 -- the parent stopped before it sent the settings
        _quit()
    ledger = cls(env, sellers=sellers, vat=vat, invoice_weekday=weekday)
    tasks: queue.SimpleQueue[tuple[str, tuple[object, ...]] | None] = queue.SimpleQueue()
    busy = threading.Event()
    threading.Thread(target=_read, args=(received, tasks, busy), daemon=True).start()
    while (task := tasks.get()) is not None:
        busy.set()
        name, args = task
        try:
            reply: tuple[str, object] = ("ok", resolve_task(name)(ledger, *args))
        except Exception as error:  # noqa: BLE001 -- raised again in the parent
            reply = ("error", error)
        _answer(sent, reply)
        busy.clear()


def _answer(sent: BinaryIO, reply: tuple[str, object]) -> None:
    """Write one answer whole; quit quietly if the parent is gone."""
    try:
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # noqa: BLE001 -- an exception (or result) that does not pickle
        unsent = WorkerError(
            f"a billing worker could not send its answer (a {type(reply[1]).__name__}): {error}"
        )
        data = pickle.dumps(("error", unsent), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        sent.write(data)
        sent.flush()
    except OSError:  # BrokenPipeError: the parent stopped reading (it is gone)
        _quit()


def _read(
    received: BinaryIO,
    tasks: queue.SimpleQueue[tuple[str, Any] | None],
    busy: threading.Event,
) -> None:
    """Queue every task the parent sends; at the end of its pipe, stop.

    The parent closes the pipe only when it wants no more answers: with a task
    still to do, it is gone, so the worker quits at once; idle, it ends as asked.
    """
    try:
        while True:
            tasks.put(pickle.load(received))  # noqa: S301 -- from our parent
    except Exception:  # noqa: BLE001 -- EOFError, or a broken pipe: either way, the end
        if busy.is_set() or not tasks.empty():
            _quit()
        tasks.put(None)


def _quit() -> NoReturn:
    """Exit now, quietly: the parent is gone (nothing to flush, no traceback, no cleanup)."""
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
