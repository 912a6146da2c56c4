"""Billing periods from the anchor (R1, R2): literal tables, worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from severa_ledger import InvalidPeriodError, Schedule
from severa_ledger.domain.periods import add_months

# (anchor, months, k, start, end, days); days counted by hand, both ends included.
PERIODS = [
    # R2: May, June, July have 31 + 30 + 31 = 92 days
    (date(2025, 5, 1), 3, 0, date(2025, 5, 1), date(2025, 7, 31), 92),
    # 31 (Aug) + 30 (Sep) + 31 (Oct) = 92
    (date(2025, 5, 1), 3, 1, date(2025, 8, 1), date(2025, 10, 31), 92),
    # before the anchor: 28 (Feb 2025) + 31 (Mar) + 30 (Apr) = 89
    (date(2025, 5, 1), 3, -1, date(2025, 2, 1), date(2025, 4, 30), 89),
    # R2: April, May, June have 30 + 31 + 30 = 91 days
    (date(2025, 4, 1), 3, 0, date(2025, 4, 1), date(2025, 6, 30), 91),
    # R2: 31 + 29 (leap Feb) + 31 + 30 + 31 + 30 = 182
    (date(2028, 1, 1), 6, 0, date(2028, 1, 1), date(2028, 6, 30), 182),
    # 31 + 31 + 30 + 31 + 30 + 31 = 184
    (date(2028, 1, 1), 6, 1, date(2028, 7, 1), date(2028, 12, 31), 184),
    # monthly from Jan 31: Jan 31 (1) + Feb 1..27 (27) = 28
    (date(2025, 1, 31), 1, 0, date(2025, 1, 31), date(2025, 2, 27), 28),
    # Jan 31 + 1 month = Feb 28; Feb 28 (1) + Mar 1..30 (30) = 31
    (date(2025, 1, 31), 1, 1, date(2025, 2, 28), date(2025, 3, 30), 31),
    # Jan 31 + 2 months = Mar 31, not Mar 28; Mar 31 (1) + Apr 1..29 (29) = 30
    (date(2025, 1, 31), 1, 2, date(2025, 3, 31), date(2025, 4, 29), 30),
    # Jan 31 + 3 months = Apr 30 (April has 30 days); Apr 30 (1) + May 1..30 (30) = 31
    (date(2025, 1, 31), 1, 3, date(2025, 4, 30), date(2025, 5, 30), 31),
    # Jan 31 + 4 months = May 31, back on the 31st
    (date(2025, 1, 31), 1, 4, date(2025, 5, 31), date(2025, 6, 29), 30),
    # leap year: Jan 31 (1) + Feb 1..28 (28) = 29
    (date(2024, 1, 31), 1, 0, date(2024, 1, 31), date(2024, 2, 28), 29),
    # Jan 31 + 1 month = Feb 29 in 2024; Feb 29 (1) + Mar 1..30 (30) = 31
    (date(2024, 1, 31), 1, 1, date(2024, 2, 29), date(2024, 3, 30), 31),
    (date(2024, 1, 31), 1, 2, date(2024, 3, 31), date(2024, 4, 29), 30),
    # yearly from Feb 29: 2024-02-29..2025-02-27; no Feb 29 after the start, 365 days
    (date(2024, 2, 29), 12, 0, date(2024, 2, 29), date(2025, 2, 27), 365),
    (date(2024, 2, 29), 12, 1, date(2025, 2, 28), date(2026, 2, 27), 365),
    # 2027-02-28..2028-02-28 contains 2028-02-28 but not Feb 29: 366 days
    # (2027-02-28 -> 2028-02-28 is 365 days apart, plus the start day).
    (date(2024, 2, 29), 12, 3, date(2027, 2, 28), date(2028, 2, 28), 366),
    # 2024-02-29 + 48 months = 2028-02-29, back on the 29th
    (date(2024, 2, 29), 12, 4, date(2028, 2, 29), date(2029, 2, 27), 365),
]


@pytest.mark.parametrize(("anchor", "months", "k", "start", "end", "days"), PERIODS)
def test_period_k_is_computed_from_the_anchor(*, anchor, months, k, start, end, days):
    """R1, R2: period k starts at anchor + k x months and ends the day before k + 1."""
    period = Schedule(anchor, months).period(k)
    assert (period.index, period.start, period.end, period.days) == (k, start, end, days)


@pytest.mark.parametrize(
    ("anchor", "months", "day", "index"),
    [
        (date(2025, 5, 1), 3, date(2025, 5, 1), 0),  # the anchor itself
        (date(2025, 5, 1), 3, date(2025, 6, 5), 0),  # inside
        (date(2025, 5, 1), 3, date(2025, 7, 31), 0),  # last day of period 0
        (date(2025, 5, 1), 3, date(2025, 8, 1), 1),  # first day of period 1
        (date(2025, 5, 1), 3, date(2026, 5, 1), 4),  # 12 months = 4 quarters later
        (date(2025, 5, 1), 3, date(2025, 4, 30), -1),  # the day before the anchor
        (date(2025, 5, 1), 3, date(2025, 2, 1), -1),  # period -1 is 2025-02-01..04-30
        (date(2025, 5, 1), 3, date(2025, 1, 31), -2),  # period -2 is 2024-11-01..2025-01-31
        (date(2024, 1, 1), 1, date(2024, 2, 29), 1),  # monthly, leap day
        (date(2025, 1, 31), 1, date(2025, 2, 27), 0),
        (date(2025, 1, 31), 1, date(2025, 2, 28), 1),
        (date(2025, 1, 31), 1, date(2025, 3, 30), 1),
        (date(2025, 1, 31), 1, date(2025, 3, 31), 2),
        (date(2025, 1, 31), 1, date(2025, 1, 30), -1),  # period -1 starts 2024-12-31
        (date(2025, 1, 31), 1, date(2024, 12, 30), -2),  # period -2 starts 2024-11-30
        (date(2024, 2, 29), 12, date(2025, 2, 27), 0),
        (date(2024, 2, 29), 12, date(2025, 2, 28), 1),
        (date(2024, 2, 29), 12, date(2028, 2, 28), 3),
        (date(2024, 2, 29), 12, date(2028, 2, 29), 4),
    ],
)
def test_index_of_finds_the_period_containing_a_day(anchor, months, day, index):
    """R1: index_of returns the period that contains the day, negative before the anchor."""
    schedule = Schedule(anchor, months)
    assert schedule.index_of(day) == index
    assert day in schedule.containing(day)


@pytest.mark.parametrize(
    ("anchor", "months", "day", "expected"),
    [
        (date(2025, 5, 1), 3, date(2025, 5, 1), True),
        (date(2025, 5, 1), 3, date(2025, 8, 1), True),
        (date(2025, 5, 1), 3, date(2025, 2, 1), True),  # before the anchor
        (date(2025, 5, 1), 3, date(2025, 6, 1), False),  # a month start, not a period start
        (date(2025, 5, 1), 3, date(2025, 7, 31), False),
        (date(2025, 1, 31), 1, date(2025, 2, 28), True),
        (date(2025, 1, 31), 1, date(2025, 3, 28), False),  # the drifting date of R1
        (date(2025, 1, 31), 1, date(2025, 3, 31), True),
        (date(2024, 2, 29), 12, date(2025, 2, 28), True),
        (date(2024, 2, 29), 12, date(2028, 2, 28), False),
        (date(2024, 2, 29), 12, date(2028, 2, 29), True),
    ],
)
def test_is_start_is_true_only_on_period_starts(anchor, months, day, expected):
    """R1: is_start holds exactly on the days anchor + k x months."""
    assert Schedule(anchor, months).is_start(day) is expected


@pytest.mark.parametrize("months", [0, 2, 4, 24, -3, True])
def test_period_length_outside_1_3_6_12_is_refused(months):
    """R1: period_months must be one of 1, 3, 6, 12 (a bool is not a number of months)."""
    with pytest.raises(InvalidPeriodError, match=repr(months)):
        Schedule(date(2025, 5, 1), months)


@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2400, 12, 31)),
    months=st.integers(min_value=-1200, max_value=1200),
)
def test_add_months_is_relativedelta(day: date, months: int) -> None:
    """The fast month arithmetic of Schedule.start is dateutil's, clamping included."""
    assert add_months(day, months) == day + relativedelta(months=months)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
    ],
)
def test_add_months_literal(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
