"""Changes recorded ahead of the day they take effect, and their cancellation (R36).

A change is scheduled while it has not taken effect. Each has a stable,
readable id (docs/billing.md, "Scheduled changes"):

==============================  =========================================================
``company:2025-09-01``          company details effective that day (R26)
``removal:2025-10-01:user``     licenses of a kind leaving at that period start (R4)
``prices:2025-09-01``           the price-list version effective that day, while no
                                order is priced by it yet (R12)
``migration:2025-06-01``        the move to the new seller from that cohort date, while
                                the subscription has not reached it (R21)
==============================  =========================================================

Two changes of the same kind effective the same day are one scheduled change:
of two company details (or price versions) effective the same day the later
recorded wins (R12, R26), and cancelling the day's id cancels both.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs

from severa_ledger.domain.billing import PriceVersion
from severa_ledger.domain.documents import ADDITION
from severa_ledger.domain.errors import ChangeAlreadyInEffectError, ScheduledChangeNotFoundError
from severa_ledger.domain.ordering import Ordering
from severa_ledger.domain.values import CompanyVersion, company_in_force

if TYPE_CHECKING:
    from severa_ledger.domain.holdings import Holdings

COMPANY = "company"
REMOVAL = "removal"
PRICES = "prices"
MIGRATION = "migration"

#: Events whose effective date may lie after the day they were recorded (R36).
DATED_AHEAD = frozenset({"CompanyDetailsChanged"})


@attrs.frozen
class ScheduledChange:
    """A recorded change that has not taken effect: its id, kind, date and what it changes."""

    id: str
    kind: str
    takes_effect: date
    description: str
    license_kind: str | None = None
    quantity: int = 0


class Scheduling(Ordering):
    """Listing and cancelling a subscription's scheduled changes; mixed into the aggregate."""

    if TYPE_CHECKING:

        def _scheduled_change_cancelled(
            self, change: ScheduledChange, effective_date: date
        ) -> None: ...

    def scheduled(self, as_of: date) -> list[ScheduledChange]:
        """Return the changes recorded that have not taken effect by ``as_of`` (R36)."""
        return scheduled_changes(self, as_of)

    def cancel_scheduled(self, change_id: object, on: date) -> ScheduledChange:
        """Cancel a change before it takes effect (R36); return what was cancelled.

        What the change held back falls due at once: an advance renewal a
        cancelled migration had kept for the new seller (R20, R22), and the
        licenses a cancelled removal keeps in a period already ordered (R19).
        """
        day = self.begin(on)
        change = find_scheduled(self, change_id, day)
        self._scheduled_change_cancelled(change=change, effective_date=day)
        self.advance_to(day)
        if change.license_kind is not None:
            lines = self.unbilled_lines(change.license_kind, day)
            if lines:
                self._confirm(day, ADDITION, lines)
        return change


def scheduled_changes(sub: Holdings, as_of: date) -> list[ScheduledChange]:
    """Return the changes recorded for ``sub`` that have not taken effect by ``as_of``."""
    found = [*_companies(sub), *_removals(sub), *_prices(sub), *_migration(sub)]
    return sorted(
        (c for c in found if c.takes_effect > as_of), key=lambda c: (c.takes_effect, c.id)
    )


def find_scheduled(sub: Holdings, change_id: object, on: date) -> ScheduledChange:
    """Return the change ``change_id`` if it is still scheduled on ``on``, else refuse (R36)."""
    for change in scheduled_changes(sub, on):
        if change.id == change_id:
            return change
    subject = f"subscription {sub.customer_number}: scheduled change {change_id!r}"
    if isinstance(change_id, str) and _recorded_in_effect(sub, change_id, on):
        raise ChangeAlreadyInEffectError(
            f"{subject} has already taken effect (or an order relies on it) on "
            f"{on.isoformat()}; only a change that has not can be cancelled (R36)"
        )
    raise ScheduledChangeNotFoundError(
        f"{subject} is not scheduled on {on.isoformat()} (unknown or already cancelled); "
        f"see scheduled_changes (R36)"
    )


