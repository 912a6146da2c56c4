"""The kit's value strategies draw valid values (they are for users' tests too)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from severa_ledger import CompanyDetails, Money
from severa_ledger.domain.periods import Period, Schedule
from severa_ledger.testing import History
from severa_ledger.testing.strategies import (
    company_details,
    histories,
    money,
    periods,
    price_lists,
    schedules,
)


@given(company_details())
def test_company_details_pass_their_own_validation(company: CompanyDetails) -> None:
    """R26: drawn identifiers are valid for their country, so building them again works."""
    assert (
        CompanyDetails(**{f: getattr(company, f) for f in company.__slots__ if f != "__weakref__"})
        == company
    )


@given(
    st.sampled_from(["NO", "FI", "SE", "DK"]).flatmap(
        lambda c: st.tuples(st.just(c), company_details(country=c))
    )
)
def test_company_details_keep_the_requested_country(pair: tuple[str, CompanyDetails]) -> None:
    """A requested country is the drawn buyer's country."""
    country, company = pair
    assert company.country == country


@given(money("EUR", "0.00", "10.00"))
def test_money_stays_in_bounds_with_two_decimals(amount: Money) -> None:
    """R11: exact amounts, in the currency asked for."""
    assert amount.currency == "EUR"
    assert 0 <= amount.amount <= 10
    assert amount.amount == amount.amount.quantize(amount.amount.__class__("0.01"))


@given(schedules(), st.integers(0, 30))
def test_consecutive_periods_tile_the_calendar(schedule: Schedule, k: int) -> None:
    """R1: a period ends the day before the next one starts."""
    assert schedule.period(k).end + timedelta(days=1) == schedule.period(k + 1).start


@given(periods())
def test_periods_have_their_day_count(period: Period) -> None:
    """R1: day counts include both ends."""
    assert period.days == (period.end - period.start).days + 1


@given(price_lists())
def test_price_lists_price_every_kind(prices: dict[str, object]) -> None:
    """Every kind has a positive, two-decimal monthly price."""
    assert set(prices) == {"user", "storage"}


@given(histories(customers=2, max_commands=6))
def test_histories_are_dated_in_order(history: History) -> None:
    """Commands come in date order, and billing runs through the last one or later."""
    dates = [c.on for c in history.commands]
    assert dates == sorted(dates)
    assert history.through >= dates[-1]
    assert history.customers == ["P1", "P2"]
