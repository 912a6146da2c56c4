"""A billing worker that dies, or a parent that dies: one clean error, no traceback, no orphan.

Workers are killed (SIGKILL) at several moments of a run on a SQLite file,
fake workers cut their answer short or answer garbage, and a parent
``severa-ledger bill`` is killed while its workers hold tasks. Every time the
caller gets a one-line WorkerError (or nothing, when the parent is gone), no
worker is left running, nothing prints a traceback, and billing again records
exactly the invoices of an uninterrupted run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from severa_ledger import Ledger, WorkerError
from severa_ledger.billing import run as billing_run
from severa_ledger.workers import pool as billing_pool
from tests.test_billing_pool import book, documents

THROUGH = date(2025, 9, 30)
WORKER = "severa_ledger.workers.worker"
#: Runs the CLI's ``bill`` with three customers a chunk, so that twelve make work for two workers.
PARENT = textwrap.dedent(
    """
    import sys
    from severa_ledger.billing import run as billing_run
    from severa_ledger.cli import main
    billing_run.CUSTOMERS_PER_SAVE = 3
    billing_run.INVOICES_PER_SAVE = 7
    raise SystemExit(main(["--db", sys.argv[1], "bill", "--through", "2025-09-30",
                           "--workers", "2"]))
    """
)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three customers a chunk and seven invoices a save: 4 advance and 23 draft tasks."""
    monkeypatch.setattr(billing_run, "CUSTOMERS_PER_SAVE", 3)
    monkeypatch.setattr(billing_run, "INVOICES_PER_SAVE", 7)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    """The documents of the book billed in one process, without a kill."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference')}/ledger.db"
    with Ledger.open(url) as ledger:
        book(ledger)
        ledger.run_billing(through=THROUGH, workers=1)
        return documents(ledger)


@pytest.fixture
def booked(tmp_path: Path) -> str:
    """A SQLite file holding the book, not billed yet."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        book(ledger)
    return url


def running(pid: int) -> bool:
    """Return whether process ``pid`` exists and has not exited (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def workers_of(parent: int) -> list[int]:
    """Return the pids of the billing workers whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and WORKER.encode() in command:
            found.append(int(entry.name))
    return found


def rebilled(url: str) -> list[object]:
    """Bill the store again with workers; return its documents, checking it verifies."""
    with Ledger.open(url) as ledger:
        ledger.run_billing(through=THROUGH, workers=2)
        assert ledger.verify().ok
        return documents(ledger)


@pytest.mark.parametrize(
    ("task", "moment"),
    [(1, "before"), (4, "after"), (5, "before"), (16, "after"), (27, "after")],
)
def test_a_worker_killed_during_a_run_is_a_one_line_worker_error(
    booked: str,
    uninterrupted: list[object],
    task: int,
    moment: str,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """SIGKILL before the task's send, or after it (first advance, last advance, first
    draft, a middle draft, the last draft): WorkerError in one line, every worker reaped,
    no traceback; billing again gives the uninterrupted run's invoices."""
    sent: list[int] = []
    pids: set[int] = set()
    send = billing_pool.Pool.send

    def send_and_kill(pool: billing_pool.Pool, worker: int, name: str, *args: object) -> None:
        pids.update(proc.pid for proc in pool.procs)
        sent.append(worker)
        victim = pool.procs[worker].pid
        if len(sent) != task:
            send(pool, worker, name, *args)
            return
        # "after": stopped first, so that it dies holding the task, whatever its speed
        os.kill(victim, signal.SIGKILL if moment == "before" else signal.SIGSTOP)
        send(pool, worker, name, *args)
        os.kill(victim, signal.SIGKILL)

    monkeypatch.setattr(billing_pool.Pool, "send", send_and_kill)
    with Ledger.open(booked) as ledger, pytest.raises(WorkerError) as raised:
        ledger.run_billing(through=THROUGH, workers=2)
    message = str(raised.value)
    assert message.startswith("a billing worker exited with code -9 (killed by SIGKILL)")
    assert "\n" not in message
    assert pids
    assert not [pid for pid in pids if running(pid)]
    assert "Traceback" not in capfd.readouterr().err
    monkeypatch.setattr(billing_pool.Pool, "send", send)
    assert rebilled(booked) == uninterrupted


FAKE_WORKER = """\
import pickle, sys, time
tasks, answers = sys.stdin.buffer, sys.stdout.buffer
pickle.load(tasks)  # the ledger's settings
pickle.load(tasks)  # the first task
answer = pickle.dumps(("ok", b"x" * 100_000), protocol=pickle.HIGHEST_PROTOCOL)
ANSWER
answers.flush()
time.sleep(STAY)
"""


@pytest.mark.parametrize(
    ("answer", "stay", "expected"),
    [
        ("answers.write(answer[: len(answer) // 2])", 0,
         "a billing worker exited with code 0 after it sent an unreadable answer"),
        ("answers.write(b'this is no pickle')", 60,
         "a billing worker sent an unreadable answer (UnpicklingError"),
        ("answers.write(pickle.dumps(42))", 60,
         "a billing worker sent an unreadable answer (TypeError"),
        ("answers.write(pickle.dumps(('maybe', 42)))", 60,
         "a billing worker sent an answer that is not one ('maybe'); it was stopped"),
    ],
    ids=["cut-short", "garbage", "not-a-pair", "unknown-status"],
)  # fmt: skip
def test_an_answer_cut_short_or_garbled_is_a_one_line_worker_error(
    booked: str,
    tmp_path: Path,
    answer: str,
    stay: int,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A worker that writes half an answer and exits, or garbage and stays: WorkerError in
    one line naming what it sent; the one still running is killed and reaped."""
    script = tmp_path / "fake-worker"
    body = FAKE_WORKER.replace("ANSWER", answer).replace("STAY", str(stay))
    script.write_text(f"#!{sys.executable}\n{body}")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(script))  # the interpreter the pool starts
    monkeypatch.setattr(billing_pool, "EXIT_WAIT", 0.5, raising=False)
    pids: list[int] = []
    enter = billing_pool.Pool.__enter__

    def entered(pool: billing_pool.Pool) -> billing_pool.Pool:
        started = enter(pool)
        pids.extend(proc.pid for proc in pool.procs)
        return started

    monkeypatch.setattr(billing_pool.Pool, "__enter__", entered)
    with Ledger.open(booked) as ledger, pytest.raises(WorkerError) as raised:
        ledger.run_billing(through=THROUGH, workers=2)
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value)
    assert pids
    assert not [pid for pid in pids if running(pid)]
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("delay", [0.05, 0.4])
def test_workers_of_a_killed_parent_exit_by_themselves_quietly(
    booked: str, uninterrupted: list[object], delay: float
) -> None:
    """`severa-ledger bill` killed while its workers hold tasks: they exit within seconds,
    print nothing, and billing again gives the uninterrupted run's invoices."""
    parent = subprocess.Popen(  # noqa: S603 -- this interpreter, a fixed script
        [sys.executable, "-c", PARENT, booked],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
        workers = workers_of(parent.pid)
        time.sleep(0.01)
    assert len(workers) == 2, "the parent started no workers"
    time.sleep(delay)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if running(pid)]
    for pid in left:  # do not leave them behind even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert parent.stderr is not None
    with parent.stderr:
        printed = parent.stderr.read().decode()  # ends when every worker closed its stderr
    assert not left
    assert printed == ""
    assert rebilled(booked) == uninterrupted
