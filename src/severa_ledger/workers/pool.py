"""A billing run on several cores: the worker processes and how many to start.

Advancing a subscription (loading it, rolling and renewing its periods,
encoding and saving the events) is independent from one customer to the
next. With ``workers`` > 1, each worker process opens the same store and
advances whole chunks, each chunk one save retried on a writer conflict
exactly as in one process; it keeps the orders due and sends the parent their
keys and the account handles. Phase 2 (``billing/drafts.py``) then has the
workers build and encode the invoices the parent numbered, and the parent
records them in the one global order, so numbers are the same.

Workers are new interpreters (``python -m severa_ledger.workers.worker``): no
connection is inherited and the caller's script is not imported again. Each
opens the ledger with the parent's environment, sellers, VAT table and
invoice weekday, and talks to the parent through pickles on its standard
input and output. A store only this process can see (in memory) is always
advanced here, and so is a ledger class defined in ``__main__``.

A worker that dies (killed, exited, or its answer cut short or unreadable) is
a one-line :class:`~severa_ledger.domain.errors.WorkerError` here; the pool
then kills and reaps every worker, as it does on any other way out. What a
dead worker had saved stays saved: a billing run resumes from it when run again.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self

from severa_ledger.domain.errors import InvalidValueError, WorkerError

if TYPE_CHECKING:
    from severa_ledger.reader.reader import LedgerReader

#: Below this many customers a run advances in this process: starting workers costs more.
PARALLEL_FROM = 2_000
#: Workers started when the caller does not say: one per core, at most this many.
MAX_AUTO_WORKERS = 4
SHARED_STORES = frozenset({"eventsourcing.sqlite", "eventsourcing.postgres"})
#: Seconds a worker has to exit by itself (its input closed) before it is killed.
EXIT_WAIT = 5.0
MEMORY_DBNAMES = frozenset({":memory:", "file::memory:"})


def shared_store(ledger: LedgerReader) -> bool:
    """Return whether other processes can open ``ledger``'s store."""
    module = ledger.env.get("PERSISTENCE_MODULE", "")
    dbname = ledger.env.get("SQLITE_DBNAME", "")
    return module in SHARED_STORES and dbname not in MEMORY_DBNAMES


def worker_count(
    ledger: LedgerReader, size: int, workers: int | None, parallel_from: int = PARALLEL_FROM
) -> int:
    """Return how many worker processes share work of ``size``: ``workers``, or one per core.

    Without ``workers``, only work of at least ``parallel_from`` (customers for a
    billing run) on a store other processes can open gets workers.
    """
    if workers is not None:
        if type(workers) is not int or workers < 1:
            raise InvalidValueError(f"workers must be an int >= 1, got {workers!r}")
        return workers if shared_store(ledger) else 1
    if size < parallel_from or not shared_store(ledger):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


@contextmanager
def open_pool(ledger: LedgerReader, count: int) -> Iterator[Pool | None]:
    """Start ``count`` workers on ``ledger``'s store for one run (None: work in this process)."""
    if count < 2 or type(ledger).__module__ == "__main__":  # noqa: PLR2004 -- a pool of one
        yield None  # (a class defined in __main__ cannot be imported by a worker)
        return
    env = {**ledger.env, "CREATE_TABLE": "n"}  # made by this process: no DDL race in workers
    spec = (type(ledger), env, ledger.sellers, ledger.vat, ledger.invoice_weekday)
    with Pool(count, spec) as pool:
        yield pool


