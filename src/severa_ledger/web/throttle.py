"""Failed sign-ins limited per client address: a token bucket in memory (docs/web.md).

Every 401 answer (a wrong, revoked or missing API key; a wrong key on the login
page; a used, expired or unknown login link) takes a token from the client
address's bucket, which holds ``per_minute`` tokens and refills at that rate.
A 401 from an empty bucket is answered 429 with ``Retry-After`` instead. A
request that signs in is never counted, delayed or refused: the limit slows
guessing and floods of wrong keys, not the holders of good ones (who may share
an address with someone mistyping). The client address is the connection's,
or the one a trusted proxy forwards (``--forwarded-allow-ips``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from severa_ledger.web.problems import problem_response

#: Buckets kept before full ones (idle addresses) are forgotten.
MAX_ADDRESSES = 10_000
_MINUTE = 60.0


@attrs.define
class _Bucket:
    tokens: float
    at: float


class FailureLimit:
    """ASGI middleware: a 401 beyond ``per_minute`` for one address becomes a 429."""

    def __init__(self, app: ASGIApp, *, per_minute: int, clock: Callable[[], float]) -> None:
        self.app = app
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; turn its 401 into a 429 when the address has failed too often."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown",))[0]
        refused = False

        async def sending(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] == 401:  # noqa: PLR2004
                wait = self.failed(address)
                refused = wait is not None
                if wait is not None:
                    await _too_many(wait)(scope, receive, send)
            if not refused:
                await send(message)

        await self.app(scope, receive, sending)

    def failed(self, address: str) -> int | None:
        """Count a failure of ``address``; return the seconds to wait if it has none left."""
        now = self.clock()
        bucket = self._buckets.get(address) or self._new(now)
        bucket.tokens = min(
            self.per_minute, bucket.tokens + (now - bucket.at) * self.per_minute / _MINUTE
        )
        bucket.at = now
        self._buckets[address] = bucket
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return max(1, math.ceil((1 - bucket.tokens) * _MINUTE / self.per_minute))

    def _new(self, now: float) -> _Bucket:
        if len(self._buckets) >= MAX_ADDRESSES:
            self._forget_full(now)
        if len(self._buckets) >= MAX_ADDRESSES:  # a flood from many addresses: start over
            self._buckets.clear()
        return _Bucket(float(self.per_minute), now)

    def _forget_full(self, now: float) -> None:
        rate = self.per_minute / _MINUTE
        for address, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.at) * rate >= self.per_minute:
                del self._buckets[address]


def _too_many(wait: int) -> Response:
    detail = f"too many failed sign-ins from this address; try again in {wait} seconds"
    return problem_response(429, detail, None, {"Retry-After": str(wait)})
