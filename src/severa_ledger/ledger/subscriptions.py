"""The subscription commands: open, licenses, users, company details, prices, migration, terms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from severa_ledger.domain.billing import (
    cutover_weekend,
)
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.crossborder import check_buyer_vat_id
from severa_ledger.domain.documents import OrderConfirmation
from severa_ledger.domain.errors import (
    InvalidCompanyDetailsError,
    SubscriptionExistsError,
)
from severa_ledger.domain.periods import Schedule
from severa_ledger.domain.rules import check_date
from severa_ledger.domain.scheduled import ScheduledChange
from severa_ledger.domain.sellers import (
    LEGACY_SELLER,
    NEW_SELLER,
    check_channel,
    check_regime,
)
from severa_ledger.domain.subscription import Subscription
from severa_ledger.domain.values import Migration
from severa_ledger.ledger.base import LedgerBase
from severa_ledger.ledger.catalogue import COMMANDS, catalogued
from severa_ledger.store.unit import Unit


class SubscriptionCommands(LedgerBase):
    """Commands on one subscription (R1-R12, R20-R26), each recorded exactly once."""

    @catalogued("open_subscription")
    def open_subscription(
        self,
        customer_number: str,
        *,
        company: CompanyDetails,
        currency: str,
        period_months: int,
        anchor: date,
        prices: Mapping[str, Decimal | str | int],
        on: date,
        seller: str = LEGACY_SELLER,
        regime: str = "in_advance",
        proration: str = "actual_days",
        command_id: str | None = None,
    ) -> None:
        """Open a subscription (R1, R8-R12, R20, R26)."""
        if not isinstance(company, CompanyDetails):
            raise InvalidCompanyDetailsError(f"company must be CompanyDetails, got {company!r}")
        payload = COMMANDS["open_subscription"].payload(locals())

        def decide(unit: Unit) -> None:
            day = check_date(on)
            check_buyer_vat_id(
                self.vat, self.sellers[seller].country, company, day, customer_number
            )
            sub = Subscription.open(
                customer_number,
                company=company,
                currency=currency,
                schedule=Schedule(check_date(anchor, "anchor"), period_months),
                prices=prices,
                seller=seller,
                regime=check_regime(regime),
                proration=proration,
                on=day,
            )
            if unit.get(sub.id, Subscription) is not None:
                raise SubscriptionExistsError(
                    f"customer {customer_number!r} already has a subscription"
                )
            unit.add(sub)
            unit.account(customer_number)

        self._execute("open_subscription", payload, command_id, decide)

    @catalogued("buy_licenses")
    def buy_licenses(
        self,
        customer_number: str,
        kind: str,
        quantity: int,
        *,
        on: date,
        channel: str = "severa",
        command_id: str | None = None,
    ) -> OrderConfirmation | None:
        """Buy licenses (R3, R4, R14); return the addition order confirmation, if any."""
        payload = COMMANDS["buy_licenses"].payload(locals())
        return self._execute(
            "buy_licenses",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).buy(kind, quantity, on, channel),
        )

    @catalogued("remove_licenses")
    def remove_licenses(
        self,
        customer_number: str,
        kind: str,
        quantity: int,
        *,
        on: date,
        channel: str = "severa",
        command_id: str | None = None,
    ) -> date:
        """Schedule a removal (R4, R5); return the date the count drops."""
        payload = COMMANDS["remove_licenses"].payload(locals())
        return self._execute(
            "remove_licenses",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).schedule_removal(
                kind, quantity, on, channel
            ),
        )

    @catalogued("activate_user")
    def activate_user(
        self,
        customer_number: str,
        user_id: str,
        *,
        on: date,
        kind: str = "user",
        buy_if_needed: bool = False,
        channel: str = "severa",
        command_id: str | None = None,
    ) -> OrderConfirmation | None:
        """Activate a user (R5, R7); with ``buy_if_needed``, buy a license in the same change."""
        payload = COMMANDS["activate_user"].payload(locals())
        return self._execute(
            "activate_user",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).activate(
                user_id, kind, on, channel, buy_if_needed=buy_if_needed
            ),
        )

    @catalogued("deactivate_user")
    def deactivate_user(
        self,
        customer_number: str,
        user_id: str,
        *,
        on: date,
        remove_license: bool = False,
        channel: str = "severa",
        command_id: str | None = None,
    ) -> None:
        """Deactivate a user (R6); with ``remove_license``, schedule removing the seat (R4)."""
        payload = COMMANDS["deactivate_user"].payload(locals())
        self._execute(
            "deactivate_user",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).deactivate(
                user_id, on, channel, remove_license=remove_license
            ),
        )

    @catalogued("change_company_details")
    def change_company_details(
        self,
        customer_number: str,
        *,
        on: date,
        channel: str = "severa",
        command_id: str | None = None,
        **fields: str | None,
    ) -> CompanyDetails:
        """Record changed company details from ``on`` (R26); return the new details."""
        payload = {**COMMANDS["change_company_details"].payload(locals()), **fields}

        def decide(unit: Unit) -> CompanyDetails:
            sub = unit.subscription(customer_number)
            details = sub.company_on(check_date(on)).changed(**fields)
            country = self.sellers[sub.seller].country
            check_buyer_vat_id(self.vat, country, details, check_date(on), customer_number)
            moving = sub.migration
            if moving is not None and moving.cohort > on:  # the seller it moves to (R31)
                seller_country = self.sellers[moving.seller].country
                check_buyer_vat_id(
                    self.vat, seller_country, details, moving.cohort, customer_number
                )
            sub.change_company(details, on, check_channel(channel))
            return details

        return self._execute("change_company_details", payload, command_id, decide)

    @catalogued("change_prices")
    def change_prices(
        self,
        customer_number: str,
        prices: Mapping[str, Decimal | str | int],
        *,
        effective: date,
        on: date,
        command_id: str | None = None,
    ) -> None:
        """Record a new price-list version effective from ``effective`` (R12)."""
        payload = COMMANDS["change_prices"].payload(locals())
        self._execute(
            "change_prices",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).change_prices(prices, effective, on),
        )

    @catalogued("schedule_migration")
    def schedule_migration(
        self,
        customer_number: str,
        *,
        cohort: date,
        on: date,
        seller: str = NEW_SELLER,
        command_id: str | None = None,
    ) -> Migration:
        """Schedule the move to Visma Solutions Oy from ``cohort`` (R21-R24)."""
        payload = COMMANDS["schedule_migration"].payload(locals())

        def decide(unit: Unit) -> Migration:
            sub = unit.subscription(customer_number)
            day = check_date(on)
            start, end = cutover_weekend(check_date(cohort, "cohort"))
            buyer = sub.company_on(cohort)
            check_buyer_vat_id(
                self.vat, self.sellers[seller].country, buyer, cohort, customer_number
            )
            migration = Migration(cohort, seller, "after_start", start, end, day)
            sub.schedule_migration(migration)
            return migration

        return self._execute("schedule_migration", payload, command_id, decide)

    @catalogued("accept_terms")
    def accept_terms(
        self,
        customer_number: str,
        *,
        version: str,
        accepted_by: str,
        on: date,
        command_id: str | None = None,
    ) -> None:
        """Record the acceptance of the new seller's terms of service (R25)."""
        payload = COMMANDS["accept_terms"].payload(locals())
        self._execute(
            "accept_terms",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).accept_terms(version, accepted_by, on),
        )

    @catalogued("cancel_scheduled_change")
    def cancel_scheduled_change(
        self,
        customer_number: str,
        change_id: str,
        *,
        on: date,
        command_id: str | None = None,
    ) -> ScheduledChange:
        """Cancel a change before it takes effect (R36); return the change cancelled.

        ``change_id`` is one of ``scheduled_changes(customer_number, as_of=on)``.
        """
        payload = COMMANDS["cancel_scheduled_change"].payload(locals())
        return self._execute(
            "cancel_scheduled_change",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).cancel_scheduled(change_id, on),
        )
