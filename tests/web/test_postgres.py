"""The web app on PostgreSQL: ledger and keys in one schema, a JSON query, a purchase, a page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.app import create_app
from severa_ledger.web.keys import open_key_store
from tests.web.conftest import NOW, SECRET
from tests.web.pages_support import form, sign_in

SEED_DAY = date(2025, 6, 5)  # the seed addition's day (R9): 57 of 92 days left


@pytest.fixture
def world(pg_url: str) -> Iterator[tuple[Ledger, TestClient, str, str]]:
    """The demo on PostgreSQL, the app on it as of 2025-06-05, keys for 1002 and 1001."""
    ledger = Ledger.open(pg_url)
    load_demo(ledger)
    keys = open_key_store(pg_url)
    app = create_app(ledger, keys, secret=SECRET, today=lambda: SEED_DAY)
    mine, _ = keys.create(customer_number="1002", label="admin", now=NOW)
    theirs, _ = keys.create(customer_number="1001", label="admin", now=NOW)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield ledger, client, mine, theirs
    ledger.close()


def test_a_purchase_through_the_api_on_postgresql_costs_185_87(
    world: tuple[Ledger, TestClient, str, str],
) -> None:
    """Buying 1 license on 2025-06-05 records the 185.87 addition (R9, R14) in PostgreSQL."""
    ledger, client, mine, _ = world
    before = len(ledger.orders("1002"))
    headers = {"Authorization": f"Bearer {mine}", "Idempotency-Key": "pg-1"}
    bought = client.post("/api/v1/subscriptions/1002/licenses/buy",
                         json={"kind": "user", "quantity": 1}, headers=headers)  # fmt: skip
    assert bought.status_code in {200, 201}, bought.text
    again = client.post("/api/v1/subscriptions/1002/licenses/buy",
                        json={"kind": "user", "quantity": 1}, headers=headers)  # fmt: skip
    assert again.json() == bought.json()  # the same key records once
    orders = ledger.orders("1002")
    assert len(orders) == before + 1  # one order, however often the key is sent
    assert (orders[-1].date, str(orders[-1].net)) == (SEED_DAY, "185.87")


def test_another_customers_key_sees_nothing_on_postgresql(
    world: tuple[Ledger, TestClient, str, str],
) -> None:
    """1001's key gets 404 on 1002's licenses, as for a missing subscription."""
    _, client, _, theirs = world
    response = client.get("/api/v1/subscriptions/1002/licenses",
                          headers={"Authorization": f"Bearer {theirs}"})  # fmt: skip
    assert response.status_code == 404


def test_the_customer_page_on_postgresql_quotes_185_87(
    world: tuple[Ledger, TestClient, str, str],
) -> None:
    """A session made from a key in PostgreSQL sees its page and the 185.87 quote."""
    _, client, mine, _ = world
    sign_in(client, mine)
    data = form(client, "/c/1002?lang=en", kind="user", quantity="1")
    quote = client.post("/c/1002/buy/quote", data=data, headers={"HX-Request": "true"})
    assert quote.status_code == 200
    assert 'id="quote-net">185.87 NOK<' in quote.text
