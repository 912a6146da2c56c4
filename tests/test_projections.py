"""Read models: tables with hand-checked rows, catch-up, rebuild, status, crashes (docs/projections.md)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.utils import resolve_topic

from severa_ledger import Ledger, LedgerError
from severa_ledger.domain.subscription import Subscription
from severa_ledger.projections.rows import fold
from severa_ledger.projections.subscription_rows import LicenseCountRow, subscription_of
from severa_ledger.reader.read_models import projections
from tests.conftest import open_customer, pg_schema_url

D = date
NOK = Decimal


@contextmanager
def reference(ledger: Ledger) -> Iterator[Ledger]:
    """Make the ledger's queries fold the aggregates, as before the read models."""
    ledger.read_models_enabled = False
    try:
        yield ledger
    finally:
        ledger.read_models_enabled = True


def all_rows(ledger: Ledger) -> dict[str, list[Any]]:
    """Return every read-model row, by table."""
    return {t: r for n in ledger.read_models.names for t, r in ledger.read_models.rows(n).items()}


def folded_from_log(ledger: Ledger, upto: dict[str, int] | None = None) -> dict[str, list[Any]]:
    """Return every read model folded purely, in memory, from the log (up to positions)."""
    notes = ledger.recorder.select_notifications(start=0, limit=10**9, inclusive_of_start=False)
    found: dict[str, list[Any]] = {}
    for projection in projections():
        last = upto[projection.name] if upto else notes[-1].id
        state = fold(projection, [ledger.mapper.to_domain_event(n) for n in notes if n.id <= last])
        found.update({t.name: state.rows(t) for t in projection.tables})
    return found


