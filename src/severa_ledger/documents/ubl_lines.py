"""Lines, VAT breakdown and totals of an EHF document, as the invoice computed them (R27).

Every amount is the invoice's own: the line amount is quantity x unit price
as the order computed it (PEPPOL-EN16931-R120), the VAT of each category is
the breakdown's (computed on the category total, half-up), and the totals are
the invoice's net, VAT and total. Nothing is recomputed here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from severa_ledger.documents.ubl_elements import Element, amount, cac, cbc, day, decimal_text
from severa_ledger.documents.wording import item_name
from severa_ledger.domain.documents import Invoice, InvoiceLine, VatSubtotal
from severa_ledger.domain.errors import DocumentIncompleteError
from severa_ledger.domain.language import language_for

#: UN/ECE Recommendation 20 unit codes of the units lines carry (R13, R14).
UNIT_CODES = {"month": "MON", "license": "C62"}
#: Exemption reason code and default text of the zero-rated categories (BR-AE-10, BR-O-10).
EXEMPTIONS = {
    "AE": ("VATEX-EU-AE", "Reverse charge"),
    "O": ("VATEX-EU-O", "Not subject to VAT"),
}
#: Categories that carry no rate (BR-O-05, BR-O-09).
WITHOUT_RATE = frozenset({"O"})
VAT = "VAT"


class Explanation(Protocol):
    """What a line may carry to say how its amount came about (a sentence per language)."""

    def sentence(self, language: str) -> str:
        """Return the explanation in ``language`` (nb, en or fi)."""
        ...


def invoice_lines(parent: Element, invoice: Invoice, *, credit_note: bool) -> None:
    """Append one ``cac:InvoiceLine`` (or ``cac:CreditNoteLine``) per invoice line."""
    language = language_for(invoice.buyer.country)
    for number, line in enumerate(invoice.lines, start=1):
        _line(parent, invoice, number, line, language, credit_note=credit_note)


def _line(
    parent: Element,
    invoice: Invoice,
    number: int,
    line: InvoiceLine,
    language: str,
    *,
    credit_note: bool,
) -> None:
    cur = invoice.currency
    element = cac(parent, "CreditNoteLine" if credit_note else "InvoiceLine")
    cbc(element, "ID", str(number))
    explanation: Explanation | None = getattr(line, "explanation", None)
    if explanation is not None:
        cbc(element, "Note", explanation.sentence(language))
    quantity = "CreditedQuantity" if credit_note else "InvoicedQuantity"
    cbc(element, quantity, str(line.quantity), unitCode=_unit_code(invoice, line))
    amount(element, "LineExtensionAmount", line.amount, cur)
    period = cac(element, "InvoicePeriod")
    day(period, "StartDate", line.period_start)
    day(period, "EndDate", line.period_end)
    item = cac(element, "Item")
    dates = (line.period_start, line.period_end)
    cbc(item, "Name", item_name(line.kind, line.description, dates, language))
    cbc(cac(item, "SellersItemIdentification"), "ID", line.kind)
    _category(cac(item, "ClassifiedTaxCategory"), line.vat_category, line.vat_rate, None)
    amount(cac(element, "Price"), "PriceAmount", line.unit_price, cur)


def _unit_code(invoice: Invoice, line: InvoiceLine) -> str:
    if line.unit not in UNIT_CODES:
        known = ", ".join(sorted(UNIT_CODES))
        raise DocumentIncompleteError(
            f"invoice {invoice.number}: line unit {line.unit!r} has no UN/ECE unit code; "
            f"known: {known}"
        )
    return UNIT_CODES[line.unit]


def _category(parent: Element, category: str, rate: Decimal, note: str | None) -> None:
    """Fill a ``TaxCategory`` or ``ClassifiedTaxCategory``; ``note`` only in the breakdown."""
    cbc(parent, "ID", category)
    if category not in WITHOUT_RATE:
        cbc(parent, "Percent", decimal_text(rate))
    if note is not None and category in EXEMPTIONS:
        code, default = EXEMPTIONS[category]
        cbc(parent, "TaxExemptionReasonCode", code)
        cbc(parent, "TaxExemptionReason", note or default)
    cbc(cac(parent, "TaxScheme"), "ID", VAT)


def tax_total(parent: Element, invoice: Invoice) -> None:
    """Append ``cac:TaxTotal``: the invoice's VAT and one subtotal per category and rate."""
    cur = invoice.currency
    total = cac(parent, "TaxTotal")
    amount(total, "TaxAmount", invoice.vat, cur)
    for subtotal in invoice.vat_breakdown:
        _subtotal(total, subtotal, cur)
    stated = invoice.vat_in_tax_currency
    if stated is not None:  # BT-111: the VAT in the VAT accounting currency, alone (R32)
        amount(cac(parent, "TaxTotal"), "TaxAmount", stated.vat, stated.currency)


def _subtotal(parent: Element, subtotal: VatSubtotal, currency: str) -> None:
    element = cac(parent, "TaxSubtotal")
    amount(element, "TaxableAmount", subtotal.taxable, currency)
    amount(element, "TaxAmount", subtotal.vat, currency)
    _category(cac(element, "TaxCategory"), subtotal.category, subtotal.rate, subtotal.note or "")


def monetary_total(parent: Element, invoice: Invoice) -> None:
    """Append ``cac:LegalMonetaryTotal``: net, net, total, total (no allowances, no prepayment)."""
    cur = invoice.currency
    total = cac(parent, "LegalMonetaryTotal")
    amount(total, "LineExtensionAmount", invoice.net, cur)
    amount(total, "TaxExclusiveAmount", invoice.net, cur)
    amount(total, "TaxInclusiveAmount", invoice.total, cur)
    amount(total, "PayableAmount", invoice.total, cur)