def company_versions_without(
    versions: list[CompanyVersion] | tuple[CompanyVersion, ...], change: ScheduledChange
) -> list[CompanyVersion]:
    """Return the company versions with the cancelled day's details left out (R26, R36)."""
    return [v for v in versions if v.effective != change.takes_effect]


def price_versions_without(
    versions: list[PriceVersion] | tuple[PriceVersion, ...], change: ScheduledChange
) -> list[PriceVersion]:
    """Return the price versions with the cancelled day's version left out (R12, R36)."""
    return [v for v in versions if v.effective != change.takes_effect]


def removals_without(
    removals: dict[str, dict[str, int]], change: ScheduledChange
) -> dict[str, dict[str, int]]:
    """Return the pending removals with the cancelled kind's removal on its day left out (R4)."""
    when = change.takes_effect.isoformat()
    kept = {w: dict(by_kind) for w, by_kind in removals.items()}
    left = {k: n for k, n in kept.get(when, {}).items() if k != change.license_kind}
    if left:
        kept[when] = left
    else:
        kept.pop(when, None)
    return kept


def _companies(sub: Holdings) -> list[ScheduledChange]:
    versions = sub.company_versions
    days = sorted({v.effective for v in versions if v.effective > versions[0].effective})
    changes = []
    for day in days:
        before = company_in_force(versions, day - timedelta(days=1))
        after = company_in_force(versions, day)
        names = [f.name for f in attrs.fields(type(after))]
        fields = [n for n in names if getattr(before, n) != getattr(after, n)] or ["no field"]
        text = f"company details from {day.isoformat()}: {after.legal_name} ({', '.join(fields)})"
        changes.append(ScheduledChange(f"{COMPANY}:{day.isoformat()}", COMPANY, day, text))
    return changes


def _removals(sub: Holdings) -> list[ScheduledChange]:
    return [
        ScheduledChange(
            id=f"{REMOVAL}:{when}:{kind}",
            kind=REMOVAL,
            takes_effect=date.fromisoformat(when),
            description=f"remove {n} {kind!r} license(s) from {when}",
            license_kind=kind,
            quantity=n,
        )
        for when, by_kind in sorted(sub.removals.items())
        for kind, n in sorted(by_kind.items())
    ]


def _prices(sub: Holdings) -> list[ScheduledChange]:
    ordered = sub.schedule.start(sub.ordered_through)
    days = sorted({v.effective for v in sub.price_versions if v.effective > ordered})
    changes = []
    for day in days:
        prices = {
            k: p for v in sub.price_versions if v.effective == day for k, p in v.prices.items()
        }
        listed = ", ".join(f"{k} {p} {sub.currency}" for k, p in sorted(prices.items()))
        text = f"monthly prices from {day.isoformat()}: {listed}"
        changes.append(ScheduledChange(f"{PRICES}:{day.isoformat()}", PRICES, day, text))
    return changes


def _migration(sub: Holdings) -> list[ScheduledChange]:
    migration = sub.migration
    if migration is None or sub.current_period.start >= migration.cohort:
        return []
    cohort = migration.cohort.isoformat()
    text = f"move to {migration.seller} ({migration.regime}) from {cohort}"
    return [ScheduledChange(f"{MIGRATION}:{cohort}", MIGRATION, migration.cohort, text)]


def _recorded_in_effect(sub: Holdings, change_id: str, on: date) -> bool:
    """Return whether ``change_id`` names a change recorded that took effect by ``on``."""
    kind, _, rest = change_id.partition(":")
    try:
        day = date.fromisoformat(rest[:10])
    except ValueError:
        return False
    if kind == COMPANY:
        return any(v.effective == day for v in sub.company_versions)
    if kind == PRICES:
        return any(v.effective == day for v in sub.price_versions)
    if kind == MIGRATION:
        return sub.migration is not None and sub.migration.cohort == day
    return kind == REMOVAL and day <= on