def seed_addition(ledger: Ledger) -> None:
    """The announcement's example: 3 licenses from 2025-02-01, one more on 2025-06-05."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 1, on=D(2025, 6, 5))
    ledger.run_billing(through=D(2025, 6, 30))


def test_license_counts_rows_hold_hand_counted_values(ledger: Ledger) -> None:
    """R4-R6: 3 bought, 2 users, 1 removal pending: 3 licenses, 2 active, 0 free, 1 pending."""
    open_customer(ledger, "C1", anchor=D(2025, 1, 1))
    ledger.buy_licenses("C1", "user", 3, on=D(2025, 1, 10))
    ledger.activate_user("C1", "ann", on=D(2025, 1, 11))
    ledger.activate_user("C1", "bob", on=D(2025, 1, 12))
    ledger.remove_licenses("C1", "user", 1, on=D(2025, 1, 13))
    ledger.catch_up()
    rows = ledger.read_models.rows("subscriptions")["severa_ledger_license_counts"]
    assert rows == [LicenseCountRow("C1", "user", 3, 2, 0, 1)]
    assert ledger.license_counts("C1")["user"].pending_removal == 1


def test_invoice_lines_rows_carry_the_seed_addition(ledger: Ledger) -> None:
    """R9, R14-R16, R27: the 2025-06-05 line: 57/92 of 300.00 = 185.87, AE 0 %, invoiced 06-09."""
    seed_addition(ledger)
    ledger.catch_up()
    lines = ledger.read_models.rows("invoice_lines")["severa_ledger_invoice_lines"]
    (line,) = [x for x in lines if x.number == "VSOY-000003"]
    assert (line.line_no, line.document_type, line.customer_number, line.seller) == (
        1, "invoice", "C1", "visma-solutions-oy",
    )  # fmt: skip
    assert (line.issue_date, line.due_date) == (D(2025, 6, 9), D(2025, 6, 23))
    assert (line.kind, line.quantity, line.unit, line.unit_price, line.amount) == (
        "user", 1, "license", NOK("185.87"), NOK("185.87"),
    )  # fmt: skip
    assert (line.vat_category, line.vat_rate) == ("AE", NOK("0"))
    assert (line.period_start, line.period_end) == (D(2025, 6, 5), D(2025, 7, 31))
    assert [x.number for x in lines] == ["VSOY-000001", "VSOY-000002", "VSOY-000003"]


def test_receivables_rows_follow_payments_and_credit_notes(ledger: Ledger) -> None:
    """R29, R17: the 900.00 renewal paid 1000.00 leaves 100.00 credit; crediting it zeroes it."""
    seed_addition(ledger)
    ledger.record_payment("VSOY-000002", "1000.00", on=D(2025, 5, 10))
    ledger.catch_up()
    tables = ledger.read_models.rows("receivables")
    renewal = next(r for r in tables["severa_ledger_invoices"] if r.number == "VSOY-000002")
    assert (renewal.total, renewal.paid, renewal.open_amount, renewal.overpaid) == (
        NOK("900.00"), NOK("1000.00"), NOK("0.00"), NOK("100.00"),
    )  # fmt: skip
    assert (renewal.status, renewal.due_date) == ("paid", D(2025, 5, 19))
    (customer,) = tables["severa_ledger_receivables"]
    # open: 900.00 (02-01 addition, 3 x a full quarter) + 185.87 (06-05 addition)
    assert (customer.balance, customer.credit) == (NOK("1085.87"), NOK("100.00"))
    note = ledger.credit_invoice("VSOY-000003", reason="wrong date", on=D(2025, 6, 20))
    ledger.catch_up()
    tables = ledger.read_models.rows("receivables")
    credited = next(r for r in tables["severa_ledger_invoices"] if r.number == "VSOY-000003")
    assert (credited.status, credited.credited_by, credited.open_amount) == (
        "credited", note, NOK("0.00"),
    )  # fmt: skip
    assert tables["severa_ledger_receivables"][0].balance == NOK("900.00")
    with reference(ledger):
        expected = ledger.receivables("C1")
    assert ledger.receivables("C1") == expected


def test_queries_answer_from_read_models_as_the_aggregates_do(ledger: Ledger) -> None:
    """Every query the read models serve equals the aggregates' answer, with and without as_of."""
    seed_addition(ledger)
    ledger.activate_user("C1", "ann", on=D(2025, 6, 30))
    ledger.record_payment("VSOY-000001", "300.00", on=D(2025, 2, 3))
    days = [None, D(2025, 2, 17), D(2025, 6, 30), D(2025, 9, 1)]
    answers = [
        lambda l, d: l.license_counts("C1", as_of=d),
        lambda l, d: l.upcoming_cost("C1", as_of=d or D(2025, 7, 1)),
        lambda l, d: l.invoices("C1", as_of=d),
        lambda l, d: l.invoices(as_of=d),
        lambda l, d: l.invoice("VSOY-000001", as_of=d),
        lambda l, d: l.receivables("C1", as_of=d),
    ]
    for answer in answers:
        for day in days:
            with reference(ledger):
                expected = answer(ledger, day)
            assert answer(ledger, day) == expected, day


def test_queries_refuse_unknown_customers_and_invoices_as_before(ledger: Ledger) -> None:
    """Unknown numbers raise the same errors, with the same messages, as the aggregates' path."""
    open_customer(ledger, "C1")
    for query in (
        lambda: ledger.license_counts("nobody"),
        lambda: ledger.upcoming_cost("nobody", as_of=D(2025, 6, 1)),
        lambda: ledger.invoices("nobody"),
        lambda: ledger.receivables("nobody"),
        lambda: ledger.invoice("VSOY-000001"),
        lambda: ledger.invoice("VSOY-1"),
        lambda: ledger.invoice(3),  # type: ignore[arg-type]
        lambda: ledger.license_counts(123),  # type: ignore[arg-type]
    ):
        with pytest.raises(LedgerError) as found:
            query()
        with reference(ledger), pytest.raises(LedgerError) as expected:
            query()
        assert (type(found.value), str(found.value)) == (type(expected.value), str(expected.value))


