"""Which deliveries a document needs: one per channel its buyer has (R35).

An order confirmation goes by e-mail on its date; an invoice or credit note
by e-mail and, for a buyer with a Peppol endpoint, by Peppol, on its issue
date. A route maps one stored event to the deliveries it makes due; other
channels (webhooks) plug in with routes of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from severa_ledger.delivery.webhook_routes import WEBHOOK_ROUTES
from severa_ledger.documents.parties import electronic_address
from severa_ledger.domain.account import Account
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.delivery import (
    CREDIT_NOTE,
    EMAIL,
    INVOICE,
    ORDER,
    PEPPOL,
    PEPPOL_COUNTRIES,
    Delivery,
)
from severa_ledger.domain.documents import CREDIT_NOTE as CREDIT_NOTE_CODE
from severa_ledger.domain.documents import Invoice, OrderConfirmation
from severa_ledger.domain.subscription import Subscription

if TYPE_CHECKING:
    from severa_ledger.reader.reader import LedgerReader


@attrs.frozen
class Route:
    """The stored topics a route reads and the deliveries it makes due for one event."""

    topics: tuple[str, ...]
    deliveries: Callable[[LedgerReader, Any], list[Delivery]]


def order_number(customer_number: str, sequence: int) -> str:
    """Return the name a delivery gives an order confirmation: ``C1-3``."""
    return f"{customer_number}-{sequence}"


def peppol_endpoint(buyer: CompanyDetails) -> str | None:
    """Return the buyer's Peppol participant identifier (``0192:974760673``), if it has one."""
    if buyer.country not in PEPPOL_COUNTRIES:
        return None
    party = electronic_address(buyer.country, buyer.org_number)
    return f"{party.scheme}:{party.value}"


def document_deliveries(invoice: Invoice) -> list[Delivery]:
    """Return the first delivery of an invoice or credit note on each channel its buyer has."""
    kind = CREDIT_NOTE if invoice.type_code == CREDIT_NOTE_CODE else INVOICE
    found = []
    if invoice.buyer.invoice_email:
        found.append((EMAIL, invoice.buyer.invoice_email))
    endpoint = peppol_endpoint(invoice.buyer)
    if endpoint is not None:
        found.append((PEPPOL, endpoint))
    return [
        Delivery.due(
            kind,
            invoice.number,
            invoice.customer_number,
            channel,
            recipient=recipient,
            due_date=invoice.issue_date,
        )
        for channel, recipient in found
    ]


def order_deliveries(order: OrderConfirmation, buyer: CompanyDetails) -> list[Delivery]:
    """Return the first delivery of an order confirmation: by e-mail, if the buyer has one."""
    email = buyer.invoice_email
    if not email:
        return []
    number = order_number(order.customer_number, order.sequence)
    return [
        Delivery.due(
            ORDER, number, order.customer_number, EMAIL, recipient=email, due_date=order.date
        )
    ]


def _invoice(_reader: LedgerReader, event: Any) -> list[Delivery]:  # noqa: ANN401 -- an event
    return document_deliveries(event.invoice)


def _credit_note(_reader: LedgerReader, event: Any) -> list[Delivery]:  # noqa: ANN401
    return document_deliveries(event.credit_note)


def _order(reader: LedgerReader, event: Any) -> list[Delivery]:  # noqa: ANN401 -- an event
    order = event.order
    subscription = reader.subscription(order.customer_number)
    if subscription is None:
        return []
    return order_deliveries(order, subscription.company_on(order.date))


#: The documents' routes (orders, invoices and credit notes), then the webhooks' notices.
ROUTES = (
    Route((Subscription.OrderConfirmed.TOPIC,), _order),
    Route((Account.InvoiceIssued.TOPIC,), _invoice),  # type: ignore[attr-defined]
    Route((Account.CreditNoteIssued.TOPIC,), _credit_note),
    *(Route(topics, routing) for topics, routing in WEBHOOK_ROUTES),
)
