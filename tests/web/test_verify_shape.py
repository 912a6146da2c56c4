"""One verify result for the operator's page and the API (issue 26, item 2).

Whichever ran verify last, the page and ``GET /api/v1/verify`` show it: the
demo's history chains and its 24 invoices re-derive. Before, a verify by the
API left a result the page could not render (500) and a verify by the page one
the API could not send (500). A damaged log's breaks reach both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.tamper import Tamper
from tests.test_audit_chain import record_history
from tests.web.pages_support import build_app, client, demo_ledger, form, new_keys, sign_in

CHECKS_OUT = re.compile(r"The history checks out: (\d+) events chained, 24 invoices re-derived.")


@pytest.fixture
def world() -> Iterator[tuple]:
    """The demo served; a signed-in operator's browser; the operator's API header."""
    ledger = demo_ledger()
    keys = new_keys()
    app = build_app(ledger, keys.store)
    browser = client(app)
    sign_in(browser, keys.operator)
    yield browser, client(app), {"Authorization": f"Bearer {keys.operator}"}
    ledger.close()


def shown_events(browser) -> int:
    """Return the events the operator's page says were chained (the page answers 200)."""
    page = browser.get("/operator?lang=en")
    assert page.status_code == 200
    found = CHECKS_OUT.search(page.text)
    assert found is not None, page.text
    return int(found.group(1))


def test_a_verify_by_the_api_is_shown_on_the_page(world) -> None:
    """POST /api/v1/verify, then the page (was 500): the same events and invoices, GET the same."""
    browser, api, operator = world
    ran = api.post("/api/v1/verify", headers=operator)
    assert ran.status_code == 200, ran.text
    body = ran.json()
    assert (body["ok"], body["invoices"], body["damage"], body["findings"]) == (True, 24, [], [])
    assert shown_events(browser) == body["events"]
    assert api.get("/api/v1/verify", headers=operator).json() == body


def test_a_verify_by_the_page_is_sent_by_the_api(world) -> None:
    """The page's verify, then GET /api/v1/verify (was 500): the page's result, as the API's."""
    browser, api, operator = world
    browser.post("/operator/verify", data=form(browser, "/operator"))
    kept = api.get("/api/v1/verify", headers=operator)
    assert kept.status_code == 200, kept.text
    body = kept.json()
    assert (body["ok"], body["invoices"], body["damage"], body["unknown_events"]) == (
        True,
        24,
        [],
        0,
    )
    assert body["events"] == shown_events(browser)
    again = api.post("/api/v1/verify", headers=operator).json()
    assert {k: v for k, v in again.items() if k != "checked_at"} == {
        k: v for k, v in body.items() if k != "checked_at"
    }


def test_the_logs_damage_reaches_the_api_and_the_page(tmp_path: Path) -> None:
    """receivables' tracking raised by 1,000 (head 25): tracking-ahead at 1023 on both."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        record_history(ledger)
        ledger.catch_up()
    Tamper(url).raise_tracking("receivables", 1000)
    with Ledger.open(url) as ledger:
        keys = new_keys()
        app = build_app(ledger, keys.store)
        body = (
            client(app)
            .post("/api/v1/verify", headers={"Authorization": f"Bearer {keys.operator}"})
            .json()
        )
        browser = client(app)
        sign_in(browser, keys.operator)
        page = browser.get("/operator?lang=en").text
    assert body["ok"] is False
    assert [(d["kind"], d["position"], d["aggregate"]) for d in body["damage"]] == [
        ("tracking-ahead", 1023, "receivables")
    ]
    assert "beyond the log&#39;s last event (25)" in page
    assert "tracking-ahead @ 1023 (receivables)" in page
