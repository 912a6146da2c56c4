"""Server-rendered pages for customers and operators: logging in and out, and the router.

``router`` gathers every page route (the app includes it): the login page
(a key, or a one-time link), the customer's page and its forms
(:mod:`~severa_ledger.web.pages_customer`, :mod:`~severa_ledger.web.pages_forms`)
and the operator's pages (:mod:`~severa_ledger.web.pages_operator`). Pages are
not part of the JSON API's OpenAPI description.
"""

from __future__ import annotations

import logging
import re

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from severa_ledger.web import pages_customer, pages_deliveries, pages_forms, pages_operator
from severa_ledger.web.auth import Principal
from severa_ledger.web.csrf import check_csrf
from severa_ledger.web.pages_common import render
from severa_ledger.web.pages_text import TEXTS, page_language
from severa_ledger.web.session import (
    end_session,
    read_session,
    save_session,
    signed_in,
    start_session,
)

_TOKEN_PATH = re.compile(r"/login/[^/?\s]+")


class RedactLoginTokens(logging.Filter):
    """Replace a login link's token in access-log lines (uvicorn's) by ``***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the token in the record's arguments; keep the record."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_PATH.sub("/login/***", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


logging.getLogger("uvicorn.access").addFilter(RedactLoginTokens())

router = APIRouter(include_in_schema=False)
router.include_router(pages_customer.router)
router.include_router(pages_forms.router)
router.include_router(pages_operator.router)
router.include_router(pages_deliveries.router)


def _home(principal: Principal) -> str:
    return "/operator" if principal.customer_number is None else f"/c/{principal.customer_number}"


def _signed_in_as(request: Request, principal: Principal) -> Response:
    """Start a new session (a fresh nonce, so a fresh CSRF token) and go to the home page."""
    response = RedirectResponse(_home(principal), status_code=303)
    save_session(request, response, start_session(request, principal))
    return response


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    return render(request, "login.html", {"error": error}, status)


@router.get("/")
async def home(request: Request) -> Response:
    """Go to the principal's page: the customer's own, or the operator's."""
    _, principal = signed_in(request)
    return RedirectResponse(_home(principal), status_code=303)


@router.get("/login")
async def login_form(request: Request) -> Response:
    """Show the login form: a key."""
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    """Sign in with a key (its secret is checked against the stored digest, never kept)."""
    form = await request.form()
    check_csrf(request, read_session(request), form)
    key = form.get("key")
    principal = request.app.state.keys.verify(key.strip()) if isinstance(key, str) else None
    if principal is None:
        lang = page_language(None, read_session(request).lang, None)
        return _login_page(request, TEXTS[lang]["login_failed"], 401)
    return _signed_in_as(request, principal)


@router.get("/login/{token}")
async def login_link(request: Request, token: str) -> Response:
    """Sign in with a one-time link: the token is redeemed once and never shown or logged."""
    principal = request.app.state.keys.redeem_login_token(token, now=request.app.state.now())
    if principal is None:
        lang = page_language(None, read_session(request).lang, None)
        return _login_page(request, TEXTS[lang]["link_failed"], 401)
    return _signed_in_as(request, principal)


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Sign out: the session ends on the server and its cookie is dropped."""
    form = await request.form()
    check_csrf(request, read_session(request), form)
    response = RedirectResponse("/login", status_code=303)
    end_session(request, response)
    return response
