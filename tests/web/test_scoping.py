"""Scoping on every API route: no key is 401; customer A never reads or changes B's data.

The table below has one example request per route; the first test fails when a
route is added under /api/ without an entry here.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from severa_ledger import Ledger
from tests.web.conftest import CUSTOMER_A, CUSTOMER_B, TestClient

B = CUSTOMER_B
LICENSES = {"kind": "user", "quantity": 1}
#: (method, route) -> (a request on customer B's data, its body, what customer A's key gets).
ROUTES: dict[tuple[str, str], tuple[str, dict[str, object] | None, int]] = {
    ("GET", "/api/v1/subscriptions"): ("/api/v1/subscriptions", None, 200),
    ("GET", "/api/v1/subscriptions/{customer}"): (f"/api/v1/subscriptions/{B}", None, 404),
    ("GET", "/api/v1/subscriptions/{customer}/licenses"): (
        f"/api/v1/subscriptions/{B}/licenses",
        None,
        404,
    ),
    ("GET", "/api/v1/subscriptions/{customer}/users"): (
        f"/api/v1/subscriptions/{B}/users",
        None,
        404,
    ),
    ("GET", "/api/v1/subscriptions/{customer}/upcoming-cost"): (
        f"/api/v1/subscriptions/{B}/upcoming-cost",
        None,
        404,
    ),
    ("GET", "/api/v1/subscriptions/{customer}/terms"): (
        f"/api/v1/subscriptions/{B}/terms",
        None,
        404,
    ),
    ("GET", "/api/v1/subscriptions/{customer}/orders"): (
        f"/api/v1/subscriptions/{B}/orders",
        None,
        404,
    ),
    ("GET", "/api/v1/subscriptions/{customer}/history"): (
        f"/api/v1/subscriptions/{B}/history",
        None,
        404,
    ),
    ("GET", "/api/v1/subscriptions/{customer}/receivables"): (
        f"/api/v1/subscriptions/{B}/receivables",
        None,
        404,
    ),
    ("POST", "/api/v1/subscriptions/{customer}/licenses/quote"): (
        f"/api/v1/subscriptions/{B}/licenses/quote",
        LICENSES,
        404,
    ),
    ("POST", "/api/v1/subscriptions/{customer}/licenses/buy"): (
        f"/api/v1/subscriptions/{B}/licenses/buy",
        LICENSES,
        404,
    ),
    ("POST", "/api/v1/subscriptions/{customer}/licenses/remove"): (
        f"/api/v1/subscriptions/{B}/licenses/remove",
        LICENSES,
        404,
    ),
    ("POST", "/api/v1/subscriptions/{customer}/users/{user_id}/activate"): (
        f"/api/v1/subscriptions/{B}/users/nils/activate",
        {},
        404,
    ),
    ("POST", "/api/v1/subscriptions/{customer}/users/{user_id}/deactivate"): (
        f"/api/v1/subscriptions/{B}/users/kari/deactivate",
        {},
        404,
    ),
    ("POST", "/api/v1/subscriptions/{customer}/company"): (
        f"/api/v1/subscriptions/{B}/company",
        {"street": "Elsewhere 2"},
        404,
    ),
    ("POST", "/api/v1/subscriptions/{customer}/terms/accept"): (
        f"/api/v1/subscriptions/{B}/terms/accept",
        {"version": "v2", "accepted_by": "mallory"},
        404,
    ),
    ("GET", "/api/v1/subscriptions/{customer}/scheduled"): (
        f"/api/v1/subscriptions/{B}/scheduled",
        None,
        404,
    ),
    ("POST", "/api/v1/subscriptions/{customer}/scheduled/{change_id}/cancel"): (
        f"/api/v1/subscriptions/{B}/scheduled/company:2099-12-31/cancel",
        {},
        404,
    ),
    ("GET", "/api/v1/invoices"): ("/api/v1/invoices", None, 200),
    ("GET", "/api/v1/invoices/{number}"): ("/api/v1/invoices/{invoice}", None, 404),
    ("GET", "/api/v1/invoices/{number}/ehf"): ("/api/v1/invoices/{invoice}/ehf", None, 404),
    ("GET", "/api/v1/invoices/{number}/pdf"): ("/api/v1/invoices/{invoice}/pdf", None, 404),
    ("POST", "/api/v1/subscriptions"): ("/api/v1/subscriptions", {"customer_number": "9001"}, 403),
    ("POST", "/api/v1/subscriptions/{customer}/prices"): (
        f"/api/v1/subscriptions/{B}/prices",
        {"prices": {"user": "1.00"}, "effective": "2025-11-01"},
        403,
    ),
    ("POST", "/api/v1/subscriptions/{customer}/migration"): (
        f"/api/v1/subscriptions/{B}/migration",
        {"cohort": "2025-10-01"},
        403,
    ),
    ("POST", "/api/v1/payments"): (
        "/api/v1/payments",
        {"invoice_number": "{invoice}", "amount": "1.00"},
        403,
    ),
    ("POST", "/api/v1/invoices/{number}/credit"): (
        "/api/v1/invoices/{invoice}/credit",
        {"reason": "mine now"},
        403,
    ),
    ("POST", "/api/v1/billing/runs"): (
        "/api/v1/billing/runs",
        {"through": "2025-12-31", "dry_run": False},
        403,
    ),
    ("POST", "/api/v1/verify"): ("/api/v1/verify", None, 403),
    ("GET", "/api/v1/verify"): ("/api/v1/verify", None, 403),
    ("GET", "/api/v1/deliveries"): ("/api/v1/deliveries", None, 200),
    ("POST", "/api/v1/deliveries/{delivery_id}/resend"): (
        "/api/v1/deliveries/email:{invoice}/resend",
        {},
        403,
    ),
    ("GET", "/api/v1/webhooks"): ("/api/v1/webhooks", None, 403),
    ("POST", "/api/v1/webhooks"): ("/api/v1/webhooks", {"url": "https://example.com/h"}, 403),
    ("DELETE", "/api/v1/webhooks/{endpoint_id}"): ("/api/v1/webhooks/we_1", None, 403),
}


def _api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Return every (method, path) served under /api/, included routers' routes too."""
    return {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        if route.path is not None and route.path.startswith("/api/")
        for method in route.methods or {"ANY"}
    }


