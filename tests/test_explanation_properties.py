"""Properties of explanations (issue 19): each recomputes its line's unit price and amount exactly."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from severa_ledger import Ledger
from severa_ledger.domain.billing import addition_line
from severa_ledger.domain.documents import InvoiceLine, OrderLine
from severa_ledger.domain.money import Money, round_half_up
from severa_ledger.domain.periods import Period
from severa_ledger.domain.proration import actual_days, thirty_360
from severa_ledger.testing import History
from severa_ledger.testing.strategies import histories, money, schedules

many = histories(customers=st.integers(1, 2), max_commands=12)


def check_line(line: OrderLine | InvoiceLine, currency: str) -> None:
    """The line's explanation, rounded half-up once, is its unit price; x quantity its amount."""
    explained = line.explanation
    assert explained is not None, line
    assert round_half_up(explained.exact, currency) == line.unit_price
    assert explained.quantity == line.quantity
    assert line.unit_price * line.quantity == line.amount == explained.amount
    assert explained.problems(line.unit_price, line.quantity, line.amount) == []


@st.composite
def additions(draw: st.DrawFn) -> tuple[Period, int, date]:
    """A period of a generated schedule, its length in months, and a day inside it."""
    schedule = draw(schedules())
    period = schedule.period(draw(st.integers(0, 40)))
    return period, schedule.months, draw(st.dates(period.start, period.end))


@given(
    addition=additions(),
    monthly=money(min_value="0.01", max_value="500.00"),
    licenses=st.integers(1, 50),
    thirty=st.booleans(),
)
def test_an_addition_explains_its_days_and_recomputes_its_amount(
    addition: tuple[Period, int, date], monthly: Money, licenses: int, thirty: bool
) -> None:
    """R9, R10: exact = monthly x months x left/total in the policy's count; rounded once."""
    period, months, day = addition
    line = addition_line("user", licenses, period, day=day, months=months, monthly=monthly,
                         policy=thirty_360 if thirty else actual_days)  # fmt: skip
    check_line(line, "NOK")
    explained = line.explanation
    assert explained is not None
    left, total = explained.days_left, explained.days_in_period
    assert left is not None
    assert total is not None
    if not thirty:
        assert (left, total) == ((period.end - day).days + 1, (period.end - period.start).days + 1)
    assert Fraction(left, total) == (thirty_360 if thirty else actual_days)(period, day)
    assert explained.exact == Fraction(monthly.amount) * months * Fraction(left, total)


@given(history=many)
def test_every_line_of_a_generated_history_recomputes_from_its_explanation(
    history: History,
) -> None:
    """Orders, invoices, credit notes and previews: every line's explanation gives its amount."""
    with Ledger.open("memory://") as ledger:
        history.apply(ledger)
        for customer in history.customers:
            for order in ledger.orders(customer):
                for line in order.lines:
                    check_line(line, order.currency)
            issued = ledger.invoices(customer)
            if issued:  # dated on the latest issue date of every series (R33)
                last = max(issued, key=lambda v: v.issue_date)
                latest = max(v.issue_date for v in ledger.invoices())
                ledger.credit_invoice(last.number, reason="property", on=latest)
            for view in ledger.invoices(customer):
                for invoice_line in view.lines:
                    check_line(invoice_line, view.currency)
            preview = ledger.upcoming_cost(customer, as_of=history.through)
            for preview_line in preview.lines:
                check_line(preview_line, preview.currency)
        assert ledger.verify().ok
