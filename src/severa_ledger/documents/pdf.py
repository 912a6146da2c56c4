"""PDF/A-3b invoices, credit notes and order confirmations, typeset with typst (docs/pdf.md).

One typst template (``templates/document.typ``) lays out every document; the
data it prints goes in as JSON through ``sys.inputs``, so no customer text is
ever read as markup. An attached UTF-8 XML goes in as an input of its own
(``sys.inputs.xml``), so typst neither parses it out of the JSON nor carries
it in the data every layout step hashes. Only the fonts in ``fonts/`` are used and embedded
(Inter, SIL OFL 1.1), and any typst warning, such as a font falling back,
fails the render. The PDF's timestamp is the document's own date at 00:00 UTC,
so the same document in the same language always gives the same bytes.
"""

from __future__ import annotations

import functools
import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import typst

from severa_ledger.documents.pdf_content import Content, invoice_content, order_content
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import Invoice, OrderConfirmation
from severa_ledger.domain.errors import DocumentRenderError
from severa_ledger.domain.language import language_for
from severa_ledger.domain.sellers import Seller

_HERE = Path(__file__).resolve().parent
TEMPLATE = _HERE / "templates" / "document.typ"
FONTS = _HERE / "fonts"
#: The PDF standard of every document: archivable, with attachments allowed.
PDF_STANDARD: Final = "a-3b"
#: What the attached e-invoice is, for the PDF's file listing.
XML_DESCRIPTION = "EHF / Peppol BIS Billing 3.0 UBL document of this invoice"


class _Typesetter:
    """A typst compiler kept for the process: fonts load once, renders take milliseconds."""

    def __init__(self) -> None:
        fonts = typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)]
        )
        self._compiler = typst.Compiler(
            input=str(TEMPLATE),
            root=str(TEMPLATE.parent),
            font_paths=fonts,
            ignore_system_fonts=True,
        )
        self._lock = threading.Lock()  # one compile at a time: sys_inputs are per compiler

    def render(self, content: Content, *, day: date, what: str, xml: str | None = None) -> bytes:
        """Return the PDF of ``content``, dated ``day``; raise on any error or warning."""
        inputs = {"data": json.dumps(content, ensure_ascii=False, sort_keys=True)}
        if xml is not None:
            inputs["xml"] = xml
        stamp = datetime(day.year, day.month, day.day, tzinfo=UTC)
        try:
            with self._lock:
                pdf, warnings = self._compiler.compile_with_warnings(
                    sys_inputs=inputs, pdf_standards=PDF_STANDARD, timestamp=stamp
                )
        except typst.TypstError as error:
            raise DocumentRenderError(f"typst could not render {what}: {error.message}") from None
        if warnings:
            problems = "; ".join(warning.message for warning in warnings)
            raise DocumentRenderError(f"typst warned while rendering {what}: {problems}")
        if not isinstance(pdf, bytes):
            raise DocumentRenderError(f"typst returned no PDF for {what}")
        return pdf


@functools.cache
def typesetter() -> _Typesetter:
    """Return the process's typesetter, made on first use."""
    return _Typesetter()


def _attach(content: Content, name: str, data: bytes) -> str | None:
    """Describe the attachment in ``content``; return its text when it is UTF-8.

    Text goes to typst as an input of its own; other octets go in the JSON.
    """
    attachment: dict[str, Any] = {
        "name": name,
        "mime": "application/xml",
        "description": XML_DESCRIPTION,
    }
    content["attachment"] = attachment
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        attachment["octets"] = list(data)
        return None


def invoice_pdf(
    invoice: Invoice,
    *,
    language: str | None = None,
    xml: bytes | None = None,
    credited_issue_date: date | None = None,
) -> bytes:
    """Return the PDF/A-3b of an invoice (380) or credit note (381).

    ``language`` is ``nb``, ``en`` or ``fi``; by default the buyer's country
    decides. ``xml``, the document's EHF / UBL XML, is attached as
    ``<number>.xml`` (relationship Alternative) when given. A credit note
    shows ``credited_issue_date``, the credited invoice's date, beside its number (R33).
    """
    language = language_for(invoice.buyer.country, language)
    content = invoice_content(invoice, language, credited_issue_date)
    text = None if xml is None else _attach(content, f"{invoice.number}.xml", xml)
    what = f"invoice {invoice.number}"
    return typesetter().render(content, day=invoice.issue_date, what=what, xml=text)


def order_pdf(
    order: OrderConfirmation,
    *,
    seller: Seller,
    buyer: CompanyDetails,
    invoice_date: date,
    invoice_number: str | None = None,
    language: str | None = None,
) -> bytes:
    """Return the PDF/A-3b of an order confirmation, saying when its invoice follows (R15)."""
    language = language_for(buyer.country, language)
    content = order_content(
        order,
        seller=seller,
        buyer=buyer,
        invoice_date=invoice_date,
        invoice_number=invoice_number,
        language=language,
    )
    what = f"order confirmation {order.customer_number}-{order.sequence}"
    return typesetter().render(content, day=order.date, what=what)
