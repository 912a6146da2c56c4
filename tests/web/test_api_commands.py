"""Commands through the API: refusals leave the history unchanged, idempotency, amounts, R25."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.app import create_app
from severa_ledger.web.keys import KeyStore
from tests.conftest import open_customer
from tests.web.conftest import CUSTOMER_A, CUSTOMER_B, SECRET, TestClient, bearer

A = CUSTOMER_A
BUY = f"/api/v1/subscriptions/{A}/licenses/buy"


def test_activating_a_user_without_a_free_license_is_refused_and_records_nothing(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """R5 through the API: 422 problem+json naming NoFreeLicenseError and R5; history unchanged."""
    before = demo.history(A)
    response = client.post(f"/api/v1/subscriptions/{A}/users/zoe/activate", json={},
                           headers=customer_a)  # fmt: skip
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["error"] == "NoFreeLicenseError"
    assert problem["rule"] == "R5"
    assert problem["type"] == "/rules#r5"
    assert problem["status"] == 422
    assert problem["title"] == "Unprocessable Entity"
    assert "zoe" in problem["detail"]
    assert demo.history(A) == before


def test_activating_with_buy_if_needed_buys_and_activates_in_one_change(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """R5: buy_if_needed records the purchase and the activation; the order is returned."""
    response = client.post(f"/api/v1/subscriptions/{A}/users/zoe/activate",
                           json={"buy_if_needed": True}, headers=customer_a)  # fmt: skip
    assert response.status_code == 200, response.text
    order = response.json()["order"]
    assert order["date"] == "2025-08-15"
    assert order["kind"] == "addition"
    counts = demo.license_counts(A, as_of=date(2025, 8, 15))["user"]
    assert (counts.licenses, counts.active_users) == (5, 5)


def test_the_same_idempotency_key_and_body_records_once_and_answers_the_same(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """A retried buy with the same Idempotency-Key: one recording, the same response."""
    headers = {**customer_a, "Idempotency-Key": "buy-1"}
    first = client.post(BUY, json={"quantity": 2}, headers=headers)
    events = len(demo.history(A))
    second = client.post(BUY, json={"quantity": 2}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert len(demo.history(A)) == events
    assert demo.license_counts(A, as_of=date(2025, 8, 15))["user"].licenses == 6


def test_the_same_idempotency_key_with_another_body_is_a_conflict(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """Same key, different body: 409 IdempotencyConflictError; nothing more recorded."""
    headers = {**customer_a, "Idempotency-Key": "buy-1"}
    client.post(BUY, json={"quantity": 2}, headers=headers)
    events = len(demo.history(A))
    response = client.post(BUY, json={"quantity": 3}, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"] == "IdempotencyConflictError"
    assert len(demo.history(A)) == events


def test_two_customers_using_the_same_idempotency_key_do_not_collide(
    client: TestClient, demo: Ledger, customer_a: dict[str, str], customer_b: dict[str, str]
) -> None:
    """Keys are scoped by caller: the same key from two customers records both buys."""
    for customer, headers in ((A, customer_a), (CUSTOMER_B, customer_b)):
        response = client.post(f"/api/v1/subscriptions/{customer}/licenses/buy",
                               json={"quantity": 1}, headers={**headers, "Idempotency-Key": "k"})  # fmt: skip
        assert response.status_code == 200, response.text
    assert demo.license_counts(A, as_of=date(2025, 8, 15))["user"].licenses == 5
    assert demo.license_counts(CUSTOMER_B, as_of=date(2025, 8, 15))["user"].licenses == 4


@pytest.fixture
def seed_client(keys: KeyStore) -> TestClient:
    """The demo before its later billing, on the seed's day: 2025-06-05."""
    ledger = Ledger.open("memory://")
    load_demo(ledger)
    app = create_app(ledger, keys, secret=SECRET, today=lambda: date(2025, 6, 5))
    return TestClient(app, raise_server_exceptions=False)


def test_a_quote_of_one_license_on_the_seed_day_is_185_87_as_a_string(
    seed_client: TestClient, keys: KeyStore
) -> None:
    """R9 seed example: 1002 buys 1 on 2025-06-05, period 05-01..07-31: 300.00 x 57/92 = 185.87."""
    headers = bearer(keys, A)
    response = seed_client.post(f"/api/v1/subscriptions/{A}/licenses/quote",
                                json={"quantity": 1}, headers=headers)  # fmt: skip
    assert response.status_code == 200, response.text
    quote = response.json()
    assert quote["net"] == "185.87"
    assert quote["currency"] == "NOK"
    (line,) = quote["lines"]
    assert (line["unit_price"], line["amount"]) == ("185.87", "185.87")
    assert (line["period_start"], line["period_end"]) == ("2025-06-05", "2025-07-31")
    explained = line["explanation"]  # issue 19: 300.00 x 57/92 = 4275/23 = 185.8695...
    assert (explained["days_left"], explained["days_in_period"]) == (57, 92)
    assert (explained["exact"], explained["rounded"]) == ("4275/23", "185.87")
    assert explained["policy"] == "actual_days"


