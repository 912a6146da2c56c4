"""Properties of the read models over generated histories (docs/projections.md).

For any history (several subscriptions, then payments and credit notes),
caught up at random points with random page sizes:

* every read model equals the same read model rebuilt from zero, and the
  pure fold of the log computed in memory;
* and equals what the aggregates say: license counts, subscription terms,
  invoice lines, invoice statuses, balances, previews (R28), as of any day.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from severa_ledger import Ledger
from severa_ledger.domain.documents import CREDIT_NOTE
from severa_ledger.projections.invoice_lines import lines_of
from severa_ledger.testing.history import History
from severa_ledger.testing.strategies import histories
from tests.test_projections import all_rows, folded_from_log, reference

#: Several subscriptions, interleaved by date.
HISTORIES = histories(customers=st.integers(1, 3), max_commands=12)
SQLITE = settings(max_examples=max(5, settings().max_examples // 5))


@st.composite
def afterwards(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    """Payments and credit notes to record once billed: (action, invoice pick, amount pick)."""
    action = st.sampled_from(["pay_in_full", "pay_part", "overpay", "credit"])
    return draw(st.lists(st.tuples(action, st.integers(0, 99), st.integers(1, 99)), max_size=8))


def settle(
    ledger: Ledger, steps: list[tuple[str, int, int]], through: date
) -> list[Callable[[], object]]:
    """Return the payment and credit commands of ``steps`` against the issued invoices."""
    with reference(ledger):
        invoices = [i for i in ledger.invoices() if i.type_code != CREDIT_NOTE]
    commands: list[Callable[[], object]] = []
    credited: set[str] = set()
    for action, pick, share in steps:
        if not invoices:
            break
        invoice = invoices[pick % len(invoices)]
        on = invoice.issue_date + timedelta(days=share % 40)
        if action == "credit" and invoice.number not in credited:
            credited.add(invoice.number)
            day = through = max(on, through)  # credit notes run in date order (R33)
            commands.append(lambda i=invoice, d=day: ledger.credit_invoice(
                i.number, reason="generated", on=d))  # fmt: skip
            continue
        amount = {
            "pay_in_full": invoice.total,
            "overpay": invoice.total + share,
            "pay_part": (invoice.total * share / 100).quantize(Decimal("0.01")),
        }
        value = amount.get(action, invoice.total)
        if value > 0:
            commands.append(
                lambda i=invoice, v=value, d=on: ledger.record_payment(i.number, v, on=d)
            )
    return commands


def record(
    ledger: Ledger, history: History, steps: list[tuple[str, int, int]], data: st.DataObject
) -> None:
    """Record the history and the payments, catching up at drawn points with drawn pages."""
    runner = ledger.read_models.runner
    commands: list[Callable[[], object]] = [(lambda c=c: c.run(ledger)) for c in history.commands]
    commands.append(lambda: ledger.run_billing(through=history.through))
    done = 0

    def run(batch: list[Callable[[], object]]) -> None:
        nonlocal done
        for command in batch:
            command()
            done += 1
            if data.draw(st.booleans(), label=f"catch up after command {done}"):
                runner.page = data.draw(st.integers(1, 12), label="page size")
                ledger.catch_up()

    run(commands)
    paid = settle(ledger, steps, history.through)
    run(paid)
    event(f"payments and credit notes: {min(len(paid), 3)}+")
    event(f"events recorded: {10 ** len(str(ledger.recorder.max_notification_id() or 0))}-")
    runner.page = data.draw(st.sampled_from([1, 5, 1000]), label="last page size")
    ledger.catch_up()


def check_against_aggregates(ledger: Ledger, history: History) -> None:
    """Every read model says what the aggregates say."""
    days = [None, history.through, history.through + timedelta(days=45),
            history.through + timedelta(days=400)]  # fmt: skip
    for customer in history.customers:
        sub = ledger.subscription(customer)
        assert sub is not None
        (row,) = [r for r in ledger.read_models.rows("subscriptions")["severa_ledger_subscriptions"]
                  if r.customer_number == customer]  # fmt: skip
        assert (row.licenses, row.removals, row.users, row.period_index, row.ordered_through,
                row.seller, row.regime, row.migration) == (
            sub.licenses, sub.removals, sub.users, sub.period_index, sub.ordered_through,
            sub.seller, sub.regime, sub.migration,
        )  # fmt: skip
        assert row.counts == sub.counts()
        account = ledger.account(customer)
        for day in days:
            with reference(ledger):
                expected = (
                    ledger.license_counts(customer, as_of=day),
                    ledger.upcoming_cost(customer, as_of=day or history.through),
                    ledger.invoices(customer, as_of=day),
                    ledger.receivables(customer, as_of=day),
                )
            assert ledger.license_counts(customer, as_of=day) == expected[0]
            assert ledger.upcoming_cost(customer, as_of=day or history.through) == expected[1]
            assert ledger.invoices(customer, as_of=day) == expected[2]
            assert ledger.receivables(customer, as_of=day) == expected[3]
        for number in account.invoices:
            assert ledger.invoice(number) == account.view(number)
    lines = ledger.read_models.rows("invoice_lines")["severa_ledger_invoice_lines"]
    documents = [d for c in history.customers for d in ledger.account(c).invoices.values()]
    assert lines == sorted((r for d in documents for r in lines_of(d)),
                           key=lambda r: (r.number, r.line_no))  # fmt: skip
    with reference(ledger):
        everything = ledger.invoices(as_of=history.through)
    assert ledger.invoices(as_of=history.through) == everything


def check_incremental_equals_rebuilt(ledger: Ledger) -> None:
    """Caught up in pieces = folded in memory from the log = rebuilt from zero."""
    incremental = all_rows(ledger)
    assert incremental == folded_from_log(ledger)
    for name in ledger.read_models.names:
        ledger.read_models.rebuild(name)
    assert all_rows(ledger) == incremental


@given(history=HISTORIES, steps=afterwards(), data=st.data())
def test_read_models_caught_up_anywhere_equal_rebuilt_and_aggregates(
    history: History, steps: list[tuple[str, int, int]], data: st.DataObject
) -> None:
    """In memory: incremental = rebuilt = pure fold, and = what the aggregates say."""
    with Ledger.open("memory://") as ledger:
        record(ledger, history, steps, data)
        check_incremental_equals_rebuilt(ledger)
        check_against_aggregates(ledger, history)


@contextmanager
def sqlite_ledger() -> Iterator[Ledger]:
    """A ledger in a fresh SQLite file."""
    with tempfile.TemporaryDirectory() as folder, Ledger.open(f"sqlite:///{folder}/l.db") as ledger:
        yield ledger


@SQLITE
@given(history=HISTORIES, steps=afterwards(), data=st.data())
def test_sqlite_tables_caught_up_anywhere_equal_rebuilt_and_aggregates(
    history: History, steps: list[tuple[str, int, int]], data: st.DataObject
) -> None:
    """In a SQLite file: the same, through real tables (TEXT money and dates, JSON)."""
    with sqlite_ledger() as ledger:
        record(ledger, history, steps, data)
        check_incremental_equals_rebuilt(ledger)
        check_against_aggregates(ledger, history)
