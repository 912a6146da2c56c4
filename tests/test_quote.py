"""Quoting a purchase: the order buy_licenses would create, decided by it, recording nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from severa_ledger import Ledger
from severa_ledger.domain.errors import UnknownLicenseKindError
from tests.conftest import open_customer, stored_log


@pytest.fixture
def seed(ledger: Ledger) -> Ledger:
    """C1: a quarter 2025-05-01..2025-07-31 at 100.00 NOK a month, 3 licenses (R2, R9)."""
    open_customer(ledger, "C1", anchor=date(2025, 5, 1))
    ledger.buy_licenses("C1", "user", 3, on=date(2025, 5, 1))
    return ledger


def test_a_quote_on_the_seed_day_is_185_87_and_records_nothing(seed: Ledger) -> None:
    """Quoting 2 licenses on 2025-06-05: 57/92 x 3 x 100.00 = 185.87 each, 371.74 (R9, R14)."""
    before = stored_log(seed)
    order = seed.quote_licenses("C1", "user", 2, on=date(2025, 6, 5))
    assert order is not None
    (line,) = order.lines
    assert (line.quantity, line.unit_price, line.amount) == (
        2,
        Decimal("185.87"),
        Decimal("371.74"),
    )
    assert (line.period_start, line.period_end) == (date(2025, 6, 5), date(2025, 7, 31))
    assert stored_log(seed) == before
    assert seed.license_counts("C1")["user"].licenses == 3


def test_the_purchase_bills_what_was_quoted(seed: Ledger) -> None:
    """The order buy_licenses records equals the quote, line for line."""
    quoted = seed.quote_licenses("C1", "user", 1, on=date(2025, 6, 5))
    bought = seed.buy_licenses("C1", "user", 1, on=date(2025, 6, 5))
    assert quoted == bought


def test_a_quote_that_only_cancels_a_pending_removal_costs_nothing(seed: Ledger) -> None:
    """With 1 removal pending, quoting 1 license cancels it at no charge: no order (R4)."""
    seed.remove_licenses("C1", "user", 1, on=date(2025, 6, 1))
    assert seed.quote_licenses("C1", "user", 1, on=date(2025, 6, 5)) is None


def test_a_refused_quote_raises_the_purchases_error_and_records_nothing(seed: Ledger) -> None:
    """An unpriced kind is refused as buy_licenses refuses it; the log is unchanged."""
    before = stored_log(seed)
    with pytest.raises(UnknownLicenseKindError, match="storage"):
        seed.quote_licenses("C1", "storage", 1, on=date(2025, 6, 5))
    assert stored_log(seed) == before
