"""Building the invoice of one order: dates, seller snapshot, payment, VAT (R15-R18, R23, R27)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from severa_ledger import CompanyDetails, PaymentDetails, VatTable, issue_date
from severa_ledger.domain.billing import InvoiceNumber, build_invoice
from severa_ledger.domain.documents import OrderConfirmation, OrderLine
from severa_ledger.domain.sellers import VISMA_SOFTWARE_AS, VISMA_SOLUTIONS_OY

NORWEGIAN_BUYER = CompanyDetails(
    legal_name="Eksempel AS",
    org_number="974760673",
    country="NO",
    street="Storgata 1",
    postcode="0155",
    city="Oslo",
    vat_id="NO974760673MVA",
)
FINNISH_BUYER = CompanyDetails(
    legal_name="Esimerkki Oy",
    org_number="1967543-8",
    country="FI",
    street="Kauppakatu 1",
    postcode="53100",
    city="Lappeenranta",
)
DANSKE_NOK = PaymentDetails(
    bank="Danske Bank Norge",
    account="8101.44.53075",
    iban="NO6681014453075",
    reference_scheme="kid-mod10",  # R30's default for the seed's account
)


def _addition(unit_price: str, licenses: int = 1) -> OrderLine:
    amount = Decimal(unit_price) * licenses
    return OrderLine(
        kind="user",
        description="user licenses added, 2025-06-05 to 2025-07-31",
        licenses=licenses,
        quantity=licenses,
        unit="license",
        unit_price=Decimal(unit_price),
        amount=amount,
        period_start=date(2025, 6, 5),
        period_end=date(2025, 7, 31),
    )


def _order(
    lines: list[OrderLine], currency: str = "NOK", seller: str = "visma-solutions-oy"
) -> OrderConfirmation:
    return OrderConfirmation(
        customer_number="C-1001",
        sequence=3,
        date=date(2025, 6, 5),
        kind="addition",
        seller=seller,
        regime="after_start",
        currency=currency,
        lines=lines,
    )


def _invoice(order, buyer, *, issued=date(2025, 6, 9), seller=VISMA_SOLUTIONS_OY, sequence=1):
    return build_invoice(
        order,
        number=InvoiceNumber(seller.series, sequence),
        issued=issued,
        seller=seller,
        buyer=buyer,
        vat=VatTable(),
    )


def test_addition_invoice_to_a_norwegian_buyer_is_reverse_charged():
    """R15-R18, R23, R27: the seed's addition, billed by Visma Solutions Oy in NOK."""
    order = _order([_addition("185.87")])
    issued = issue_date(order.date, "after_start")
    assert issued == date(2025, 6, 9)  # Thu 2025-06-05 -> Mon 2025-06-09
    invoice = _invoice(order, NORWEGIAN_BUYER, issued=issued)

    assert (invoice.issue_date, invoice.due_date) == (date(2025, 6, 9), date(2025, 6, 23))
    assert invoice.number == "VSOY-000001"
    assert invoice.payment_reference == "00000018"  # R30: KID MOD10 of 0000001: 1x2=2, check 8
    assert (invoice.order_sequence, invoice.order_date) == (3, date(2025, 6, 5))
    assert (invoice.type_code, invoice.currency, invoice.customer_number) == (380, "NOK", "C-1001")
    assert invoice.seller.name == "Visma Solutions Oy"
    assert (invoice.seller.vat_id, invoice.seller.business_id) == ("FI19675438", "1967543-8")
    assert invoice.seller.address == "Villimiehenkatu 10, 53100 Lappeenranta, Finland"
    assert invoice.payment_details == DANSKE_NOK
    assert invoice.buyer == NORWEGIAN_BUYER
    [line] = invoice.lines
    assert (line.quantity, line.unit_price, line.amount) == (
        1,
        Decimal("185.87"),
        Decimal("185.87"),
    )
    assert (line.period_start, line.period_end) == (date(2025, 6, 5), date(2025, 7, 31))
    assert (line.vat_category, line.vat_rate) == ("AE", Decimal(0))
    [subtotal] = invoice.vat_breakdown
    assert (subtotal.category, subtotal.rate, subtotal.taxable, subtotal.vat) == (
        "AE",
        Decimal(0),
        Decimal("185.87"),
        Decimal("0.00"),
    )
    assert (invoice.net, invoice.vat, invoice.total) == (
        Decimal("185.87"),
        Decimal("0.00"),
        Decimal("185.87"),
    )
    assert "Reverse charge" in invoice.notes


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        (date(2025, 6, 9), date(2025, 6, 23)),
        (date(2025, 6, 23), date(2025, 7, 7)),  # 23 + 14 = 37 = July 7
        (date(2025, 12, 22), date(2026, 1, 5)),  # 22 + 14 = 36 = January 5
        (date(2025, 6, 2), date(2025, 6, 16)),  # due on a Monday
        (date(2025, 5, 24), date(2025, 6, 7)),  # due on a Saturday, not moved
    ],
)
def test_due_date_is_issue_date_plus_14_calendar_days(issued, due):
    """R16: due = issue + 14 calendar days, never shifted for weekends."""
    invoice = _invoice(_order([_addition("185.87")]), NORWEGIAN_BUYER, issued=issued)
    assert invoice.due_date == due