def test_catch_up_applies_each_event_once(ledger: Ledger) -> None:
    """A second catch-up finds nothing; positions reach the last relevant notification."""
    seed_addition(ledger)
    first = ledger.catch_up()
    assert first > 0
    assert ledger.catch_up() == 0
    status = {s.projection: s for s in ledger.read_models.status()}
    assert all(s.lag == 0 and 0 < s.position <= s.head for s in status.values())
    ledger.buy_licenses("C1", "user", 1, on=D(2025, 7, 1))  # LicensesBought, OrderConfirmed
    lag = {s.projection: s.lag for s in ledger.read_models.status()}
    assert lag == {"subscriptions": 1, "invoice_lines": 0, "receivables": 0, "deliveries": 0}
    assert ledger.catch_up() == 1


def test_read_models_equal_a_pure_fold_of_the_log_and_a_rebuild(ledger: Ledger) -> None:
    """The tables equal the folds computed in memory from the log, before and after rebuild."""
    seed_addition(ledger)
    ledger.record_payment("VSOY-000002", "900.00", on=D(2025, 5, 19))
    ledger.catch_up()
    expected = folded_from_log(ledger)
    assert all_rows(ledger) == expected
    for name in ledger.read_models.names:
        ledger.read_models.rebuild(name)
    assert all_rows(ledger) == expected


def test_changed_table_definitions_rebuild_the_read_model(tmp_path: object) -> None:
    """A tracking row with another fingerprint (older code) makes the next open refold."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        seed_addition(ledger)
        ledger.catch_up()
        expected = all_rows(ledger)
    with closing(sqlite3.connect(f"{tmp_path}/ledger.db")) as conn, conn:
        conn.execute("UPDATE severa_ledger_tracking SET fingerprint = 'old' "
                     "WHERE projection = 'invoice_lines'")  # fmt: skip
        conn.execute("DELETE FROM severa_ledger_invoice_lines")
    with Ledger.open(url) as ledger:
        assert ledger.read_models.status()[1].position == 0
        ledger.catch_up()
        assert all_rows(ledger) == expected


def test_money_and_dates_are_exact_in_the_stored_tables(tmp_path: object) -> None:
    """Amounts are decimal TEXT (never a float) and dates ISO TEXT in the SQLite file."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        seed_addition(ledger)
        ledger.catch_up()
    with closing(sqlite3.connect(f"{tmp_path}/ledger.db")) as conn, conn:
        row = conn.execute(
            "SELECT unit_price, amount, vat_rate, issue_date, typeof(amount) "
            "FROM severa_ledger_invoice_lines WHERE number = 'VSOY-000003'"
        ).fetchone()
    assert row == ("185.87", "185.87", "0", "2025-06-09", "text")


AUDITOR_QUERY = """
    SELECT number, line_no, customer_number, issue_date, kind, quantity, unit_price, amount,
           vat_category, vat_rate, period_start, period_end
    FROM severa_ledger_invoice_lines
    WHERE seller = 'visma-solutions-oy' AND issue_date BETWEEN '2025-05-01' AND '2025-05-31'
    ORDER BY number, line_no
"""


