"""Zero-total invoices are issued (issue 24, item 6; docs/billing.md "Invoices of 0.00").

They arise in two ways, both from recorded facts: a kind priced 0.00 (R8: a
price is never negative, zero is allowed), and an addition late in a period
at a tiny price, whose exact per-license price rounds half-up to 0.00 (R9).
Each order is still billed by exactly one invoice (R14, R15) with its own
number (R17), so every license-day shows on a sales document (R19).

Hand-checked: quarterly periods from 2025-05-01 (2025-05-01..2025-07-31 is 92
days); a purchase on Thursday 2025-07-24 is invoiced Monday 2025-07-28, due
2025-08-11 (R15, R16). At 0.01 a month, 8 days left: 8/92 x 3 x 0.01 =
0.0026086... -> 0.00.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from severa_ledger import CompanyDetails, Ledger
from severa_ledger.documents.pdf import invoice_pdf
from severa_ledger.documents.ubl import invoice_xml
from tests.documents.pdf_support import text
from tests.documents.validation import assert_valid

BUYER = CompanyDetails(
    legal_name="Fjordtech Consulting AS",
    org_number="974760673",
    country="NO",
    street="Storgata 1",
    postcode="0155",
    city="Oslo",
)
BOUGHT = date(2025, 7, 24)


def _ledger(monthly: str) -> Ledger:
    ledger = Ledger.open("memory://")
    ledger.open_subscription(
        "10001",
        company=BUYER,
        currency="NOK",
        period_months=3,
        anchor=date(2025, 5, 1),
        prices={"user": Decimal(monthly)},
        seller="visma-solutions-oy",
        regime="after_start",
        on=date(2025, 5, 1),
    )
    ledger.buy_licenses("10001", "user", 2, on=BOUGHT)
    ledger.run_billing(through=date(2025, 7, 31))
    return ledger


@pytest.fixture(params=["0.00", "0.01"], ids=["free-kind", "rounds-to-zero"])
def ledger(request) -> Iterator[Ledger]:
    with _ledger(request.param) as opened:
        yield opened


def test_an_order_worth_nothing_is_still_invoiced_once(ledger):
    """R14, R15, R17: the purchase's order has its invoice, VSOY-000001, total 0.00 NOK."""
    (invoice,) = ledger.invoices()
    assert (invoice.number, invoice.issue_date, invoice.due_date) == (
        "VSOY-000001",
        date(2025, 7, 28),
        date(2025, 8, 11),
    )
    assert (invoice.net, invoice.vat, invoice.total) == (Decimal("0.00"),) * 3
    (line,) = invoice.lines
    assert (line.quantity, line.unit_price, line.amount) == (2, Decimal("0.00"), Decimal("0.00"))
    assert (line.period_start, line.period_end) == (BOUGHT, date(2025, 7, 31))


def test_a_rounded_away_price_says_why_it_is_zero():
    """R9: 8/92 x 3 months x 0.01 = 0.0026... rounds half-up to 0.00, stated on the line."""
    with _ledger("0.01") as ledger:
        (line,) = ledger.invoices()[0].lines
        assert line.explanation is not None
        assert line.explanation.sentence("en") == (
            "8/92 x 3 months x 0.01 = 0.0026... -> 0.00 (actual days, half-up); "
            "2 licenses x 0.00 = 0.00"
        )


def test_a_zero_invoice_is_valid_ehf_and_renders(ledger):
    """The 0.00 document passes the UBL XSD and the CEN rules; its PDF asks for no payment."""
    invoice = ledger.invoices()[0]
    assert_valid(invoice_xml(invoice))
    pdf = invoice_pdf(invoice)
    assert b"%PDF" in pdf[:8]
    words = text(pdf)
    assert "Ingenting å betale." in words
    assert "Vennligst betal" not in words
