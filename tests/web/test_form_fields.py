"""The page forms state the catalogue's bounds as input attributes (issue 23).

The browser then refuses what the server would (a quantity of 0, a 201-character
user id, a date in 2100) before posting; the server still reads every form through
the catalogue (tests/test_edges_agree.py).
"""

from __future__ import annotations

import html
import re
from datetime import date

from tests.web.pages_support import build_app, client, demo_ledger, form, new_keys, sign_in


def _input(html: str, name: str) -> str:
    """Return the first <input> tag named ``name`` on the page."""
    found = re.search(rf'<input name="{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


def test_the_customer_and_operator_forms_carry_the_catalogues_bounds() -> None:
    """Quantities 1..1,000,000, user ids up to 200, company names up to 200, dates 2000-2099."""
    ledger = demo_ledger()
    keys = new_keys()
    try:
        browser = client(build_app(ledger, keys.store))
        sign_in(browser, keys.operator)
        page = browser.get("/c/1002").text
        assert 'type="number" min="1" max="1000000" step="1" required' in _input(page, "quantity")
        assert 'maxlength="200" required' in _input(page, "user_id")
        assert 'maxlength="200"' in _input(page, "legal_name")
        assert "required" not in _input(page, "vat_id")  # optional: an empty one clears it
        assert 'maxlength="64"' in _input(page, "vat_id")
        assert 'type="date" min="2000-01-01" max="2099-12-31" required' in _input(page, "effective")
        operator = browser.get("/operator").text
        assert 'inputmode="decimal" maxlength="16" required' in _input(operator, "amount")
        assert 'maxlength="500" required' in _input(operator, "reason")
    finally:
        ledger.close()


def test_a_customer_dates_company_details_on_the_page_within_the_next_period_only() -> None:
    """R36 on the page: 1002 (quarterly from 2024-05-01) on 2025-06-05 is in 05-01..07-31, the
    next period is 08-01..10-31: it may date company details from 2025-06-05 to 2025-10-31."""
    ledger = demo_ledger()
    keys = new_keys()
    try:
        browser = client(build_app(ledger, keys.store))
        sign_in(browser, keys.customer("1002"))
        before = ledger.recorder.max_notification_id()
        fields = {"city": "Trondheim", "effective": "2025-11-01"}
        answer = browser.post("/c/1002/company", data=form(browser, "/c/1002", **fields))
        assert answer.status_code == 422
        assert "a customer dates it from 2025-06-05 to 2025-10-31, not 2025-11-01 (R36)" in (
            html.unescape(answer.text)
        )
        assert ledger.recorder.max_notification_id() == before
        fields["effective"] = "2025-10-31"
        answer = browser.post(
            "/c/1002/company", data=form(browser, "/c/1002", **fields), follow_redirects=False
        )
        assert answer.status_code == 303
        changes = ledger.scheduled_changes("1002", as_of=date(2025, 6, 5))
        assert [c.id for c in changes] == ["company:2025-10-31"]
    finally:
        ledger.close()
