"""The API's conventions: keys, problem+json, OpenAPI, pagination, queries and operator routes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi import FastAPI

from severa_ledger import Ledger
from tests.web.conftest import CUSTOMER_A, TestClient

A = CUSTOMER_A


def test_a_bad_key_is_401_and_its_text_is_never_echoed(client: TestClient) -> None:
    """The key sent is nowhere in the answer (it may be a real key, mistyped)."""
    secret = "slk_0123456789ab_ThisIsNotARealKeyButCouldBe"  # noqa: S105 -- a made-up key
    response = client.get("/api/v1/subscriptions", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "ThisIsNotARealKey" not in response.text
    assert "ThisIsNotARealKey" not in str(response.headers)


def test_a_session_cookie_does_not_authenticate_the_api(client: TestClient) -> None:
    """The API takes bearer keys only (so it needs no CSRF protection)."""
    client.cookies.set("session", "anything")
    assert client.get("/api/v1/subscriptions").status_code == 401


def test_a_malformed_json_body_is_400_problem_json(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """A body that is not JSON: 400, application/problem+json."""
    response = client.post(f"/api/v1/subscriptions/{A}/licenses/buy", content=b"{not json",
                           headers={**customer_a, "Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == "InvalidCommandError"


def test_an_invalid_date_is_400_naming_the_field(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """``as_of=2025-02-30`` is bad input, and the answer says which parameter."""
    response = client.get(f"/api/v1/subscriptions/{A}/licenses", params={"as_of": "2025-02-30"},
                          headers=customer_a)  # fmt: skip
    assert response.status_code == 400
    assert "as_of" in response.json()["detail"]


def test_a_crash_is_a_500_problem_without_internals(demo: Ledger, keys: object) -> None:
    """An unexpected exception: 500 problem+json, no traceback, no message of the exception."""
    from severa_ledger.web.app import create_app  # noqa: PLC0415

    app = create_app(demo, keys, secret=b"s" * 32)  # type: ignore[arg-type]

    @app.get("/api/v1/boom")
    async def boom() -> None:
        raise RuntimeError("internal secret detail")

    response = TestClient(app, raise_server_exceptions=False).get("/api/v1/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "internal secret detail" not in response.text
    assert "Traceback" not in response.text


def test_an_unavailable_store_is_503_without_its_address(demo: Ledger, keys: object) -> None:
    """StoreUnavailableError: 503 problem+json naming the error, not the store's URL."""
    from severa_ledger.domain.errors import StoreUnavailableError  # noqa: PLC0415
    from severa_ledger.web.app import create_app  # noqa: PLC0415

    app = create_app(demo, keys, secret=b"s" * 32)  # type: ignore[arg-type]

    @app.get("/api/v1/down")
    async def down() -> None:
        raise StoreUnavailableError("postgresql://ledger:hunter2@db.internal/ledger: refused")

    response = TestClient(app, raise_server_exceptions=False).get("/api/v1/down")
    assert response.status_code == 503
    assert response.json()["error"] == "StoreUnavailableError"
    assert "hunter2" not in response.text
    assert "db.internal" not in response.text


