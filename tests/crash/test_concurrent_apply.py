"""A large ``apply`` while another process keeps buying for one of its customers.

The file spans many transactions and pauses after each commit; the other
process buys right after each commit of the file, so its purchase lands
between two of the file's transactions and the next one holding a purchase
for that customer conflicts (a sweep adds runs where it buys on its own
clock instead). Every command of the file must be recorded once, and every
purchase the other process saw succeed must be recorded too; the apply ends
with exit 0 or a clean one-line refusal (then applying it again finishes it).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.crash.conftest import NewStore
from tests.crash.files import customer_numbers, open_customers, purchase
from tests.crash.runs import ROOT, launch, refused_cleanly
from tests.crash.test_apply_scenarios import per_customer

HOT = "K0001"
CUSTOMERS = 150
ROUNDS = 4
HOT_EVERY = 100  # the file buys for the hot customer every this many lines, too
#: About 50 lines a transaction: every other one holds a purchase for the hot customer.
SETTINGS = {"CRASH_MAX_EVENTS_PER_SAVE": "150", "CRASH_COMMIT_PAUSE": "0.1"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "mode" in metafunc.fixturenames:
        sweep = metafunc.config.getoption("crash_sweep")
        found = ["after-each-commit"] * max(1, sweep // 2 + sweep % 2) + ["own-clock"] * (
            sweep // 2
        )
        metafunc.parametrize("mode", found, ids=[f"{m}-{i}" for i, m in enumerate(found)])


def file_lines(customers: list[str]) -> list[str]:
    """Four purchases for every customer, and one for the hot customer every 100 lines."""
    lines = []
    for _ in range(ROUNDS):
        for number, customer in enumerate(customers):
            lines.append(purchase(customer))
            if number % HOT_EVERY == 0:
                lines.append(purchase(HOT))
    return lines


class Buyer:
    """``tests.crash.buyer`` in a child process, its output collected on a thread."""

    def __init__(self, url: str, folder: Path, watch: Path | None) -> None:
        self.stop = folder / "stop-buying"
        self.lines: list[str] = []
        argv = [url, HOT, str(self.stop), *([str(watch)] if watch else [])]
        self.proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            [sys.executable, "-m", "tests.crash.buyer", *argv],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        self.lines.extend(self.proc.stdout)

    def wait_first(self, timeout: float = 60) -> None:
        """Wait for its first purchase (or refusal)."""
        deadline = time.monotonic() + timeout
        while not self.lines and self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)

    def finish(self) -> tuple[int, str]:
        """Tell it to stop; return its exit code and standard error."""
        self.stop.touch()
        try:
            _, err = self.proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise AssertionError("the buyer did not stop") from None
        self.reader.join(timeout=10)
        return self.proc.returncode, err

    def bought(self) -> int:
        return sum(line.startswith("bought ") for line in self.lines)


def test_a_large_apply_beside_a_concurrent_buyer_records_every_command_once(
    new_store: NewStore, tmp_path: Path, mode: str
) -> None:
    """Every file purchase once, every purchase the buyer saw succeed, nothing else."""
    customers = customer_numbers("K", CUSTOMERS)
    url = new_store("concurrent")
    open_customers(url, customers)
    lines = file_lines(customers)
    file = tmp_path / "purchases.jsonl"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    commits = tmp_path / "apply-commits"
    buyer = Buyer(url, tmp_path, commits if mode == "after-each-commit" else None)
    try:
        buyer.wait_first()
        before = buyer.bought()
        settings = {**SETTINGS, "CRASH_COMMITS_FILE": str(commits)}
        outcome = launch(["--db", url, "apply", str(file)], tmp_path, settings=settings)
        during = buyer.bought() - before
    finally:
        code, err = buyer.finish()
    assert code == 0, err
    assert outcome.code == 0 or refused_cleanly(outcome), outcome.describe()
    if outcome.code:  # refused (conflicts outlasted its retries): the same file finishes it
        again = launch(["--db", url, "apply", str(file)], tmp_path, settings=SETTINGS)
        assert again.code == 0, again.describe()
    bought = Counter(json.loads(line)["customer_number"] for line in lines)
    bought[HOT] += buyer.bought()
    assert per_customer(url, customers) == {c: (1 + bought[c],) * 2 for c in customers}
    assert during > 0, "the buyer recorded nothing while the file was applied"
    if mode == "after-each-commit":  # its purchases fell between the file's transactions
        assert outcome.failures > 0, outcome.describe()