def test_auditor_query_lists_a_sellers_lines_of_a_month_on_sqlite(tmp_path: object) -> None:
    """docs/projections.md: all invoice lines of a seller in May 2025: the 05-05 renewal."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        seed_addition(ledger)
        ledger.catch_up()
    with closing(sqlite3.connect(f"{tmp_path}/ledger.db")) as conn, conn:
        rows = conn.execute(AUDITOR_QUERY).fetchall()
    assert rows == [("VSOY-000002", 1, "C1", "2025-05-05", "user", 9, "100.00", "900.00", "AE",
                     "0", "2025-05-01", "2025-07-31")]  # fmt: skip


@pytest.mark.postgres
def test_auditor_query_lists_a_sellers_lines_of_a_month_on_postgres(pg_url: str) -> None:
    """The same query on PostgreSQL: NUMERIC amounts and DATE columns come back exact."""
    import psycopg  # noqa: PLC0415

    with Ledger.open(pg_url) as ledger:
        seed_addition(ledger)
        ledger.catch_up()
    schema = pg_url.rpartition("schema=")[2]
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test") as conn:
        conn.execute(f"SET search_path TO {schema}")
        rows = conn.execute(AUDITOR_QUERY).fetchall()
    assert rows == [("VSOY-000002", 1, "C1", D(2025, 5, 5), "user", 9, NOK("100.00"),
                     NOK("900.00"), "AE", NOK("0"), D(2025, 5, 1), D(2025, 7, 31))]  # fmt: skip


# ------------------------------------------------------------------ failures


class Crash(Exception):  # noqa: N818 -- an injected failure, not an error of the code
    """Injected by a failpoint."""


def busy_history(ledger: Ledger) -> None:
    """Three customers, a year of changes, billing and payments: a few hundred events."""
    for n, months in enumerate((1, 3, 1)):
        customer = f"C{n}"
        open_customer(ledger, customer, anchor=D(2025, 1, 1), months=months)
        ledger.buy_licenses(customer, "user", 2 + n, on=D(2025, 1, 1))
        for month in range(2, 12):
            day = D(2025, month, 3 + n)
            ledger.activate_user(customer, f"u{month}", on=day, buy_if_needed=True)
            if month % 3 == 0:
                ledger.deactivate_user(customer, f"u{month}", on=day, remove_license=True)
    ledger.run_billing(through=D(2025, 12, 31))
    with reference(ledger):  # no catch-up: the read models stay at zero
        invoices = ledger.invoices()
    for invoice in invoices[::2]:
        ledger.record_payment(invoice.number, invoice.total, on=invoice.due_date)
    ledger.credit_invoice(invoices[1].number, reason="test", on=D(2025, 12, 31))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def busy_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A store of each kind (memory: one ledger only)."""
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/busy.db"
    else:
        yield from pg_schema_url()


@pytest.fixture(params=["sqlite", "postgres"])
def durable_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A store several processes open."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/durable.db"
    else:
        yield from pg_schema_url()


@pytest.mark.parametrize(("point", "after"), [
    ("fold", 1), ("fold", 7), ("fold", 40), ("fold", 95), ("write", 1), ("write", 4),
    ("commit", 1), ("commit", 3),
])  # fmt: skip
def test_interrupted_catch_up_resumes_to_the_same_tables(
    busy_url: str, point: str, after: int
) -> None:
    """A failure after k events folded, after rows written or before the commit loses nothing."""
    with Ledger.open(busy_url) as ledger:
        busy_history(ledger)
        expected = folded_from_log(ledger)
        runner = ledger.read_models.runner
        runner.page = 17
        calls = [0]

        def fail(where: str, count: int) -> None:
            del count
            if where == point:
                calls[0] += 1
                if calls[0] == after:
                    raise Crash(f"{where} #{after}")

        runner.failpoint = fail
        with pytest.raises(Crash):
            ledger.catch_up()
        positions = {s.projection: s.position for s in ledger.read_models.status()}
        assert all_rows(ledger) == folded_from_log(ledger, positions)  # whole pages or nothing
        runner.failpoint = None
        ledger.catch_up()
        assert all_rows(ledger) == expected


CRASHING_CATCH_UP = textwrap.dedent("""
    import os, sys
    from severa_ledger import Ledger
    ledger = Ledger.open(sys.argv[1])
    runner = ledger.read_models.runner
    runner.page = 23
    calls = [0]
    def crash(where, count):
        if where == sys.argv[2]:
            calls[0] += 1
            if calls[0] == int(sys.argv[3]):
                os._exit(9)  # no clean-up, no rollback: as if the machine lost power
    runner.failpoint = crash
    ledger.catch_up()
""")


@pytest.mark.parametrize(("where", "first", "step"), [("fold", 5, 40), ("commit", 1, 1)])
def test_a_killed_catch_up_process_resumes_without_double_or_gap(
    durable_url: str, where: str, first: int, step: int
) -> None:
    """Catch-up processes killed mid-page, three times over, then one that finishes."""
    with Ledger.open(durable_url) as ledger:
        busy_history(ledger)
        expected = folded_from_log(ledger)
    for attempt in range(3):
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", CRASHING_CATCH_UP, durable_url, where,
             str(first + step * attempt)],
            check=False, timeout=120,
        )  # fmt: skip
        assert done.returncode == 9
    with Ledger.open(durable_url) as ledger:
        positions = {s.projection: s.position for s in ledger.read_models.status()}
        assert all_rows(ledger) == folded_from_log(ledger, positions)
        ledger.catch_up()
        assert all_rows(ledger) == expected