def test_unknown_paths_are_404_problem_json_and_there_is_no_cdn_docs_page(
    client: TestClient,
) -> None:
    """No /docs nor /redoc (they load Swagger from a CDN); a 404 is problem+json too."""
    for path in ("/docs", "/redoc", "/api/v1/nothing-here"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert (response.json()["type"], response.json()["rule"]) == ("about:blank", None)


def test_a_problems_rule_type_resolves_to_its_section_of_the_served_rules_page(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """A refusal citing R5 has type /rules#r5; /rules, keyless, holds id="r5" and its title."""
    activate = f"/api/v1/subscriptions/{CUSTOMER_A}/users/zoe/activate"
    refused = client.post(activate, json={}, headers=customer_a)
    path, _, anchor = refused.json()["type"].partition("#")
    page = client.get(path)
    assert (page.status_code, page.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert f'<h3 id="{anchor}">R5. Never more active users than licenses</h3>' in page.text
    assert page.text.count("<h3 id=") == 36


def test_the_openapi_document_needs_no_key_and_documents_every_error(client: TestClient) -> None:
    """Every API operation documents 400/401/403/404/409/422/500 as problem+json."""
    spec = client.get("/openapi.json").json()
    assert spec["components"]["schemas"]["Problem"]["required"] == ["title", "status", "detail"]
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert (
        len(operations) == 37
    )  # scheduled changes (R36), creditable (R33), exchange rates (R32), webhooks and deliveries (R35)
    for operation in operations:
        for status in ("400", "401", "403", "404", "409", "422", "500"):
            content = operation["responses"][status]["content"]
            assert list(content) == ["application/problem+json"]
        assert operation["security"] == [{"HTTPBearer": []}]


def test_money_in_responses_is_decimal_strings(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """R28 for 1002 on 2025-08-15: next quarter 11-01..01-31, 4 x 3 x 100.00 = 1200.00, 0 % AE."""
    cost = client.get(f"/api/v1/subscriptions/{A}/upcoming-cost", headers=customer_a).json()
    assert (cost["period_start"], cost["period_end"]) == ("2025-11-01", "2026-01-31")
    assert (cost["net"], cost["vat"], cost["total"]) == ("1200.00", "0.00", "1200.00")
    assert cost["lines"][0]["unit_price"] == "100.00"


def test_license_counts_as_of_today(client: TestClient, customer_a: dict[str, str]) -> None:
    """1002 on 2025-08-15: 3 licenses + lars's = 4, all in use."""
    body = client.get(f"/api/v1/subscriptions/{A}/licenses", headers=customer_a).json()
    assert body == {"customer_number": A, "as_of": "2025-08-15",
                    "kinds": {"user": {"licenses": 4, "active_users": 4, "free": 0,
                                       "pending_removal": 0}}}  # fmt: skip


def test_lists_are_paged_with_a_next_cursor(
    client: TestClient, demo: Ledger, operator: dict[str, str]
) -> None:
    """Invoices two at a time: following next_cursor walks every invoice once, in order."""
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/invoices", params=params, headers=operator).json()
        assert len(page["items"]) <= 2
        seen += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [v.number for v in demo.invoices()]


def test_an_invoice_is_served_with_its_status_and_amounts(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """The seed addition's invoice: 185.87 NOK, issued 2025-06-09, due 2025-06-23 (R15, R16)."""
    (view,) = [v for v in demo.invoices(A) if v.issue_date.isoformat() == "2025-06-09"]
    body = client.get(f"/api/v1/invoices/{view.number}", headers=customer_a).json()
    assert (body["net"], body["due_date"], body["currency"]) == ("185.87", "2025-06-23", "NOK")
    assert body["status"] == "overdue"
    assert Decimal(body["total"]) == view.total


def test_a_customer_is_refused_the_operators_routes(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """403 problem+json on a billing run."""
    response = client.post("/api/v1/billing/runs", json={"through": "2025-09-30"},
                           headers=customer_a)  # fmt: skip
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_a_billing_dry_run_records_nothing_and_a_run_issues_what_it_showed(
    client: TestClient, demo: Ledger, operator: dict[str, str]
) -> None:
    """The dry run lists the invoices a run through 2025-09-30 issues; the run issues those."""
    before = len(demo.invoices())
    dry = client.post("/api/v1/billing/runs", json={"through": "2025-09-30"}, headers=operator)
    assert dry.status_code == 200, dry.text
    assert len(demo.invoices()) == before
    planned = dry.json()["invoice_numbers"]
    assert planned
    run = client.post("/api/v1/billing/runs", json={"through": "2025-09-30", "dry_run": False},
                      headers=operator)  # fmt: skip
    assert run.json()["invoice_numbers"] == planned


def test_verify_keeps_its_last_result(client: TestClient, operator: dict[str, str]) -> None:
    """GET verify is 404 until a POST has run it; then it returns that result."""
    assert client.get("/api/v1/verify", headers=operator).status_code == 404
    ran = client.post("/api/v1/verify", headers=operator).json()
    assert ran["ok"] is True
    assert client.get("/api/v1/verify", headers=operator).json() == ran


def test_payments_and_credit_notes_by_the_operator(
    client: TestClient, demo: Ledger, operator: dict[str, str]
) -> None:
    """Paying the seed invoice makes it paid (R29); crediting another returns the next number."""
    (seed,) = [v for v in demo.invoices(A) if v.issue_date.isoformat() == "2025-06-09"]
    paid = client.post("/api/v1/payments", json={"invoice_number": seed.number, "amount": "185.87",
                       "on": "2025-08-15"}, headers=operator)  # fmt: skip
    assert paid.status_code == 200, paid.text
    assert demo.invoice(seed.number).status == "paid"
    other = demo.invoices(A)[-1]
    credit = client.post(f"/api/v1/invoices/{other.number}/credit", json={"reason": "test"},
                         headers=operator)  # fmt: skip
    assert credit.status_code == 200, credit.text
    assert demo.invoice(credit.json()["number"]).credited_invoice == other.number


def test_the_operator_opens_a_subscription(
    client: TestClient, demo: Ledger, operator: dict[str, str]
) -> None:
    """201, and the new customer is listed; opening it again is a 409 conflict."""
    body = {
        "customer_number": "4001", "currency": "NOK", "period_months": 3,
        "anchor": "2025-09-01", "prices": {"user": "100.00"}, "on": "2025-09-01",
        "company": {"legal_name": "Nord AS", "org_number": "974760673", "country": "NO",
                    "street": "Storgata 1", "postcode": "0155", "city": "Oslo"},
    }  # fmt: skip
    assert client.post("/api/v1/subscriptions", json=body, headers=operator).status_code == 201
    assert "4001" in demo.customers()
    again = client.post("/api/v1/subscriptions", json=body, headers=operator)
    assert again.status_code == 409


@pytest.mark.parametrize(("suffix", "media_type", "magic"),
                         [("ehf", "application/xml", b"<?xml"), ("pdf", "application/pdf", b"%PDF")])  # fmt: skip
def test_invoice_documents_are_served_to_their_customer(
    client: TestClient, demo: Ledger, customer_a: dict[str, str], app: FastAPI,
    suffix: str, media_type: str, magic: bytes,
) -> None:  # fmt: skip
    """The EHF XML and the PDF of one of 1002's invoices (needs the documents extra)."""
    if not hasattr(demo, "invoice_xml") or not hasattr(demo, "invoice_pdf"):
        pytest.skip("Ledger.invoice_xml / invoice_pdf are not there yet")
    number = demo.invoices(A)[-1].number
    response = client.get(f"/api/v1/invoices/{number}/{suffix}", headers=customer_a)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith(media_type)
    assert response.content.startswith(magic)


def test_subscriptions_are_filtered_and_paged(client: TestClient, operator: dict[str, str]) -> None:
    """Filters by seller and currency; two per page, the cursor walks the rest."""
    eur = client.get("/api/v1/subscriptions", params={"currency": "EUR"}, headers=operator)
    assert [s["customer_number"] for s in eur.json()["items"]] == ["2001"]
    first = client.get("/api/v1/subscriptions", params={"limit": 2}, headers=operator).json()
    assert [s["customer_number"] for s in first["items"]] == ["1001", "1002"]
    params = {"limit": 2, "cursor": first["next_cursor"]}
    second = client.get("/api/v1/subscriptions", params=params, headers=operator).json()
    assert [s["customer_number"] for s in second["items"]] == ["1003", "2001"]
    assert second["next_cursor"] is None
