"""Who reaches which page: every page route refuses without a session, and out of scope.

``ROUTES`` lists every page route of the app with its scope; a page route added
without a line here fails :func:`test_every_page_route_is_in_the_scoping_table`.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
from fastapi.routing import APIRoute

from tests.web.pages_support import (
    FRESH,
    build_app,
    client,
    csrf_of,
    demo_ledger,
    new_keys,
    nonce_of,
    position,
    sign_in,
)

#: Every page route: (method, path) -> who may use it. "customer": the customer
#: named in the path (and the operator); "operator": the operator only;
#: "session": anybody signed in; "public": the login and logout routes.
ROUTES = {
    ("GET", "/"): "session",
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("GET", "/login/{token}"): "public",
    ("POST", "/logout"): "public",
    ("GET", "/rules"): "public",
    ("GET", "/c/{customer}"): "customer",
    ("GET", "/c/{customer}/invoices/{number}.pdf"): "customer",
    ("GET", "/c/{customer}/invoices/{number}.xml"): "customer",
    ("GET", "/c/{customer}/orders/{sequence}.pdf"): "customer",
    ("POST", "/c/{customer}/buy/quote"): "customer",
    ("POST", "/c/{customer}/buy"): "customer",
    ("POST", "/c/{customer}/remove"): "customer",
    ("POST", "/c/{customer}/users/activate"): "customer",
    ("POST", "/c/{customer}/users/deactivate"): "customer",
    ("POST", "/c/{customer}/company"): "customer",
    ("POST", "/c/{customer}/terms"): "customer",
    ("POST", "/c/{customer}/scheduled/cancel"): "customer",
    ("GET", "/operator"): "operator",
    ("POST", "/operator/billing/preview"): "operator",
    ("POST", "/operator/billing/run"): "operator",
    ("POST", "/operator/payments"): "operator",
    ("POST", "/operator/credit-notes"): "operator",
    ("POST", "/operator/verify"): "operator",
    ("POST", "/operator/deliveries/{delivery_id}/resend"): "operator",
}
#: A form that would change something on each route, were it allowed.
FIELDS = {
    "/buy": {"kind": "user", "quantity": "1"},
    "/remove": {"kind": "user", "quantity": "1"},
    "/users/activate": {"user_id": "intruder", "kind": "user", "buy_if_needed": "yes"},
    "/users/deactivate": {"user_id": "kari"},
    "/company": {"legal_name": "Taken Over AS", "effective": "2025-06-05"},
    "/terms": {"accept": "yes", "accepted_by": "intruder"},
    "/scheduled/cancel": {"change_id": "company:2099-12-31"},
    "/billing/run": {"through": "2025-08-31", "confirm": "yes"},
    "/payments": {"invoice_number": "VSOY-000002", "amount": "1.00"},
    "/credit-notes": {"invoice_number": "VSOY-000002", "reason": "intrusion"},
}
SCOPED = [route for route, scope in ROUTES.items() if scope in ("customer", "operator", "session")]


@pytest.fixture(scope="module")
def setup() -> Iterator[tuple]:
    ledger = demo_ledger()
    keys = new_keys()
    yield ledger, keys, build_app(ledger, keys.store)
    ledger.close()


def _path(template: str, ledger, customer: str) -> str:
    number = next(i.number for i in ledger.invoices(customer))
    return (template.replace("{customer}", customer).replace("{number}", number)
            .replace("{sequence}", "1").replace("{delivery_id}", str(UUID(int=1))))  # fmt: skip


def _fields(path: str) -> dict[str, str]:
    return next((f for end, f in FIELDS.items() if path.endswith(end)), {})


def test_every_page_route_is_in_the_scoping_table(setup):
    """The app's page routes (all but the JSON API, health and spec) are exactly ROUTES."""
    _, _, app = setup
    found = {
        (method, path)
        for path, methods in _walk(app.routes)
        if not path.startswith("/api/") and path not in ("/healthz", "/openapi.json")
        for method in methods - {"HEAD"}
    }
    assert found == set(ROUTES)


