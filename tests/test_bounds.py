"""Bounds on every number that enters (docs/billing.md, "Limits"): each accepted at its
limit and refused one past it with the history unchanged; histories written before the
limits still open, and their read models and verify report the value cleanly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from hypothesis.errors import InvalidArgument

import severa_ledger as sl
from severa_ledger import Ledger
from severa_ledger.domain import account, rules
from severa_ledger.domain.limits import (
    LARGEST_STORED_INTEGER,
    MAX_LICENSE_KINDS,
    MAX_LICENSES,
    MAX_MONTHLY_PRICE_MINOR,
    MAX_PAYMENT_MINOR,
    WORST_INVOICE_TOTAL_MINOR,
    in_major_units,
)
from severa_ledger.domain.money import in_whole_minor_units
from severa_ledger.testing.strategies import price_lists
from tests.conftest import finnish_company, norwegian_company, open_customer, stored_log

D = date
LIMIT = MAX_LICENSES  # 1,000,000
KINDS = [f"kind{i:03d}" for i in range(MAX_LICENSE_KINDS + 1)]


def given(ledger: Ledger) -> None:
    """C1 (NOK, quarterly from 2025-02-01): 2 licenses, one invoice; C2 opened, no licenses."""
    open_customer(ledger, "C1")
    ledger.buy_licenses("C1", "user", 2, on=D(2025, 2, 1))
    ledger.run_billing(through=D(2025, 2, 3))
    open_customer(ledger, "C2")


def first_invoice(ledger: Ledger) -> str:
    """Return C1's first invoice number."""
    return ledger.invoices("C1")[0].number


def open_with(prices: dict[str, object]) -> Callable[[Ledger], object]:
    """Return a command opening C3 with these prices."""
    return lambda l: l.open_subscription(
        "C3", company=norwegian_company(), currency="NOK", period_months=3,
        anchor=D(2025, 2, 1), prices=prices, on=D(2025, 2, 1),
    )  # fmt: skip


def reprice(prices: dict[str, object]) -> Callable[[Ledger], object]:
    """Return a command changing C1's prices from 2025-08-01."""
    return lambda l: l.change_prices("C1", prices, effective=D(2025, 8, 1), on=D(2025, 2, 10))


Command = Callable[[Ledger], object]

