"""A command is recorded exactly once: never half, never twice, whatever stops a batch.

Issue 13's measured failures, in process: a batch (a command file) saved in
several transactions, cut short after a commit (as by a kill or Ctrl-C) or
conflicting with another writer between two transactions. The re-run, or
run_batch's own retry, must end in the state an uninterrupted run leaves.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from severa_ledger import Ledger
from severa_ledger.cli.commands_file import apply_commands
from severa_ledger.domain.errors import BatchTooLargeError, CommandTooLargeError
from tests.conftest import open_customer, stored_log

CUSTOMERS = 12
#: Events a transaction may hold in these tests: a file of ~100 events spans many.
SMALL_SAVE = 12


def _open_line(customer: str) -> str:
    company = {
        "legal_name": "Fjordtech Consulting AS", "org_number": "974760673", "country": "NO",
        "street": "Storgata 1", "postcode": "0155", "city": "Oslo",
    }  # fmt: skip
    return json.dumps({
        "command": "open_subscription", "customer_number": customer, "company": company,
        "currency": "NOK", "period_months": 3, "anchor": "2025-05-01",
        "prices": {"user": "100.00"}, "on": "2025-05-01", "seller": "visma-solutions-oy",
        "regime": "after_start",
    })  # fmt: skip


def _buy_line(customer: str, day: str, command_id: str | None = None) -> str:
    line: dict[str, object] = {
        "command": "buy_licenses", "customer_number": customer, "kind": "user",
        "quantity": 1, "on": day,
    }  # fmt: skip
    if command_id is not None:
        line["command_id"] = command_id
    return json.dumps(line)


def _customers() -> list[str]:
    return [f"C{n:03}" for n in range(1, CUSTOMERS + 1)]


def _book() -> str:
    """Open every customer, buy one license for each twice, then one seat by an explicit id."""
    lines = [_open_line(c) for c in _customers()]
    lines += [_buy_line(c, "2025-06-05") for c in _customers()]
    lines += [_buy_line(c, "2025-06-05") for c in _customers()]
    lines.append(_buy_line("C001", "2025-06-05", "A0001-extra-seat"))
    return "\n".join(lines) + "\n"


def comparable(ledger: Ledger) -> dict[tuple[object, int], tuple[str, dict[str, Any]]]:
    """Return every stored event by (aggregate, version): its topic and state less record time."""
    found = {}
    for originator, version, topic, state in stored_log(ledger):
        fields = json.loads(state)
        fields.pop("timestamp", None)
        found[originator, version] = (topic, fields)
    return found


def _licenses(ledger: Ledger) -> dict[str, int]:
    return {c: ledger.license_counts(c)["user"].licenses for c in _customers()}


class Stop(BaseException):
    """Stands for the process dying right after a commit (a kill, Ctrl-C)."""


def _after_commits(ledger: Ledger, commits: int, then: Callable[[], None]) -> None:
    """Call ``then`` right after the ledger's ``commits``-th transaction of events commits."""
    insert = ledger.recorder.insert_events
    done = 0

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal done
        result = insert(*args, **kwargs)
        done += 1
        if done == commits:
            then()
        return result

    ledger.recorder.insert_events = counting  # type: ignore[method-assign]


def _stop() -> None:
    raise Stop


