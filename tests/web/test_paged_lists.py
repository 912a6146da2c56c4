"""Paged lists from the read models: GET /api/v1/subscriptions and the operator's page (issue 27)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.keys import open_key_store
from tests.conftest import open_customer
from tests.web.conftest import TestClient
from tests.web.pages_support import Keys, build_app

#: Customer numbers whose order as text ("10" < "100" < "2" < "9") is not their numeric one.
NUMBERS = ("9", "10", "2", "100", "77")
IN_ORDER = ["10", "100", "2", "77", "9"]
LIST = "/api/v1/subscriptions"


@pytest.fixture
def opened(store_url: str) -> Iterator[Ledger]:
    """Five subscriptions on each store; 77 in EUR, 2 with the Norwegian seller."""
    with Ledger.open(store_url) as ledger:
        for number in NUMBERS:
            regime = "in_advance" if number == "2" else "after_start"
            open_customer(
                ledger, number, currency="EUR" if number == "77" else "NOK", regime=regime
            )
        yield ledger


def _app(ledger: Ledger, today: date = date(2025, 3, 1)) -> tuple[FastAPI, Keys]:
    keys = Keys(open_key_store("memory://"))
    return build_app(ledger, keys.store, today=lambda: today), keys


def _walk(client: TestClient, key: str, **params: Any) -> list[list[str]]:
    """Return the customer numbers of every page, following next_cursor to the end."""
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        found = client.get(LIST, params=query, headers={"Authorization": f"Bearer {key}"})
        assert found.status_code == 200, found.text
        pages.append([s["customer_number"] for s in found.json()["items"]])
        cursor = found.json()["next_cursor"]
        if cursor is None:
            return pages


def test_the_list_pages_by_customer_number_as_text_on_every_store(
    opened: Ledger,
) -> None:
    """Pages of 2 walk all five as text ("10" < "100" < "2"); the last has no next_cursor."""
    app, keys = _app(opened)
    assert _walk(TestClient(app), keys.operator, limit=2) == [["10", "100"], ["2", "77"], ["9"]]


def test_filters_page_within_what_they_keep(opened: Ledger) -> None:
    """Seller and currency filters page over the subscriptions they keep only."""
    app, keys = _app(opened)
    client = TestClient(app)
    assert _walk(client, keys.operator, limit=2, currency="NOK") == [["10", "100"], ["2", "9"]]
    assert _walk(client, keys.operator, seller="visma-software-as") == [["2"]]
    assert _walk(client, keys.operator, currency="SEK") == [[]]


def test_the_list_reads_the_read_model_not_every_subscription(
    opened: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With loading subscriptions made to fail, the list still answers: it reads one page."""
    app, keys = _app(opened)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the list loaded subscriptions one by one")

    monkeypatch.setattr(Ledger, "customers", refuse)
    monkeypatch.setattr(Ledger, "subscription", refuse)
    assert _walk(TestClient(app), keys.operator, limit=3) == [IN_ORDER[:3], IN_ORDER[3:]]


def test_without_read_models_the_list_is_the_same(opened: Ledger) -> None:
    """A ledger with its read models turned off lists the same pages, from the aggregates."""
    app, keys = _app(opened)
    client = TestClient(app)
    paged = _walk(client, keys.operator, limit=2, currency="NOK")
    opened.read_models_enabled = False
    assert _walk(client, keys.operator, limit=2, currency="NOK") == paged


def test_a_customer_key_lists_only_its_own_subscription(opened: Ledger) -> None:
    """Customer 77's key: one page, with 77 only (scoping unchanged)."""
    app, keys = _app(opened)
    assert _walk(TestClient(app), keys.customer("77"), limit=1) == [["77"]]


def test_a_listed_subscription_is_the_one_fetched_alone(opened: Ledger) -> None:
    """Each item of the list equals GET /subscriptions/{customer} (terms check included, R25)."""
    opened.schedule_migration("2", cohort=date(2025, 5, 1), on=date(2025, 2, 10))
    app, keys = _app(opened, today=date(2025, 5, 2))  # on the cohort date: terms await (R25)
    client, auth = TestClient(app), {"Authorization": f"Bearer {keys.operator}"}
    items = client.get(LIST, headers=auth).json()["items"]
    for item in items:
        alone = client.get(f"{LIST}/{item['customer_number']}", headers=auth).json()
        assert item == alone
    assert [i["terms_acceptance_required"] for i in items] == [False, False, True, False, False]


def test_a_page_past_the_end_is_empty(opened: Ledger) -> None:
    """A cursor beyond the last subscription: no items, no next cursor."""
    app, keys = _app(opened)
    found = TestClient(app).get(
        LIST, params={"cursor": "99"}, headers={"Authorization": f"Bearer {keys.operator}"}
    )
    assert found.json() == {"items": [], "next_cursor": None}


def test_every_invoice_pages_by_number_with_todays_status_on_every_store(store_url: str) -> None:
    """The operator's invoice pages (3 a page) equal the whole list from the aggregates (R29)."""
    with Ledger.open(store_url) as ledger:
        load_demo(ledger)
        ledger.run_billing(through=date(2025, 8, 31))
        first = ledger.invoices()[0]
        ledger.record_payment(first.number, first.total, on=date(2025, 8, 20))
        app, keys = _app(ledger, today=date(2025, 9, 30))  # some due dates have passed
        client, auth = TestClient(app), {"Authorization": f"Bearer {keys.operator}"}
        items, cursor = [], None
        while True:
            found = client.get(
                "/api/v1/invoices",
                headers=auth,
                params={"limit": 3, **({"cursor": cursor} if cursor else {})},
            )
            items += found.json()["items"]
            cursor = found.json()["next_cursor"]
            if cursor is None:
                break
        ledger.read_models_enabled = False
        whole = client.get("/api/v1/invoices", headers=auth, params={"limit": 500}).json()
    assert items == whole["items"]
    assert {i["status"] for i in items} >= {"paid", "overdue"}
