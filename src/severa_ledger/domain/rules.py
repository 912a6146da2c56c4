"""Guards of the Subscription's commands, each named as the rule it checks.

Each raises a specific :class:`LedgerError` whose message names the
subscription, the rule and the offending value, before anything is recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from severa_ledger.domain.errors import (
    BeforeAnchorError,
    BeforeLastChangeError,
    BeforePeriodStartError,
    ChannelClosedError,
    CurrencyMismatchError,
    HoldingLimitError,
    InvalidCohortError,
    InvalidMoneyError,
    InvalidPriceError,
    InvalidValueError,
    MigrationError,
    NoFreeLicenseError,
    NonPositiveQuantityError,
    NotEnoughLicensesError,
    PriceChangeTooLateError,
    PriceOutOfRangeError,
    QuantityTooLargeError,
    RemovalBelowActiveUsersError,
    SubMinorUnitPriceError,
    TooManyLicenseKindsError,
    UnknownLicenseKindError,
    UserAlreadyActiveError,
    UserNotActiveError,
)
from severa_ledger.domain.limits import (
    MAX_LICENSE_KINDS,
    MAX_LICENSES,
    MAX_MONTHLY_PRICE_MINOR,
    in_major_units,
)
from severa_ledger.domain.money import Money, in_whole_minor_units, minor_units, to_decimal
from severa_ledger.domain.proration import policy_named
from severa_ledger.domain.sellers import NEW_SELLER, check_channel, check_regime

if TYPE_CHECKING:
    from collections.abc import Mapping

    from severa_ledger.domain.holdings import Holdings as Subscription
    from severa_ledger.domain.periods import Schedule
    from severa_ledger.domain.values import Migration


def check_date(value: object, what: str = "on") -> date:
    """Return ``value`` if it is a ``datetime.date`` (not a datetime), else raise."""
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise InvalidValueError(f"{what} must be a datetime.date, got {value!r}")
    return value


def check_quantity(quantity: object, customer: str) -> int:
    """Return a positive whole quantity of licenses, at most the limit, else raise."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise NonPositiveQuantityError(
            f"subscription {customer}: quantity must be a positive whole number, got {quantity!r}"
        )
    if quantity > MAX_LICENSES:
        raise QuantityTooLargeError(
            f"subscription {customer}: quantity {quantity} is above the limit of "
            f"{MAX_LICENSES} licenses in one command (R3, R4; docs/billing.md Limits)"
        )
    return quantity


def check_holding(sub: Subscription, kind: str, quantity: int, held: int) -> None:
    """Refuse a purchase after which more licenses of a kind are held than the limit (R3)."""
    if held > MAX_LICENSES:
        raise HoldingLimitError(
            f"subscription {sub.customer_number}: buying {quantity} {kind!r} licenses would "
            f"hold {held}, above the limit of {MAX_LICENSES} of one kind "
            f"(R3; docs/billing.md Limits)"
        )


def check_kind_count(customer: str, kinds: set[str]) -> None:
    """Refuse a price list that would price more license kinds than the limit (R12)."""
    if len(kinds) > MAX_LICENSE_KINDS:
        raise TooManyLicenseKindsError(
            f"subscription {customer}: the price lists would price {len(kinds)} license "
            f"kinds, above the limit of {MAX_LICENSE_KINDS} (R12; docs/billing.md Limits)"
        )


def check_prices(prices: Mapping[str, object], customer: str, currency: str) -> dict[str, Decimal]:
    """Return prices as Decimals; refuse floats, negatives and other currencies (R8, R11)."""
    checked: dict[str, Decimal] = {}
    if not prices:
        raise InvalidPriceError(f"subscription {customer}: the price list is empty (R12)")
    for kind, price in prices.items():
        if not isinstance(kind, str) or not kind:
            raise InvalidPriceError(f"subscription {customer}: license kind {kind!r} is not a name")
        if isinstance(price, Money):
            if price.currency != currency:
                raise CurrencyMismatchError(
                    f"subscription {customer}: price of {kind!r} is in {price.currency}, "
                    f"the subscription bills in {currency} (R11)"
                )
            price = price.amount  # noqa: PLW2901 -- unwrap to the amount
        try:
            amount = to_decimal(price, f"price of {kind!r}")
        except InvalidMoneyError as error:
            raise InvalidPriceError(f"subscription {customer}: {error}") from None
        checked[kind] = check_price(kind, amount, customer, currency)
    check_kind_count(customer, set(checked))
    return checked


def check_price(kind: str, amount: Decimal, customer: str, currency: str) -> Decimal:
    """Return a monthly price if it is within the limit and in whole minor units (R8, R11)."""
    if amount < 0:
        raise InvalidPriceError(
            f"subscription {customer}: price of {kind!r} is negative: {amount} (R8)"
        )
    largest = in_major_units(MAX_MONTHLY_PRICE_MINOR, currency)
    if amount > largest:
        raise PriceOutOfRangeError(
            f"subscription {customer}: price of {kind!r} is {amount} {currency}, above the "
            f"limit of {largest} {currency} per license and month (R8; docs/billing.md Limits)"
        )
    if not in_whole_minor_units(amount, currency):
        raise SubMinorUnitPriceError(
            f"subscription {customer}: price of {kind!r} is {amount} {currency}, not a whole "
            f"number of minor units ({currency} has {minor_units(currency)} decimals) (R11)"
        )
    return amount