def test_concurrent_catch_ups_apply_each_event_once(durable_url: str) -> None:
    """Several ledgers catching up the same store at once end with the single-worker tables."""
    import threading  # noqa: PLC0415

    with Ledger.open(durable_url) as ledger:
        busy_history(ledger)
        expected = folded_from_log(ledger)
    ledgers = [Ledger.open(durable_url) for _ in range(3)]
    errors: list[BaseException] = []

    def work(other: Ledger) -> None:
        other.read_models.runner.page = 11
        try:
            other.catch_up()
        except BaseException as error:  # noqa: BLE001 -- reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(other,)) for other in ledgers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert errors == []
        assert all_rows(ledgers[0]) == expected
    finally:
        for other in ledgers:
            other.close()


# ------------------------------------------------------------------ drift guards


def test_every_handled_topic_is_a_stored_event_class() -> None:
    """docs/events.md: each projection reads topics that resolve to an aggregate's event."""
    for projection in projections():
        for topic in projection.topics:
            assert resolve_topic(topic).__qualname__.split(".")[0] in {
                "Subscription",
                "Account",
                "Delivery",
            }


def test_a_subscription_rebuilt_from_its_row_has_every_attribute_of_the_aggregate(
    memory_ledger: Ledger,
) -> None:
    """subscription_of() sets every attribute a Subscription has (none added unnoticed)."""
    open_customer(memory_ledger, "C1")
    memory_ledger.buy_licenses("C1", "user", 2, on=D(2025, 3, 1))
    memory_ledger.catch_up()
    (row,) = memory_ledger.read_models.rows("subscriptions")["severa_ledger_subscriptions"]
    rebuilt = subscription_of(row)
    real = memory_ledger.subscription("C1")
    assert isinstance(real, Subscription)
    assert set(vars(rebuilt)) == set(vars(real))
    for name in ("licenses", "removals", "users", "period_index", "ordered_through", "seller",
                 "regime", "migration", "currency", "anchor", "last_change"):  # fmt: skip
        assert getattr(rebuilt, name) == getattr(real, name), name
    assert rebuilt.counts() == real.counts()


def test_cli_projections_status_catch_up_and_rebuild(tmp_path: object) -> None:
    """severa-ledger projections: status (lag before), catch-up, rebuild NAME, as JSON."""
    import json  # noqa: PLC0415

    from severa_ledger.cli import main  # noqa: PLC0415

    url = f"sqlite:///{tmp_path}/cli.db"
    with Ledger.open(url) as ledger:
        seed_addition(ledger)
    run = [sys.executable, "-m", "severa_ledger.cli", "--db", url, "projections"]
    status = json.loads(subprocess.check_output([*run, "status", "--format", "json"]))  # noqa: S603
    assert {s["projection"]: s["position"] for s in status} == {
        "subscriptions": 0, "invoice_lines": 0, "receivables": 0, "deliveries": 0,
    }  # fmt: skip
    assert all(s["lag"] > 0 for s in status if s["projection"] != "deliveries")  # none delivered
    caught = json.loads(subprocess.check_output([*run, "catch-up", "--format", "json"]))  # noqa: S603
    assert caught["events"] > 0
    assert all(s["lag"] == 0 for s in caught["projections"])
    rebuilt = json.loads(subprocess.check_output(  # noqa: S603
        [*run, "rebuild", "invoice_lines", "--format", "json"]))  # fmt: skip
    assert rebuilt["events"] == 3  # three invoices issued
    assert main(["--db", url, "projections", "follow", "--seconds", "0.3"]) == 0
