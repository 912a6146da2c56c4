"""Errors as ``application/problem+json`` (RFC 9457), one status per kind of refusal.

404 not found, 422 refused by a business rule, 409 conflict, 400 bad input,
401 no or invalid key, 403 operator only, 503 store or documents unavailable,
500 anything else, never with internals. Every body carries ``error`` (the
:class:`~severa_ledger.LedgerError` class name) and ``rule`` (``"R5"``) when known.

A refusal that cites a rule has the rule's section of the rules page as its ``type``:
``"/rules#r5"``, a relative reference with its full path, which the app itself serves
(:data:`RULES_PATH`, HTML generated from :data:`~severa_ledger.domain.rulebook.RULES`,
the source of ``docs/rules.md`` too). Any other problem is ``"about:blank"``.
"""

from __future__ import annotations

import logging
import re
from html import escape
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from severa_ledger.domain import delivery_errors, errors
from severa_ledger.domain.rulebook import RULES, Rule, rule_cited
from severa_ledger.web.pages_common import error_page, is_page

MEDIA_TYPE = "application/problem+json"
#: Where the app serves the rules; a problem citing R5 has the type ``/rules#r5``.
RULES_PATH = "/rules"
_log = logging.getLogger("severa_ledger.web")

#: The HTTP status of each kind of LedgerError, first match wins; any other: 422.
STATUS_OF: tuple[tuple[type[errors.LedgerError], int], ...] = (
    (errors.SubscriptionNotFoundError, 404),
    (errors.InvoiceNotFoundError, 404),
    (errors.OrderNotFoundError, 404),
    (errors.UserNotActiveError, 404),
    (errors.ApiKeyNotFoundError, 404),
    (delivery_errors.WebhookEndpointNotFoundError, 404),
    (delivery_errors.DeliveryNotFoundError, 404),
    (errors.DateNotAllowedError, 403),
    (errors.IdempotencyConflictError, 409),
    (errors.ConcurrencyError, 409),
    (errors.SubscriptionExistsError, 409),
    (errors.HoldingLimitError, 422),  # a well-formed quantity, beyond what may be held (R3)
    (errors.InvalidCompanyTextError, 400),
    (errors.InvalidCompanyDetailsError, 422),  # well-formed, but no such identifier (R26)
    (errors.UnknownPolicyError, 422),  # well-formed, but no such seller configured
    (delivery_errors.InvalidWebhookUrlError, 422),  # well-formed text, but no URL to send to (R35)
    (delivery_errors.UnknownWebhookEventError, 422),  # well-formed text, but no such notice (R35)
    (errors.InvalidValueError, 400),
    (errors.InvalidCommandError, 400),
    (errors.StoreUnavailableError, 503),
    (errors.DocumentsUnavailableError, 503),
    (errors.UnknownEventTypeError, 500),
    (errors.ChainBrokenError, 500),
    (errors.StoredValueOutOfRangeError, 500),
    (errors.DamagedHistoryError, 500),
    (errors.DamagedReadModelError, 500),
)


class Problem(BaseModel):
    """An error (RFC 9457) with the ledger's error class and rule id; ``type`` names the rule."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    error: str | None = None
    rule: str | None = None


def problem_response(
    status: int, detail: str, error: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """Return a problem+json response (the rule id, and so the type, read from ``detail``)."""
    rule = rule_cited(detail)
    body = Problem(
        type=problem_type(rule),
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        error=error,
        rule=rule,
    )
    return Response(body.model_dump_json(), status, headers, media_type=MEDIA_TYPE)


def problem_type(rule: str | None) -> str:
    """Return the type of a problem citing ``rule``: its section of the rules page."""
    return f"{RULES_PATH}#{rule.lower()}" if rule else "about:blank"


def status_of(error: errors.LedgerError) -> int:
    """Return the HTTP status of a refusal (``STATUS_OF``)."""
    return next((status for kind, status in STATUS_OF if isinstance(error, kind)), 422)


def _described(error: dict[str, Any]) -> str:
    """Return one validation error as ``where: what``, never the value sent (it may be secret)."""
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error.get('msg', 'invalid')}"


def _answer(
    request: Request,
    status: int,
    detail: str,
    error: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Answer a refusal: an HTML page for a page's request, else problem+json."""
    if is_page(request):
        return error_page(request, status, detail, headers)
    return problem_response(status, detail, error, headers)