def check_effective_date(sub: Subscription, on: date) -> None:
    """Refuse a date before the current period or before the last recorded change."""
    start = sub.current_period.start
    if on < start:
        raise BeforePeriodStartError(
            f"subscription {sub.customer_number}: {on.isoformat()} is before the current "
            f"period start {start.isoformat()}"
        )
    if on < sub.last_change:
        raise BeforeLastChangeError(
            f"subscription {sub.customer_number}: {on.isoformat()} is before its last "
            f"recorded change on {sub.last_change.isoformat()}"
        )


def check_channel_open(sub: Subscription, on: date, channel: str) -> None:
    """Refuse changes from Visma.net once the cut-over weekend has begun (R24)."""
    check_channel(channel)
    if channel != "visma.net":
        return
    migration = sub.migration
    migrated = sub.seller == NEW_SELLER
    if migrated or (migration is not None and on >= migration.cutover_start):
        since = migration.cutover_start.isoformat() if migration else "its migration"
        raise ChannelClosedError(
            f"subscription {sub.customer_number}: changes come from Severa since the "
            f"Visma.net cut-over began on {since}; refused a visma.net change on "
            f"{on.isoformat()} (R24)"
        )


def check_kind_priced(sub: Subscription, kind: str) -> None:
    """Refuse a license kind that the price list in force does not price (R12)."""
    prices = sub.price_list(sub.current_period.start)
    if kind not in prices:
        known = ", ".join(sorted(prices)) or "none"
        raise UnknownLicenseKindError(
            f"subscription {sub.customer_number}: unknown license kind {kind!r}; "
            f"priced kinds: {known}"
        )


def check_removable(sub: Subscription, kind: str, quantity: int) -> None:
    """Refuse removing more than held, or fewer left than active users (R4, R5)."""
    held = sub.licenses.get(kind, 0) - sub.pending(kind)
    if quantity > held:
        raise NotEnoughLicensesError(
            f"subscription {sub.customer_number}: cannot remove {quantity} {kind!r} "
            f"licenses; {held} held after pending removals (R4)"
        )
    users = sub.active_users(kind)
    if held - quantity < users:
        raise RemovalBelowActiveUsersError(
            f"subscription {sub.customer_number}: removing {quantity} {kind!r} licenses "
            f"would leave {held - quantity} for {users} active users (R5)"
        )


def check_user_inactive(sub: Subscription, user_id: str) -> None:
    """Refuse activating a user who is already active (R7)."""
    if not isinstance(user_id, str) or not user_id:
        raise InvalidValueError(f"subscription {sub.customer_number}: user id {user_id!r}")
    if user_id in sub.users:
        raise UserAlreadyActiveError(
            f"subscription {sub.customer_number}: user {user_id!r} is already active (R7)"
        )


def check_user_active(sub: Subscription, user_id: str) -> None:
    """Refuse deactivating an unknown or inactive user (R7)."""
    if user_id not in sub.users:
        raise UserNotActiveError(
            f"subscription {sub.customer_number}: user {user_id!r} is not active (R7)"
        )


def check_may_buy_for_user(
    sub: Subscription, kind: str, user_id: str, *, buy_if_needed: bool
) -> None:
    """Refuse an activation with no free license unless buying one was asked (R5)."""
    if not buy_if_needed:
        raise NoFreeLicenseError(
            f"subscription {sub.customer_number}: no free {kind!r} license for user "
            f"{user_id!r}; {sub.licenses.get(kind, 0)} held, {sub.active_users(kind)} in use, "
            f"{sub.pending(kind)} pending removal (R5; pass buy_if_needed=True to buy one)"
        )


def check_price_effective(sub: Subscription, effective: date, on: date) -> None:
    """Refuse a price version that would reprice a period already ordered (R12)."""
    ordered_start = sub.schedule.start(sub.ordered_through)
    if effective < on or effective <= ordered_start:
        raise PriceChangeTooLateError(
            f"subscription {sub.customer_number}: prices effective {effective.isoformat()} "
            f"would reprice the period from {ordered_start.isoformat()}, already ordered; "
            f"the earliest is the day after it (R12)"
        )


def check_migration(sub: Subscription, migration: Migration) -> None:
    """Refuse a second migration, or a cohort that is not a future period start (R21)."""
    if sub.migration is not None or sub.seller == migration.seller:
        raise MigrationError(
            f"subscription {sub.customer_number}: already migrated or scheduled "
            f"to {migration.seller} (R21)"
        )
    cohort = migration.cohort
    if not sub.schedule.is_start(cohort) or cohort <= migration.scheduled_on:
        raise InvalidCohortError(
            f"subscription {sub.customer_number}: cohort {cohort.isoformat()} is not a "
            f"period start after {migration.scheduled_on.isoformat()} (R21); the next one "
            f"is {sub.schedule.start(sub.period_index + 1).isoformat()}"
        )


def check_migration_scheduled(sub: Subscription) -> None:
    """Refuse accepting new terms when no migration is scheduled (R25)."""
    if sub.migration is None:
        raise MigrationError(
            f"subscription {sub.customer_number}: no migration is scheduled, so there "
            f"are no new terms to accept (R25)"
        )


def check_opening(
    customer_number: object, schedule: Schedule, on: date, proration: str, regime: str
) -> None:
    """Refuse a subscription opened before its anchor or with unknown policies (R1, R10, R20)."""
    if not isinstance(customer_number, str) or not customer_number.strip():
        raise InvalidValueError(f"customer number {customer_number!r} must be a non-empty string")
    policy_named(proration)
    check_regime(regime)
    if on < schedule.anchor:
        raise BeforeAnchorError(
            f"subscription {customer_number}: opened on {on.isoformat()}, before its anchor "
            f"{schedule.anchor.isoformat()} (R1)"
        )
