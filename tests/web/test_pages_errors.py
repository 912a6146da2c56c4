"""A page's refusals are HTML pages (issue 26, item 7); the API's stay problem+json."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.pages_support import build_app, client, demo_ledger, new_keys, sign_in


@pytest.fixture
def browser() -> Iterator[object]:
    ledger = demo_ledger()
    keys = new_keys()
    signed = client(build_app(ledger, keys.store))
    sign_in(signed, keys.customer("1002"))
    yield signed
    ledger.close()


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/c/1001", 404, "404 Not Found"),  # another customer's page: it does not exist
        ("/c/1002/invoices/NOPE.pdf", 404, "404 Not Found"),
        ("/c/1002/orders/abc.pdf", 400, "400 Bad Request"),  # not a sequence number
        ("/no-such-page", 404, "404 Not Found"),
    ],
)
def test_a_refused_page_is_an_html_page_with_a_way_back(browser, path, status, heading) -> None:
    """The status, its reason and a link home, in the site's layout; never JSON."""
    page = browser.get(path)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in page.text
    assert '<a href="/">Back to your page</a>' in page.text
    assert '"status"' not in page.text


def test_a_form_without_its_csrf_token_is_refused_with_an_html_page(browser) -> None:
    """A post without the CSRF token: 403, an HTML page naming why."""
    page = browser.post("/c/1002/buy", data={"kind": "user", "quantity": "1"})
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "missing or wrong CSRF token" in page.text


def test_the_api_still_answers_problem_json(browser) -> None:
    """An API route's refusal stays RFC 9457 problem details."""
    answer = browser.get("/api/v1/subscriptions/1001/licenses")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 401


def test_a_signed_out_page_still_redirects_to_the_login(browser) -> None:
    """Signed out, a page is a redirect to /login (303), not an error page."""
    browser.cookies.clear()
    answer = browser.get("/c/1002", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