def _walk(routes, prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """Yield every API route's full path and methods, through included routers."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI >= 0.16x keeps included routers as branches
            yield from _walk(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, set(route.methods)


@pytest.mark.parametrize(("method", "template"), SCOPED)
def test_a_page_without_a_session_goes_to_the_login_page(setup, method, template):
    """Without a session, a page redirects to /login; a post is refused and records nothing."""
    ledger, _, app = setup
    browser = client(app)
    anonymous_token = csrf_of(browser.get("/login").text)  # a session, not signed in
    before = position(ledger)
    path = _path(template, ledger, "1001")
    if method == "GET":
        answer = browser.get(path, follow_redirects=False)
    else:
        data = {"csrf_token": anonymous_token, "nonce": "n" * 24, **_fields(path)}
        answer = browser.post(path, data=data, follow_redirects=False)
    assert (answer.status_code, answer.headers.get("location")) == (303, "/login")
    assert position(ledger) == before


@pytest.mark.parametrize("template", [path for method, path in SCOPED if method == "POST"])
def test_a_post_without_the_csrf_token_is_refused_even_signed_in(setup, template):
    """A signed-in operator's post without the CSRF token is refused (403) and records nothing."""
    ledger, keys, app = setup
    browser = client(app)
    sign_in(browser, keys.operator)
    before = position(ledger)
    path = _path(template, ledger, "1001")
    answer = browser.post(path, data={"nonce": "n" * 24, **_fields(path)}, follow_redirects=False)
    assert answer.status_code == 403
    assert position(ledger) == before


@pytest.mark.parametrize(
    ("method", "template"), [r for r in SCOPED if ROUTES[r] in ("customer", "operator")]
)
def test_a_customer_cannot_reach_another_customer_or_operator_page(setup, method, template):
    """Customer 1002's session gets 404 on 1001's page, forms, documents and operator pages."""
    ledger, keys, app = setup
    browser = client(app)
    sign_in(browser, keys.customer("1002"))
    page = browser.get("/c/1002").text
    before = position(ledger)
    path = _path(template, ledger, "1001")
    if method == "GET":
        answer = browser.get(path, follow_redirects=False)
    else:
        data = {"csrf_token": csrf_of(page), "nonce": nonce_of(page), **_fields(path)}
        answer = browser.post(path, data=data, follow_redirects=False)
    assert answer.status_code == 404
    assert "Fjordtech" not in answer.text
    assert position(ledger) == before


@pytest.mark.parametrize("suffix", ["pdf", "xml"])
def test_a_customer_cannot_download_another_customers_invoice_through_its_own_page(setup, suffix):
    """An invoice number of 1001 under 1002's own path is 404: documents are scoped too."""
    ledger, keys, app = setup
    browser = client(app)
    sign_in(browser, keys.customer("1002"))
    theirs = next(i.number for i in ledger.invoices("1001"))
    assert browser.get(f"/c/1002/invoices/{theirs}.{suffix}").status_code == 404


def test_a_customer_reaches_its_own_page_and_the_operator_reaches_every_page(setup):
    """1002 sees its page; the operator sees 1001, 1002, 3001 and the operator page."""
    _, keys, app = setup
    customer, operator = client(app), client(app)
    sign_in(customer, keys.customer("1002"))
    sign_in(operator, keys.operator)
    assert customer.get("/c/1002").status_code == 200
    assert customer.get("/", follow_redirects=False).headers["location"] == "/c/1002"
    assert operator.get("/", follow_redirects=False).headers["location"] == "/operator"
    for path in ("/c/1001", "/c/1002", f"/c/{FRESH}", "/operator"):
        assert operator.get(path).status_code == 200, path


def test_an_unknown_customer_is_not_found_even_for_the_operator(setup):
    """A customer number with no subscription is 404 (no traceback, no 500)."""
    _, keys, app = setup
    operator = client(app)
    sign_in(operator, keys.operator)
    assert operator.get("/c/9999").status_code == 404
