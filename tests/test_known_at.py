"""Two time axes: ``as_of`` (business date) and ``known_at`` (what was recorded by an instant).

The history is recorded on a controlled clock. C1 (quarterly from 2025-05-01,
100.00 NOK a month, Visma Solutions Oy, reverse charge) buys 2 licenses on
2025-05-01 (recorded that day) and 1 more effective 2025-06-05 that is only
recorded on 2025-06-20: a change recorded late. Billing runs on 2025-06-25.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import eventsourcing.domain
import pytest

from severa_ledger import (
    InvalidValueError,
    InvoiceNotFoundError,
    Ledger,
    SubscriptionNotFoundError,
)
from tests.conftest import open_customer

MAY_1 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
JUNE_10 = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
JUNE_20 = datetime(2025, 6, 20, 10, 0, tzinfo=UTC)
JUNE_21 = datetime(2025, 6, 21, 0, 0, tzinfo=UTC)
JUNE_25 = datetime(2025, 6, 25, 8, 0, tzinfo=UTC)


class Clock:
    """The recording clock: a set instant, a microsecond later on every reading."""

    def __init__(self) -> None:
        self.now = MAY_1
        self.readings = 0

    def __call__(self) -> datetime:
        self.readings += 1
        return self.now + timedelta(microseconds=self.readings)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Event timestamps from a controlled clock."""
    fake = Clock()
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", fake)
    return fake


@pytest.fixture
def late(ledger: Ledger, clock: Clock) -> Ledger:
    """The history of the module docstring, on every store."""
    open_customer(ledger, "C1", anchor=date(2025, 5, 1))
    ledger.buy_licenses("C1", "user", 2, on=date(2025, 5, 1))
    clock.now = JUNE_20
    ledger.buy_licenses("C1", "user", 1, on=date(2025, 6, 5))
    clock.now = JUNE_25
    ledger.run_billing(through=date(2025, 6, 30))
    return ledger


def licenses(ledger: Ledger, as_of: date | None, known_at: datetime | None) -> int:
    return ledger.license_counts("C1", as_of=as_of, known_at=known_at)["user"].licenses


def test_a_late_purchase_counts_by_business_date_but_not_before_it_was_recorded(
    late: Ledger,
) -> None:
    """As of 2025-06-10: 3 licenses as known now, 2 as the ledger knew them on June 10."""
    assert licenses(late, date(2025, 6, 10), None) == 3
    assert licenses(late, date(2025, 6, 10), JUNE_10) == 2
    assert licenses(late, date(2025, 6, 1), None) == 2
    assert licenses(late, None, JUNE_10) == 2
    assert licenses(late, date(2025, 6, 10), JUNE_20 + timedelta(seconds=1)) == 3


def test_the_preview_as_known_then_differs_from_the_preview_as_known_now(late: Ledger) -> None:
    """Next quarter 2025-08-01..10-31: 2 x 3 x 100.00 = 600.00 then, 900.00 now (0 % VAT)."""
    then = late.upcoming_cost("C1", as_of=date(2025, 6, 10), known_at=JUNE_10)
    now = late.upcoming_cost("C1", as_of=date(2025, 6, 10))
    assert (then.period_start, then.period_end) == (date(2025, 8, 1), date(2025, 10, 31))
    assert (then.total, now.total) == (Decimal("600.00"), Decimal("900.00"))


def test_orders_and_invoices_as_known_at_an_instant(late: Ledger) -> None:
    """June 10: one order, no invoice; June 21: two orders, no invoice; now: two invoices."""
    assert [o.date for o in late.orders("C1", known_at=JUNE_10)] == [date(2025, 5, 1)]
    assert len(late.orders("C1", known_at=JUNE_21)) == 2
    assert late.invoices(known_at=JUNE_21) == []
    assert late.invoices("C1", known_at=JUNE_21) == []
    totals = [(i.issue_date, i.total) for i in late.invoices("C1")]
    assert totals == [(date(2025, 5, 5), Decimal("600.00")), (date(2025, 6, 9), Decimal("185.87"))]
    number = late.invoices("C1")[0].number
    with pytest.raises(InvoiceNotFoundError, match="recorded by"):
        late.invoice(number, known_at=JUNE_21)
    assert late.invoice(number, known_at=JUNE_25 + timedelta(seconds=1)).total == Decimal("600.00")
    assert late.receivables("C1", known_at=JUNE_21).balance == Decimal(0)
    assert late.receivables("C1", as_of=date(2025, 6, 30)).balance == Decimal("785.87")


def test_history_as_known_leaves_out_what_was_recorded_later(late: Ledger) -> None:
    """By June 10 the history holds the opening and the first purchase only."""
    types = [e.type for e in late.history("C1", known_at=JUNE_10)]
    assert types == ["SubscriptionOpened", "AccountOpened", "LicensesBought", "OrderConfirmed"]
    entries = late.history("C1")
    late_purchase = [e for e in entries if e.type == "LicensesBought"][1]
    assert late_purchase.effective_date == date(2025, 6, 5)
    assert late_purchase.recorded_at.date() == date(2025, 6, 20)


def test_before_its_opening_was_recorded_a_subscription_is_unknown(late: Ledger) -> None:
    """known_at before 2025-05-01 09:00: no such subscription; customers() leaves it out."""
    before = MAY_1 - timedelta(minutes=1)
    with pytest.raises(SubscriptionNotFoundError, match="recorded by"):
        late.license_counts("C1", known_at=before)
    assert late.customers(known_at=before) == []
    assert late.customers(known_at=JUNE_10) == ["C1"]


def test_terms_acceptance_as_known(ledger: Ledger, clock: Clock) -> None:
    """A migration recorded 2025-03-10 and terms accepted late (recorded 06-01): R25 on both axes."""
    clock.now = datetime(2025, 3, 10, tzinfo=UTC)
    open_customer(ledger, "C1", anchor=date(2025, 2, 1), regime="in_advance")
    ledger.schedule_migration("C1", cohort=date(2025, 5, 1), on=date(2025, 3, 10))
    clock.now = datetime(2025, 6, 1, tzinfo=UTC)
    ledger.accept_terms("C1", version="v1", accepted_by="kari", on=date(2025, 5, 2))
    may_20 = datetime(2025, 5, 20, tzinfo=UTC)
    assert ledger.terms_acceptance_required("C1", as_of=date(2025, 5, 10), known_at=may_20)
    assert not ledger.terms_acceptance_required("C1", as_of=date(2025, 5, 10))


def test_known_at_must_be_an_aware_datetime(memory_ledger: Ledger) -> None:
    """A naive datetime or a date is refused with InvalidValueError."""
    open_customer(memory_ledger)
    with pytest.raises(InvalidValueError, match="time zone"):
        memory_ledger.license_counts("C1", known_at=datetime(2025, 6, 1))  # noqa: DTZ001
    with pytest.raises(InvalidValueError, match="time zone"):
        memory_ledger.history("C1", known_at=date(2025, 6, 1))  # type: ignore[arg-type]
