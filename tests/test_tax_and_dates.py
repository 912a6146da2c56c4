"""Issue dates, cut-over weekends and VAT (R15, R16, R20, R24, R27): literal tables.

Weekdays checked by hand from Sunday 2025-06-01: Thursday 2025-05-01, Tuesday
2025-04-01, Thursday 2025-06-05; 2026-01-01 is a Thursday.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from severa_ledger import NoVatRuleError, VatTable, cutover_weekend, issue_date
from severa_ledger.domain.billing import vat_breakdown
from severa_ledger.domain.documents import InvoiceLine


@pytest.mark.parametrize(
    ("order_date", "issued"),
    [
        (date(2025, 6, 5), date(2025, 6, 9)),  # Thu -> Mon of the next week
        (date(2025, 6, 1), date(2025, 6, 2)),  # Sun -> the next day
        (date(2025, 6, 2), date(2025, 6, 9)),  # Mon -> the next Monday, not the same day
        (date(2025, 5, 31), date(2025, 6, 2)),  # Sat -> Mon
        (date(2025, 5, 1), date(2025, 5, 5)),  # renewal on Thu 2025-05-01
        (date(2025, 4, 1), date(2025, 4, 7)),  # renewal on Tue 2025-04-01
        (date(2025, 12, 31), date(2026, 1, 5)),  # Wed, across the year end
    ],
)
def test_after_start_invoice_is_issued_on_the_next_iso_weeks_monday(order_date, issued):
    """R15: an after_start order is invoiced on the Monday of the ISO week after its date."""
    assert issue_date(order_date, "after_start") == issued


@pytest.mark.parametrize(
    ("order_date", "weekday", "issued"),
    [
        (date(2025, 6, 5), 2, date(2025, 6, 11)),  # Thu -> Wed of the next week
        (date(2025, 6, 2), 2, date(2025, 6, 11)),  # Mon -> Wed of the next week
        (date(2025, 6, 1), 4, date(2025, 6, 6)),  # Sun -> Fri of the next week
        (date(2025, 6, 5), 0, date(2025, 6, 9)),  # weekday 0 is the default Monday
    ],
)
def test_issue_weekday_is_configurable(order_date, weekday, issued):
    """R15: the weekday of the following ISO week is a parameter (0 = Monday)."""
    assert issue_date(order_date, "after_start", weekday) == issued


@pytest.mark.parametrize(
    "order_date", [date(2025, 6, 5), date(2025, 6, 1), date(2025, 6, 2), date(2025, 3, 1)]
)
def test_in_advance_invoice_is_issued_on_the_order_date(order_date):
    """R20: the legacy in_advance regime invoices on the order's own date."""
    assert issue_date(order_date, "in_advance") == order_date


@pytest.mark.parametrize(
    ("cohort", "saturday", "sunday"),
    [
        (date(2025, 4, 1), date(2025, 3, 29), date(2025, 3, 30)),  # cohort on a Tuesday
        (date(2025, 5, 1), date(2025, 4, 26), date(2025, 4, 27)),  # cohort on a Thursday
        # cohort on a Sunday: its own weekend does not end strictly before it
        (date(2025, 6, 1), date(2025, 5, 24), date(2025, 5, 25)),
        # cohort on a Saturday: the weekend it opens is not before it either
        (date(2025, 5, 31), date(2025, 5, 24), date(2025, 5, 25)),
        # cohort on a Monday: the weekend just before counts
        (date(2025, 6, 2), date(2025, 5, 31), date(2025, 6, 1)),
    ],
)
def test_cutover_is_the_last_weekend_ending_before_the_cohort(cohort, saturday, sunday):
    """R24: the Visma.net cut-over is the last Saturday-Sunday ending strictly before."""
    assert cutover_weekend(cohort) == (saturday, sunday)