class Pool:
    """Worker processes (``python -m severa_ledger.workers.worker``), one task each at a time.

    A task is the path of a worker function (``module:function``, taking the
    ledger first; workers/worker.py) and its arguments after the ledger. Task k
    goes to worker k mod n and results are read in task order, so every worker
    holds one task while the parent uses another's result.
    """

    def __init__(self, count: int, spec: tuple[object, ...]) -> None:
        self.count, self.spec = count, spec
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Self:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        command = [sys.executable, "-m", "severa_ledger.workers.worker"]
        try:
            pipe = subprocess.PIPE
            for _ in range(self.count):
                worker = subprocess.Popen(command, stdin=pipe, stdout=pipe, env=env)  # noqa: S603
                self.procs.append(worker)
            for proc in self.procs:
                self._send(proc, self.spec)
        except BaseException:
            self._close(kill=True)
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self._close(kill=exc_type is not None)

    def stop(self) -> None:
        """End every worker now, whatever it holds (the parent stops using the pool)."""
        self._close(kill=True)

    def _close(self, *, kill: bool) -> None:
        """End and reap every worker: close its input (it then exits), or kill it first."""
        procs, self.procs = self.procs, []
        for proc in procs:
            if kill:
                proc.kill()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):  # BrokenPipeError: it exited already
                        pipe.close()
        for proc in procs:
            try:
                proc.wait(EXIT_WAIT)
            except subprocess.TimeoutExpired:  # it did not end with its input: stop it
                proc.kill()
                proc.wait()

    @staticmethod
    def _send(proc: subprocess.Popen[bytes], message: object) -> None:
        assert proc.stdin is not None  # noqa: S101 -- opened with a pipe
        try:
            pickle.dump(message, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.flush()
        except (OSError, ValueError):  # BrokenPipeError, or its pipe closed: it is gone
            raise _stopped(proc, "") from None

    @staticmethod
    def _receive(proc: subprocess.Popen[bytes]) -> Any:  # noqa: ANN401 -- a chunk's result
        assert proc.stdout is not None  # noqa: S101 -- opened with a pipe
        try:
            status, value = pickle.load(proc.stdout)  # noqa: S301 -- our own child process
        except Exception as error:  # noqa: BLE001 -- EOF, cut short, or garbage: it broke
            raise _stopped(proc, _unreadable(error)) from None
        if status == "ok":
            return value
        if status == "error" and isinstance(value, Exception):
            raise value
        raise _stopped(proc, f"sent an answer that is not one ({status!r})")

    def send(self, worker: int, name: str, *args: object) -> None:
        """Give worker number ``worker`` the task ``name`` with ``args``."""
        self._send(self.procs[worker], (name, args))

    def receive(self, worker: int) -> Any:  # noqa: ANN401 -- a task's result
        """Return the result of the oldest task given to worker number ``worker``."""
        return self._receive(self.procs[worker])

    def map(self, name: str, tasks: Iterable[tuple[object, ...]]) -> Iterator[tuple[int, Any]]:
        """Yield (worker, result) of each task, in task order; task k goes to worker k mod n."""
        queued = iter(tasks)
        busy: deque[int] = deque()
        for worker, task in zip(range(len(self.procs)), queued, strict=False):
            self.send(worker, name, *task)
            busy.append(worker)
        while busy:
            worker = busy.popleft()
            result = self.receive(worker)
            following = next(queued, None)
            if following is not None:
                self.send(worker, name, *following)
                busy.append(worker)
            yield worker, result


def _unreadable(error: Exception) -> str:
    """Return what a worker did that made its answer unreadable ("": it sent none)."""
    if isinstance(error, EOFError):
        return ""
    return f"sent an unreadable answer ({type(error).__name__}: {error})"


def _stopped(proc: subprocess.Popen[bytes], what: str) -> WorkerError:
    """Return the one-line error for a worker that broke; it has exited, or is killed now.

    A worker that exited says how (its code, or the signal that killed it); one
    still running after ``what`` happened is killed, and the error says what it did.
    """
    try:
        code = proc.wait(EXIT_WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        reason = f"{what or 'stopped answering'}; it was stopped"
    else:
        reason = f"exited with code {code}"
        if code < 0:
            with contextlib.suppress(ValueError):
                reason += f" (killed by {signal.Signals(-code).name})"
        if what:
            reason += f" after it {what}"
    return WorkerError(" ".join(f"a billing worker {reason}".split()))  # one line
