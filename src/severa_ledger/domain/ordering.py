"""When periods roll and renew, and the orders they confirm (R4, R13, R14, R19-R22).

The deciding half of the Subscription aggregate's advancing: these methods
compute what falls due and call the aggregate's ``@event`` methods, which
only assign (domain/subscription.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from severa_ledger.domain import rules
from severa_ledger.domain.billing import addition_line, monthly_price, whole_period_line
from severa_ledger.domain.documents import RENEWAL, OrderConfirmation, OrderLine
from severa_ledger.domain.holdings import Holdings
from severa_ledger.domain.proration import policy_named


class Ordering(Holdings):
    """Advancing a subscription through its periods; mixed into the aggregate."""

    if TYPE_CHECKING:

        def _period_rolled(
            self,
            index: int,
            period_start: date,
            period_end: date,
            removed: dict[str, int],
            seller: str,
            regime: str,
            effective_date: date,
        ) -> None: ...

        def _period_renewed(
            self, index: int, period_start: date, period_end: date, effective_date: date
        ) -> None: ...

        def _order_confirmed(
            self, order: OrderConfirmation, net: Decimal, effective_date: date
        ) -> None: ...

    def advance_to(self, day: date) -> None:
        """Record every advance renewal and period roll due on or before ``day`` (R13, R20)."""
        while True:
            index = self.period_index + 1
            order_date, _, regime = self.renewal_terms(index)
            start = self.schedule.start(index)
            if regime == "in_advance" and self.ordered_through < index and order_date <= day:
                self._renew(index, max(order_date, self.last_change))
            elif start <= day:
                self._roll(index)
                if self.ordered_through < index:
                    self._renew(index, start)
            else:
                return

    def _roll(self, index: int) -> None:
        start = self.schedule.start(index)
        due: dict[str, int] = {}
        for when, by_kind in self.removals.items():
            if date.fromisoformat(when) <= start:
                for kind, n in by_kind.items():
                    due[kind] = due.get(kind, 0) + n
        seller, regime = self.seller, self.regime
        if self.migration is not None and self.migration.cohort == start:
            seller, regime = self.migration.seller, self.migration.regime
        period = self.schedule.period(index)
        self._period_rolled(
            index=index,
            period_start=period.start,
            period_end=period.end,
            removed=due,
            seller=seller,
            regime=regime,
            effective_date=start,
        )

    def _renew(self, index: int, on: date) -> None:
        period = self.schedule.period(index)
        lines = self.renewal_lines(index, deduct_billed=True)
        self._period_renewed(
            index=index, period_start=period.start, period_end=period.end, effective_date=on
        )
        if lines:
            self._confirm(on, RENEWAL, lines)

    def _confirm(self, on: date, kind: str, lines: list[OrderLine]) -> OrderConfirmation:
        order = OrderConfirmation(
            customer_number=self.customer_number,
            sequence=len(self.orders) + 1,
            date=on,
            kind=kind,
            seller=self.seller,
            regime=self.regime,
            currency=self.currency,
            lines=lines,
        )
        self._order_confirmed(order=order, net=order.net, effective_date=on)
        return order

    def unbilled_lines(self, kind: str, on: date) -> list[OrderLine]:
        """Return the lines that bill licenses of ``kind`` held but not yet billed (R14, R19)."""
        lines = []
        policy = policy_named(self.proration)
        for index in range(self.period_index, self.ordered_through + 1):
            gap = self.projected(index, kind) - self.billed_for(index, kind)
            if gap <= 0:
                continue
            period = self.schedule.period(index)
            monthly = monthly_price(self.price_versions, period, kind, self.currency)
            if index == self.period_index:
                lines.append(
                    addition_line(
                        kind,
                        gap,
                        period,
                        day=on,
                        months=self.period_months,
                        monthly=monthly,
                        policy=policy,
                    )
                )
            else:
                lines.append(whole_period_line(kind, gap, period, self.period_months, monthly))
        return lines

    def begin(self, on: object, channel: str = "severa") -> date:
        """Check a command's date and channel, then advance to it (R24)."""
        day = self.checked(on, channel)
        self.advance_to(day)
        return day

    def checked(self, on: object, channel: str = "severa") -> date:
        """Return a command's date, checked with its channel, without advancing (R24, R36)."""
        day = rules.check_date(on)
        rules.check_effective_date(self, day)
        rules.check_channel_open(self, day, channel)
        return day

    def cancelling(self, kind: str, quantity: int) -> tuple[dict[str, int], int]:
        """Return the removals a purchase cancels (latest first) and the licenses it adds (R4)."""
        cancelled: dict[str, int] = {}
        left = quantity
        for when in sorted(self.removals, reverse=True):  # the latest removal costs nothing
            take = min(left, self.removals[when].get(kind, 0))
            if take:
                cancelled[when] = take
                left -= take
        return cancelled, left
