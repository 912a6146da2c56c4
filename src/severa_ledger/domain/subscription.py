"""The Subscription aggregate: licenses, users, periods and orders (R1-R14, R19-R25).

Public methods decide (validate and compute); the private ``@event`` methods
only assign, because they run again on every replay. Every command first
advances the subscription to its effective date, recording the period rolls
and renewals that fell due before it (:meth:`Subscription.advance_to`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from severa_ledger.domain import rules, scheduled
from severa_ledger.domain.billing import PriceVersion
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import ADDITION, OrderConfirmation
from severa_ledger.domain.money import check_currency
from severa_ledger.domain.periods import Schedule, add_months
from severa_ledger.domain.rules import check_quantity
from severa_ledger.domain.scheduled import ScheduledChange, Scheduling
from severa_ledger.domain.values import CompanyVersion, Migration, TermsAcceptance

T = "severa_ledger:Subscription"
OPENED_TOPIC = f"{T}.SubscriptionOpened.v1"


def subscription_id(customer_number: str) -> UUID:
    """Return the deterministic id of a customer's subscription."""
    return uuid5(NAMESPACE_URL, f"severa-ledger/subscription/{customer_number}")


class Subscription(Scheduling, Aggregate):
    """One customer's Severa subscription, as an append-only history of facts."""

    TOPIC = T

    class Created(Aggregate.Created):
        """Unused base creation event; pinned so every stored topic is explicit."""

        TOPIC = f"{T}.Created.v1"

    class OrderConfirmed(Aggregate.Event):
        """An order confirmation and its net total (class_version 2; docs/events.md).

        Version 1 stored only the order; version 2 also states its ``net``,
        the sum of its line amounts excluding VAT, so that the record carries
        the total an auditor checks the lines against. The topic is unchanged.
        """

        TOPIC = f"{T}.OrderConfirmed.v1"
        class_version = 2
        order: OrderConfirmation
        net: Decimal
        effective_date: date

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Add ``net`` to a version 1 state: the sum of its order's line amounts."""
            state["net"] = state["order"].net

    @staticmethod
    def create_id(customer_number: str) -> UUID:
        """Return the id for ``customer_number`` (one subscription per customer)."""
        return subscription_id(customer_number)

    @event("SubscriptionOpened", topic=OPENED_TOPIC)
    def __init__(
        self,
        customer_number: str,
        company: CompanyDetails,
        currency: str,
        period_months: int,
        anchor: date,
        prices: PriceVersion,
        seller: str,
        regime: str,
        proration: str,
        period_index: int,
        ordered_through: int,
        effective_date: date,
    ) -> None:
        self.customer_number = customer_number
        self.currency = currency
        self.period_months = period_months
        self.anchor = anchor
        self.proration = proration
        self.seller = seller
        self.regime = regime
        self.price_versions = [prices]
        self.company_versions = [CompanyVersion(effective_date, company)]
        self.licenses: dict[str, int] = {}
        self.removals: dict[str, dict[str, int]] = {}
        self.users: dict[str, str] = {}
        self.period_index = period_index
        self.ordered_through = ordered_through
        self.billed: dict[str, dict[str, int]] = {}
        self.orders: list[OrderConfirmation] = []
        self.migration: Migration | None = None
        self.terms: list[TermsAcceptance] = []
        self.opened_on = effective_date
        self.last_change = effective_date

    # --------------------------------------------------------------- commands

    @classmethod
    def open(
        cls,
        customer_number: str,
        *,
        company: CompanyDetails,
        currency: str,
        schedule: Schedule,
        prices: Mapping[str, object],
        seller: str,
        regime: str,
        proration: str,
        on: date,
    ) -> Subscription:
        """Open a subscription from ``on``: no licenses yet, prices in force from the anchor."""
        rules.check_opening(customer_number, schedule, on, proration, regime)
        check_currency(currency)
        index = schedule.index_of(on)
        ordered = index
        if regime == "in_advance" and add_months(schedule.start(index + 1), -1) <= on:
            ordered = index + 1  # the next renewal was due before the ledger knew it
        return cls(
            customer_number=customer_number,
            company=company,
            currency=currency,
            period_months=schedule.months,
            anchor=schedule.anchor,
            prices=PriceVersion(
                schedule.anchor, rules.check_prices(prices, customer_number, currency)
            ),
            seller=seller,
            regime=regime,
            proration=proration,
            period_index=index,
            ordered_through=ordered,
            effective_date=on,
        )

    def buy(self, kind: str, quantity: int, on: date, channel: str) -> OrderConfirmation | None:
        """Buy licenses (R3, R4, R14); return the addition order, if anything is billed."""
        self.begin(on, channel)
        check_quantity(quantity, self.customer_number)
        rules.check_kind_priced(self, kind)
        cancelled, left = self.cancelling(kind, quantity)
        rules.check_holding(self, kind, quantity, self.licenses.get(kind, 0) + left)
        self._licenses_bought(
            kind=kind,
            quantity=quantity,
            added=left,
            cancelled=cancelled,
            effective_date=on,
            channel=channel,
        )
        lines = self.unbilled_lines(kind, on)
        return self._confirm(on, ADDITION, lines) if lines else None

    def schedule_removal(self, kind: str, quantity: int, on: date, channel: str) -> date:
        """Schedule a removal for the next period start not yet ordered (R4, R5, R20)."""
        self.begin(on, channel)
        check_quantity(quantity, self.customer_number)
        rules.check_kind_priced(self, kind)
        rules.check_removable(self, kind, quantity)
        takes_effect = self.schedule.start(self.ordered_through + 1)
        self._removal_scheduled(
            kind=kind,
            quantity=quantity,
            takes_effect=takes_effect,
            effective_date=on,
            channel=channel,
        )
        return takes_effect

    def activate(
        self, user_id: str, kind: str, on: date, channel: str, *, buy_if_needed: bool
    ) -> OrderConfirmation | None:
        """Activate a user, buying a license first if asked and needed (R5, R7)."""
        self.begin(on, channel)
        rules.check_kind_priced(self, kind)
        rules.check_user_inactive(self, user_id)
        order = None
        if self.free(kind) < 1:
            rules.check_may_buy_for_user(self, kind, user_id, buy_if_needed=buy_if_needed)
            order = self.buy(kind, 1, on, channel)
        self._user_activated(user_id=user_id, kind=kind, effective_date=on, channel=channel)
        return order

    def deactivate(self, user_id: str, on: date, channel: str, *, remove_license: bool) -> None:
        """Deactivate a user, freeing the seat at once, and remove it if asked (R6, R7)."""
        self.begin(on, channel)
        rules.check_user_active(self, user_id)
        kind = self.users[user_id]
        self._user_deactivated(user_id=user_id, kind=kind, effective_date=on, channel=channel)
        if remove_license:
            self.schedule_removal(kind, 1, on, channel)

    def change_company(self, company: CompanyDetails, on: date, channel: str) -> None:
        """Record company details in force from ``on`` (R26); never advances (R36)."""
        day = self.checked(on, channel)
        self._company_details_changed(company=company, effective_date=day, channel=channel)

    def change_prices(self, prices: Mapping[str, object], effective: date, on: date) -> None:
        """Record a new price-list version from ``effective`` (R12)."""
        self.begin(on)
        rules.check_price_effective(self, rules.check_date(effective, "effective"), on)
        checked = rules.check_prices(prices, self.customer_number, self.currency)
        priced = {kind for version in self.price_versions for kind in version.prices}
        rules.check_kind_count(self.customer_number, priced | set(checked))
        self._prices_changed(version=PriceVersion(effective, checked), effective_date=on)

    def schedule_migration(self, migration: Migration) -> None:
        """Schedule the move to the new seller and regime from a cohort date (R21-R24)."""
        self.begin(migration.scheduled_on)
        rules.check_migration(self, migration)
        self._migration_scheduled(migration=migration, effective_date=migration.scheduled_on)

    def accept_terms(self, version: str, accepted_by: str, on: date) -> None:
        """Record the acceptance of the new seller's terms of service (R25)."""
        self.begin(on)
        rules.check_migration_scheduled(self)
        acceptance = TermsAcceptance(version, accepted_by, on)
        self._terms_accepted(acceptance=acceptance, effective_date=on)

    # ------------------------------------------------------------------ events

    @event("LicensesBought", topic=f"{T}.LicensesBought.v1")
    def _licenses_bought(
        self,
        kind: str,
        quantity: int,
        added: int,
        cancelled: dict[str, int],
        effective_date: date,
        channel: str,
    ) -> None:
        self.licenses[kind] = self.licenses.get(kind, 0) + added
        for when, n in cancelled.items():
            left = self.removals[when][kind] - n
            if left:
                self.removals[when][kind] = left
            else:
                del self.removals[when][kind]
            if not self.removals[when]:
                del self.removals[when]
        self.last_change = effective_date

    @event("LicenseRemovalScheduled", topic=f"{T}.LicenseRemovalScheduled.v1")
    def _removal_scheduled(
        self, kind: str, quantity: int, takes_effect: date, effective_date: date, channel: str
    ) -> None:
        by_kind = self.removals.setdefault(takes_effect.isoformat(), {})
        by_kind[kind] = by_kind.get(kind, 0) + quantity
        self.last_change = effective_date

    @event("UserActivated", topic=f"{T}.UserActivated.v1")
    def _user_activated(self, user_id: str, kind: str, effective_date: date, channel: str) -> None:
        self.users[user_id] = kind
        self.last_change = effective_date

    @event("UserDeactivated", topic=f"{T}.UserDeactivated.v1")
    def _user_deactivated(
        self, user_id: str, kind: str, effective_date: date, channel: str
    ) -> None:
        del self.users[user_id]
        self.last_change = effective_date

    @event("CompanyDetailsChanged", topic=f"{T}.CompanyDetailsChanged.v1")
    def _company_details_changed(
        self, company: CompanyDetails, effective_date: date, channel: str
    ) -> None:
        self.company_versions.append(CompanyVersion(effective_date, company))

    @event("PricesChanged", topic=f"{T}.PricesChanged.v1")
    def _prices_changed(self, version: PriceVersion, effective_date: date) -> None:
        self.price_versions.append(version)
        self.last_change = effective_date

    @event("PeriodRolled", topic=f"{T}.PeriodRolled.v1")
    def _period_rolled(
        self,
        index: int,
        period_start: date,
        period_end: date,
        removed: dict[str, int],
        seller: str,
        regime: str,
        effective_date: date,
    ) -> None:
        for kind, n in removed.items():
            self.licenses[kind] = self.licenses.get(kind, 0) - n
        start = period_start.isoformat()
        self.removals = {w: k for w, k in self.removals.items() if w > start}
        self.billed = {p: k for p, k in self.billed.items() if p >= start}
        self.period_index = index
        self.seller = seller
        self.regime = regime
        self.last_change = effective_date

    @event("PeriodRenewed", topic=f"{T}.PeriodRenewed.v1")
    def _period_renewed(
        self, index: int, period_start: date, period_end: date, effective_date: date
    ) -> None:
        self.ordered_through = index
        self.last_change = effective_date

    @event(OrderConfirmed)
    def _order_confirmed(
        self, order: OrderConfirmation, net: Decimal, effective_date: date
    ) -> None:
        self.orders.append(order)
        for line in order.lines:
            start = self.schedule.containing(line.period_start).start
            period = self.billed.setdefault(start.isoformat(), {})
            period[line.kind] = period.get(line.kind, 0) + line.licenses
        self.last_change = effective_date

    @event("ScheduledChangeCancelled", topic=f"{T}.ScheduledChangeCancelled.v1")
    def _scheduled_change_cancelled(self, change: ScheduledChange, effective_date: date) -> None:
        if change.kind == scheduled.COMPANY:
            self.company_versions = scheduled.company_versions_without(
                self.company_versions, change
            )
        elif change.kind == scheduled.REMOVAL:
            self.removals = scheduled.removals_without(self.removals, change)
        elif change.kind == scheduled.PRICES:
            self.price_versions = scheduled.price_versions_without(self.price_versions, change)
        elif change.kind == scheduled.MIGRATION:
            self.migration = None
        self.last_change = effective_date

    @event("MigrationScheduled", topic=f"{T}.MigrationScheduled.v1")
    def _migration_scheduled(self, migration: Migration, effective_date: date) -> None:
        self.migration = migration
        self.last_change = effective_date

    @event("TermsAccepted", topic=f"{T}.TermsAccepted.v1")
    def _terms_accepted(self, acceptance: TermsAcceptance, effective_date: date) -> None:
        self.terms.append(acceptance)
        self.last_change = effective_date
