"""Logging in and out: a key or a one-time link, the signed cookie, languages, static files."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from severa_ledger.web.pages import RedactLoginTokens
from severa_ledger.web.session import COOKIE
from tests.web.pages_support import (
    build_app,
    client,
    csrf_of,
    demo_ledger,
    new_keys,
    sign_in,
    static_files,
)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple]:
    ledger = demo_ledger()
    keys = new_keys()
    yield ledger, keys, build_app(ledger, keys.store)
    ledger.close()


def test_a_wrong_key_is_refused_on_the_login_page(world):
    """An unknown key gets the login page again with 401, and no signed-in session."""
    _, _, app = world
    browser = client(app)
    token = csrf_of(browser.get("/login?lang=en").text)
    answer = browser.post("/login", data={"key": "slk_nope_nope", "csrf_token": token})
    assert answer.status_code == 401
    assert "That key is not valid" in answer.text
    assert browser.get("/", follow_redirects=False).headers["location"] == "/login"


def test_the_login_form_needs_its_csrf_token(world):
    """Even logging in is a form post with a CSRF token (no login CSRF)."""
    _, keys, app = world
    browser = client(app)
    browser.get("/login")
    answer = browser.post("/login", data={"key": keys.customer("1002")}, follow_redirects=False)
    assert answer.status_code == 403


def test_a_login_link_works_once_and_its_token_is_never_shown(world):
    """The link signs in and redirects home; used again it is refused; the token is not echoed."""
    _, keys, app = world
    link = keys.link("1002")
    token = link.rsplit("/", 1)[1]
    first = client(app)
    answer = first.get(link, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/c/1002")
    assert token not in first.get("/c/1002").text
    again = client(app).get(link)
    assert again.status_code == 401
    assert token not in again.text


def test_access_log_lines_do_not_carry_login_tokens():
    """uvicorn's access line for a login link reads /login/*** (the filter on its logger)."""
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:1", "GET",
                               "/login/sll_abc_SECRET", "1.1", 303), None)  # fmt: skip
    RedactLoginTokens().filter(record)
    assert "SECRET" not in record.getMessage()
    assert "/login/***" in record.getMessage()


def test_the_session_cookie_is_signed_httponly_samesite_and_secure_over_https(world):
    """The cookie is HttpOnly and SameSite=Lax, Secure over https, and holds no key."""
    _, keys, app = world
    browser = client(app, https=True)
    key = keys.customer("1002")
    token = csrf_of(browser.get("/login").text)
    answer = browser.post("/login", data={"key": key, "csrf_token": token}, follow_redirects=False)
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert re.search(r"(?i)httponly", cookie)
    assert re.search(r"(?i)samesite=lax", cookie)
    assert re.search(r"(?i)secure", cookie)
    assert key.split("_", 2)[2] not in cookie
    plain = client(app)
    token = csrf_of(plain.get("/login").text)
    cookie = plain.post("/login", data={"key": key, "csrf_token": token},
                        follow_redirects=False).headers["set-cookie"]  # fmt: skip
    assert "secure" not in cookie.lower()


def test_a_tampered_cookie_is_no_session(world):
    """A cookie changed by hand fails its signature: back to the login page."""
    _, keys, app = world
    browser = client(app)
    sign_in(browser, keys.customer("1002"))
    value = browser.cookies[COOKIE]
    browser.cookies.set(COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert browser.get("/c/1002", follow_redirects=False).status_code == 303


def test_a_revoked_key_ends_its_sessions_at_once(world):
    """Revoking the key behind a session sends the next page view to the login page."""
    _, keys, app = world
    secret, principal = keys.store.create(customer_number="1003", label="temp",
                                          now=datetime.now(UTC))  # fmt: skip
    browser = client(app)
    sign_in(browser, secret)
    assert browser.get("/c/1003").status_code == 200
    keys.store.revoke(principal.key_id)
    answer = browser.get("/c/1003", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def test_logging_out_ends_the_session(world):
    """After logging out, the page asks for a login again."""
    _, keys, app = world
    browser = client(app)
    sign_in(browser, keys.customer("1002"))
    token = csrf_of(browser.get("/c/1002").text)
    assert (
        browser.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert browser.get("/c/1002", follow_redirects=False).headers["location"] == "/login"


def test_the_language_follows_the_buyer_then_the_choice_which_is_remembered(world):
    """Norwegian 1002 reads bokmål; ?lang=en switches to English and the session keeps it."""
    _, keys, app = world
    browser = client(app)
    sign_in(browser, keys.customer("1002"))
    assert "<h2>Lisenser</h2>" in browser.get("/c/1002").text
    assert "<h2>Licenses</h2>" in browser.get("/c/1002?lang=en").text
    assert "<h2>Licenses</h2>" in browser.get("/c/1002").text
    finnish = client(app)
    sign_in(finnish, keys.customer("2001"))
    assert '<html lang="en">' in finnish.get("/c/2001").text  # no Finnish pages: English


def test_no_template_or_static_file_loads_anything_from_another_host():
    """Every script and style is served by the app: no http(s) URL in templates or static files."""
    files = static_files()
    assert {p.name for p in files} >= {"htmx.min.js", "pages.css", "base.html"}
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"https?://", text), path.name


def test_htmx_and_the_style_sheet_are_served_from_static(world):
    """/static/htmx.min.js (2.0.x) and /static/pages.css are served without a session."""
    _, _, app = world
    browser = client(app)
    htmx = browser.get("/static/htmx.min.js")
    assert htmx.status_code == 200
    assert 'version:"2.0.' in htmx.text
    assert browser.get("/static/pages.css").status_code == 200
