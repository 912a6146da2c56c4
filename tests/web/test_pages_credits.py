"""The operator page credits chosen lines, or part of one (R33)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from tests.web.pages_support import (
    build_app,
    client,
    demo_ledger,
    form,
    new_keys,
    position,
    sign_in,
)


@pytest.fixture
def world() -> Iterator[tuple]:
    ledger = demo_ledger()
    keys = new_keys()
    browser = client(build_app(ledger, keys.store))
    sign_in(browser, keys.operator)
    yield ledger, browser
    ledger.close()


def test_the_operator_credits_part_of_a_line_from_the_page(world):
    """R33: lines "1:85.87" credits 85.87 of VSOY-000004's line; the rest stays creditable."""
    ledger, browser = world
    whole = ledger.creditable("VSOY-000004").remaining
    data = form(
        browser, "/operator", invoice_number="VSOY-000004", reason="one seat", lines="1:85.87"
    )
    answer = browser.post("/operator/credit-notes", data=data)
    assert "VSOY-000004 -&gt; VSOY-000007" in answer.text, answer.text
    assert ledger.invoice("VSOY-000007").net == Decimal("-85.87")
    assert ledger.creditable("VSOY-000004").remaining == whole - Decimal("85.87")


def test_a_malformed_lines_field_is_refused_with_the_ledgers_words(world):
    """R33: "first" is no line; 422, nothing recorded."""
    ledger, browser = world
    before = position(ledger)
    data = form(browser, "/operator", invoice_number="VSOY-000004", reason="x", lines="first")
    answer = browser.post("/operator/credit-notes", data=data)
    assert answer.status_code in {400, 422}
    assert "LINE[:AMOUNT]" in answer.text
    assert position(ledger) == before


def test_the_customer_page_names_the_invoice_a_credit_note_credits_and_its_date() -> None:
    """R33: the credit note's row says it credits VSOY-000004 of 2025-05-05."""
    ledger = demo_ledger()
    owner = ledger.invoice("VSOY-000004").customer_number
    ledger.credit_invoice("VSOY-000004", reason="seat", on=date(2025, 6, 5), lines={1: "10.00"})
    keys = new_keys()
    browser = client(build_app(ledger, keys.store))
    sign_in(browser, keys.customer(owner))
    page = browser.get(f"/c/{owner}").text
    assert "krediterer faktura VSOY-000004 (2025-05-05)" in page  # a Norwegian buyer: bokmål
    ledger.close()
