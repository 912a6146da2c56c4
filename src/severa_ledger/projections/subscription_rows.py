"""The subscriptions read model's rows and tables, and the subscription a row stands for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from functools import cached_property
from typing import Any
from uuid import UUID

import attrs

from severa_ledger.domain.billing import PriceVersion
from severa_ledger.domain.holdings import Holdings
from severa_ledger.domain.periods import Period
from severa_ledger.domain.subscription import Subscription
from severa_ledger.domain.values import CompanyVersion, LicenseCount, Migration
from severa_ledger.projections.rows import (
    Table,
)


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


@attrs.frozen
class SubscriptionRow:
    """A subscription's current terms, as its events left them (one row per subscription)."""

    subscription_id: str
    customer_number: str
    currency: str
    period_months: int
    anchor: date
    proration: str
    seller: str
    regime: str
    period_index: int
    period_start: date
    period_end: date
    ordered_through: int
    company_name: str
    company_country: str
    migration_cohort: date | None
    opened_on: date
    last_change: date
    last_effective: date
    version: int
    opened_at: datetime
    recorded_at: datetime
    licenses: dict[str, int]
    removals: dict[str, dict[str, int]]
    users: dict[str, str]
    price_versions: tuple[PriceVersion, ...] = attrs.field(converter=_tuple)
    company_versions: tuple[CompanyVersion, ...] = attrs.field(converter=_tuple)
    migration: Migration | None = None

    @cached_property
    def counts(self) -> dict[str, LicenseCount]:
        """Return the license counts per kind (R3-R6), by the domain's rules."""
        return _Held(self).counts()


@attrs.frozen
class LicenseCountRow:
    """Licenses of one kind held by one customer (``Ledger.license_counts``)."""

    customer_number: str
    kind: str
    licenses: int
    active_users: int
    free: int
    pending_removal: int

    def count(self) -> LicenseCount:
        """Return the value ``license_counts`` returns for this kind."""
        return LicenseCount(self.licenses, self.active_users, self.free, self.pending_removal)


SUBSCRIPTIONS = Table(
    "severa_ledger_subscriptions",
    SubscriptionRow,
    ("subscription_id",),
    indexes=(("customer_number",),),
)


LICENSE_COUNTS = Table("severa_ledger_license_counts", LicenseCountRow, ("customer_number", "kind"))


class _Held(Holdings):
    """A row's holdings, read by the domain's own rules (kinds in use, free seats)."""

    def __init__(self, row: SubscriptionRow) -> None:
        self.anchor = row.anchor
        self.period_months = row.period_months
        self.period_index = row.period_index
        self.licenses = row.licenses
        self.removals = row.removals
        self.users = row.users
        self.price_versions = list(row.price_versions)
        self._period = Period(row.period_index, row.period_start, row.period_end)
        self._active = Counter(row.users.values())

    @property
    def current_period(self) -> Period:
        """Return the period the row is in (= ``schedule.period(period_index)``, stored)."""
        return self._period

    def active_users(self, kind: str) -> int:
        """Return the number of active users of ``kind`` (counted once per row)."""
        return self._active[kind]


def subscription_of(row: SubscriptionRow) -> Subscription:
    """Return an in-memory Subscription with the row's state, to advance and read, never to save.

    It lacks the past orders, billed licenses and terms acceptances, which
    neither a count nor a preview reads.
    """
    state: dict[str, object] = {
        "_id": UUID(row.subscription_id),
        "_version": row.version,
        "_created_on": row.opened_at,
        "_modified_on": row.recorded_at,
        "_pending_events": [],
        "customer_number": row.customer_number,
        "currency": row.currency,
        "period_months": row.period_months,
        "anchor": row.anchor,
        "proration": row.proration,
        "seller": row.seller,
        "regime": row.regime,
        "price_versions": list(row.price_versions),
        "company_versions": list(row.company_versions),
        "licenses": dict(row.licenses),
        "removals": {when: dict(kinds) for when, kinds in row.removals.items()},
        "users": dict(row.users),
        "period_index": row.period_index,
        "ordered_through": row.ordered_through,
        "billed": {},
        "orders": [],
        "migration": row.migration,
        "terms": [],
        "opened_on": row.opened_on,
        "last_change": row.last_change,
    }
    sub = object.__new__(Subscription)
    object.__setattr__(sub, "__dict__", state)
    return sub
