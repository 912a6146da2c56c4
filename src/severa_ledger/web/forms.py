"""The page forms' fields, read by the command catalogue as every other edge reads them.

A form posts text; :func:`form_arguments` hands the fields a command takes
(and the values the route itself supplies, such as the customer of the page)
to :meth:`Command.bind_text` with the signed-in principal's dating (R36), so a
value refused in a form is refused in a command file, on the command line and
by the JSON API with the same error. Fields are read exactly as posted: a
value with a leading space is refused, not trimmed into another value.
"""

from __future__ import annotations

from typing import Any

from severa_ledger.ledger.catalogue import COMMANDS
from severa_ledger.web.api_bodies import dating
from severa_ledger.web.pages_common import Visit


def form_arguments(
    found: Visit, command: str, *, fields: dict[str, str] | None = None, **given: str
) -> dict[str, Any]:
    """Return ``command``'s call arguments from the posted form and the route's ``given``.

    ``fields`` renames form fields to parameters (``{"effective": "on"}``); a
    form field the command does not take is ignored (the CSRF token, the nonce).
    """
    names = {param.name for param in COMMANDS[command].params}
    renamed = fields or {}
    posted = {renamed.get(key, key): str(value) for key, value in found.form.items()}
    text: dict[str, str | None] = {k: v for k, v in posted.items() if k in names}
    text |= given
    customer = given.get("customer_number")
    return COMMANDS[command].bind_text(
        text, dating(found.request, found.principal, command, customer)
    )