#: (case, setup, at the limit (accepted), one past it (refused), error, message fragments)
LIMITS: list[tuple[str, Command | None, Command, Command, type[Exception], tuple[str, ...]]] = [
    ("licenses bought in one command", None,
     lambda l: l.buy_licenses("C2", "user", LIMIT, on=D(2025, 2, 10)),
     lambda l: l.buy_licenses("C2", "user", LIMIT + 1, on=D(2025, 2, 10)),
     sl.QuantityTooLargeError, ("C2", "1000001", "1000000", "one command")),
    ("licenses held of one kind", None,
     lambda l: l.buy_licenses("C1", "user", LIMIT - 2, on=D(2025, 2, 10)),
     lambda l: l.buy_licenses("C1", "user", LIMIT - 1, on=D(2025, 2, 10)),
     sl.QuantityTooLargeError, ("C1", "999999", "hold 1000001", "R3")),
    ("licenses removed in one command",
     lambda l: l.buy_licenses("C2", "user", LIMIT, on=D(2025, 2, 10)),
     lambda l: l.remove_licenses("C2", "user", LIMIT, on=D(2025, 2, 10)),
     lambda l: l.remove_licenses("C2", "user", LIMIT + 1, on=D(2025, 2, 10)),
     sl.QuantityTooLargeError, ("C2", "1000001", "one command")),
    ("a monthly price when opening", None,
     open_with({"user": "10000000.00"}),
     open_with({"user": "10000000.01"}),
     sl.PriceOutOfRangeError, ("C3", "'user'", "10000000.01", "10000000.00 NOK", "R8")),
    ("a monthly price in a new price version", None,
     reprice({"user": Decimal("10000000.00")}),
     reprice({"user": Decimal("10000000.01")}),
     sl.PriceOutOfRangeError, ("C1", "'user'", "10000000.01", "R8")),
    ("license kinds when opening", None,
     open_with(dict.fromkeys(KINDS[:MAX_LICENSE_KINDS], "1.00")),
     open_with(dict.fromkeys(KINDS, "1.00")),
     sl.TooManyLicenseKindsError, ("C3", "101 license kinds", "limit of 100")),
    ("license kinds over all price versions", None,
     reprice(dict.fromkeys(KINDS[: MAX_LICENSE_KINDS - 1], "1.00")),
     reprice(dict.fromkeys(KINDS[:MAX_LICENSE_KINDS], "1.00")),
     sl.TooManyLicenseKindsError, ("C1", "101 license kinds", "R12")),
    ("a payment", None,
     lambda l: l.record_payment(first_invoice(l), "10000000000.00", on=D(2025, 2, 10)),
     lambda l: l.record_payment(first_invoice(l), "10000000000.01", on=D(2025, 2, 10)),
     sl.PaymentOutOfRangeError, ("C1", "10000000000.01", "10000000000.00 NOK", "R29")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "setup", "at_limit", "past_limit", "error", "fragments"),
    LIMITS,
    ids=[c[0] for c in LIMITS],
)
def test_limit_is_accepted_and_one_past_it_refused_with_history_unchanged(
    ledger: Ledger,
    case: str,
    setup: Command | None,
    at_limit: Command,
    past_limit: Command,
    error: type[Exception],
    fragments: tuple[str, ...],
) -> None:
    """One past a limit raises its specific error and records nothing; at it, it records."""
    given(ledger)
    if setup is not None:
        setup(ledger)
    before = stored_log(ledger)
    with pytest.raises(error) as raised:
        past_limit(ledger)
    assert isinstance(raised.value, sl.LedgerError)
    for fragment in fragments:
        assert fragment in str(raised.value), (fragment, str(raised.value))
    assert stored_log(ledger) == before
    at_limit(ledger)
    assert len(stored_log(ledger)) > len(before)
    ledger.license_counts("C1")  # the read models hold what the limits let in
    ledger.invoices()