def _request(client: TestClient, demo: Ledger, route: tuple[str, str],
             headers: dict[str, str]) -> object:  # fmt: skip
    """Send the table's request for ``route`` (B's first invoice filled in)."""
    path, body, _ = ROUTES[route]
    invoice = demo.invoices(B)[0].number
    path = path.replace("{invoice}", invoice)
    if body is not None:
        body = {
            k: (v.replace("{invoice}", invoice) if isinstance(v, str) else v)
            for k, v in body.items()
        }
    return client.request(route[0], path, json=body, headers=headers)


def _state_of_b(demo: Ledger) -> tuple[int, int, int]:
    """Return what would change if B's data changed: B's events, all invoices, orders."""
    return len(demo.history(B)), len(demo.invoices()), len(demo.orders(B))


def test_every_api_route_is_in_the_scoping_table(app: FastAPI) -> None:
    """A new API route without an example in the table fails here."""
    assert _api_routes(app) == set(ROUTES)


@pytest.mark.parametrize("route", sorted(ROUTES), ids="{0[0]} {0[1]}".format)
def test_every_api_route_refuses_a_request_without_a_key(
    client: TestClient, demo: Ledger, route: tuple[str, str]
) -> None:
    """No key: 401 problem+json with a Bearer challenge, and nothing recorded."""
    before = _state_of_b(demo)
    response = _request(client, demo, route, {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert _state_of_b(demo) == before


@pytest.mark.parametrize("route", sorted(ROUTES), ids="{0[0]} {0[1]}".format)
def test_every_api_route_refuses_a_revoked_key(
    client: TestClient, demo: Ledger, keys: object, operator: dict[str, str], route: tuple[str, str]
) -> None:
    """A revoked operator key: 401 on every route."""
    key_id = operator["Authorization"].split("_")[1]
    keys.revoke(key_id)  # type: ignore[attr-defined]
    assert _request(client, demo, route, operator).status_code == 401


@pytest.mark.parametrize("route", sorted(ROUTES), ids="{0[0]} {0[1]}".format)
def test_customer_a_cannot_read_or_change_customer_b_on_any_route(
    client: TestClient, demo: Ledger, customer_a: dict[str, str], route: tuple[str, str]
) -> None:
    """A's key on B's data: 404 as if missing, or 403 on the operator's routes; B unchanged."""
    before = _state_of_b(demo)
    response = _request(client, demo, route, customer_a)
    expected = ROUTES[route][2]
    assert response.status_code == expected, response.text
    if expected == 200 and isinstance(response.json(), list):  # deliveries: none of B's
        assert all(item.get("customer_number") == CUSTOMER_A for item in response.json())
    elif expected == 200:  # the paged lists: only A's own items
        items = response.json()["items"]
        assert items
        assert {item["customer_number"] for item in items} == {CUSTOMER_A}
    else:
        assert response.headers["content-type"] == "application/problem+json"
        assert B not in response.json()["detail"] or "no subscription" in response.json()["detail"]
    assert _state_of_b(demo) == before


def test_another_customers_subscription_looks_exactly_like_a_missing_one(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """The 404 of B's subscription says no more than the 404 of one that does not exist."""
    theirs = client.get(f"/api/v1/subscriptions/{B}", headers=customer_a).json()
    missing = client.get("/api/v1/subscriptions/0000", headers=customer_a).json()
    assert theirs == {**missing, "detail": missing["detail"].replace("0000", B)}


def test_another_customers_invoice_looks_exactly_like_a_missing_one(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """The 404 of B's invoice says no more than the 404 of a number no invoice has."""
    number = demo.invoices(B)[0].number
    series, _, _ = number.rpartition("-")
    unused = f"{series}-999999"
    theirs = client.get(f"/api/v1/invoices/{number}", headers=customer_a).json()
    missing = client.get(f"/api/v1/invoices/{unused}", headers=customer_a).json()
    assert theirs == {**missing, "detail": missing["detail"].replace(unused, number)}


def test_a_customer_listing_another_customers_invoices_gets_404(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """``/invoices?customer=B`` with A's key is 404, as for an unknown customer."""
    response = client.get("/api/v1/invoices", params={"customer": B}, headers=customer_a)
    assert response.status_code == 404
    assert response.json()["error"] == "SubscriptionNotFoundError"


def test_the_operator_sees_every_customer(client: TestClient, operator: dict[str, str]) -> None:
    """The operator's list has every demo customer."""
    items = client.get("/api/v1/subscriptions", headers=operator).json()["items"]
    assert [item["customer_number"] for item in items] == ["1001", "1002", "1003", "2001"]
