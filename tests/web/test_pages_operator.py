"""The operator's pages: subscriptions with filters, billing (dry run first), payments,
credit notes, and the last verify result.

Hand-worked expectations for a billing run through 2025-06-09 from the demo
billed through 2025-05-16: 2001's monthly renewal of 2025-06-01 (a Sunday) is
invoiced Monday 2025-06-02, 5 x 15.00 = 75.00 EUR + 25.5 % VAT 19.13 = 94.13
(R15, R27); 1002's addition of 2025-06-05 is invoiced Monday 2025-06-09,
185.87 NOK reverse charged (R9, R27). Nothing else falls due.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import finnish_company, open_customer
from tests.web.pages_support import (
    FRESH,
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
    app = build_app(ledger, keys.store)
    browser = client(app)
    sign_in(browser, keys.operator)
    yield ledger, browser
    ledger.close()


def _customers(html: str) -> list[str]:
    return re.findall(r'data-customer="([^"]+)"', html)


def test_the_operator_lists_every_subscription_and_filters_them(world):
    """All five customers; by name 'bergen' 1002; status 'terms pending' 3001; old seller none."""
    _, browser = world
    assert _customers(browser.get("/operator").text) == ["1001", "1002", "1003", "2001", FRESH]
    assert _customers(browser.get("/operator?q=bergen").text) == ["1002"]
    assert _customers(browser.get("/operator?status=terms_pending").text) == [FRESH]
    assert _customers(browser.get("/operator?seller=visma-software-as").text) == []
    assert _customers(browser.get("/operator?seller=visma-solutions-oy&q=20").text) == ["2001"]


def test_the_billing_preview_lists_what_a_run_would_issue_and_records_nothing(world):
    """Through 2025-06-09: 2001's 94.13 EUR and 1002's 185.87 NOK; then the run issues those two."""
    ledger, browser = world
    before = position(ledger)
    data = form(browser, "/operator?lang=en", through="2025-06-09")
    preview = browser.post("/operator/billing/preview", data=data)
    assert preview.status_code == 200
    assert "A run through 2025-06-09 would issue 2 invoices." in preview.text
    assert "94.13 EUR" in preview.text
    assert "185.87 NOK" in preview.text
    # R23: the EUR invoice has no account to pay to; the NOK one quotes its KID (R30)
    assert preview.text.count("data-without-details") == 1
    assert "none: the seller has no account in this currency (R23)" in preview.text
    assert position(ledger) == before
    run = browser.post(
        "/operator/billing/run",
        data=form(browser, "/operator", through="2025-06-09", confirm="yes"),
    )
    assert "The run issued 2 invoices." in run.text
    totals = sorted(
        (i.customer_number, i.total) for i in ledger.invoices() if i.issue_date >= date(2025, 6, 1)
    )
    assert totals == [("1002", Decimal("185.87")), ("2001", Decimal("94.13"))]
    again = browser.post(
        "/operator/billing/run",
        data=form(browser, "/operator", through="2025-06-09", confirm="yes"),
    )
    assert "The run issued 0 invoices." in again.text


def test_a_payment_is_recorded_once_and_marks_the_invoice_paid(world):
    """3001's renewal VSOY-000006 (3 x 3 x 100.00 = 900.00) paid in full is 'paid' (R29)."""
    ledger, browser = world
    data = form(browser, "/operator", invoice_number="VSOY-000006", amount="900.00")
    browser.post("/operator/payments", data=data)
    browser.post("/operator/payments", data=data)  # a double submit: recorded once
    assert ledger.invoice("VSOY-000006", as_of=date(2025, 6, 5)).status == "paid"
    assert ledger.receivables(FRESH).credit == Decimal(0)


def test_a_refused_payment_shows_the_ledgers_message(world):
    """A payment to an unknown invoice is refused with the ledger's words; nothing recorded."""
    ledger, browser = world
    before = position(ledger)
    data = form(browser, "/operator", invoice_number="VSOY-999999", amount="10.00")
    answer = browser.post("/operator/payments", data=data)
    assert answer.status_code == 422
    assert "no invoice numbered &#39;VSOY-999999&#39;" in answer.text
    assert position(ledger) == before


def test_a_credit_note_takes_the_next_number_of_the_sellers_series(world):
    """Crediting VSOY-000004 issues VSOY-000007, the next in Visma Solutions Oy's series (R17)."""
    ledger, browser = world
    data = form(browser, "/operator", invoice_number="VSOY-000004", reason="wrong quantity")
    answer = browser.post("/operator/credit-notes", data=data)
    assert "VSOY-000004 -&gt; VSOY-000007" in answer.text
    assert ledger.invoice("VSOY-000007").credited_invoice == "VSOY-000004"


def test_the_last_verify_result_is_kept_and_shown(world):
    """Verify runs on request (the 24 demo invoices re-derive); the result stays on the page."""
    _, browser = world
    assert "Not verified since the app started." in browser.get("/operator?lang=en").text
    browser.post("/operator/verify", data=form(browser, "/operator"))
    page = browser.get("/operator").text
    assert re.search(r"The history checks out: \d+ events chained, 24 invoices re-derived.", page)


def test_a_billing_run_is_confirmed_from_its_preview_and_refused_unconfirmed(world):
    """The run's button is in the preview, behind a tick; a post without it records nothing."""
    ledger, browser = world
    page = browser.get("/operator?lang=en").text
    assert 'action="/operator/billing/run"' not in page  # no run before a preview
    data = form(browser, "/operator?lang=en", through="2025-06-09")
    preview = browser.post("/operator/billing/preview", data=data).text
    assert 'id="confirm-run"' in preview
    assert 'name="confirm" value="yes" required' in preview
    assert "issue these 2 invoices through 2025-06-09" in preview
    before = position(ledger)
    refused = browser.post(
        "/operator/billing/run", data=form(browser, "/operator?lang=en", through="2025-06-09")
    )
    assert refused.status_code == 422
    assert "A billing run needs its confirmation" in refused.text
    assert position(ledger) == before


def test_the_billing_preview_lists_a_subscription_held_back_for_a_missing_rate(world):
    """R32: F1, a Finnish buyer billed in NOK from 2025-06-01 with no EUR/NOK rate recorded.

    Its first invoice (Monday 2025-06-02) is held back and listed with the reason;
    the dry run records nothing and the other two invoices are still previewed.
    """
    ledger, browser = world
    open_customer(ledger, "F1", anchor=date(2025, 6, 1), months=1, company=finnish_company())
    ledger.buy_licenses("F1", "user", 1, on=date(2025, 6, 1))
    before = position(ledger)
    data = form(browser, "/operator?lang=en", through="2025-06-09")
    preview = browser.post("/operator/billing/preview", data=data)
    assert "A run through 2025-06-09 would issue 2 invoices." in preview.text
    held = re.search(r'<tr data-held="F1">(.*?)</tr>', preview.text, re.DOTALL)
    assert held is not None
    assert "2025-06-02" in held.group(1)
    assert "EUR/NOK" in held.group(1)
    assert position(ledger) == before