def test_invoice_in_a_currency_without_payment_details_says_so():
    """R23: Visma Solutions Oy in EUR has no payment details; the invoice is issued anyway."""
    invoice = _invoice(_order([_addition("185.87")], currency="EUR"), NORWEGIAN_BUYER)
    assert invoice.payment_details is None
    assert invoice.number == "VSOY-000001"
    assert (invoice.currency, invoice.total) == ("EUR", Decimal("185.87"))
    missing = [note for note in invoice.notes if "payment details" in note.lower()]
    assert len(missing) == 1
    assert "EUR" in missing[0]
    assert "no payment details" in missing[0].lower()


@pytest.mark.parametrize(
    ("issued", "rate", "vat", "total"),
    [
        # 185.87 x 25.5 % = 46.4675 + 0.92935 = 47.39685 -> 47.40; 185.87 + 47.40 = 233.27
        (date(2025, 6, 9), "25.5", "47.40", "233.27"),
        # the first day of 25.5 %
        (date(2024, 9, 1), "25.5", "47.40", "233.27"),
        # before 2024-09-01: 185.87 x 24 % = 44.6088 -> 44.61; 185.87 + 44.61 = 230.48
        (date(2024, 8, 26), "24", "44.61", "230.48"),
    ],
)
def test_finnish_buyer_pays_finnish_vat_of_the_issue_date(issued, rate, vat, total):
    """R18, R27: a Finnish buyer is charged category S at the rate in force on issue."""
    invoice = _invoice(_order([_addition("185.87")]), FINNISH_BUYER, issued=issued)
    [subtotal] = invoice.vat_breakdown
    assert (subtotal.category, subtotal.rate) == ("S", Decimal(rate))
    assert (invoice.net, invoice.vat, invoice.total) == (
        Decimal("185.87"),
        Decimal(vat),
        Decimal(total),
    )
    assert "Reverse charge" not in invoice.notes


def test_vat_on_a_two_line_invoice_is_rounded_on_the_total():
    """R27: two lines of 185.87 at 25.5 % give 94.79 (total-based), not 94.80 (per line)."""
    # 371.74 x 25.5 % = 92.935 + 1.8587 = 94.7937 -> 94.79; 371.74 + 94.79 = 466.53
    invoice = _invoice(_order([_addition("185.87"), _addition("185.87")]), FINNISH_BUYER)
    assert (invoice.net, invoice.vat, invoice.total) == (
        Decimal("371.74"),
        Decimal("94.79"),
        Decimal("466.53"),
    )


def test_legacy_seller_to_a_norwegian_buyer_charges_norwegian_vat():
    """R23, R27: Visma Software AS to a Norwegian buyer is 25 % S; no NOK details configured."""
    # 3 licenses x 185.87 = 557.61; 557.61 x 25 % = 139.4025 -> 139.40; total 697.01
    order = _order([_addition("185.87", licenses=3)], seller="visma-software-as")
    invoice = _invoice(order, NORWEGIAN_BUYER, seller=VISMA_SOFTWARE_AS, sequence=17)
    assert invoice.number == "VSAS-000017"
    assert invoice.seller.name == "Visma Software AS"
    assert invoice.payment_details is None
    [subtotal] = invoice.vat_breakdown
    assert (subtotal.category, subtotal.rate) == ("S", Decimal(25))
    assert (invoice.net, invoice.vat, invoice.total) == (
        Decimal("557.61"),
        Decimal("139.40"),
        Decimal("697.01"),
    )
