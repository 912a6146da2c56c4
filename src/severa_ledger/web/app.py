"""The ASGI app: the JSON API under ``/api/v1``, the pages, ``/static`` (docs/web.md).

:func:`create_app` takes an open ledger and key store; ``severa-ledger serve``
builds both from ``--db`` and runs the app with uvicorn. Every API route needs
a bearer key; ``/healthz``, ``/openapi.json`` and ``/static`` need none (the
spec describes the API, it holds no data), and the pages log in with a
session (:mod:`severa_ledger.web.pages`).

Ledger access happens on the event loop (``async def`` routes), one request at
a time: the ledger is not thread-safe. Requests run side by side in several
processes instead: ``serve --workers N``, each worker with its own app and
ledger (:mod:`severa_ledger.web.served`). ``app.state.today()`` is the business
date of a request and ``app.state.now()`` the wall-clock time sessions and the
sign-in limit are measured by: the edge's clocks, fixed in tests.

Every answer carries the security headers of :mod:`severa_ledger.web.guard`;
bodies are limited there, failed sign-ins in :mod:`severa_ledger.web.throttle`,
by the :class:`~severa_ledger.web.settings.WebSettings` given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from severa_ledger.ledger.ledger import Ledger
from severa_ledger.web import (
    api,
    api_commands,
    api_deliveries,
    api_invoices,
    api_operator,
    api_webhooks,
    pages,
)
from severa_ledger.web.guard import BodyLimit, SecurityHeaders
from severa_ledger.web.keys import KeyStore
from severa_ledger.web.problems import add_problem_handlers, problem_schema
from severa_ledger.web.settings import WebSettings
from severa_ledger.web.throttle import FailureLimit

STATIC = Path(__file__).parent / "static"
TITLE = "severa-ledger Subscription Management API"
DESCRIPTION = """\
Seat-based subscription billing (docs/web.md). Authenticate with
`Authorization: Bearer <key>` (`severa-ledger keys create`). Money is a decimal
string, dates are ISO dates. Errors are `application/problem+json` (RFC 9457)
with `error` (the ledger's error class) and `rule` (e.g. `R5`). Send an
`Idempotency-Key` header to make a command safe to retry.
"""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    ledger: Ledger,
    keys: KeyStore,
    *,
    secret: bytes,
    today: Callable[[], date] = date.today,
    settings: WebSettings | None = None,
    now: Callable[[], datetime] = _utc_now,
) -> FastAPI:
    """Return the app serving ``ledger``, authenticating with ``keys``, signing with ``secret``."""
    settings = settings or WebSettings()
    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ledger = ledger
    app.state.keys = keys
    app.state.secret = secret
    app.state.today = today
    app.state.now = now
    app.state.session_limits = settings.sessions
    app.state.last_verify = None
    app.add_middleware(BodyLimit, max_body=settings.max_body)  # innermost: before CrashBarrier
    add_problem_handlers(app)
    app.add_middleware(
        FailureLimit, per_minute=settings.failures_per_minute, clock=lambda: now().timestamp()
    )
    app.add_middleware(SecurityHeaders)  # outermost of ours: every answer, errors included
    for module in (api, api_commands, api_invoices, api_operator, api_webhooks, api_deliveries):
        app.include_router(module.router)
    app.include_router(pages.router)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """Return the OpenAPI document, with the Problem schema every error response names."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = problem_schema()
        _add_guard_responses(schema)
        app.openapi_schema = schema
    return app.openapi_schema


#: What the guards answer on any route (:mod:`~severa_ledger.web.guard`, ``throttle``).
_GUARD_RESPONSES = {
    "429": "too many failed sign-ins from this address (`Retry-After` says when to retry)",
}
_BODY_RESPONSES = {
    "413": "the request body is larger than the limit (docs/web.md)",
    "415": "a multipart body (send JSON)",
}


def _add_guard_responses(schema: dict[str, Any]) -> None:
    """Document the answers of the guards on every operation (413/415 where a body is taken)."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            extra = {**_GUARD_RESPONSES, **(_BODY_RESPONSES if "requestBody" in operation else {})}
            for status, description in extra.items():
                operation.setdefault("responses", {}).setdefault(
                    status, {"description": description, "content": problem}
                )
