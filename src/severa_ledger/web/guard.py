"""ASGI middleware that hardens every answer: security headers, body limits (docs/web.md).

:class:`SecurityHeaders` wraps everything, errors included; :class:`BodyLimit`
sits innermost, so a body found too large while a route reads it is answered
413 before the route records anything. Failed sign-ins are limited by
:class:`~severa_ledger.web.throttle.FailureLimit`.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from severa_ledger.web.problems import problem_response

#: No inline script or style, nothing from another origin, never inside a frame.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Sent with every answer.
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Sent with answers to https requests (the scheme uvicorn takes from a trusted proxy).
HSTS = "max-age=63072000; includeSubDomains"
#: Answers that may be cached: the vendored static files hold nobody's data.
CACHEABLE = "/static/"


class SecurityHeaders:
    """Add :data:`HEADERS`, ``Cache-Control: no-store`` (but static files) and HSTS on https."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, adding the headers to its response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_headers(scope, MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, sending)


def _add_headers(scope: Scope, headers: MutableHeaders) -> None:
    for name, value in HEADERS.items():
        headers[name] = value
    if not str(scope.get("path", "")).startswith(CACHEABLE):
        headers["Cache-Control"] = "no-store"
    if scope.get("scheme") == "https":
        headers["Strict-Transport-Security"] = HSTS


class BodyLimit:
    """Refuse a body over ``max_body`` bytes (413) and a multipart body (415).

    A declared ``Content-Length`` is refused before a byte is read; a chunked
    body is counted as it arrives and refused when it passes the limit.
    """

    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the refusal, or run the app with a counting ``receive``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(Headers(scope=scope))
        if refusal is not None:
            await problem_response(*refusal)(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    def _refusal(self, headers: Headers) -> tuple[int, str] | None:
        if headers.get("content-type", "").lower().startswith("multipart/"):
            return 415, "multipart bodies are not accepted: send JSON or a urlencoded form"
        length = headers.get("content-length", "")
        if length.isdecimal() and int(length) > self.max_body:
            return 413, self._too_large()
        return None

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body} bytes"

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; past the limit, answer 413 and tell the app the client has gone."""
        seen, started, answered = 0, False, False

        async def counting() -> Message:
            nonlocal seen, answered
            message = await receive()
            seen += len(message.get("body", b""))
            if seen <= self.max_body:
                return message
            if not (started or answered):
                answered = True
                await problem_response(413, self._too_large())(scope, receive, send)
            return {"type": "http.disconnect"}

        async def sending(message: Message) -> None:
            nonlocal started
            if not answered:  # else the app's answer to a "disconnect" is dropped
                started = True
                await send(message)

        try:
            await self.app(scope, counting, sending)
        except ClientDisconnect:  # a route reading the rest of the body refused above
            if not answered:
                raise
