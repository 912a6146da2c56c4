"""Webhook endpoints: where the ledger pushes signed notices of what happened (R35).

The operator adds and removes endpoints by recorded commands; one aggregate,
:class:`WebhookEndpoints`, holds them all. An endpoint's id is ``we_<n>``, the
n-th endpoint ever added, so the log alone decides it (replays and re-derivation
agree). Its signing secret is never recorded: it is derived as
``whsec_`` + base64(HMAC-SHA256(server secret, "<id> <url>")) from the server
secret that also signs the web sessions (:mod:`severa_ledger.store.secret`), so
the append-only log holds nothing a reader could sign with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, UUID, uuid5

import attrs
from eventsourcing.domain import Aggregate, event

from severa_ledger.domain.delivery_errors import (
    InvalidWebhookUrlError,
    UnknownWebhookEventError,
    WebhookEndpointNotFoundError,
)

T = "severa_ledger:WebhookEndpoints"
#: The notices an endpoint may ask for (docs/delivery.md, "Webhooks", describes each payload).
WEBHOOK_EVENTS = (
    "order_confirmation.created",
    "invoice.issued",
    "credit_note.issued",
    "payment.recorded",
    "delivery.failed",
)
#: The longest endpoint URL accepted, in characters.
MAX_URL = 2000
SECRET_PREFIX = "whsec_"  # noqa: S105 -- the Standard Webhooks prefix, not a secret


@attrs.frozen
class WebhookEndpoint:
    """An endpoint as the operator sees it: never its secret."""

    endpoint_id: str
    url: str
    events: tuple[str, ...]
    added_on: date


def endpoints_id() -> UUID:
    """Return the id of the one aggregate that holds every endpoint."""
    return uuid5(NAMESPACE_URL, "severa-ledger/webhook-endpoints")


def check_url(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host, no credentials, no fragment."""
    parts = urlsplit(url)
    fault = ""
    if parts.scheme not in ("http", "https"):
        fault = "its scheme must be http or https"
    elif not parts.hostname:
        fault = "it names no host"
    elif parts.username is not None or parts.password is not None:
        fault = "it must not carry a user name or password"
    elif parts.fragment or url.endswith("#"):
        fault = "it must not have a fragment (#...)"
    elif len(url) > MAX_URL or any(c.isspace() for c in url):
        fault = f"it must be at most {MAX_URL} characters without spaces"
    if fault:
        raise InvalidWebhookUrlError(f"webhook endpoint URL {url!r} refused: {fault} (R35)")
    return url


def event_names(events: str | None) -> tuple[str, ...]:
    """Return the notices a comma-separated list names (None or ``*``: all of them)."""
    if events is None or events.strip() == "*":
        return WEBHOOK_EVENTS
    names = tuple(dict.fromkeys(name.strip() for name in events.split(",")))
    unknown = [name for name in names if name not in WEBHOOK_EVENTS]
    if unknown:
        raise UnknownWebhookEventError(
            f"unknown webhook event {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(WEBHOOK_EVENTS)} (R35)"
        )
    return names


def signing_secret(server_secret: bytes, endpoint: WebhookEndpoint) -> str:
    """Return the endpoint's ``whsec_`` signing secret, derived (module docstring)."""
    message = f"{endpoint.endpoint_id} {endpoint.url}".encode()
    key = hmac.new(server_secret, message, hashlib.sha256).digest()
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


class WebhookEndpoints(Aggregate):
    """Every webhook endpoint the operator added, and which are removed."""

    TOPIC = T

    class Created(Aggregate.Created):
        """Unused base creation event; pinned so every stored topic is explicit."""

        TOPIC = f"{T}.Created.v1"

    @staticmethod
    def create_id() -> UUID:
        """Return the one id."""
        return endpoints_id()

    @event("Opened", topic=f"{T}.Opened.v1")
    def __init__(self) -> None:
        self.added: dict[str, WebhookEndpoint] = {}
        #: The day each removed endpoint was removed.
        self.removed: dict[str, date] = {}

    @property
    def active(self) -> list[WebhookEndpoint]:
        """Return the endpoints not removed, in the order they were added."""
        return [e for key, e in self.added.items() if key not in self.removed]

    def endpoint(self, endpoint_id: str) -> WebhookEndpoint:
        """Return an endpoint not removed, or raise WebhookEndpointNotFoundError."""
        found = self.added.get(endpoint_id)
        if found is None or endpoint_id in self.removed:
            raise WebhookEndpointNotFoundError(f"no webhook endpoint {endpoint_id!r} (R35)")
        return found

    def add(self, url: str, events: str | None, on: date) -> WebhookEndpoint:
        """Add an endpoint for ``url`` receiving ``events`` (all if None); return it."""
        endpoint_id = f"we_{len(self.added) + 1}"
        self._added(
            endpoint_id=endpoint_id,
            url=check_url(url),
            events=list(event_names(events)),
            effective_date=on,
        )
        return self.added[endpoint_id]

    @event("EndpointAdded", topic=f"{T}.EndpointAdded.v1")
    def _added(self, endpoint_id: str, url: str, events: list[str], effective_date: date) -> None:
        self.added[endpoint_id] = WebhookEndpoint(endpoint_id, url, tuple(events), effective_date)

    def remove(self, endpoint_id: str, on: date) -> None:
        """Remove an endpoint: nothing more is sent to it."""
        self.endpoint(endpoint_id)
        self._removed(endpoint_id=endpoint_id, effective_date=on)

    @event("EndpointRemoved", topic=f"{T}.EndpointRemoved.v1")
    def _removed(self, endpoint_id: str, effective_date: date) -> None:
        self.removed[endpoint_id] = effective_date
