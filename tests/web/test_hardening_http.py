"""Issue 26, item 1: security headers on every answer, body limits, failed sign-ins limited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI

from severa_ledger import Ledger
from severa_ledger.web.app import create_app
from severa_ledger.web.guard import CSP
from severa_ledger.web.keys import open_key_store
from severa_ledger.web.settings import WebSettings
from tests.web.pages_support import (
    SECRET,
    TODAY,
    Keys,
    client,
    csrf_of,
    demo_ledger,
    position,
    sign_in,
    static_files,
)

NOW = datetime(2025, 6, 5, 9, 0, tzinfo=UTC)
WRONG = {"Authorization": "Bearer slk_0123456789ab_wrong"}
LICENSES = "/api/v1/subscriptions/1002/licenses"
BUY = "/api/v1/subscriptions/1002/licenses/buy"


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(scope="module")
def ledger() -> Iterator[Ledger]:
    ledger = demo_ledger()
    yield ledger
    ledger.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys() -> Keys:
    return Keys(open_key_store("memory://"))


@pytest.fixture
def app(ledger: Ledger, keys: Keys, clock: Clock) -> FastAPI:
    settings = WebSettings(max_body=2000, failures_per_minute=10)
    return create_app(
        ledger, keys.store, secret=SECRET, today=lambda: TODAY, settings=settings, now=clock
    )


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _answers(app: FastAPI, keys: Keys) -> dict[str, object]:
    """One answer of each kind: page, login, API, API error, static, 404, 500-free crash path."""
    browser = client(app)
    sign_in(browser, keys.operator)
    api = client(app)
    return {
        "page": browser.get("/operator"),
        "login": client(app).get("/login"),
        "api": api.get(LICENSES, headers=_bearer(keys.operator)),
        "api 401": api.get(LICENSES),
        "api 404": api.get("/api/v1/subscriptions/9999/licenses", headers=_bearer(keys.operator)),
        "static": api.get("/static/pages.css"),
        "not found": api.get("/nowhere"),
        "openapi": api.get("/openapi.json"),
    }


def test_every_answer_carries_the_security_headers(app, keys):
    """CSP without inline script and frame-ancestors 'none', DENY, nosniff, no referrer."""
    for name, answer in _answers(app, keys).items():
        headers = answer.headers  # type: ignore[attr-defined]
        assert headers["content-security-policy"] == CSP, name
        assert (
            headers["x-frame-options"],
            headers["x-content-type-options"],
            headers["referrer-policy"],
        ) == ("DENY", "nosniff", "no-referrer"), name
        assert "strict-transport-security" not in headers, name
    assert "frame-ancestors 'none'" in CSP
    assert "'unsafe-inline'" not in CSP


def test_personal_answers_are_never_stored_and_static_files_may_be(app, keys):
    """Cache-Control: no-store on pages and API answers; not on the vendored static files."""
    for name, answer in _answers(app, keys).items():
        cache = answer.headers.get("cache-control")  # type: ignore[attr-defined]
        assert (cache == "no-store") == (name != "static"), name


def test_hsts_is_sent_over_https_only(app, keys):
    """Behind https (or a trusted proxy saying so) the answer asks browsers to stay on https."""
    answer = client(app, https=True).get("/login")
    assert answer.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"


def test_the_templates_have_no_inline_script_or_handler():
    """The CSP allows scripts from /static only: no <script> body, no on* attribute, no style=."""
    for path in static_files():
        if path.suffix != ".html":
            continue
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path.name
        assert not re.search(r"\son[a-z]+\s*=", text), path.name
        assert " style=" not in text, path.name


def test_a_body_over_the_limit_is_refused_413_before_it_is_read(app, keys, ledger):
    """A Content-Length over the limit: 413 and nothing recorded."""
    before = position(ledger)
    body = b'{"quantity": 1}' + b" " * 3000
    answer = client(app).post(
        BUY,
        content=body,
        headers={**_bearer(keys.operator), "Content-Type": "application/json"},
    )
    assert (answer.status_code, answer.json()["status"]) == (413, 413)
    assert "larger than 2000 bytes" in answer.json()["detail"]
    assert position(ledger) == before


def test_a_chunked_body_over_the_limit_is_refused_413(app, keys, ledger):
    """Without a Content-Length, the body is counted as it arrives."""
    before = position(ledger)

    def chunks() -> Iterator[bytes]:
        yield b'{"quantity": 1}'
        yield b" " * 3000

    answer = client(app).post(
        BUY,
        content=chunks(),
        headers={**_bearer(keys.operator), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert position(ledger) == before


def test_a_multipart_body_is_refused_415(app, keys, ledger):
    """No route takes multipart: the API and the pages refuse it, small or large."""
    before = position(ledger)
    api = client(app).post(LICENSES, files={"f": ("a.txt", b"x")}, headers=_bearer(keys.operator))
    page = client(app).post("/login", files={"f": ("a.txt", b"x")})
    assert (api.status_code, page.status_code) == (415, 415)
    assert api.headers["x-frame-options"] == "DENY"
    assert position(ledger) == before


def test_wrong_keys_are_limited_per_address_and_a_right_key_never(app, keys, clock):
    """10 wrong keys a minute get 401, the 11th 429 with Retry-After; a right key still 200."""
    api = client(app)
    codes = [api.get(LICENSES, headers=WRONG).status_code for _ in range(11)]
    assert codes == [401] * 10 + [429]
    refused = api.get(LICENSES, headers=WRONG)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "6")
    assert api.get(LICENSES, headers=_bearer(keys.operator)).status_code == 200
    other = client(app)
    other_address = type(other)(app, client=("203.0.113.9", 1))
    assert other_address.get(LICENSES, headers=WRONG).status_code == 401
    clock.at += timedelta(seconds=6)
    assert api.get(LICENSES, headers=WRONG).status_code == 401
    assert api.get(LICENSES, headers=WRONG).status_code == 429


def test_wrong_logins_and_links_share_the_limit(app, keys):
    """The login form and login links count as failed sign-ins too; a right key still signs in."""
    browser = client(app)
    token = csrf_of(browser.get("/login").text)
    for _ in range(5):
        assert (
            browser.post("/login", data={"key": "slk_x_y", "csrf_token": token}).status_code == 401
        )
    for _ in range(5):
        assert browser.get("/login/sll_abc_nope").status_code == 401
    assert browser.get("/login/sll_abc_nope").status_code == 429
    assert browser.post("/login", data={"key": "slk_x_y", "csrf_token": token}).status_code == 429
    sign_in(browser, keys.operator)
    assert browser.get("/operator").status_code == 200


def test_a_chunked_form_over_the_limit_is_refused_413_on_a_page(app, keys):
    """A page's form post counted past the limit: 413, the route's form never read."""
    browser = client(app)
    token = csrf_of(browser.get("/login").text)

    def chunks() -> Iterator[bytes]:
        yield f"csrf_token={token}&key=".encode()
        yield b"k" * 3000

    answer = browser.post(
        "/login", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (answer.status_code, answer.headers["x-frame-options"]) == (413, "DENY")
