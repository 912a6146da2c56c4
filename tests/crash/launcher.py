"""Run ``severa-ledger`` in a process that crashes on cue: ``python -m tests.crash.launcher ARGS``.

ARGS are the CLI's own. The cue and the knobs come from the environment:

``CRASH_MAX_EVENTS_PER_SAVE``
    events a transaction may hold: ``MAX_EVENTS_PER_SAVE`` of every loaded
    ``severa_ledger`` module that has the name (``severa_ledger.store.unit``'s first);
``CRASH_SET``
    more integer constants, ``module:NAME=VALUE`` separated by ``;`` (a name
    that does not exist is an error: exit 97, so a knob is never lost silently);
``CRASH_AFTER_COMMIT`` and ``CRASH_SIGNAL`` (``KILL`` or ``INT``)
    send the signal to this process right after its N-th committed save;
``CRASH_AT_EXIT``
    ``KILL``: SIGKILL this process when the CLI returns (after its last commit);
``CRASH_COMMIT_PAUSE``
    seconds to sleep after each commit (lets a concurrent writer in);
``CRASH_COMMITS_FILE``
    rewritten after each save: the committed saves, the saves that raised (a
    writer conflict, say) and the most events one committed save held;
``CRASH_READY_FILE``
    created just before the CLI starts (a test times its signals from there).

A committed save is a call of the ledger recorder's ``insert_events`` that
returned: eventsourcing's SQLite and PostgreSQL recorders commit before they
return. Billing worker processes are not watched (only this process's saves).
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from severa_ledger import Ledger, cli

BAD_KNOB = 97
SIGNALS = {"KILL": signal.SIGKILL, "INT": signal.SIGINT}


class Commits:
    """Counts this process's committed saves and acts on the cue."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.count = 0
        self.failures = 0
        self.largest = 0
        self.after = int(environ.get("CRASH_AFTER_COMMIT") or 0)
        self.signal = SIGNALS[environ.get("CRASH_SIGNAL") or "KILL"]
        self.pause = float(environ.get("CRASH_COMMIT_PAUSE") or 0)
        found = environ.get("CRASH_COMMITS_FILE")
        self.file = Path(found) if found else None

    def write(self) -> None:
        """Write the counts: commits, failed saves, the largest commit's events."""
        if self.file is not None:
            text = f"{self.count} {self.failures} {self.largest}"
            self.file.write_text(text, encoding="utf-8")

    def committed(self, events: int) -> None:
        """Note one more commit of ``events``; write the counts; signal if it is the cue."""
        self.count += 1
        self.largest = max(self.largest, events)
        self.write()
        if self.count == self.after:
            os.kill(os.getpid(), self.signal)
        if self.pause:
            time.sleep(self.pause)

    def watch(self, insert: Callable[..., Any]) -> Callable[..., Any]:
        """Return ``insert`` (a recorder's ``insert_events``) counting each commit."""

        def insert_events(stored_events: Sequence[object], **kwargs: object) -> Any:
            try:
                ids = insert(stored_events, **kwargs)
            except Exception:
                self.failures += 1
                self.write()
                raise
            if len(stored_events):
                self.committed(len(stored_events))
            return ids

        return insert_events


def watch_commits(commits: Commits) -> None:
    """Wrap the ``insert_events`` of every recorder a Ledger opens in this process."""
    construct = Ledger.construct_recorder

    def construct_recorder(self: Ledger) -> Any:
        recorder = construct(self)
        recorder.insert_events = commits.watch(recorder.insert_events)
        return recorder

    Ledger.construct_recorder = construct_recorder  # type: ignore[method-assign]


def set_knobs(environ: dict[str, str]) -> str | None:
    """Set the constants the environment names; return a problem, or None."""
    events = environ.get("CRASH_MAX_EVENTS_PER_SAVE")
    if events:
        importlib.import_module("severa_ledger.store.unit").MAX_EVENTS_PER_SAVE = int(events)
        for name, module in list(sys.modules.items()):
            if name.startswith("severa_ledger") and hasattr(module, "MAX_EVENTS_PER_SAVE"):
                module.MAX_EVENTS_PER_SAVE = int(events)
    for item in filter(None, environ.get("CRASH_SET", "").split(";")):
        target, value = item.split("=")
        module_name, name = target.split(":")
        module = importlib.import_module(module_name)
        if not hasattr(module, name):
            return f"crash launcher: {target} does not exist"
        setattr(module, name, int(value))
    return None


def main(argv: list[str]) -> int:
    """Set the knobs, watch the commits, run the CLI; return its exit code."""
    # Ctrl-C as in a terminal, even when started from a `&` job of a script, where a
    # non-interactive shell hands its children SIGINT ignored (Python keeps it so).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    environ = dict(os.environ)
    problem = set_knobs(environ)
    if problem:
        sys.stderr.write(problem + "\n")
        return BAD_KNOB
    watch_commits(Commits(environ))
    ready = environ.get("CRASH_READY_FILE")
    if ready:
        Path(ready).touch()
    code = cli.main(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: a late Ctrl-C is not the CLI's
    if environ.get("CRASH_AT_EXIT") in SIGNALS:
        sys.stdout.flush()
        os.kill(os.getpid(), SIGNALS[environ["CRASH_AT_EXIT"]])
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
