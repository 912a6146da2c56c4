"""Webhooks over HTTP, signed as Standard Webhooks says (R35, docs/delivery.md).

A webhook is a POST of the JSON body with the headers ``webhook-id`` (the same on
every attempt of one delivery: ``msg_`` + the delivery's message id without
dashes), ``webhook-timestamp`` (the attempt's time, Unix seconds) and
``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``
under the endpoint's secret), signed by the ``standardwebhooks`` package (the
``webhooks`` extra). Sent with the standard library (``urllib``), with a
timeout and no redirects; any 2xx answer is success, anything else a failure to retry (a 4xx
other than 408, 409 and 429 a permanent one: the receiver refuses the notice).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from standardwebhooks import Webhook

from severa_ledger.delivery.transport import Parcel, TransportError
from severa_ledger.delivery.webhook_routes import endpoints
from severa_ledger.domain.delivery import WEBHOOK
from severa_ledger.domain.webhooks import signing_secret

if TYPE_CHECKING:
    from collections.abc import Callable

    from severa_ledger.delivery.queries import DeliveryView
    from severa_ledger.reader.reader import LedgerReader

#: Seconds to wait for a receiver's answer.
TIMEOUT = 10.0
#: Client errors worth retrying: timeout, conflict, too many requests.
RETRIED_4XX = frozenset({408, 409, 429})
USER_AGENT = "severa-ledger-webhooks"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: a signed POST is never turned into another request (3xx: a failure)."""

    def redirect_request(self, *_: object, **__: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class WebhookPostError(TransportError):
    """Raised when a receiver did not accept a webhook; ``permanent`` if retrying is useless."""


def webhook_id(message_id: str) -> str:
    """Return the ``webhook-id`` of a delivery: ``msg_`` + its message id's hex digits."""
    return "msg_" + UUID(message_id).hex


def signed_headers(secret: str, message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """Return the Standard Webhooks headers of ``body`` sent at ``at`` (and its content type)."""
    msg_id = webhook_id(message_id)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }


def post(
    url: str,
    secret: str,
    message_id: str,
    body: bytes,
    *,
    at: datetime,
    timeout: float = TIMEOUT,
) -> str:
    """POST one signed webhook; return a receipt line, or raise WebhookPostError."""
    headers = signed_headers(secret, message_id, at, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 -- http(s) only (domain/webhooks.check_url)
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise WebhookPostError(f"POST {url} failed: {reason}") from None
    if 200 <= status < 300:  # noqa: PLR2004 -- the 2xx range
        return f"{url} answered {status} to {headers['webhook-id']}"
    permanent = 400 <= status < 500 and status not in RETRIED_4XX  # noqa: PLR2004 -- 4xx
    raise WebhookPostError(f"POST {url} answered {status}", permanent=permanent)


class WebhookTransport:
    """The ``webhook`` channel: POSTs a delivery's body to its endpoint, signed with its secret.

    The endpoint is looked up when the attempt is made; one removed since the
    delivery was recorded is a permanent failure (nothing more is sent to it).
    """

    channel = WEBHOOK

    def __init__(
        self,
        reader: LedgerReader,
        server_secret: bytes,
        clock: Callable[[], datetime],
        timeout: float = TIMEOUT,
    ) -> None:
        self.reader = reader
        self.server_secret = server_secret
        self.clock = clock
        self.timeout = timeout

    def send(self, delivery: DeliveryView, parcel: Parcel) -> str:
        """POST the parcel's payload as ``delivery``; return the receiver's answer."""
        found = {e.endpoint_id: e for e in endpoints(self.reader)}.get(delivery.recipient)
        if found is None:
            message = f"webhook endpoint {delivery.recipient} was removed"
            raise WebhookPostError(message, permanent=True)
        secret = signing_secret(self.server_secret, found)
        body = parcel.payload or b""
        return post(
            found.url, secret, delivery.message_id, body, at=self.clock(), timeout=self.timeout
        )
