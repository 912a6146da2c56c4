"""Concurrent writers on one subscription lose no event and double none."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from severa_ledger import Ledger
from tests.conftest import open_customer, pg_schema_url

WRITERS = 4
PURCHASES = 10


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A store that several ledgers (separate connections) open at once."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/shared.db"
    else:
        yield from pg_schema_url()


def run_concurrently(url: str, work: Callable[[Ledger, int], None]) -> list[BaseException]:
    """Run ``work`` in WRITERS threads, each with its own Ledger on ``url``."""
    errors: list[BaseException] = []
    ledgers = [Ledger.open(url) for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)

    def target(ledger: Ledger, n: int) -> None:
        start.wait()
        try:
            work(ledger, n)
        except BaseException as error:  # noqa: BLE001 -- reported by the test
            errors.append(error)

    threads = [threading.Thread(target=target, args=(l, n)) for n, l in enumerate(ledgers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for ledger in ledgers:
        ledger.close()
    return errors


def test_concurrent_purchases_all_count(shared_url: str) -> None:
    """Four writers buy 10 x 1..2 licenses each; the final count is the sum bought."""
    with Ledger.open(shared_url) as setup:
        open_customer(setup, "C1", anchor=date(2025, 1, 1), months=12)

    def buy(ledger: Ledger, n: int) -> None:
        for i in range(PURCHASES):
            ledger.buy_licenses("C1", "user", 1 + n % 2, on=date(2025, 3, 1))
            del i

    assert run_concurrently(shared_url, buy) == []
    expected = PURCHASES * sum(1 + n % 2 for n in range(WRITERS))
    with Ledger.open(shared_url) as check:
        assert check.license_counts("C1")["user"].licenses == expected
        history = check.history("C1")
        bought = [h for h in history if h.type == "LicensesBought"]
        assert len(bought) == PURCHASES * WRITERS
        versions = [h.version for h in history if h.aggregate == "Subscription"]
        assert versions == list(range(1, len(versions) + 1))
        orders = check.orders("C1")
        assert [o.sequence for o in orders] == list(range(1, len(orders) + 1))
        assert sum(o.lines[0].licenses for o in orders) == expected


def test_concurrent_billing_runs_number_without_gaps_or_duplicates(shared_url: str) -> None:
    """R17: two runs at once issue every invoice once, numbers 1..n in each series."""
    with Ledger.open(shared_url) as setup:
        for n in range(6):
            open_customer(setup, f"C{n}", anchor=date(2025, 1, 1), months=1)
            setup.buy_licenses(f"C{n}", "user", 1 + n, on=date(2025, 1, 1))

    def bill(ledger: Ledger, n: int) -> None:
        ledger.run_billing(through=date(2025, 6, 30 - n))

    assert run_concurrently(shared_url, bill) == []
    with Ledger.open(shared_url) as check:
        check.run_billing(through=date(2025, 6, 30))
        invoices = check.invoices()
        assert [i.sequence for i in invoices] == list(range(1, 6 * 6 + 1))
        assert len({(i.customer_number, i.order_sequence) for i in invoices}) == 36


def test_processes_opening_a_new_postgres_store_at_once_all_succeed(pg_url: str) -> None:
    """The CREATE statements race; every process still opens the store (retries)."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = "import sys; from severa_ledger import Ledger; Ledger.open(sys.argv[1]).close()"
    processes = [
        subprocess.Popen([sys.executable, "-c", code, pg_url], stderr=subprocess.PIPE)  # noqa: S603
        for _ in range(WRITERS)
    ]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * WRITERS, errors
    with Ledger.open(pg_url) as ledger:
        open_customer(ledger, "C1")
        assert ledger.customers() == ["C1"]
