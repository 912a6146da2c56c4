"""Proration policies (R9, R10): exact day fractions, rounded once.

A policy is a pure function of the period and the effective day that returns
the exact fraction of the period left, ``(e - d + 1) / (e - s + 1)`` in its
own day count. :func:`prorated_unit_price` applies it and rounds once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction

from severa_ledger.domain.errors import InvalidValueError, UnknownPolicyError
from severa_ledger.domain.money import Money, round_half_up
from severa_ledger.domain.periods import Period

ProrationPolicy = Callable[[Period, date], Fraction]


def _check_inside(period: Period, day: date) -> None:
    if day not in period:
        raise InvalidValueError(
            f"day {day.isoformat()} is outside period {period.start}..{period.end}"
        )


def actual_day_counts(period: Period, day: date) -> tuple[int, int]:
    """Return the actual days left from ``day`` and the period's days, both ends included (R9)."""
    _check_inside(period, day)
    return (period.end - day).days + 1, period.days


def actual_days(period: Period, day: date) -> Fraction:
    """Return the remaining fraction in actual days (R9): (e - d + 1) / (e - s + 1)."""
    return Fraction(*actual_day_counts(period, day))


def _days_30e_360(first: date, last: date) -> int:
    """Return days from first to last inclusive under 30E/360 (each month 30 days)."""
    d1 = min(first.day, 30)
    d2 = min(last.day, 30)
    return 360 * (last.year - first.year) + 30 * (last.month - first.month) + d2 - d1 + 1


def thirty_360_day_counts(period: Period, day: date) -> tuple[int, int]:
    """Return the 30E/360 days left from ``day`` and the period's 30E/360 days (R10)."""
    _check_inside(period, day)
    return _days_30e_360(day, period.end), _days_30e_360(period.start, period.end)


def thirty_360(period: Period, day: date) -> Fraction:
    """Return the remaining fraction in 30E/360 days (R10): 5.6-31.7 is 56 of 90."""
    return Fraction(*thirty_360_day_counts(period, day))


POLICIES: dict[str, ProrationPolicy] = {"actual_days": actual_days, "thirty_360": thirty_360}
#: Each policy's day count: (days left, days in the period), the fraction unreduced.
DAY_COUNTS: dict[str, Callable[[Period, date], tuple[int, int]]] = {
    "actual_days": actual_day_counts,
    "thirty_360": thirty_360_day_counts,
}


def day_counts(policy: ProrationPolicy, period: Period, day: date) -> tuple[str, tuple[int, int]]:
    """Return a policy's name and its (days left, days in the period) from ``day`` (R9, R10).

    A policy without a day count in :data:`DAY_COUNTS` is named as registered
    (else after its function) and counted by its fraction's numerator and denominator.
    """
    name = next((n for n, known in POLICIES.items() if known is policy), None)
    if name is not None and name in DAY_COUNTS:
        return name, DAY_COUNTS[name](period, day)
    fraction = policy(period, day)
    named = name or str(getattr(policy, "__name__", "custom"))
    return named, (fraction.numerator, fraction.denominator)


def policy_named(name: str) -> ProrationPolicy:
    """Return the proration policy with this name (R10)."""
    try:
        return POLICIES[name]
    except KeyError:
        known = ", ".join(sorted(POLICIES))
        raise UnknownPolicyError(f"unknown proration policy {name!r}; known: {known}") from None


def prorated_unit_price(
    monthly: Money, months: int, period: Period, day: date, policy: ProrationPolicy
) -> Money:
    """Return the per-license price from ``day`` to the period end, rounded once (R9)."""
    exact = Fraction(monthly.amount) * months * policy(period, day)
    return Money(round_half_up(exact, monthly.currency), monthly.currency)


def full_period_price(monthly: Money, months: int) -> Money:
    """Return the per-license price of a whole period (R8)."""
    return Money(monthly.amount * Decimal(months), monthly.currency)
