"""What a subscription holds, read from its state: counts, periods, prices, renewals.

These are the Subscription aggregate's queries, kept apart from its commands and
events; they read the state the events fold to and never change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from severa_ledger.domain.billing import PriceVersion, period_lines, prices_in_force
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import OrderConfirmation, OrderLine
from severa_ledger.domain.periods import Period, Schedule, add_months
from severa_ledger.domain.values import (
    CompanyVersion,
    LicenseCount,
    Migration,
    TermsAcceptance,
    company_in_force,
)


@lru_cache(maxsize=4096)
def schedule_of(anchor: date, months: int) -> Schedule:
    """Return the (immutable) schedule of an anchor and period length, built once."""
    return Schedule(anchor, months)


class Holdings:
    """Read-only views of a subscription's state (mixed into the aggregate)."""

    if TYPE_CHECKING:
        customer_number: str
        currency: str
        period_months: int
        anchor: date
        proration: str
        seller: str
        regime: str
        price_versions: list[PriceVersion]
        company_versions: list[CompanyVersion]
        licenses: dict[str, int]
        removals: dict[str, dict[str, int]]
        users: dict[str, str]
        period_index: int
        ordered_through: int
        billed: dict[str, dict[str, int]]
        orders: list[OrderConfirmation]
        migration: Migration | None
        terms: list[TermsAcceptance]
        last_change: date

    @property
    def schedule(self) -> Schedule:
        """Return the billing periods from the anchor (R1)."""
        return schedule_of(self.anchor, self.period_months)

    @property
    def current_period(self) -> Period:
        """Return the period the subscription has been advanced into."""
        return self.schedule.period(self.period_index)

    @property
    def company(self) -> CompanyDetails:
        """Return the company details as last scheduled: the latest effective date's (R26)."""
        return company_in_force(self.company_versions, date.max)

    def company_on(self, day: date) -> CompanyDetails:
        """Return the company details in force on ``day`` (R18, R26)."""
        return company_in_force(self.company_versions, day)

    def price_list(self, day: date) -> Mapping[str, Decimal]:
        """Return the price list in force on ``day`` (R12)."""
        return prices_in_force(self.price_versions, day)

    def pending(self, kind: str, through: date | None = None) -> int:
        """Return licenses of ``kind`` scheduled for removal (by ``through``, if given)."""
        return sum(
            by_kind.get(kind, 0)
            for when, by_kind in self.removals.items()
            if through is None or date.fromisoformat(when) <= through
        )

    def active_users(self, kind: str) -> int:
        """Return the number of active users of ``kind``."""
        return sum(1 for k in self.users.values() if k == kind)

    def free(self, kind: str) -> int:
        """Return seats of ``kind`` neither used nor pending removal (R4, R5)."""
        return self.licenses.get(kind, 0) - self.pending(kind) - self.active_users(kind)

    def kinds(self) -> list[str]:
        """Return every kind priced now or holding licenses or users."""
        found = set(self.price_list(self.current_period.start)) | set(self.licenses)
        return sorted(found | set(self.users.values()))

    def counts(self) -> dict[str, LicenseCount]:
        """Return license counts per kind (``Ledger.license_counts``)."""
        return {
            kind: LicenseCount(
                licenses=self.licenses.get(kind, 0),
                active_users=self.active_users(kind),
                free=max(self.free(kind), 0),
                pending_removal=self.pending(kind),
            )
            for kind in self.kinds()
        }

    def projected(self, index: int, kind: str) -> int:
        """Return licenses of ``kind`` held at the start of period ``index`` as known now."""
        if index <= self.period_index:
            return self.licenses.get(kind, 0)
        return self.licenses.get(kind, 0) - self.pending(kind, self.schedule.start(index))

    def billed_for(self, index: int, kind: str) -> int:
        """Return licenses of ``kind`` already billed for period ``index`` (R19, R22)."""
        key = self.schedule.start(index).isoformat()
        return self.billed.get(key, {}).get(kind, 0)

    def renewal_terms(self, index: int) -> tuple[date, str, str]:
        """Return the order date, seller and regime of period ``index``'s renewal (R20-R22)."""
        start = self.schedule.start(index)
        if self.period_index < index <= self.ordered_through:
            # ordered in advance already, by the seller and regime in force then (R20, R22)
            return add_months(start, -1), self.seller, self.regime
        if self.migration is not None and self.migration.cohort <= start:
            return start, self.migration.seller, self.migration.regime
        if self.regime == "in_advance":
            return add_months(start, -1), self.seller, self.regime
        return start, self.seller, self.regime

    def renewal_lines(self, index: int, *, deduct_billed: bool) -> list[OrderLine]:
        """Return the renewal lines of period ``index`` (R13, R28).

        The preview uses this with ``deduct_billed=False``; the renewal itself
        leaves out licenses already billed for the period (R22).
        """
        counts = {
            kind: self.projected(index, kind)
            - (self.billed_for(index, kind) if deduct_billed else 0)
            for kind in self.kinds()
        }
        period = self.schedule.period(index)
        return period_lines(counts, period, self.period_months, self.price_versions, self.currency)

    def terms_acceptance_required(self, as_of: date) -> bool:
        """Return whether the customer must accept the new terms on ``as_of`` (R25)."""
        if self.migration is None or as_of < self.migration.cohort:
            return False
        return not any(t.accepted_on <= as_of for t in self.terms)