async def _ledger_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, errors.LedgerError)  # noqa: S101 -- registered for LedgerError
    status = status_of(error)
    return _answer(request, status, _detail(error, status), type(error).__name__)


#: What a server-side refusal says (its message may name hosts or stored values: logged only).
_SERVER_SIDE = {
    500: "the stored history needs attention: run `severa-ledger verify`",
    503: "the store is unavailable; the server's log says why",
}


def _detail(error: errors.LedgerError, status: int) -> str:
    """Return the ledger's message, or for a server-side refusal a summary (and log it)."""
    if status < 500 or isinstance(error, errors.DocumentsUnavailableError):  # noqa: PLR2004
        return str(error)
    _log.error("%s: %s", type(error).__name__, error)
    return _SERVER_SIDE[status]


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)  # noqa: S101 -- registered for HTTPException
    headers = dict(error.headers) if error.headers else None
    return _answer(request, error.status_code, str(error.detail), None, headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)  # noqa: S101 -- registered for it
    detail = "; ".join(_described(e) for e in error.errors()) or "malformed request"
    return _answer(request, 400, f"bad input: {detail}", "RequestValidationError")


def add_problem_handlers(app: FastAPI) -> None:
    """Answer every error with a problem+json body; a crash with a 500 and no internals."""
    app.add_exception_handler(errors.LedgerError, _ledger_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(CrashBarrier)
    app.add_api_route(RULES_PATH, _rules, methods=["GET"], include_in_schema=False)


_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>severa-ledger: the business rules</title></head><body>
<h1>The business rules</h1>"""


async def _rules() -> HTMLResponse:
    return HTMLResponse(rules_page())


def rules_page() -> str:
    """Return the rules as an HTML page, each under its anchor (``id="r5"``), from RULES."""
    lines = [_HEAD]
    section = ""
    for rule in RULES.values():
        if rule.section != section:
            section = rule.section
            lines.append(f"<h2>{escape(section)}</h2>")
        lines += _rule_html(rule)
    return "\n".join([*lines, "</body></html>", ""])


def _rule_html(rule: Rule) -> list[str]:
    code = re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(rule.statement))
    lines = [f'<h3 id="{rule.id.lower()}">{rule.id}. {escape(rule.title)}</h3>', f"<p>{code}</p>"]
    return lines + ([f"<p><em>{escape(rule.pending)}</em></p>"] if rule.pending else [])


class CrashBarrier:
    """ASGI middleware: an unexpected exception becomes a 500 problem; the log keeps it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; on a crash before the response started, send a 500 problem."""
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            _log.exception("unexpected error on %s", scope.get("path", "?"))
            if started or scope["type"] != "http":
                raise
            response = problem_response(500, "an unexpected error; it has been logged")
            await response(scope, receive, send)


#: The error responses every API route documents (``responses=`` of the routers).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status, description in (
        (400, "Bad input: a malformed value, body or parameter"),
        (401, "No key, or an invalid or revoked one"),
        (403, "The operator's only"),
        (404, "Not found (or not yours)"),
        (409, "Conflict: an Idempotency-Key reused with another body, or a concurrent writer"),
        (422, "Refused by a business rule"),
        (500, "An unexpected error (logged; no details)"),
        (503, "The store or the documents extra is unavailable"),
    )
}


def problem_schema() -> dict[str, Any]:
    """Return the Problem JSON schema, for ``components/schemas`` of the OpenAPI document."""
    return Problem.model_json_schema()
