"""A deliberately naive reference model of R3-R22: licenses counted day by day.

It imports nothing of the production code: periods come from the anchor with
relativedelta (R1), removals and purchases follow R4 and R20 literally, and
each license-day is priced by brute force (R8, R9, R12). It answers what should
have been billed for each period and kind: :meth:`ReferenceModel.expected`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta

ONE_DAY = timedelta(days=1)


def half_up(value: Fraction) -> Decimal:
    """Round an exact non-negative value half-up to cents."""
    cents = (value * 200 + 1) // 2
    return Decimal(int(cents)) / 100


def _remaining(day: date, end: date, days: int) -> Fraction:
    """R9's default: the share of a period of ``days`` days left from ``day`` to ``end``."""
    return Fraction((end - day).days + 1, days)


@dataclass
class ReferenceModel:
    """One subscription's held licenses per kind and day, from its accepted commands.

    Feed it the commands the ledger accepted (:meth:`buy`, :meth:`remove`,
    :meth:`migrate`, price versions in ``prices``), then :meth:`finish`; it
    answers :meth:`held_on` and :meth:`expected` for each period and kind.
    """

    anchor: date
    months: int
    regime: str
    prices: list[tuple[date, dict[str, Decimal]]]
    cohort: date | None = None
    migration_known_on: date | None = None
    held: dict[str, dict[date, int]] = field(default_factory=lambda: defaultdict(dict))
    licenses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pending: dict[date, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    next_day: date | None = None

    def start(self, k: int) -> date:
        """Return the start of period k (R1)."""
        return self.anchor + relativedelta(months=k * self.months)

    def period_of(self, day: date) -> tuple[date, date]:
        """Return the period containing ``day``, walking from the anchor."""
        k = 0
        while self.start(k + 1) <= day:
            k += 1
        return self.start(k), self.start(k + 1) - ONE_DAY

    def ordered_in_advance(self, start: date, by: date) -> bool:
        """Return whether the legacy regime had ordered the period from ``start`` by ``by``."""
        if self.regime != "in_advance" or (self.cohort is not None and self.cohort < start):
            return False
        ordered_on = start - relativedelta(months=1)
        if self.cohort == start and self.migration_known_on is not None:
            # a day's period rolls and advance orders come before its commands
            return self.migration_known_on >= ordered_on and ordered_on <= by
        return ordered_on <= by

    def go_to(self, day: date) -> None:
        """Record every day before ``day``; apply removals due at each period start."""
        current = self.next_day or self.anchor
        while current < day:
            for kind, n in self.licenses.items():
                self.held[kind][current] = n
            current += ONE_DAY
            if self.period_of(current)[0] == current:
                for kind, n in self.pending.pop(current, {}).items():
                    self.licenses[kind] -= n
        self.next_day = current

    def buy(self, kind: str, quantity: int, on: date) -> None:
        """R3, R4: cancel pending removals first (latest first), then add licenses."""
        self.go_to(on)
        for when in sorted(self.pending, reverse=True):
            take = min(quantity, self.pending[when].get(kind, 0))
            self.pending[when][kind] = self.pending[when].get(kind, 0) - take
            quantity -= take
        self.licenses[kind] += quantity

    def remove(self, kind: str, quantity: int, on: date) -> None:
        """R4, R20: the count drops at the next period start not yet ordered."""
        self.go_to(on)
        start = self.period_of(on)[1] + ONE_DAY
        if self.ordered_in_advance(start, on):
            start = self.period_of(start)[1] + ONE_DAY
        self.pending[start][kind] = self.pending[start].get(kind, 0) + quantity

    def migrate(self, cohort: date, on: date) -> None:
        """R21: from the cohort on, the after_start regime."""
        self.go_to(on)
        self.cohort, self.migration_known_on = cohort, on

    def finish(self, through: date) -> None:
        """Record held licenses through ``through`` inclusive."""
        self.go_to(through + ONE_DAY)

    def held_on(self, kind: str, day: date) -> int:
        """Return the licenses of ``kind`` held at the end of ``day`` (recorded days only)."""
        return self.held[kind].get(day, 0)

    def change_prices(self, effective: date, prices: dict[str, Decimal]) -> None:
        """R12: a price version from ``effective`` on."""
        self.prices.append((effective, dict(prices)))

    def price(self, kind: str, start: date) -> Decimal:
        """R12: the version in force on the period's start (latest effective date wins)."""
        current: dict[str, Decimal] = {}
        for _, prices in sorted(
            ((e, p) for e, p in self.prices if e <= start), key=lambda pair: pair[0]
        ):
            current = {**current, **prices}
        return current[kind]

    def expected(self, kind: str, start: date) -> Decimal:
        """Return what the period from ``start`` should bill for ``kind``, day by day (R8, R9)."""
        _, end = self.period_of(start)
        days = (end - start).days + 1
        monthly = self.price(kind, start)
        amount = Decimal(0)
        previous = 0
        day = start
        while day <= end:
            count = self.held[kind].get(day, previous)
            if count < previous:
                msg = f"R4: licenses of {kind} fell inside a period, on {day}"
                raise AssertionError(msg)
            if day == start:
                unit = monthly * self.months
            else:
                unit = half_up(
                    Fraction(monthly) * self.months * Fraction((end - day).days + 1, days)
                )
            amount += (count - previous) * unit
            previous = count
            day += ONE_DAY
        return amount
