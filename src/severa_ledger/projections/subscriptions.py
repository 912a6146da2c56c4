"""Read model ``subscriptions``: each subscription's current terms and its license counts.

Two tables (docs/projections.md):

* ``severa_ledger_subscriptions``: one row per subscription with what the
  license counts and the upcoming cost (R28) are computed from: licenses,
  pending removals, active users, price versions, company details, period,
  seller, regime and migration. Its size does not grow with the history:
  removals that took effect, price versions and company details no longer
  in force are dropped when a period rolls.
* ``severa_ledger_license_counts``: one row per customer and license kind,
  as ``license_counts`` reports them (R3-R6).

The counts and the preview are computed by the domain's own code
(:class:`~severa_ledger.domain.holdings.Holdings`, ``Subscription.advance_to``,
``build_invoice``) from a row, never re-implemented here. Order
confirmations are not read: a preview or a count never depends on past orders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any

from severa_ledger.domain.billing import PriceVersion, prices_in_force
from severa_ledger.domain.periods import Schedule
from severa_ledger.domain.scheduled import (
    COMPANY,
    PRICES,
    REMOVAL,
    company_versions_without,
    price_versions_without,
    removals_without,
)
from severa_ledger.domain.subscription import OPENED_TOPIC, T
from severa_ledger.domain.values import CompanyVersion, company_in_force
from severa_ledger.projections.rows import (
    Change,
    Key,
    Projection,
    Rows,
    Table,
    delete,
    id_text,
    replace,
    upsert,
)
from severa_ledger.projections.subscription_rows import (
    LICENSE_COUNTS,
    SUBSCRIPTIONS,
    LicenseCountRow,
    SubscriptionRow,
)

#: The fields of a subscription row an event changes, by name.
Fields = dict[str, Any]


def subscription_opened(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """Open the subscription's row: its terms, no licenses yet."""
    del rows
    period = Schedule(event.anchor, event.period_months).period(event.period_index)
    row = SubscriptionRow(
        subscription_id=id_text(event.originator_id),
        customer_number=event.customer_number,
        currency=event.currency,
        period_months=event.period_months,
        anchor=event.anchor,
        proration=event.proration,
        seller=event.seller,
        regime=event.regime,
        period_index=event.period_index,
        period_start=period.start,
        period_end=period.end,
        ordered_through=event.ordered_through,
        company_name=event.company.legal_name,
        company_country=event.company.country,
        migration_cohort=None,
        opened_on=event.effective_date,
        last_change=event.effective_date,
        last_effective=event.effective_date,
        version=event.originator_version,
        opened_at=event.timestamp,
        recorded_at=event.timestamp,
        licenses={},
        removals={},
        users={},
        price_versions=(event.prices,),
        company_versions=(CompanyVersion(event.effective_date, event.company),),
    )
    return [upsert(SUBSCRIPTIONS, row)]


