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


def actual_days(period: Period, day: date) -> Fraction:
    """Return the remaining fraction in actual days (R9): (e - d + 1) / (e - s + 1)."""
    _check_inside(period, day)
    return Fraction((period.end - day).days + 1, period.days)


def _days_30e_360(first: date, last: date) -> int:
    """Return days from first to last inclusive under 30E/360 (each month 30 days)."""
    d1 = min(first.day, 30)
    d2 = min(last.day, 30)
    return 360 * (last.year - first.year) + 30 * (last.month - first.month) + d2 - d1 + 1


def thirty_360(period: Period, day: date) -> Fraction:
    """Return the remaining fraction in 30E/360 days (R10): 5.6-31.7 is 56 of 90."""
    _check_inside(period, day)
    return Fraction(_days_30e_360(day, period.end), _days_30e_360(period.start, period.end))


POLICIES: dict[str, ProrationPolicy] = {"actual_days": actual_days, "thirty_360": thirty_360}


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
