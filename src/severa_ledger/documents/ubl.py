"""Invoices and credit notes as EHF / Peppol BIS Billing 3.0 documents (UBL 2.1 XML).

:func:`invoice_xml` renders an issued :class:`~severa_ledger.domain.documents.Invoice`
(type 380) as a UBL ``Invoice`` and a credit note (type 381) as a UBL
``CreditNote``, from the invoice's own snapshot and nothing else (R18), so
re-deriving an invoice re-derives its XML byte for byte. Elements follow the
UBL 2.1 schema order; what each carries and why is in ``docs/einvoicing.md``.

Credit notes store their lines, VAT and totals negated (they reverse an
invoice, R17); the standard wants them positive on a ``CreditNote``, so they
are negated back here.
"""

from __future__ import annotations

from datetime import date

import attrs

from severa_ledger.documents.ubl_elements import (
    CREDIT_NOTE,
    INVOICE,
    Element,
    cac,
    cbc,
    day,
    root,
    to_bytes,
)
from severa_ledger.documents.ubl_lines import invoice_lines, monetary_total, tax_total
from severa_ledger.documents.ubl_parties import customer_party, supplier_party
from severa_ledger.documents.wording import note_text
from severa_ledger.domain.documents import CREDIT_NOTE as CREDIT_NOTE_TYPE
from severa_ledger.domain.documents import Invoice
from severa_ledger.domain.exchange import reversed_vat as _reversed
from severa_ledger.domain.language import language_for

__all__ = ["CUSTOMIZATION_ID", "PROFILE_ID", "invoice_xml", "order_reference"]

#: Peppol BIS Billing 3.0 on EN 16931 (PEPPOL-EN16931-R004).
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
#: The billing process (PEPPOL-EN16931-R001, R007).
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
#: UNCL 4461 payment means: credit transfer, SEPA credit transfer, instrument not defined.
CREDIT_TRANSFER = "30"
SEPA_CREDIT_TRANSFER = "58"
NOT_DEFINED = "1"


def invoice_xml(invoice: Invoice, *, credited_issue_date: date | None = None) -> bytes:
    """Return the EHF / Peppol BIS Billing 3.0 UBL XML of an invoice or credit note.

    ``credited_issue_date`` is the issue date of the invoice a credit note
    credits (the credit note knows only its number); with it the document's
    ``BillingReference`` carries both, as EN 16931 recommends. Raise
    :class:`~severa_ledger.domain.errors.DocumentIncompleteError` when the
    invoice's seller snapshot lacks an identifier the rules require.
    """
    credit_note = invoice.type_code == CREDIT_NOTE_TYPE
    if credit_note:
        invoice = _positive(invoice)
    document = root(CREDIT_NOTE, "CreditNote") if credit_note else root(INVOICE, "Invoice")
    _header(document, invoice, credit_note=credit_note)
    if credit_note and invoice.credited_invoice:
        _billing_reference(document, invoice.credited_invoice, credited_issue_date)
    supplier_party(document, invoice)
    customer_party(document, invoice)
    _payment_means(document, invoice, credit_note=credit_note)
    tax_total(document, invoice)
    monetary_total(document, invoice)
    invoice_lines(document, invoice, credit_note=credit_note)
    return to_bytes(document)


def order_reference(invoice: Invoice) -> str | None:
    """Return the id of the order confirmation the invoice bills: ``1002-7``, or None.

    The customer number and the order's sequence, as the CLI names an order
    (``severa-ledger order 1002 7``).
    """
    if invoice.order_sequence is None:
        return None
    return f"{invoice.customer_number}-{invoice.order_sequence}"


def _positive(note: Invoice) -> Invoice:
    """Return a credit note with its stored (negated) quantities and amounts made positive."""
    return attrs.evolve(
        note,
        lines=[attrs.evolve(x, quantity=-x.quantity, amount=-x.amount) for x in note.lines],
        vat_breakdown=[attrs.evolve(s, taxable=-s.taxable, vat=-s.vat) for s in note.vat_breakdown],
        net=-note.net,
        vat=-note.vat,
        total=-note.total,
        vat_in_tax_currency=_reversed(note.vat_in_tax_currency),
    )


def _header(document: Element, invoice: Invoice, *, credit_note: bool) -> None:
    cbc(document, "CustomizationID", CUSTOMIZATION_ID)
    cbc(document, "ProfileID", PROFILE_ID)
    cbc(document, "ID", invoice.number)
    day(document, "IssueDate", invoice.issue_date)
    if credit_note:
        cbc(document, "CreditNoteTypeCode", str(invoice.type_code))
    else:
        day(document, "DueDate", invoice.due_date)
        cbc(document, "InvoiceTypeCode", str(invoice.type_code))
    if invoice.notes:  # one document note at most (PEPPOL-EN16931-R002)
        # In the buyer's language, as the lines' names; the snapshot keeps English (R18).
        language = language_for(invoice.buyer.country)
        cbc(document, "Note", "\n".join(note_text(note, language) for note in invoice.notes))
    cbc(document, "DocumentCurrencyCode", invoice.currency)
    if invoice.vat_in_tax_currency is not None:  # BT-6, the VAT accounting currency (R32)
        cbc(document, "TaxCurrencyCode", invoice.vat_in_tax_currency.currency)
    order = order_reference(invoice)
    if order is None:  # a buyer reference or an order reference (PEPPOL-EN16931-R003)
        cbc(document, "BuyerReference", invoice.customer_number)
    else:
        cbc(cac(document, "OrderReference"), "ID", order)


def _billing_reference(document: Element, number: str, issued: date | None) -> None:
    reference = cac(cac(document, "BillingReference"), "InvoiceDocumentReference")
    cbc(reference, "ID", number)
    if issued is not None:
        day(reference, "IssueDate", issued)


def _payment_means(document: Element, invoice: Invoice, *, credit_note: bool) -> None:
    """Append ``cac:PaymentMeans``: a credit transfer to the seller's IBAN and BIC, and reference.

    The ``PaymentID`` is the structured reference (KID, Finnish reference, RF; R30);
    the means is a SEPA credit transfer (58) in EUR, a credit transfer (30) otherwise.

    Without payment details for the currency (R23) the means is "instrument
    not defined" and carries no account (BR-61 wants one for 30 and 58); the
    document's note says that none is configured.
    """
    details = invoice.payment_details
    means = cac(document, "PaymentMeans")
    if details is None:
        code = NOT_DEFINED
    else:
        code = SEPA_CREDIT_TRANSFER if invoice.currency == "EUR" else CREDIT_TRANSFER
    cbc(means, "PaymentMeansCode", code)
    if credit_note:  # a credit note has no DueDate of its own (EN 16931 BT-9)
        day(means, "PaymentDueDate", invoice.due_date)
    if invoice.payment_reference is not None:
        cbc(means, "PaymentID", invoice.payment_reference)
    if details is not None:
        account = cac(means, "PayeeFinancialAccount")
        cbc(account, "ID", details.iban)
        if details.bic:
            cbc(cac(account, "FinancialInstitutionBranch"), "ID", details.bic)