@pytest.mark.parametrize(
    ("seller", "buyer", "day", "rate", "category", "note"),
    [
        ("FI", "FI", date(2024, 9, 1), Decimal("25.5"), "S", None),  # first day of 25.5 %
        ("FI", "FI", date(2025, 6, 9), Decimal("25.5"), "S", None),
        ("FI", "FI", date(2024, 8, 31), Decimal(24), "S", None),  # the day before
        ("FI", "FI", date(2020, 1, 1), Decimal(24), "S", None),
        ("FI", "NO", date(2025, 6, 9), Decimal(0), "AE", "Reverse charge"),
        ("FI", "SE", date(2025, 6, 9), Decimal(0), "AE", "Reverse charge"),
        ("FI", "DK", date(2025, 6, 9), Decimal(0), "AE", "Reverse charge"),
        ("NO", "NO", date(2025, 3, 1), Decimal(25), "S", None),
    ],
)
def test_vat_rule_depends_on_countries_and_date(*, seller, buyer, day, rate, category, note):
    """R27: the default VAT table by seller country, buyer country and date."""
    rule = VatTable().rule(seller, buyer, day)
    assert (rule.rate, rule.category, rule.note) == (rate, category, note)


@pytest.mark.parametrize(("seller", "buyer"), [("SE", "NO"), ("US", "DE"), ("DK", "DK")])
def test_a_country_pair_without_a_rule_is_refused(seller, buyer):
    """R27: no VAT rule for the pair raises NoVatRuleError naming both countries."""
    with pytest.raises(NoVatRuleError, match=f"{seller}.*{buyer}"):
        VatTable().rule(seller, buyer, date(2025, 6, 9))


def _line(amount: str, category: str, rate: str) -> InvoiceLine:
    return InvoiceLine(
        kind="user",
        description="user licenses",
        quantity=1,
        unit="license",
        unit_price=Decimal(amount),
        amount=Decimal(amount),
        period_start=date(2025, 6, 5),
        period_end=date(2025, 7, 31),
        vat_category=category,
        vat_rate=Decimal(rate),
    )


@pytest.mark.parametrize(
    ("amounts", "rate", "taxable", "vat"),
    [
        # per line 0.02 x 25 % = 0.005 -> 0.01 each, 0.02 in all;
        # on the total 0.04 x 25 % = 0.01
        (["0.02", "0.02"], "25", "0.04", "0.01"),
        # per line 0.01 + 0.01 + 0.01 = 0.03; total 0.06 x 25 % = 0.015 -> 0.02
        (["0.02", "0.02", "0.02"], "25", "0.06", "0.02"),
        # per line 185.87 x 25.5 % = 47.39685 -> 47.40 each, 94.80 in all;
        # total 371.74 x 25.5 % = 94.7937 -> 94.79
        (["185.87", "185.87"], "25.5", "371.74", "94.79"),
        # a single line: 185.87 x 25.5 % = 47.39685 -> 47.40
        (["185.87"], "25.5", "185.87", "47.40"),
        # 600.00 x 25 % = 150.00
        (["300.00", "300.00"], "25", "600.00", "150.00"),
    ],
)
def test_vat_is_computed_on_the_category_total(amounts, rate, taxable, vat):
    """R27: VAT is rounded half-up once per category total, not once per line."""
    lines = [_line(amount, "S", rate) for amount in amounts]
    [subtotal] = vat_breakdown(lines, {"S": None}, "NOK")
    assert (subtotal.category, subtotal.rate) == ("S", Decimal(rate))
    assert (subtotal.taxable, subtotal.vat) == (Decimal(taxable), Decimal(vat))


def test_vat_breakdown_has_one_subtotal_per_category_with_its_note():
    """R27: lines of different categories are totalled apart, each with its own note."""
    lines = [_line("100.00", "AE", "0"), _line("0.02", "S", "25"), _line("0.02", "S", "25")]
    notes = {"AE": "Reverse charge", "S": None}
    breakdown = vat_breakdown(lines, notes, "NOK")
    assert [(s.category, s.rate, s.taxable, s.vat, s.note) for s in breakdown] == [
        ("AE", Decimal(0), Decimal("100.00"), Decimal("0.00"), "Reverse charge"),
        ("S", Decimal(25), Decimal("0.04"), Decimal("0.01"), None),  # 0.04 x 25 % = 0.01
    ]
