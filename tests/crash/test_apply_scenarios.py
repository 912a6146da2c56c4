"""The measured cases: a file buying twice for every customer, killed and applied again.

Customers are opened with one license each; the file then buys one license
for every customer twice, two identical lines one after the other, without
command ids. After a kill no command may be half-recorded (a purchase
without its command record, or the reverse); after the re-run every customer
holds exactly two more licenses and two more addition orders.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.crash.conftest import NewStore
from tests.crash.files import (
    EVENTS_PER_PURCHASE,
    PURCHASED,
    customer_numbers,
    open_customers,
    purchase,
    twice_each,
)
from tests.crash.history import command_results
from tests.crash.runs import Cue, Outcome, launch

#: Events a transaction may hold: the 300-customer file spans about a dozen. Not a
#: multiple of a customer's 6 events, so transactions do not fall between customers.
MAX_EVENTS = 250
SETTINGS = {"CRASH_MAX_EVENTS_PER_SAVE": str(MAX_EVENTS)}
EXTRA_SEAT = "A0001-extra-seat"
BILL_THROUGH = PURCHASED.replace(day=31)


def customers_for(sweep: int, quick: int = 300) -> list[str]:
    """The measured 3,000 customers in a sweep, fewer in the quick run."""
    return customer_numbers("A", 3_000 if sweep > 1 else quick)


def kill_points(sweep: int) -> list[float]:
    """Fractions of the file's transactions to kill after: the middle; a sweep adds more."""
    return [0.5] if sweep <= 1 else [0.0, 0.25, 0.5, 0.75, 1.0]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "point" in metafunc.fixturenames:
        found = kill_points(metafunc.config.getoption("crash_sweep"))
        metafunc.parametrize("point", found, ids=[f"commit{p:.2f}" for p in found])


def apply(url: str, lines: list[str], folder: Path, cue: Cue | None = None) -> Outcome:
    """Write ``lines`` to a file (the same text each time) and apply it in a launcher."""
    file = folder / "purchases.jsonl"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return launch(["--db", url, "apply", str(file)], folder, cue, SETTINGS)


def least_transactions(lines: list[str]) -> int:
    """The fewest transactions the purchase lines can commit in."""
    return math.ceil(len(lines) * EVENTS_PER_PURCHASE / MAX_EVENTS)


def per_customer(url: str, customers: list[str]) -> dict[str, tuple[int, int]]:
    """Return every customer's (user licenses, addition orders)."""
    with Ledger.open(url, cache_size=0) as ledger:
        subs = {c: ledger.subscription(c) for c in customers}
    return {c: (s.counts()["user"].licenses, sum(o.kind == "addition" for o in s.orders))
            for c, s in subs.items() if s is not None}  # fmt: skip


def file_purchases(url: str) -> Counter[str]:
    """Count, per customer, the recorded purchase commands of the purchase day."""
    return Counter(
        result.customer_number
        for _, command, result in command_results(url)
        if command == "buy_licenses" and result is not None and result.date == PURCHASED
    )


def assert_whole_commands(url: str, customers: list[str]) -> Counter[str]:
    """Assert each customer's purchases match its command records one for one; return them."""
    recorded = file_purchases(url)
    state = per_customer(url, customers)
    half = {c: (state[c], recorded[c]) for c in customers
            if state[c] != (1 + recorded[c], 1 + recorded[c])}  # fmt: skip
    assert not half, f"(licenses, additions) vs purchase records, first: {list(half.items())[:5]}"
    return recorded


Opened = Callable[[int], tuple[str, list[str]]]


@pytest.fixture
def opened(new_store: NewStore, sweep: int) -> Opened:
    """Make a store whose customers (as many as asked, 3,000 in a sweep) hold one license each."""

    def make(quick: int) -> tuple[str, list[str]]:
        customers = customers_for(sweep, quick)
        url = new_store("opened")
        open_customers(url, customers)
        return url, customers

    return make


def test_buying_twice_for_everyone_killed_then_applied_again_buys_exactly_twice(
    opened: Opened, tmp_path: Path, point: float
) -> None:
    """Killed after a commit: no half command; re-run: everyone holds 2 more licenses, 2 more orders."""
    url, customers = opened(300)
    lines = twice_each(customers)
    after = 1 + round(point * (least_transactions(lines) - 1))
    killed = apply(url, lines, tmp_path, Cue("KILL", after_commit=after))
    assert killed.killed, killed.describe()
    recorded = assert_whole_commands(url, customers)
    assert sum(recorded.values()) < len(lines)
    finished = apply(url, lines, tmp_path)
    assert finished.code == 0, finished.describe()
    assert_whole_commands(url, customers)
    assert per_customer(url, customers) == dict.fromkeys(customers, (3, 3))


def test_a_last_line_with_its_own_command_id_buys_one_seat_and_bills_one_invoice(
    opened: Opened, tmp_path: Path
) -> None:
    """Killed after the first commit, then right after the last, then run: one extra seat, one invoice."""
    url, customers = opened(120)  # all billed: fewer customers, still a few transactions
    lines = [*twice_each(customers), purchase("A0001", command_id=EXTRA_SEAT)]
    first = apply(url, lines, tmp_path, Cue("KILL", after_commit=1))
    assert first.killed, first.describe()
    assert_whole_commands(url, customers)
    second = apply(url, lines, tmp_path, Cue("KILL", at_exit=True))
    assert second.killed, second.describe()
    third = apply(url, lines, tmp_path)
    assert third.code == 0, third.describe()
    assert per_customer(url, customers) == {c: (4 if c == "A0001" else 3,) * 2 for c in customers}
    (order,) = [r for i, _, r in command_results(url) if i == EXTRA_SEAT]
    with Ledger.open(url) as ledger:
        ledger.run_billing(through=BILL_THROUGH)
        invoices = [v for v in ledger.invoices("A0001") if v.order_sequence == order.sequence]
    assert len(invoices) == 1
    assert invoices[0].lines[0].quantity == 1
