"""One billing run shared by several processes through PostgreSQL claims (issue 27, R13-R20).

Shared or not, killed or not, the documents and numbers equal one uninterrupted run's:
numbers gapless per seller (R17), each invoice issued once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest

from severa_ledger import InvalidValueError, Ledger
from severa_ledger.billing import run as billing_run
from severa_ledger.billing.plan import BillingReport
from tests.conftest import pg_schema_url
from tests.test_billing_pool import book, documents

D = date
THROUGH = D(2025, 9, 30)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two customers a chunk and five invoices a save: a run of many claims and saves."""
    monkeypatch.setattr(billing_run, "POSTGRES_CUSTOMERS_PER_SAVE", 2)
    monkeypatch.setattr(billing_run, "POSTGRES_INVOICES_PER_SAVE", 5)


@pytest.fixture
def shared_and_single() -> Iterator[tuple[str, str]]:
    """Two PostgreSQL schemas holding the same book: one billed shared, one alone."""
    for shared in pg_schema_url():
        for single in pg_schema_url():
            for url in (shared, single):
                with Ledger.open(url) as ledger:
                    book(ledger)
            yield shared, single


def single_run(url: str) -> tuple[BillingReport, list[object]]:
    """Bill ``url`` in one uninterrupted ordinary run; return its report and documents."""
    with Ledger.open(url) as ledger:
        report = ledger.run_billing(through=THROUGH, workers=1)
        return report, documents(ledger)


def gapless(numbers: tuple[str, ...]) -> bool:
    """Tell whether each series' numbers are 1..n, each once (R17)."""
    by_series: dict[str, list[int]] = {}
    for number in numbers:
        series, _, sequence = number.rpartition("-")
        by_series.setdefault(series, []).append(int(sequence))
    return all(sorted(s) == list(range(1, len(s) + 1)) for s in by_series.values())


def test_three_processes_sharing_a_run_record_what_one_run_records(
    shared_and_single: tuple[str, str],
) -> None:
    """Three holders (own connections) start together: same invoices, numbers, orders."""
    shared, single = shared_and_single
    reports: list[BillingReport] = []

    def bill() -> None:
        with Ledger.open(shared) as ledger:
            reports.append(ledger.run_shared_billing(through=THROUGH, lease=5))

    threads = [threading.Thread(target=bill) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected, shown = single_run(single)
    numbering = [r for r in reports if r.invoice_numbers]
    assert len(reports) == 3
    assert len(numbering) == 1
    assert numbering[0].invoice_numbers == expected.invoice_numbers
    assert sum(r.orders for r in reports) == expected.orders
    assert gapless(expected.invoice_numbers)
    with Ledger.open(shared) as ledger:
        assert documents(ledger) == shown
        assert ledger.verify().ok
        again = ledger.run_shared_billing(through=THROUGH, lease=5)
    assert (again.events, again.orders, again.invoice_numbers) == (0, 0, ())


KILLED_WHILE_NUMBERING = """
import os, signal, sys
from datetime import date
from severa_ledger import Ledger
from severa_ledger.billing import run
run.POSTGRES_CUSTOMERS_PER_SAVE, run.POSTGRES_INVOICES_PER_SAVE = 2, 5
issue = run._Issuer.issue
def issue_then_die(self, chunk):
    numbers = issue(self, chunk)
    if numbers[0]:  # one chunk of numbers saved: killed before the next
        os.kill(os.getpid(), signal.SIGKILL)
    return numbers
run._Issuer.issue = issue_then_die
with Ledger.open(sys.argv[1]) as ledger:
    ledger.run_shared_billing(through=date(2025, 9, 30), lease=float(sys.argv[2]))
"""


def test_a_holder_killed_while_numbering_is_taken_over_when_its_lease_ends(
    shared_and_single: tuple[str, str],
) -> None:
    """SIGKILL after the first saved chunk of numbers: a second process waits out the
    lease, numbers on from there, and the whole equals one uninterrupted run."""
    shared, single = shared_and_single
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    script = textwrap.dedent(KILLED_WHILE_NUMBERING)
    killed = subprocess.run(  # noqa: S603 -- our own interpreter and script
        [sys.executable, "-c", script, shared, "3"], env=env, check=False, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    with Ledger.open(shared) as ledger:
        partial = len(ledger.invoices())
        started = time.monotonic()
        report = ledger.run_shared_billing(through=THROUGH, lease=3)
        waited = time.monotonic() - started
        shown = documents(ledger)
        assert ledger.verify().ok
    expected, expected_shown = single_run(single)
    assert 0 < partial < len(expected.invoice_numbers)
    assert waited > 1  # the killed holder's lease had to end first
    assert report.invoice_numbers == expected.invoice_numbers[partial:]
    assert shown == expected_shown


KILLED_WHILE_ADVANCING = """
import os, signal, sys
from datetime import date
from severa_ledger import Ledger
from severa_ledger.billing import run
from severa_ledger.store import postgres_claims
run.POSTGRES_CUSTOMERS_PER_SAVE, run.POSTGRES_INVOICES_PER_SAVE = 2, 5
def die(self, part):  # its first chunk advanced and saved, never marked done
    os.kill(os.getpid(), signal.SIGKILL)
postgres_claims.Claims.finish = die
with Ledger.open(sys.argv[1]) as ledger:
    ledger.run_shared_billing(through=date(2025, 9, 30), lease=float(sys.argv[2]))
"""


def test_a_holder_killed_while_advancing_leaves_its_chunk_to_the_next(
    shared_and_single: tuple[str, str],
) -> None:
    """SIGKILL with a chunk claimed: the next process waits out its lease, takes the chunk
    over (advancing it again records nothing new) and the run equals one uninterrupted run."""
    shared, single = shared_and_single
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    script = textwrap.dedent(KILLED_WHILE_ADVANCING)
    killed = subprocess.run(  # noqa: S603 -- our own interpreter and script
        [sys.executable, "-c", script, shared, "3"], env=env, check=False, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    with Ledger.open(shared) as ledger:
        assert not ledger.invoices()
        started = time.monotonic()
        report = ledger.run_shared_billing(through=THROUGH, lease=3)
        waited = time.monotonic() - started
        shown = documents(ledger)
    expected, expected_shown = single_run(single)
    assert waited > 1
    assert report.invoice_numbers == expected.invoice_numbers
    assert shown == expected_shown


def test_a_shared_run_needs_postgresql(tmp_path: object) -> None:
    """SQLite: refused with InvalidValueError, nothing recorded."""
    with Ledger.open(f"sqlite:///{tmp_path}/ledger.db") as ledger:
        book(ledger)
        before = ledger.recorder.max_notification_id()
        with pytest.raises(InvalidValueError, match="needs a PostgreSQL store"):
            ledger.run_shared_billing(through=THROUGH)
        assert ledger.recorder.max_notification_id() == before
