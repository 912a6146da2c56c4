"""The operator's re-send button of a failed or dead delivery (R35).

A POST, CSRF-checked like every form, with a command id from the form's nonce
(a double submit records one re-send); the operator's page lists what is
re-sendable (:func:`severa_ledger.web.deliveries.problems`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from severa_ledger.domain.errors import LedgerError
from severa_ledger.web.deliveries import resend
from severa_ledger.web.pages_common import command_id, posted
from severa_ledger.web.pages_operator import operator_page

router = APIRouter(include_in_schema=False)


@router.post("/operator/deliveries/{delivery_id}/resend")
async def resend_delivery(request: Request, delivery_id: str) -> Response:
    """Record a new delivery of the document or notice; the runner sends it."""
    found = await posted(request, operator=True)
    try:
        key = command_id(found, "operator", f"resend/{delivery_id}")
        made = resend(found.ledger, delivery_id, found.today, key)
    except LedgerError as error:
        return operator_page(found, 422, error=str(error))
    message = found.text["resend_done"].format(count=len(made))
    return operator_page(found, message=message)