def licenses_bought(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R3, R4: new licenses; pending removals of the kind cancelled first."""
    removals = dict(row.removals)
    for when, n in event.cancelled.items():
        left = {**removals[when], event.kind: removals[when][event.kind] - n}
        left = {kind: m for kind, m in left.items() if m}
        if left:
            removals[when] = left
        else:
            del removals[when]
    licenses = {**row.licenses, event.kind: row.licenses.get(event.kind, 0) + event.added}
    return {"licenses": licenses, "removals": removals}


def license_removal_scheduled(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R4: licenses leave at ``takes_effect``."""
    when = event.takes_effect.isoformat()
    by_kind = row.removals.get(when, {})
    by_kind = {**by_kind, event.kind: by_kind.get(event.kind, 0) + event.quantity}
    return {"removals": {**row.removals, when: by_kind}}


def user_activated(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R5: a user takes a seat."""
    return {"users": {**row.users, event.user_id: event.kind}}


def user_deactivated(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R6: the seat is free at once."""
    return {"users": {u: k for u, k in row.users.items() if u != event.user_id}}


def company_details_changed(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R26, R36: details from the effective date on; dated ahead, no date moves."""
    versions = (*row.company_versions, CompanyVersion(event.effective_date, event.company))
    dates = {"last_change": row.last_change, "last_effective": row.last_effective}
    return {**_companies(versions), **dates}


def scheduled_change_cancelled(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R36: a scheduled change undone, as ``Subscription`` undoes it."""
    change = event.change
    if change.kind == COMPANY:
        return _companies(company_versions_without(row.company_versions, change))
    if change.kind == REMOVAL:
        return {"removals": removals_without(row.removals, change)}
    if change.kind == PRICES:
        return {"price_versions": price_versions_without(row.price_versions, change)}
    return {"migration": None, "migration_cohort": None}


def _companies(versions: Sequence[CompanyVersion]) -> Fields:
    """Return the company versions and the latest scheduled details' name and country."""
    latest = company_in_force(versions, date.max)
    names = {"company_name": latest.legal_name, "company_country": latest.country}
    return {"company_versions": tuple(versions), **names}


def prices_changed(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R12: a price version."""
    return {"price_versions": (*row.price_versions, event.version)}


def period_rolled(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R1, R4, R21: the next period; due removals take effect; settled versions merge."""
    licenses = dict(row.licenses)
    for kind, n in event.removed.items():
        licenses[kind] = licenses.get(kind, 0) - n
    start = event.period_start
    return {
        "licenses": licenses,
        "removals": {w: k for w, k in row.removals.items() if w > start.isoformat()},
        "period_index": event.index,
        "period_start": start,
        "period_end": event.period_end,
        "seller": event.seller,
        "regime": event.regime,
        "price_versions": _settled_prices(row.price_versions, start),
        "company_versions": _settled_companies(row.company_versions, start),
    }


def period_renewed(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R13, R20: the period counts as ordered."""
    del row
    return {"ordered_through": event.index}


def migration_scheduled(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R21: the new seller and regime from the cohort date."""
    del row
    return {"migration": event.migration, "migration_cohort": event.migration.cohort}


def terms_accepted(row: SubscriptionRow, event: Any) -> Fields:  # noqa: ANN401
    """R25: nothing counted or previewed changes; the dates advance."""
    del row, event
    return {}


def _settled_prices(versions: tuple[PriceVersion, ...], start: date) -> tuple[PriceVersion, ...]:
    """Merge the versions in force by ``start`` into one (R12).

    Later versions always take effect after the last ordered period's start
    (``check_price_effective``), so the merged list prices every period from
    ``start`` on as the full list does.
    """
    settled = [v for v in versions if v.effective <= start]
    if len(settled) < 2:  # noqa: PLR2004 -- nothing to merge
        return versions
    merged = PriceVersion(max(v.effective for v in settled), dict(prices_in_force(versions, start)))
    return (merged, *(v for v in versions if v.effective > start))


def _settled_companies(
    versions: tuple[CompanyVersion, ...], start: date
) -> tuple[CompanyVersion, ...]:
    """Drop company details that no day from ``start`` on can be billed with (R26)."""
    settled = [(v.effective, i) for i, v in enumerate(versions) if v.effective <= start]
    _, in_force = max(settled, default=(start, 0))
    return tuple(v for i, v in enumerate(versions) if i == in_force or v.effective > start)


#: The fields license counts are computed from.
COUNTED = ("licenses", "removals", "users", "price_versions", "period_index")


def _count_changes(old: SubscriptionRow | None, new: SubscriptionRow) -> list[Change]:
    if old is not None and all(getattr(old, f) == getattr(new, f) for f in COUNTED):
        return []
    before = old.counts if old is not None else {}
    after = new.counts
    changes = [
        upsert(
            LICENSE_COUNTS,
            LicenseCountRow(
                new.customer_number, kind, c.licenses, c.active_users, c.free, c.pending_removal
            ),
        )
        for kind, c in after.items()
        if before.get(kind) != c
    ]
    changes += [delete(LICENSE_COUNTS, (new.customer_number, k)) for k in before if k not in after]
    return changes


Step = Callable[[SubscriptionRow, Any], "Fields"]


def _step(step: Step) -> Callable[[Rows, Any], list[Change]]:
    """Return the handler applying ``step`` to the event's subscription row."""

    def handle(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
        old = rows.get(SUBSCRIPTIONS, (id_text(event.originator_id),))
        if old is None:  # pragma: no cover -- every subscription opens first
            return []
        dates = {
            "last_change": event.effective_date,
            "last_effective": max(old.last_effective, event.effective_date),
        }
        new = replace(
            old,
            **{**dates, **step(old, event)},
            version=event.originator_version,
            recorded_at=event.timestamp,
        )
        return [upsert(SUBSCRIPTIONS, new)]

    handle.__name__ = step.__name__
    return handle


def topic(event_name: str) -> str:
    """Return the stored topic of a Subscription event (docs/events.md)."""
    return f"{T}.{event_name}.v1"


class SubscriptionsProjection(Projection):
    """Subscriptions' terms and license counts."""

    def prefetch(self, event: Any) -> Iterable[tuple[Table[Any], Key]]:  # noqa: ANN401 -- event
        """Return the event's subscription row."""
        return [(SUBSCRIPTIONS, (id_text(event.originator_id),))]

    def derive(self, before: Rows, changes: Sequence[Change]) -> list[Change]:
        """Return the license counts of every subscription row changed."""
        derived: list[Change] = []
        for change in changes:
            if change.table.name == SUBSCRIPTIONS.name and change.row is not None:
                derived += _count_changes(before.get(SUBSCRIPTIONS, change.key), change.row)
        return derived

    name = "subscriptions"
    version = 2  # 2: company changes dated ahead (R36), cancelled changes
    tables = (SUBSCRIPTIONS, LICENSE_COUNTS)
    handlers = MappingProxyType(
        {
            OPENED_TOPIC: subscription_opened,
            topic("LicensesBought"): _step(licenses_bought),
            topic("LicenseRemovalScheduled"): _step(license_removal_scheduled),
            topic("UserActivated"): _step(user_activated),
            topic("UserDeactivated"): _step(user_deactivated),
            topic("CompanyDetailsChanged"): _step(company_details_changed),
            topic("PricesChanged"): _step(prices_changed),
            topic("PeriodRolled"): _step(period_rolled),
            topic("PeriodRenewed"): _step(period_renewed),
            topic("MigrationScheduled"): _step(migration_scheduled),
            topic("TermsAccepted"): _step(terms_accepted),
            topic("ScheduledChangeCancelled"): _step(scheduled_change_cancelled),
        }
    )
