"""A customer's walk through the pages in a real browser (Playwright on Debian's Chromium).

The app is served by uvicorn in a thread on a free port, on a fixed business
date, 2025-06-05. Customer 3001 (migrated on 2025-05-01, quarterly, 3 x 100.00
NOK a month) logs in with a one-time link, accepts the new terms (R25), buys a
license and sees 57/92 of 300.00 = 185.87 NOK first (R9), deactivates a user
removing the seat, watches the next period's cost go 900.00 -> 1,200.00 ->
900.00 (R28) and downloads an invoice's PDF. With SEVERA_LEDGER_SCREENSHOTS set
to a folder, the main pages are saved there as PNGs (``docs/screenshots.py``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from benchmarks.web import free_port

from tests.web.pages_support import FRESH, TODAY, build_app, demo_ledger, new_keys

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = os.environ.get("SEVERA_LEDGER_SCREENSHOTS")

if not CHROMIUM.exists() and not os.environ.get("SEVERA_LEDGER_REQUIRE_BROWSER"):
    pytest.skip("no /usr/bin/chromium (set SEVERA_LEDGER_REQUIRE_BROWSER to fail instead)",
                allow_module_level=True)  # fmt: skip

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple]:
    """Serve the demo (plus 3001) with uvicorn in a thread; yield its base URL and keys."""
    ledger = demo_ledger()
    keys = new_keys()
    port = free_port()
    config = uvicorn.Config(build_app(ledger, keys.store), host="127.0.0.1", port=port,
                            log_level="warning", ws="none", lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", keys, ledger
    server.should_exit = True
    thread.join(timeout=10)
    ledger.close()


@pytest.fixture(scope="module")
def browser(served) -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


def _shot(target, name: str) -> None:
    """Save a screenshot of a page (whole) or of a locator, when asked for."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        extra = {"full_page": True} if hasattr(target, "goto") else {}
        target.screenshot(path=str(Path(SHOTS) / f"web-{name}.png"), **extra)


def _upcoming(page) -> str:
    return page.locator("#upcoming-total").inner_text().strip()


def test_a_customer_accepts_the_terms_buys_deactivates_and_downloads_an_invoice(served, browser):
    """The walk of issue 18: terms, a prorated purchase, a deactivation, the cost, a PDF."""
    base, keys, ledger = served
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(base + keys.link(FRESH))
    assert page.url == f"{base}/c/{FRESH}"
    page.click("text=Language: English")
    expect = sync_api.expect
    expect(page.locator("#terms")).to_be_visible()
    expect(page.locator("#buy button[type=submit]")).to_be_disabled()

    page.fill("input[name=accepted_by]", "Siv Berg")
    page.check("input[name=accept]")
    page.click("#terms button[type=submit]")
    expect(page.locator("#terms")).to_have_count(0)
    assert _upcoming(page) == "900.00 NOK"
    page.goto(f"{base}/c/{FRESH}")  # without the "Saved." notice, for the screenshot
    _shot(page, "customer")

    page.fill("#buy input[name=quantity]", "1")
    page.click("#buy button[type=submit]")  # htmx: the quote comes into #quote
    expect(page.locator("#quote-net")).to_have_text("185.87 NOK")
    _shot(page.locator("#buy").locator("xpath=.."), "buy-quote")
    page.click("text=Confirm the purchase")
    expect(page.locator("tr[data-kind=user] td").nth(1)).to_have_text("4")
    assert _upcoming(page) == "1,200.00 NOK"

    row = page.locator("tr[data-user=odd]")
    row.locator("input[name=remove_license]").check()
    row.locator("button[type=submit]").click()
    expect(page.locator("tr[data-user=odd]")).to_have_count(0)
    assert _upcoming(page) == "900.00 NOK"

    with page.expect_download() as download:
        page.click('a[href$="/invoices/VSOY-000006.pdf"]')
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    context.close()
    accepted = ledger.subscription(FRESH).terms[-1]
    assert (accepted.accepted_by.split(" (key ")[0], accepted.accepted_on) == ("Siv Berg", TODAY)


def test_the_operator_sees_every_subscription(served, browser):
    """The operator's link opens the overview with all five customers."""
    base, keys, _ = served
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(base + keys.link(None))
    assert page.url == f"{base}/operator"
    sync_api.expect(page.locator("tr[data-customer]")).to_have_count(5)
    _shot(page, "operator")
    context.close()
