"""The JSON bodies of the webhooks (docs/delivery.md, "Webhooks").

Every body reads ``{"type": ..., "date": ..., "data": {...}}``, the shape
Standard Webhooks suggests: ``type`` one of
:data:`~severa_ledger.domain.webhooks.WEBHOOK_EVENTS`, ``date`` the business
date of what happened (the document's date, the payment's date), ``data`` its
facts. Amounts are decimal strings (never JSON numbers: no float), dates
``YYYY-MM-DD``. A body depends only on what it notifies, so every attempt of one
delivery sends the same bytes (keys sorted, no spaces).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from severa_ledger.domain.documents import Invoice, OrderConfirmation


def body(kind: str, on: date, data: dict[str, object]) -> bytes:
    """Return the webhook body of a notice of ``kind`` about ``on``: canonical JSON, UTF-8."""
    document = {"type": kind, "date": on, "data": data}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=_plain).encode()


def _plain(value: object) -> str:
    if isinstance(value, Decimal | date):
        return str(value)
    message = f"a webhook body holds no {type(value).__name__}"
    raise TypeError(message)


def order_created(order: OrderConfirmation) -> dict[str, object]:
    """Return the data of ``order_confirmation.created``."""
    return {
        "customer_number": order.customer_number,
        "order": order.sequence,
        "date": order.date,
        "kind": order.kind,
        "seller": order.seller,
        "currency": order.currency,
        "net": order.net,
        "lines": [
            {
                "kind": line.kind,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
                "period_start": line.period_start,
                "period_end": line.period_end,
            }
            for line in order.lines
        ],
    }


def invoice_issued(invoice: Invoice) -> dict[str, object]:
    """Return the data of ``invoice.issued`` (and of ``credit_note.issued``, with its invoice)."""
    data: dict[str, object] = {
        "customer_number": invoice.customer_number,
        "number": invoice.number,
        "type_code": invoice.type_code,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "seller": invoice.seller.key,
        "currency": invoice.currency,
        "net": invoice.net,
        "vat": invoice.vat,
        "total": invoice.total,
        "payment_reference": invoice.payment_reference,
    }
    if invoice.credited_invoice is not None:
        data["credited_invoice"] = invoice.credited_invoice
        data["reason"] = invoice.reason
    return data


def payment_recorded(
    customer_number: str, invoice_number: str, amount: Decimal, currency: str, paid_on: date
) -> dict[str, object]:
    """Return the data of ``payment.recorded``."""
    return {
        "customer_number": customer_number,
        "invoice_number": invoice_number,
        "amount": amount,
        "currency": currency,
        "paid_on": paid_on,
    }


def delivery_failed(
    *,
    delivery_id: str,
    kind: str,
    document: str,
    customer_number: str,
    channel: str,
    recipient: str,
    status: str,
    attempts: int,
    error: str,
) -> dict[str, object]:
    """Return the data of ``delivery.failed``: a delivery dead after its last attempt."""
    return {
        "delivery_id": delivery_id,
        "kind": kind,
        "document": document,
        "customer_number": customer_number,
        "channel": channel,
        "recipient": recipient,
        "status": status,
        "attempts": attempts,
        "error": error,
    }
