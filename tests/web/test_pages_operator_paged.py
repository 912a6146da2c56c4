"""The operator's list, a page at a time from the subscriptions read model (issue 27)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.conftest import open_customer
from tests.web.pages_support import build_app, client, demo_ledger, new_keys, sign_in

ROW = re.compile(r'<tr data-customer="[^"]+">.*?</tr>', re.DOTALL)


def _browser(ledger: Ledger, today: date | None = None):
    keys = new_keys()
    app = (
        build_app(ledger, keys.store)
        if today is None
        else build_app(ledger, keys.store, lambda: today)
    )
    browser = client(app)
    sign_in(browser, keys.operator)
    return browser


def _rows(html: str) -> list[str]:
    return ROW.findall(html)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_page_read_from_the_read_model_shows_what_loading_every_subscription_showed(
    kind: str, tmp_path: Path
) -> None:
    """Names, sellers, licenses and statuses (terms pending R25, overdue R29) equal the aggregates'."""
    ledger = demo_ledger("memory://" if kind == "memory" else f"sqlite:///{tmp_path}/d.db")
    browser = _browser(ledger, today=date(2025, 7, 1))  # the May invoices are due by then
    for query in ("/operator", "/operator?q=bergen", "/operator?q=AS"):
        paged = _rows(browser.get(query).text)
        ledger.read_models_enabled = False
        assert _rows(browser.get(query).text) == paged, query
        ledger.read_models_enabled = True
    shown = browser.get("/operator").text
    assert len(_rows(shown)) == 5
    assert 'class="status overdue"' in shown
    assert 'class="status terms_pending"' in shown
    ledger.close()


def test_sixty_subscriptions_are_two_pages_read_without_loading_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """50 rows and a count of 60 on page 1, ten on page 2; no subscription is loaded whole."""
    ledger = Ledger.open(f"sqlite:///{tmp_path}/many.db")
    numbers = [f"C{n:02d}" for n in range(60)]
    for number in numbers:
        open_customer(ledger, number, anchor=date(2025, 2, 1))
    browser = _browser(ledger)
    monkeypatch.setattr(Ledger, "customers", lambda *_, **__: pytest.fail("listed every one"))
    first = browser.get("/operator").text
    assert "(60)" in first
    assert re.findall(r'data-customer="([^"]+)"', first) == numbers[:50]
    second = browser.get("/operator?page=2").text
    assert re.findall(r'data-customer="([^"]+)"', second) == numbers[50:]
    found = browser.get("/operator?q=c5").text
    assert re.findall(r'data-customer="([^"]+)"', found) == numbers[50:]
    ledger.close()