@pytest.fixture
def small_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a transaction hold at most SMALL_SAVE events, so a small file spans many."""
    monkeypatch.setattr("severa_ledger.store.unit.MAX_EVENTS_PER_SAVE", SMALL_SAVE)


@pytest.fixture
def uninterrupted(small_saves: None) -> Iterator[Ledger]:
    """The book applied once, with nothing in its way, on a memory store."""
    with Ledger.open("memory://") as ledger:
        apply_commands(ledger, _book())
        yield ledger


@pytest.mark.usefixtures("small_saves")
@pytest.mark.parametrize("commits", [1, 2, 5, 9])
def test_a_file_cut_short_after_a_commit_finishes_on_rerun_exactly_once(
    sql_url, uninterrupted, commits
):
    """Issue 13: a re-run after a stop at any commit leaves the uninterrupted run's events."""
    with Ledger.open(sql_url) as ledger:
        _after_commits(ledger, commits, _stop)
        with pytest.raises(Stop):
            apply_commands(ledger, _book())
    with Ledger.open(sql_url) as ledger:
        apply_commands(ledger, _book())
        assert comparable(ledger) == comparable(uninterrupted)
        assert _licenses(ledger) == {c: 3 if c == "C001" else 2 for c in _customers()}
        report = ledger.run_billing(through=date(2025, 6, 30))
        assert len(report.invoice_numbers) == CUSTOMERS * 2 + 1


@pytest.mark.usefixtures("small_saves")
def test_a_writer_between_two_transactions_doubles_no_command(sql_url):
    """Issue 13: another writer's purchase mid-file conflicts; the retry records each line once."""
    with Ledger.open(sql_url) as setup:
        for customer in _customers():
            open_customer(setup, customer, anchor=date(2025, 5, 1))
    book = "\n".join(
        [_buy_line(c, "2025-06-05") for c in _customers()] * 2
        + [_buy_line("C001", "2025-06-05", "A0001-extra-seat")]
    )

    def other_writer() -> None:
        with Ledger.open(sql_url, cache_size=0) as other:
            for customer in _customers():
                other.buy_licenses(customer, "user", 1, on=date(2025, 6, 5),
                                   command_id=f"portal-{customer}")  # fmt: skip

    with Ledger.open(sql_url) as ledger:
        _after_commits(ledger, 2, other_writer)
        apply_commands(ledger, book)
        apply_commands(ledger, book)  # and a re-run records nothing new
        # Opened with none; two file lines, one portal purchase, C001's extra seat.
        assert _licenses(ledger) == {c: 3 + (c == "C001") for c in _customers()}
        orders = {c: len(ledger.orders(c)) for c in _customers()}  # an addition each (R14)
        assert orders == {c: 3 + (c == "C001") for c in _customers()}


def test_a_batch_spanning_transactions_needs_every_command_id(memory_ledger, small_saves):
    """run_batch refuses to split commands without ids (they could not resume); nothing saved."""
    open_customer(memory_ledger, "C1", anchor=date(2025, 5, 1))
    before = stored_log(memory_ledger)
    buys: list[Callable[[], object]] = [
        lambda: memory_ledger.buy_licenses("C1", "user", 1, on=date(2025, 6, 5))
        for _ in range(SMALL_SAVE)
    ]
    with pytest.raises(BatchTooLargeError, match="have no command_id"):
        memory_ledger.run_batch(buys)
    assert stored_log(memory_ledger) == before


def test_a_command_larger_than_a_transaction_is_refused_before_anything_is_written(
    memory_ledger, monkeypatch
):
    """One command's events never split: a command too large for a save records nothing."""
    open_customer(memory_ledger, "C1", anchor=date(2025, 5, 1), months=1)
    before = stored_log(memory_ledger)
    monkeypatch.setattr("severa_ledger.store.unit.MAX_EVENTS_PER_SAVE", 5)
    with pytest.raises(CommandTooLargeError, match="more than one transaction holds"):
        # Two years of monthly periods roll before the purchase: far more than 5 events.
        memory_ledger.buy_licenses("C1", "user", 1, on=date(2027, 6, 5))
    assert stored_log(memory_ledger) == before
    monkeypatch.undo()
    memory_ledger.buy_licenses("C1", "user", 1, on=date(2027, 6, 5))
    assert memory_ledger.license_counts("C1")["user"].licenses == 1


def test_explicit_prices_survive_the_book(uninterrupted):
    """The book's purchases are the seed's 57/92 addition: 185.87 a license (R9)."""
    order = uninterrupted.orders("C001")[-1]
    assert order.lines[0].unit_price == Decimal("185.87")
