"""A concurrent writer: ``python -m tests.crash.buyer URL CUSTOMER STOP_FILE [WATCH_FILE]``.

Buys one user license for CUSTOMER again and again, each purchase with a
command_id of its own, until STOP_FILE exists (or a minute passed). With
WATCH_FILE (a launcher's ``CRASH_COMMITS_FILE``), it buys once each time that
file changes, that is right after each commit of the watched run, while that
run pauses: the purchase lands between two of its transactions. Without it,
it buys every ``PAUSE`` seconds.

Prints ``bought ID`` for each purchase that returned and ``refused ID: MESSAGE``
for each the ledger refused (a ConcurrencyError after its retries, say); any
other exception ends the process with a traceback and a non-zero code.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

from severa_ledger import Ledger, LedgerError

MAX_SECONDS = 90.0
PAUSE = 0.2
POLL = 0.002
ON = date(2025, 3, 10)


def commits(watch: Path) -> str:
    """Return the watched run's commit count (the file's first word; failures do not count)."""
    words = watch.read_text(encoding="utf-8").split() if watch.exists() else []
    return words[0] if words else ""


def cues(stop: Path, watch: Path | None) -> bool:
    """Wait for the next purchase's cue; return False when told to stop."""
    deadline = time.monotonic() + (MAX_SECONDS if watch else PAUSE)
    seen = commits(watch) if watch else ""
    while time.monotonic() < deadline:
        if stop.exists():
            return False
        if watch and commits(watch) not in {seen, ""}:
            return True
        time.sleep(POLL)
    return watch is None


def main(url: str, customer: str, stop: Path, watch: Path | None) -> int:
    """Buy at each cue until told to stop; return 0."""
    with Ledger.open(url) as ledger:
        number = 0
        while number == 0 or cues(stop, watch):
            number += 1
            command_id = f"buyer-{os.getpid()}-{number}"
            try:
                ledger.buy_licenses(customer, "user", 1, on=ON, command_id=command_id)
            except LedgerError as error:
                sys.stdout.write(f"refused {command_id}: {error}\n")
            else:
                sys.stdout.write(f"bought {command_id}\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    watched = Path(arguments[3]) if len(arguments) > 3 else None
    raise SystemExit(main(arguments[0], arguments[1], Path(arguments[2]), watched))
