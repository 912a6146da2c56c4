"""The JSON API's request bodies, read by the command catalogue and stated from it.

A command route declares its body with :func:`body_of` (its JSON schema in the
OpenAPI document, generated from the catalogue's kinds and bounds) and reads it
with :func:`arguments`: the JSON members and the route's path values go through
:meth:`Command.bind`, exactly as the command file, the CLI and the page forms
read them, so a value refused here is refused there with the same error.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Path, Request

from severa_ledger.domain import inputs
from severa_ledger.domain.errors import InvalidCommandError, LedgerError
from severa_ledger.ledger.catalogue import COMMANDS, Dating, body_schema
from severa_ledger.ledger.catalogue.schema import param_schema
from severa_ledger.web.api_deps import ledger_of, today
from severa_ledger.web.auth import Principal

#: Bytes a command body may have (a subscription with 100 priced kinds needs < 10,000).
MAX_BODY = 65_536
#: Parameters the API never takes in a body: the path names them, or the channel is fixed.
IN_PATH = ("customer_number", "user_id", "invoice_number", "number", "change_id", "endpoint_id")
NOT_IN_BODY = (*IN_PATH, "channel")


def _path(command: str, name: str) -> object:
    """Return a path parameter stated by its catalogue kind (read by the catalogue, not here)."""
    schema = {
        k: v for k, v in param_schema(COMMANDS[command].by_name[name]).items() if k != "description"
    }
    return Path(json_schema_extra=schema, description=COMMANDS[command].by_name[name].doc)


#: The path parameters of the command routes, as the catalogue states them.
CustomerPath = Annotated[str, _path("buy_licenses", "customer_number")]
UserPath = Annotated[str, _path("activate_user", "user_id")]
InvoicePath = Annotated[str, _path("credit_invoice", "number")]
ChangePath = Annotated[str, _path("cancel_scheduled_change", "change_id")]
EndpointPath = Annotated[str, _path("remove_webhook_endpoint", "endpoint_id")]


def body_of(command: str, *, omit: tuple[str, ...] = NOT_IN_BODY) -> dict[str, Any]:
    """Return the ``openapi_extra`` stating ``command``'s body, from the catalogue."""
    schema = body_schema(COMMANDS[command], omit=omit)
    content = {"application/json": {"schema": schema}}
    return {"requestBody": {"required": True, "content": content}}


def _refuse_constant(literal: str) -> object:
    raise InvalidCommandError(f"{literal} is not a number")


async def json_body(request: Request) -> dict[str, object]:
    """Return the request's JSON object; refuse anything else (InvalidCommandError)."""
    data = await request.body()
    if len(data) > MAX_BODY:
        raise InvalidCommandError(f"the body has {len(data)} bytes, more than {MAX_BODY}")
    try:
        found = json.loads(
            data or b"{}", parse_int=inputs.json_integer, parse_constant=_refuse_constant
        )
    except LedgerError:
        raise
    except (ValueError, RecursionError):
        raise InvalidCommandError("the body is not valid JSON") from None
    if not isinstance(found, dict):
        raise InvalidCommandError("the body must be a JSON object")
    return found


def dating(request: Request, caller: Principal, command: str, customer: str | None) -> Dating:
    """Return how ``caller`` may date ``command``: the operator any day, a customer today.

    A customer dates company details from today to the end of the next billing
    period (R36).
    """
    day = today(request)
    if caller.is_operator:
        return Dating("operator", day)
    latest = None
    if COMMANDS[command].customer_dated and customer is not None:
        _, latest = ledger_of(request).company_change_window(customer, today=day)
    return Dating("customer", day, latest)


async def arguments(
    request: Request,
    caller: Principal,
    command: str,
    *,
    omit: tuple[str, ...] = NOT_IN_BODY,
    path: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Return ``command``'s call arguments from the body and the route's ``path`` values.

    A member the body's schema leaves out (``omit``, as :func:`body_of` states it)
    is refused like an unknown one.
    """
    body = await json_body(request)
    misplaced = sorted(set(body) & set(omit))
    if misplaced:
        raise InvalidCommandError(f"{command} takes no argument {', '.join(misplaced)}")
    path = path or {}
    customer = path.get("customer_number")
    return COMMANDS[command].bind(dating(request, caller, command, customer), json=body, text=path)
