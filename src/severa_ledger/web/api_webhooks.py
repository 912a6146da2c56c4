"""The operator's webhook endpoints: add (the secret shown once), list, remove (R35).

Adding and removing are the catalogue's commands, read from the body like every
other; the signing secret is derived from the app's server secret
(:func:`severa_ledger.domain.webhooks.signing_secret`) and answered only once,
by the POST that added the endpoint. A customer key is refused (403).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from severa_ledger.domain.webhooks import WebhookEndpoint
from severa_ledger.web.api_bodies import EndpointPath, arguments, body_of
from severa_ledger.web.api_deps import IdempotencyKey, Operator, command_id, ledger_of, operator
from severa_ledger.web.api_responses import Out, Recorded
from severa_ledger.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["webhooks"], responses=PROBLEM_RESPONSES)


class WebhookEndpointOut(Out):
    """A webhook endpoint: never its secret."""

    endpoint_id: str
    url: str
    events: list[str]
    added_on: date

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookEndpointOut:
        """Return the answer for ``endpoint``."""
        return cls(
            endpoint_id=endpoint.endpoint_id,
            url=endpoint.url,
            events=list(endpoint.events),
            added_on=endpoint.added_on,
        )


class WebhookAddedOut(WebhookEndpointOut):
    """A new endpoint with its signing secret: shown this once."""

    secret: str = Field(description="whsec_<base64>: verify signatures with it; not shown again")


@router.get("/webhooks", summary="List the webhook endpoints", dependencies=[Depends(operator)])
async def list_webhooks(request: Request) -> list[WebhookEndpointOut]:
    """Return every endpoint not removed, in the order added (no secrets)."""
    return [WebhookEndpointOut.of(e) for e in ledger_of(request).webhook_endpoints()]


@router.post(
    "/webhooks",
    summary="Add a webhook endpoint (its secret shown once)",
    status_code=201,
    openapi_extra=body_of("add_webhook_endpoint"),
)
async def add_webhook(
    request: Request, *, caller: Operator, idempotency_key: IdempotencyKey = None
) -> WebhookAddedOut:
    """Add an endpoint receiving the notices named in ``events`` (all if left out) (R35)."""
    given = await arguments(request, caller, "add_webhook_endpoint")
    ledger = ledger_of(request)
    endpoint_id = ledger.add_webhook_endpoint(
        **given, command_id=command_id(caller, idempotency_key)
    )
    endpoint = WebhookEndpointOut.of(ledger.webhook_endpoint(endpoint_id))
    secret = ledger.webhook_secret(endpoint_id, request.app.state.secret)
    return WebhookAddedOut(**endpoint.model_dump(), secret=secret)


@router.delete("/webhooks/{endpoint_id}", summary="Remove a webhook endpoint")
async def remove_webhook(
    request: Request,
    *,
    caller: Operator,
    endpoint_id: EndpointPath,
    idempotency_key: IdempotencyKey = None,
) -> Recorded:
    """Remove an endpoint: nothing more is sent to it (R35)."""
    path = {"endpoint_id": endpoint_id}
    given = await arguments(request, caller, "remove_webhook_endpoint", path=path)
    ledger_of(request).remove_webhook_endpoint(
        **given, command_id=command_id(caller, idempotency_key)
    )
    return Recorded()