def test_activation_that_would_buy_past_the_holding_limit_is_refused(
    memory_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R5 with buy_if_needed: the license bought for the user counts against the limit.

    The limit is lowered to 2 here, so that no million users are needed to fill the seats.
    """
    monkeypatch.setattr(rules, "MAX_LICENSES", 2)
    given(memory_ledger)
    memory_ledger.activate_user("C1", "u1", on=D(2025, 2, 10))
    memory_ledger.activate_user("C1", "u2", on=D(2025, 2, 10))
    before = stored_log(memory_ledger)
    with pytest.raises(
        sl.QuantityTooLargeError, match=r"C1: buying 1 'user' licenses would hold 3"
    ):
        memory_ledger.activate_user("C1", "u3", on=D(2025, 2, 10), buy_if_needed=True)
    assert stored_log(memory_ledger) == before
    monkeypatch.setattr(rules, "MAX_LICENSES", 3)
    memory_ledger.activate_user("C1", "u3", on=D(2025, 2, 10), buy_if_needed=True)
    assert memory_ledger.license_counts("C1")["user"].licenses == 3


# ----------------------------------------------------------- the measured failures

#: (case, command on given(), error, fragments): each was accepted, or raised a traceback.
MEASURED: list[tuple[str, Command, type[Exception], tuple[str, ...]]] = [
    ("a quantity of 2**63",
     lambda l: l.buy_licenses("C1", "user", 2**63, on=D(2025, 2, 10)),
     sl.QuantityTooLargeError, ("C1", str(2**63))),
    ("a price of 10**100 when opening",
     open_with({"user": 10**100}),
     sl.PriceOutOfRangeError, ("C3", "'user'", str(10**100))),
    ("a price of 10**100 in a new price version",
     reprice({"user": 10**100}),
     sl.PriceOutOfRangeError, ("C1", "'user'", str(10**100))),
    ("a payment of 10**100",
     lambda l: l.record_payment(first_invoice(l), 10**100, on=D(2025, 2, 10)),
     sl.PaymentOutOfRangeError, ("C1", str(10**100), "R29")),
    ("a price of 100.005 NOK when opening",
     open_with({"user": "100.005"}),
     sl.SubMinorUnitPriceError, ("C3", "'user'", "100.005 NOK", "2 decimals", "R11")),
    ("a price of 100.005 NOK in a new price version",
     reprice({"user": "100.005"}),
     sl.SubMinorUnitPriceError, ("C1", "'user'", "100.005 NOK", "R11")),
    ("a payment of 100.005 NOK",
     lambda l: l.record_payment(first_invoice(l), "100.005", on=D(2025, 2, 10)),
     sl.SubMinorUnitPaymentError, ("C1", "100.005 NOK", "R11")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "command", "error", "fragments"), MEASURED, ids=[c[0] for c in MEASURED]
)
def test_measured_out_of_range_input_is_refused_and_queries_still_answer(
    ledger: Ledger,
    case: str,
    command: Command,
    error: type[Exception],
    fragments: tuple[str, ...],
) -> None:
    """Regression: refused with a specific error, nothing recorded, queries and verify fine."""
    given(ledger)
    before = stored_log(ledger)
    with pytest.raises(error) as raised:
        command(ledger)
    for fragment in fragments:
        assert fragment in str(raised.value), (fragment, str(raised.value))
    assert stored_log(ledger) == before
    ledger.run_billing(through=D(2025, 5, 5))
    assert ledger.license_counts("C1")["user"].licenses == 2
    assert all(i.currency == "NOK" for i in ledger.invoices("C1"))
    assert ledger.verify().ok


def test_sub_minor_unit_refusals_are_the_callers_familiar_errors() -> None:
    """Callers catching InvalidPriceError, InvalidPaymentError or InvalidMoneyError still do."""
    assert issubclass(sl.SubMinorUnitPriceError, sl.InvalidPriceError)
    assert issubclass(sl.SubMinorUnitPaymentError, sl.InvalidPaymentError)
    assert issubclass(sl.SubMinorUnitPriceError, sl.InvalidMoneyError)
    assert issubclass(sl.PriceOutOfRangeError, sl.InvalidPriceError)
    assert issubclass(sl.PaymentOutOfRangeError, sl.InvalidPaymentError)
    assert issubclass(sl.PaymentOutOfRangeError, sl.AmountOutOfRangeError)
    assert issubclass(sl.QuantityTooLargeError, sl.InvalidValueError)


# ------------------------------------------------------------------ whole minor units

#: (amount, currency, whole minor units?): the value is judged, not its digits.
MINOR_UNITS = [
    ("100.005", "NOK", False),
    ("100.50", "NOK", True),
    ("100.5", "NOK", True),
    ("100", "NOK", True),
    ("100.500", "NOK", True),
    ("100.5000000000000000000000000000000001", "NOK", False),  # beyond Decimal's 28 digits
    ("1E+2", "NOK", True),
    ("0.000", "EUR", True),
    ("1E-999999999", "EUR", False),
    ("100.5", "JPY", False),
    ("100.000", "JPY", True),
    ("1.005", "KWD", True),
    ("1.0005", "KWD", False),
]


@pytest.mark.parametrize(("amount", "currency", "whole"), MINOR_UNITS)
def test_whole_minor_units_are_judged_on_the_value(amount: str, currency: str, whole: bool) -> None:
    """R11: an amount is whole minor units whatever trailing zeros it is written with."""
    assert in_whole_minor_units(Decimal(amount), currency) is whole


@pytest.mark.parametrize("price", ["100.50", "100.5", 100, "100.500", Decimal("1E+2")])
def test_prices_in_whole_minor_units_are_accepted(memory_ledger: Ledger, price: object) -> None:
    """R8, R11: "100.5" and "100.500" NOK are the same whole number of øre as "100.50"."""
    memory_ledger.open_subscription(
        "C1", company=norwegian_company(), currency="NOK", period_months=1,
        anchor=D(2025, 2, 1), prices={"user": price}, on=D(2025, 2, 1),
    )  # fmt: skip
    order = memory_ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    assert order is not None
    assert order.lines[0].amount == Decimal(price) * 3


def test_proration_still_rounds_its_computed_price(memory_ledger: Ledger) -> None:
    """R9: the per-license price proration computes is rounded by the ledger, not refused."""
    open_customer(memory_ledger, "C1", anchor=D(2025, 5, 1))
    order = memory_ledger.buy_licenses("C1", "user", 1, on=D(2025, 6, 5))
    assert order is not None
    assert order.lines[0].unit_price == Decimal("185.87")


def test_limits_in_major_units_follow_the_currency() -> None:
    """A limit in minor units is 10,000,000.00 NOK, 1,000,000.000 KWD, 1,000,000,000 JPY."""
    assert in_major_units(MAX_MONTHLY_PRICE_MINOR, "NOK") == Decimal("10000000.00")
    assert in_major_units(MAX_MONTHLY_PRICE_MINOR, "KWD") == Decimal("1000000.000")
    assert in_major_units(MAX_MONTHLY_PRICE_MINOR, "JPY") == Decimal(1_000_000_000)
    assert in_major_units(MAX_PAYMENT_MINOR, "EUR") == Decimal("10000000000.00")


# ------------------------------------------------------------------ the worst invoice


def test_worst_case_invoice_total_fits_a_64_bit_integer_and_a_decimal() -> None:
    """The limits' worst invoice (docs/billing.md) fits BIGINT minor units and 28 digits."""
    assert WORST_INVOICE_TOTAL_MINOR == 2_400_000_000_000_000_000
    assert WORST_INVOICE_TOTAL_MINOR < LARGEST_STORED_INTEGER
    assert len(str(WORST_INVOICE_TOTAL_MINOR)) < 28  # Decimal's default precision


def test_largest_invoice_the_limits_allow_is_billed_and_read_back(sql_url: str) -> None:
    """100 kinds x 1,000,000 licenses x 12 months x 10,000,000.00 EUR, 25.5 % VAT, stored."""
    kinds = KINDS[:MAX_LICENSE_KINDS]
    with Ledger.open(sql_url) as ledger:
        ledger.open_subscription(
            "BIG", company=finnish_company(), currency="EUR", period_months=12,
            anchor=D(2025, 1, 1), prices=dict.fromkeys(kinds, "10000000.00"),
            on=D(2025, 1, 1), seller="visma-solutions-oy", regime="after_start",
        )  # fmt: skip
        ledger.run_batch(
            [lambda k=k: ledger.buy_licenses("BIG", k, LIMIT, on=D(2025, 1, 1)) for k in kinds]
        )
        ledger.run_billing(through=D(2026, 1, 5))
        renewal = ledger.invoices("BIG")[-1]
        assert len(renewal.lines) == MAX_LICENSE_KINDS
        net = Decimal(MAX_LICENSE_KINDS * LIMIT * 12) * Decimal("10000000.00")
        assert renewal.net == net
        assert renewal.total == net + (net * Decimal("0.255")).quantize(Decimal("0.01"))
        assert renewal.total * 100 < LARGEST_STORED_INTEGER
        assert ledger.license_counts("BIG")[kinds[-1]].licenses == LIMIT
        assert ledger.verify().ok


# ------------------------------------------------------- histories written before the limits


@contextmanager
def beyond_the_limits() -> Iterator[None]:
    """Record as the ledger did before the limits: nothing is too large."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules, "MAX_LICENSES", 10**200)
        patch.setattr(rules, "MAX_MONTHLY_PRICE_MINOR", 10**200)
        patch.setattr(account, "MAX_PAYMENT_MINOR", 10**200)
        yield


def record_quantity(ledger: Ledger) -> None:
    """BAD buys 2**63 licenses (then billed)."""
    open_customer(ledger, "BAD")
    ledger.buy_licenses("BAD", "user", 2**63, on=D(2025, 2, 10))
    ledger.run_billing(through=D(2025, 2, 17))


def record_price(ledger: Ledger) -> None:
    """BAD opens at 10**100 NOK a month and buys one license for the whole period (billed)."""
    open_customer(ledger, "BAD", price=str(10**100))
    ledger.buy_licenses("BAD", "user", 1, on=D(2025, 2, 1))
    ledger.run_billing(through=D(2025, 2, 17))


def record_payment(ledger: Ledger) -> None:
    """C1 pays 10**100 NOK on its first invoice."""
    ledger.record_payment(first_invoice(ledger), 10**100, on=D(2025, 2, 10))


#: (case, how the value was recorded, fragments of the read models' error, of verify's finding)
STORED: list[tuple[str, Command, tuple[str, ...], tuple[str, ...]]] = [
    ("a quantity of 2**63", record_quantity,
     ("customer BAD", f"licenses = {2**63}", "positions"),
     ("BAD", "LicensesBought", str(2**63))),
    ("a price of 10**100", record_price,
     ("InvoiceIssued of customer BAD", "position"),
     ("BAD", "SubscriptionOpened", str(10**100))),
    ("a payment of 10**100", record_payment,
     ("PaymentRecorded on invoice VSOY-000001", "position"),
     ("C1", "payment on VSOY-000001", str(10**100))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "record", "read_fragments", "finding_fragments"), STORED, ids=[c[0] for c in STORED]
)
def test_stored_value_beyond_the_limits_is_reported_not_a_traceback(
    sql_url: str,
    case: str,
    record: Command,
    read_fragments: tuple[str, ...],
    finding_fragments: tuple[str, ...],
) -> None:
    """The store opens; read-model queries raise StoredValueOutOfRangeError; verify finds it.

    The failed catch-up leaves the read models at the position and rows they had.
    """
    with Ledger.open(sql_url) as ledger:
        given(ledger)
        ledger.catch_up()
        positions = [s.position for s in ledger.read_models.status()]
        rows = {name: ledger.read_models.rows(name) for name in ledger.read_models.names}
        with beyond_the_limits():
            record(ledger)
    with Ledger.open(sql_url) as ledger:
        queries: list[Callable[[], object]] = [
            lambda: ledger.license_counts("C1"),
            lambda: ledger.invoices("C1"),
            lambda: ledger.invoice("VSOY-000001"),
        ]
        for query in queries:
            with pytest.raises(sl.StoredValueOutOfRangeError) as raised:
                query()
            for fragment in (*read_fragments, "run verify"):
                assert fragment in str(raised.value), (fragment, str(raised.value))
        assert [s.position for s in ledger.read_models.status()] == positions
        assert {name: ledger.read_models.rows(name) for name in ledger.read_models.names} == rows
        report = ledger.verify()
        assert not report.ok
        assert report.chain.ok
        (finding,) = report.findings
        text = f"{finding.customer_number} {finding.document} {finding.message}"
        for fragment in finding_fragments:
            assert fragment in text, (fragment, text)


def test_price_list_strategy_refuses_bounds_beyond_the_limits() -> None:
    """The kit draws prices the ledger accepts: asking for more is an error, not a flaky test."""
    limit = in_major_units(MAX_MONTHLY_PRICE_MINOR, "NOK")
    price_lists(max_price=str(limit))
    with pytest.raises(InvalidArgument, match="limits"):
        price_lists(max_price=str(limit + Decimal("0.01")))
    with pytest.raises(InvalidArgument, match="101 kinds"):
        price_lists(kinds=tuple(KINDS))
