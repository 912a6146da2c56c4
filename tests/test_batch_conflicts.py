"""A batch that conflicts with another writer retries only the commands the conflict touched.

Two ledgers share one store. While the first decides a batch, the second buys
for one of the batch's customers, so the batch's save conflicts: the commands
for the other customers commit as decided, only the busy customer's are decided
again on fresh state (store/conflicts.py), and everything is recorded once.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from datetime import date

import pytest

from severa_ledger import CompanyDetails, Ledger
from severa_ledger.domain.errors import ConcurrencyError
from severa_ledger.ledger import base
from tests.crash.files import COMPANY

OPENED = date(2025, 1, 1)
ON = date(2025, 3, 10)
CUSTOMERS = ["C1", "C2", "C3"]


def open_customers(ledger: Ledger) -> None:
    for customer in CUSTOMERS:
        ledger.open_subscription(
            customer, company=CompanyDetails(**COMPANY), currency="NOK", period_months=1, anchor=OPENED,
            prices={"user": "100.00"}, seller="visma-solutions-oy", regime="after_start",
            on=OPENED,
        )  # fmt: skip


def licenses(ledger: Ledger, customer: str) -> int:
    found = ledger.subscription(customer)
    assert found is not None
    return found.counts()["user"].licenses


def stored_events(url: str) -> int:
    with Ledger.open(url, cache_size=0) as fresh:
        return len(fresh.recorder.select_notifications(start=1, limit=10_000))  # ids have gaps


class Batch:
    """Purchases for each customer, counting how often each is decided."""

    def __init__(self, ledger: Ledger, rounds: int = 2) -> None:
        self.decided: Counter[str] = Counter()
        self.calls: list[Callable[[], object]] = [
            functools.partial(self.buy, ledger, customer, f"file-{customer}-{n}")
            for n in range(rounds)
            for customer in CUSTOMERS
        ]
        #: Told each customer whose purchase was just decided (not yet saved).
        self.after: Callable[[str], None] = lambda _: None

    def buy(self, ledger: Ledger, customer: str, command_id: str) -> object:
        self.decided[customer] += 1
        found = ledger.buy_licenses(customer, "user", 1, on=ON, command_id=command_id)
        self.after(customer)
        return found


def test_a_conflict_retries_only_the_busy_customers_commands_and_records_all_once(
    sql_url: str,
) -> None:
    """The other writer buys for C2 mid-batch: C1 and C3 decided once, C2 twice, all recorded."""
    with Ledger.open(sql_url) as ours, Ledger.open(sql_url) as theirs:
        open_customers(ours)
        before = stored_events(sql_url)
        batch = Batch(ours)
        theirs_events: list[int] = []

        def other_writer(customer: str) -> None:  # once, after C1 and C2 were decided
            if customer == "C3" and not theirs_events:
                first = stored_events(sql_url)
                theirs.buy_licenses("C2", "user", 1, on=ON, command_id="theirs-1")
                theirs_events.append(stored_events(sql_url) - first)

        batch.after = other_writer
        events = ours.run_batch(batch.calls)
        assert batch.decided == Counter({"C1": 2, "C2": 4, "C3": 2})
        assert events == stored_events(sql_url) - before - theirs_events[0]
        with Ledger.open(sql_url, cache_size=0) as fresh:
            assert [licenses(fresh, c) for c in CUSTOMERS] == [2, 3, 2]
        assert ours.run_batch(batch.calls) == 0  # all recorded: the same batch adds nothing


def test_a_customer_busy_every_round_ends_in_a_concurrency_error_with_the_rest_kept(
    sql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that beats every round: ConcurrencyError after MAX_ATTEMPTS; C1, C3 recorded."""
    monkeypatch.setattr(base, "MAX_ATTEMPTS", 3)
    with Ledger.open(sql_url) as ours, Ledger.open(sql_url) as theirs:
        open_customers(ours)
        batch = Batch(ours, rounds=1)
        count = iter(range(100))

        def every_time(customer: str) -> None:  # right after each decision for C2
            if customer == "C2":
                theirs.buy_licenses("C2", "user", 1, on=ON, command_id=f"theirs-{next(count)}")

        batch.after = every_time
        with pytest.raises(ConcurrencyError, match="still conflicted after 3 attempts"):
            ours.run_batch(batch.calls)
        with Ledger.open(sql_url, cache_size=0) as fresh:
            theirs_bought = next(count)
            assert [licenses(fresh, c) for c in CUSTOMERS] == [1, theirs_bought, 1]
        assert theirs_bought == 4  # a first round that kept C1 and C3, then 3 that kept nothing
