"""What the customer's page explains (issue 26, item 7): terms, quantities, VAT 0, what to pay, next.

Hand-checked values: the seed's 1002 holds 4 user licenses on 2025-06-05 after its addition;
its next quarter (2025-08-01..2025-10-31) is 4 x 3 = 12 license-months at 100.00 NOK,
1,200.00 NOK, reverse charged (AE, 0 %) by Visma Solutions Oy, ordered 2025-08-01 and
invoiced 2025-08-04, the Monday after (R15, R20).
Billed through 2025-08-31, its addition invoice (VSOY-000008 here, with 3001 beside the demo) (185.87 NOK, due 2025-06-23) is
unpaid, payable to Danske Bank Norge 8101.44.53075 (R23).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from tests.web.pages_support import (
    FRESH,
    build_app,
    client,
    demo_ledger,
    new_keys,
    sign_in,
)


@pytest.fixture
def world() -> Iterator[tuple]:
    ledger = demo_ledger()
    keys = new_keys()
    yield ledger, keys, build_app(ledger, keys.store)
    ledger.close()


def _text(html: str, section: str) -> str:
    """The words of one section of the page, tags and runs of spaces removed."""
    found = re.search(
        rf'<section class="card[^"]*" id="{section}">(.*?)</section>', html, re.DOTALL
    )
    assert found, f"no section {section}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).replace("&#39;", "'")


def _page(world, customer: str, lang: str = "en") -> str:
    _, keys, app = world
    browser = client(app)
    sign_in(browser, keys.customer(customer))
    return browser.get(f"/c/{customer}?lang={lang}").text


def test_the_coming_period_says_license_months_reverse_charge_and_the_next_invoice(world):
    """12 license-months x 100.00 NOK; VAT 0 because of reverse charge; next invoice 2025-08-04."""
    ledger, _, _ = world
    upcoming = _text(_page(world, "1002"), "upcoming")
    assert "12 license-months \u00d7 100.00 NOK" in upcoming
    assert "VAT 0: reverse charge (VAT category AE)" in upcoming
    assert "Next invoice: 2025-08-04, 1,200.00 NOK." in upcoming
    preview = ledger.upcoming_cost("1002", as_of=date(2025, 6, 5))
    assert (preview.issue_date, preview.lines[0].vat_category) == (date(2025, 8, 4), "AE")


def test_the_coming_period_in_norwegian_says_lisensmaneder(world):
    """The bokmål page: 12 lisensmåneder, omvendt avgiftsplikt, neste faktura."""
    upcoming = _text(_page(world, "1002", "nb"), "upcoming")
    assert "12 lisensmåneder \u00d7 100,00 NOK" in upcoming
    assert "omvendt avgiftsplikt" in upcoming
    assert "Neste faktura: 2025-08-04, 1 200,00 NOK." in upcoming.replace("\xa0", " ")


def test_vat_is_not_called_reverse_charge_where_it_is_charged(world):
    """Customer 2001 (Finnish buyer, EUR, VAT 25.5 %) sees no reverse-charge note."""
    html = _page(world, "2001")
    assert 'id="reverse-charge"' not in html
    assert "Next invoice:" in _text(html, "upcoming")


def test_the_terms_are_described_and_linked_before_acceptance(world):
    """3001 awaits the terms: the page says what changes and links to the rules R21-R25."""
    html = _page(world, FRESH)
    terms = _text(html, "terms")
    assert "Visma Solutions Oy is your seller from the migration date" in terms
    assert "each period is invoiced after it starts" in terms
    assert '<a href="/rules#r21">' in html
    assert html.index('id="terms-text"') < html.index('name="accepted_by"')


def test_unpaid_invoices_show_the_open_amount_and_where_to_pay():
    """Billed through 2025-08-31, VSOY-000008 is open: 185.87 NOK to Danske Bank Norge."""
    ledger = demo_ledger()
    ledger.run_billing(through=date(2025, 8, 31))
    keys = new_keys()
    browser = client(build_app(ledger, keys.store, today=lambda: date(2025, 8, 15)))
    sign_in(browser, keys.customer("1002"))
    html = browser.get("/c/1002?lang=en").text
    row = re.search(r'<tr data-unpaid="VSOY-000008">(.*?)</tr>', html, re.DOTALL)
    assert row, "VSOY-000008 is not listed as unpaid"
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1)))
    assert "2025-06-23" in words
    assert "185.87 NOK" in words
    assert "Danske Bank Norge, 8101.44.53075, IBAN NO6681014453075" in words
    assert "00000083" in words  # R30: KID MOD10 of 0000008: 8x2=16 -> 1+6=7, check 3
    assert 'data-unpaid="VSOY-000004"' not in html  # paid: nothing to pay
    ledger.close()


def test_invoices_of_a_seller_without_an_account_say_so(world):
    """1002's old seller's overdue invoices have no payment details: the page says to ask."""
    unpaid = _text(_page(world, "1002"), "unpaid")
    assert "VSAS-000002" in unpaid
    assert "1,125.00 NOK" in unpaid
    assert "The seller has no bank account for this currency" in unpaid