def test_a_quote_records_nothing_and_the_buy_costs_what_was_quoted(
    seed_client: TestClient, keys: KeyStore
) -> None:
    """The quote leaves the history as it was; the buy's order carries the same 185.87."""
    headers = bearer(keys, A)
    ledger: Ledger = seed_client.app.state.ledger  # type: ignore[attr-defined]
    before = ledger.history(A)
    seed_client.post(f"/api/v1/subscriptions/{A}/licenses/quote", json={"quantity": 1},
                     headers=headers)  # fmt: skip
    assert ledger.history(A) == before
    bought = seed_client.post(BUY, json={"quantity": 1}, headers=headers).json()
    assert bought["order"]["net"] == "185.87"


def test_money_as_a_json_number_is_refused_as_bad_input(
    client: TestClient, demo: Ledger, operator: dict[str, str]
) -> None:
    """Floats are never money: a payment of 185.87 as a number is 400, nothing recorded."""
    number = demo.invoices(A)[-1].number
    before = len(demo.history(A))
    response = client.post("/api/v1/payments", json={"invoice_number": number, "amount": 185.87},
                           headers=operator)  # fmt: skip
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "amount" in response.json()["detail"]
    assert len(demo.history(A)) == before


def test_a_customer_may_not_choose_the_effective_date(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """Only the operator passes `on`: a customer's change is today's (403, R36)."""
    response = client.post(BUY, json={"quantity": 1, "on": "2025-08-20"}, headers=customer_a)
    assert response.status_code == 403
    assert response.json()["error"] == "DateNotAllowedError"
    assert response.json()["rule"] == "R36"


def test_the_operator_may_date_a_change(
    client: TestClient, demo: Ledger, operator: dict[str, str]
) -> None:
    """The operator's `on` is the command's effective date."""
    response = client.post(BUY, json={"quantity": 1, "on": "2025-08-20"}, headers=operator)
    assert response.json()["order"]["date"] == "2025-08-20"


@pytest.fixture
def migrated(demo: Ledger) -> str:
    """A legacy customer migrated from 2025-07-01 who has not accepted the new terms (R25)."""
    open_customer(demo, "3001", anchor=date(2025, 1, 1), regime="in_advance")
    demo.buy_licenses("3001", "user", 2, on=date(2025, 1, 1))
    demo.schedule_migration("3001", cohort=date(2025, 7, 1), on=date(2025, 3, 1))
    return "3001"


def test_a_customer_must_accept_the_new_terms_before_changing_anything(
    client: TestClient, demo: Ledger, keys: KeyStore, migrated: str
) -> None:
    """R25: after migration a customer's buy is refused until the terms are accepted."""
    headers = bearer(keys, migrated)
    buy = f"/api/v1/subscriptions/{migrated}/licenses/buy"
    before = demo.history(migrated)
    refused = client.post(buy, json={"quantity": 1}, headers=headers)
    assert refused.status_code == 422
    assert (refused.json()["error"], refused.json()["rule"]) == ("TermsNotAcceptedError", "R25")
    assert demo.history(migrated) == before
    accepted = client.post(f"/api/v1/subscriptions/{migrated}/terms/accept",
                           json={"version": "2025", "accepted_by": "kari"}, headers=headers)  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    assert client.post(buy, json={"quantity": 1}, headers=headers).status_code == 200


def test_the_terms_route_reports_the_acceptance_required(
    client: TestClient, keys: KeyStore, migrated: str
) -> None:
    """GET terms says true after the cohort date, before any acceptance (R25)."""
    headers = bearer(keys, migrated)
    body = client.get(f"/api/v1/subscriptions/{migrated}/terms", headers=headers).json()
    assert body == {"customer_number": migrated, "as_of": "2025-08-15",
                    "terms_acceptance_required": True}  # fmt: skip


def test_a_removal_takes_effect_at_the_next_period_start(
    client: TestClient, customer_a: dict[str, str], app: FastAPI
) -> None:
    """R4: a removal on 2025-08-15 in the period 08-01..10-31 drops the count on 2025-11-01."""
    client.post(f"/api/v1/subscriptions/{A}/users/lars/deactivate", json={}, headers=customer_a)
    response = client.post(f"/api/v1/subscriptions/{A}/licenses/remove", json={"quantity": 1},
                           headers=customer_a)  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["effective"] == "2025-11-01"
