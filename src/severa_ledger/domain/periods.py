"""Billing periods, always computed from the anchor (R1, R2)."""

from __future__ import annotations

from calendar import isleap
from datetime import date, timedelta

import attrs

from severa_ledger.domain.errors import InvalidPeriodError

PERIOD_LENGTHS = (1, 3, 6, 12)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months``, clamped to the month's end (Jan 31 + 1 = Feb 28/29).

    The same date as ``day + relativedelta(months=months)``, without its general
    machinery: billing asks for period starts millions of times a run.
    """
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    last = 29 if month == 2 and isleap(year) else _MONTH_DAYS[month0]  # noqa: PLR2004 -- February
    return date(year, month, min(day.day, last))


def check_period_months(months: int) -> int:
    """Return months if it is an allowed period length, else raise (R1)."""
    if type(months) is not int or months not in PERIOD_LENGTHS:
        raise InvalidPeriodError(f"period_months {months!r} is not one of 1, 3, 6, 12 (R1)")
    return months


@attrs.frozen
class Period:
    """Billing period ``index`` of a subscription: ``[start, end]`` inclusive."""

    index: int
    start: date
    end: date

    @property
    def days(self) -> int:
        """Return the number of days, both ends included (R1)."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@attrs.frozen
class Schedule:
    """The periods of one subscription: anchor and length in months (R1)."""

    anchor: date
    months: int = attrs.field(converter=check_period_months)

    def start(self, index: int) -> date:
        """Return the start of period ``index``: anchor + index x months (R1)."""
        return add_months(self.anchor, index * self.months)

    def period(self, index: int) -> Period:
        """Return period ``index``; it ends the day before the next one starts (R1)."""
        return Period(index, self.start(index), self.start(index + 1) - timedelta(days=1))

    def index_of(self, day: date) -> int:
        """Return the index of the period containing ``day`` (negative before the anchor)."""
        months = (day.year - self.anchor.year) * 12 + day.month - self.anchor.month
        index = months // self.months
        while self.start(index) > day:
            index -= 1
        while self.start(index + 1) <= day:
            index += 1
        return index

    def containing(self, day: date) -> Period:
        """Return the period containing ``day``."""
        return self.period(self.index_of(day))

    def is_start(self, day: date) -> bool:
        """Return whether ``day`` is the start of one of the periods."""
        return self.start(self.index_of(day)) == day
