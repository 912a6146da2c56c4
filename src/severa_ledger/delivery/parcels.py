"""A delivery's document, rendered: the PDF, the EHF XML and the words of the message.

The renderers need the ``documents`` extra; they are imported when a parcel is
first packed, so the core install opens without them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from severa_ledger.delivery.messages import body, subject
from severa_ledger.delivery.routes import order_number
from severa_ledger.delivery.transport import Attachment, Parcel
from severa_ledger.documents import renderer
from severa_ledger.domain.delivery import ORDER
from severa_ledger.domain.documents import CREDIT_NOTE, Invoice
from severa_ledger.domain.errors import OrderNotFoundError
from severa_ledger.domain.language import language_for

if TYPE_CHECKING:
    from severa_ledger.delivery.queries import DeliveryView
    from severa_ledger.reader.reader import LedgerReader

#: Packs the parcel of one delivery.
Packer = Callable[["LedgerReader", "DeliveryView"], Parcel]

PDF = "application/pdf"
XML = "application/xml"


def require_renderers() -> None:
    """Raise DocumentsUnavailableError now if the documents extra is missing (before any claim)."""
    renderer("ubl")
    renderer("pdf")


def invoice_xml(reader: LedgerReader, invoice: Invoice) -> bytes:
    """Return the EHF XML of an invoice or credit note (a credit note names its invoice's date)."""
    ubl = renderer("ubl")
    if invoice.type_code == CREDIT_NOTE and invoice.credited_invoice:
        credited = reader.invoice(invoice.credited_invoice)
        xml: bytes = ubl.invoice_xml(invoice, credited_issue_date=credited.issue_date)
        return xml
    document: bytes = ubl.invoice_xml(invoice)
    return document


def sender_of(reader: LedgerReader, seller: str) -> str | None:
    """Return the sender address the seller is configured with now (sellers file ``email``)."""
    configured = reader.sellers.sellers.get(seller)
    return None if configured is None else configured.email


def _words(language: str, delivery: DeliveryView, seller: str) -> tuple[str, str]:
    kind, number = delivery.kind, delivery.document
    return subject(language, kind, number, seller), body(language, kind, number, seller)


def _invoice_parcel(reader: LedgerReader, delivery: DeliveryView) -> Parcel:
    invoice = reader.invoice(delivery.document)
    xml = invoice_xml(reader, invoice)
    language = language_for(invoice.buyer.country)
    pdf: bytes = renderer("pdf").invoice_pdf(invoice, language=language, xml=xml)
    title, text = _words(language, delivery, invoice.seller.name)
    files = (
        Attachment(f"{invoice.number}.pdf", PDF, pdf),
        Attachment(f"{invoice.number}.xml", XML, xml),
    )
    return Parcel(
        kind=delivery.kind,
        document=delivery.document,
        customer_number=delivery.customer_number,
        seller=invoice.seller.key,
        language=language,
        subject=title,
        body=text,
        attachments=files,
        xml=xml,
        sender=sender_of(reader, invoice.seller.key),
    )


def _order_parcel(reader: LedgerReader, delivery: DeliveryView) -> Parcel:
    customer = delivery.customer_number
    order = next(
        (
            o
            for o in reader.orders(customer)
            if order_number(customer, o.sequence) == delivery.document
        ),
        None,
    )
    subscription = reader.subscription(customer)
    if order is None or subscription is None:
        raise OrderNotFoundError(f"no order confirmation {delivery.document} of {customer}")
    buyer = subscription.company_on(order.date)
    seller = reader.sellers[order.seller]
    language = language_for(buyer.country)
    pdf: bytes = renderer("pdf").order_pdf(
        order,
        seller=seller,
        buyer=buyer,
        invoice_date=reader.issue_date_of(order),
        invoice_number=order.invoice_number,
        language=language,
    )
    title, text = _words(language, delivery, seller.name)
    files = (Attachment(f"order-{delivery.document}.pdf", PDF, pdf),)
    return Parcel(
        ORDER,
        delivery.document,
        customer,
        seller.key,
        language,
        title,
        text,
        files,
        sender=seller.email,
    )


def document_parcel(reader: LedgerReader, delivery: DeliveryView) -> Parcel:
    """Return the parcel of a delivery of an order confirmation, invoice or credit note."""
    if delivery.kind == ORDER:
        return _order_parcel(reader, delivery)
    return _invoice_parcel(reader, delivery)
