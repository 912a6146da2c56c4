"""Proration policies and order lines (R8, R9, R10, R14): literal tables, worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from severa_ledger import InvalidValueError, Money, Period, actual_days, thirty_360
from severa_ledger.domain.billing import addition_line, whole_period_line
from severa_ledger.domain.proration import prorated_unit_price

# The seed's example quarter (R9): 2025-05-01..2025-07-31, 92 actual days, 90 in 30E/360.
SEED = Period(0, date(2025, 5, 1), date(2025, 7, 31))
# A quarter with February: 28 + 31 + 30 = 89 actual days, 90 in 30E/360.
WINTER = Period(0, date(2025, 2, 1), date(2025, 4, 30))
# One month of 30 days, for exact half-cent boundaries.
JUNE = Period(0, date(2025, 6, 1), date(2025, 6, 30))


@pytest.mark.parametrize(
    ("period", "day", "fraction"),
    [
        # Jun 5..30 = 26 days + Jul 31 days = 57 of 92
        (SEED, date(2025, 6, 5), Fraction(57, 92)),
        (SEED, date(2025, 5, 1), Fraction(1)),  # d = s: the whole period
        (SEED, date(2025, 7, 31), Fraction(1, 92)),  # the last day only
        (SEED, date(2025, 7, 30), Fraction(2, 92)),
        # Feb 28 (1) + Mar (31) + Apr (30) = 62 of 89
        (WINTER, date(2025, 2, 28), Fraction(62, 89)),
        (JUNE, date(2025, 6, 16), Fraction(15, 30)),  # Jun 16..30 = 15 days
    ],
)
def test_actual_days_is_days_left_over_days_in_period(period, day, fraction):
    """R9: actual_days is (e - d + 1) / (e - s + 1), exactly."""
    assert actual_days(period, day) == fraction


@pytest.mark.parametrize(
    ("period", "day", "fraction"),
    [
        # R10: 5.6 to 31.7 (31 counts as 30) is 30 x (7 - 6) + (30 - 5) + 1 = 56 days;
        # the quarter 1.5 to 31.7 is 30 x (7 - 5) + (30 - 1) + 1 = 90 days
        (SEED, date(2025, 6, 5), Fraction(56, 90)),
        (SEED, date(2025, 5, 1), Fraction(1)),
        # 31.7 counts as 30.7: 30 - 30 + 1 = 1 of 90
        (SEED, date(2025, 7, 31), Fraction(1, 90)),
        # 31.5 counts as 30.5: 30 x 2 + 30 - 30 + 1 = 61 of 90
        (SEED, date(2025, 5, 31), Fraction(61, 90)),
        # Feb 28 stays 28 in 30E/360: 30 x 2 + (30 - 28) + 1 = 63 of 90
        (WINTER, date(2025, 2, 28), Fraction(63, 90)),
        (JUNE, date(2025, 6, 16), Fraction(15, 30)),  # 30 - 16 + 1 = 15 of 30
    ],
)
def test_thirty_360_counts_every_month_as_30_days(period, day, fraction):
    """R10: thirty_360 is the remaining fraction in 30E/360 days (day 31 counts as 30)."""
    assert thirty_360(period, day) == fraction


@pytest.mark.parametrize(
    ("monthly", "months", "period", "day", "policy", "expected"),
    [
        # R9: 300.00 x 57/92 = 17100/92 = 185.8695.. -> 185.87
        ("100.00", 3, SEED, date(2025, 6, 5), actual_days, "185.87"),
        # R10: 300.00 x 56/90 = 186.666.. -> 186.67
        ("100.00", 3, SEED, date(2025, 6, 5), thirty_360, "186.67"),
        # d = s: the full period price 3 x 100.00 under both policies
        ("100.00", 3, SEED, date(2025, 5, 1), actual_days, "300.00"),
        ("100.00", 3, SEED, date(2025, 5, 1), thirty_360, "300.00"),
        # last day: 300/92 = 3.2608.. -> 3.26; 300/90 = 3.333.. -> 3.33
        ("100.00", 3, SEED, date(2025, 7, 31), actual_days, "3.26"),
        ("100.00", 3, SEED, date(2025, 7, 31), thirty_360, "3.33"),
        # 300 x 62/89 = 18600/89 = 209 - 1/89 = 208.9887.. -> 208.99
        ("100.00", 3, WINTER, date(2025, 2, 28), actual_days, "208.99"),
        # 300 x 63/90 = 210 exactly
        ("100.00", 3, WINTER, date(2025, 2, 28), thirty_360, "210.00"),
        # half-up at an exact half cent: 1.23 x 15/30 = 0.615 -> 0.62
        ("1.23", 1, JUNE, date(2025, 6, 16), actual_days, "0.62"),
        ("1.23", 1, JUNE, date(2025, 6, 16), thirty_360, "0.62"),
        # 1.25 x 15/30 = 0.625 -> 0.63 (banker's rounding would give 0.62)
        ("1.25", 1, JUNE, date(2025, 6, 16), actual_days, "0.63"),
        # 0.01 x 15/30 = 0.005 -> 0.01 (banker's rounding would give 0.00)
        ("0.01", 1, JUNE, date(2025, 6, 16), actual_days, "0.01"),
    ],
)
def test_prorated_unit_price_is_rounded_once_half_up(
    *, monthly, months, period, day, policy, expected
):
    """R9, R10: monthly x months x fraction, exact, then rounded half-up to the minor unit."""
    price = prorated_unit_price(Money(monthly, "NOK"), months, period, day, policy)
    assert price == Money(Decimal(expected), "NOK")
    assert price.amount.as_tuple().exponent == -2


@pytest.mark.parametrize("policy", [actual_days, thirty_360])
@pytest.mark.parametrize("day", [date(2025, 4, 30), date(2025, 8, 1), date(2024, 6, 5)])
def test_day_outside_the_period_is_refused(policy, day):
    """R9: a day outside [s, e] cannot be prorated."""
    with pytest.raises(InvalidValueError, match=day.isoformat()):
        prorated_unit_price(Money("100.00", "NOK"), 3, SEED, day, policy)


@pytest.mark.parametrize(
    ("licenses", "day", "policy", "unit_price", "amount"),
    [
        # 3 x 185.87 = 557.61
        (3, date(2025, 6, 5), actual_days, "185.87", "557.61"),
        (1, date(2025, 6, 5), actual_days, "185.87", "185.87"),
        # 3 x 186.67 = 560.01
        (3, date(2025, 6, 5), thirty_360, "186.67", "560.01"),
        # d = s: 2 x 300.00 = 600.00
        (2, date(2025, 5, 1), actual_days, "300.00", "600.00"),
        # 7 x 3.26 = 22.82 (not 7 x 3.2608.. = 22.83, the price is rounded first)
        (7, date(2025, 7, 31), actual_days, "3.26", "22.82"),
    ],
)
def test_addition_line_is_quantity_times_rounded_unit_price(
    licenses, day, policy, unit_price, amount
):
    """R9, R14: an addition line bills q licenses at the prorated price, from d to e."""
    line = addition_line(
        "user", licenses, SEED, day=day, months=3, monthly=Money("100.00", "NOK"), policy=policy
    )
    assert line.unit_price == Decimal(unit_price)
    assert line.amount == Decimal(amount)
    assert (line.licenses, line.quantity, line.unit) == (licenses, licenses, "license")
    assert (line.period_start, line.period_end) == (day, date(2025, 7, 31))


@pytest.mark.parametrize(
    ("licenses", "months", "monthly", "quantity", "amount"),
    [
        (2, 3, "100.00", 6, "600.00"),  # 2 x 3 x 100.00
        (1, 12, "99.90", 12, "1198.80"),  # 12 x 99.90
        (5, 1, "0.01", 5, "0.05"),
    ],
)
def test_whole_period_line_bills_licenses_times_months(licenses, months, monthly, quantity, amount):
    """R8, R13: a renewal line is licenses x months at the monthly price."""
    line = whole_period_line("user", licenses, SEED, months, Money(monthly, "NOK"))
    assert (line.quantity, line.unit) == (quantity, "month")
    assert line.unit_price == Decimal(monthly)
    assert line.amount == Decimal(amount)
    assert (line.period_start, line.period_end) == (SEED.start, SEED.end)
