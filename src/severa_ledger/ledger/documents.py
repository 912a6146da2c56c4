"""The documents a customer receives: EHF XML and PDFs of issued invoices and orders.

The renderers live in :mod:`severa_ledger.documents` and need the ``documents``
extra (lxml, typst, Babel); they are imported when a document is first asked
for, so the core install opens and bills without them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import attrs

from severa_ledger.documents import renderer
from severa_ledger.domain.documents import CREDIT_NOTE, Invoice
from severa_ledger.domain.errors import (
    InvalidValueError,
    OrderNotFoundError,
)
from severa_ledger.domain.rules import check_date
from severa_ledger.ledger.base import LedgerBase
from severa_ledger.ledger.files import write_whole
from severa_ledger.reader.views import OrderView

#: The formats the folder export writes, each with its file suffix.
DOCUMENT_FORMATS = {"ubl": ".xml", "pdf": ".pdf"}


@attrs.frozen
class ExportedDocument:
    """One file the folder export wrote: the document's number, format and path."""

    number: str
    format: str
    path: Path


class DocumentQueries(LedgerBase):
    """Issued documents as EHF XML and PDF, one by one or a period's worth into a folder."""

    def invoice_document(self, number: str) -> Invoice:
        """Return the invoice or credit note ``number`` as issued, the source of its documents."""
        return self.invoice(number)

    def invoice_xml(self, number: str) -> bytes:
        """Return the EHF / Peppol BIS Billing 3.0 UBL XML of an invoice or credit note."""
        return self._xml(self.invoice_document(number))

    def invoice_pdf(
        self, number: str, *, language: str | None = None, attach_xml: bool = True
    ) -> bytes:
        """Return the PDF/A-3b of an invoice or credit note, its EHF XML attached.

        ``language`` is ``"nb"``, ``"en"`` or ``"fi"``; by default the buyer's
        country decides (Norwegian buyers read bokmål, Finnish buyers Finnish).
        """
        invoice = self.invoice_document(number)
        return self._pdf(invoice, self._xml(invoice) if attach_xml else None, language)

    def _credited_date(self, invoice: Invoice) -> date | None:
        """Return the issue date of the invoice a credit note credits (None: not a credit note)."""
        if invoice.type_code == CREDIT_NOTE and invoice.credited_invoice:
            return self.invoice_document(invoice.credited_invoice).issue_date
        return None

    def _xml(self, invoice: Invoice) -> bytes:
        ubl = renderer("ubl")
        credited = self._credited_date(invoice)
        if credited is not None:
            xml: bytes = ubl.invoice_xml(invoice, credited_issue_date=credited)
            return xml
        document: bytes = ubl.invoice_xml(invoice)
        return document

    def _pdf(self, invoice: Invoice, xml: bytes | None, language: str | None = None) -> bytes:
        pdf: bytes = renderer("pdf").invoice_pdf(
            invoice, language=language, xml=xml, credited_issue_date=self._credited_date(invoice)
        )
        return pdf

    def order(self, customer_number: str, sequence: int) -> OrderView:
        """Return a customer's order confirmation by its sequence number."""
        for order in self.orders(customer_number):
            if order.sequence == sequence:
                return order
        raise OrderNotFoundError(
            f"customer {customer_number!r} has no order confirmation number {sequence}"
        )

    def order_pdf(
        self, customer_number: str, sequence: int, *, language: str | None = None
    ) -> bytes:
        """Return the PDF of an order confirmation, saying when its invoice follows (R13-R15)."""
        order = self.order(customer_number, sequence)
        sub = self.subscription(customer_number)
        assert sub is not None  # noqa: S101 -- as_of=None never returns None
        pdf: bytes = renderer("pdf").order_pdf(
            order,
            seller=self.sellers[order.seller],
            buyer=sub.company_on(order.date),
            invoice_date=self.issue_date_of(order),
            invoice_number=order.invoice_number,
            language=language,
        )
        return pdf

    def export_documents(
        self,
        folder: Path,
        *,
        start: date,
        end: date,
        customer_number: str | None = None,
        formats: tuple[str, ...] = ("ubl", "pdf"),
        dry_run: bool = False,
    ) -> list[ExportedDocument]:
        """Write every invoice and credit note issued from ``start`` to ``end`` into ``folder``.

        Files are named by number (``VSOY-000007.xml``, ``VSOY-000007.pdf``) and
        written whole (a temporary file renamed into place, with the mode the
        umask gives a new file), so an interrupted export leaves no half-written
        document and running it again rewrites the same bytes. With ``dry_run``,
        nothing is rendered or written: the documents it would write are returned.
        """
        check_date(start, "start")
        check_date(end, "end")
        unknown = sorted(set(formats) - set(DOCUMENT_FORMATS))
        if unknown:
            known = ", ".join(DOCUMENT_FORMATS)
            raise InvalidValueError(f"unknown document format {unknown[0]!r}; known: {known}")
        if dry_run:
            return [
                ExportedDocument(
                    view.number, name, folder / f"{view.number}{DOCUMENT_FORMATS[name]}"
                )
                for view in self.invoices(customer_number)
                if start <= view.issue_date <= end
                for name in formats
            ]
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for view in self.invoices(customer_number):
            if not start <= view.issue_date <= end:
                continue
            xml = self._xml(view)  # the EHF, and the PDF's attachment: rendered once
            documents = {"ubl": xml, "pdf": self._pdf(view, xml) if "pdf" in formats else b""}
            for name in formats:
                path = folder / f"{view.number}{DOCUMENT_FORMATS[name]}"
                write_whole(path, documents[name])
                written.append(ExportedDocument(view.number, name, path))
        return written
