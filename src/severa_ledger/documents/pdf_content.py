"""What a PDF shows, as plain data for the typst template: every text already formatted.

The template lays the data out and formats nothing, so all wording is in
:mod:`~severa_ledger.documents.labels` and all number and date formats in
:mod:`~severa_ledger.documents.formats`. Values come from the document's
snapshot (R18) and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from severa_ledger.documents.formats import Formats
from severa_ledger.documents.labels import LABELS
from severa_ledger.documents.wording import item_name, local_address
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import (
    CREDIT_NOTE,
    Invoice,
    InvoiceLine,
    OrderConfirmation,
    OrderLine,
    VatSubtotal,
)
from severa_ledger.domain.exchange import stated_rate
from severa_ledger.domain.references import default_scheme

Content = dict[str, Any]
Labels = Mapping[str, str]
#: The legal text of a seller registered in Norway's register of business enterprises.
FORETAKSREGISTERET = "Foretaksregisteret"
#: How the billing's note about missing payment details (R23) begins.
NO_PAYMENT_NOTE = "No payment details"
#: Units of the ledger's lines that have a label of their own.
_UNITS = {"license": "unit_license", "month": "unit_month"}


class SellerLike(Protocol):
    """A seller as printed: the snapshot on an invoice or the seller of an order."""

    @property
    def name(self) -> str: ...  # noqa: D102
    @property
    def country(self) -> str: ...  # noqa: D102
    @property
    def vat_id(self) -> str | None: ...  # noqa: D102
    @property
    def business_id(self) -> str | None: ...  # noqa: D102
    @property
    def address(self) -> str | None: ...  # noqa: D102


def seller_lines(seller: SellerLike, labels: Labels, language: str = "en") -> list[str]:
    """Return the seller's address (its country named in ``language``) and identifiers."""
    lines = [local_address(seller.address, seller.country, language)] if seller.address else []
    if seller.vat_id:
        lines.append(f"{labels['vat_id']} {seller.vat_id}")
    if seller.business_id:
        lines.append(f"{labels['business_id']} {seller.business_id}")
    if seller.country == "NO":
        lines.append(FORETAKSREGISTERET)
    return lines


def buyer_lines(buyer: CompanyDetails, labels: Labels, formats: Formats) -> list[str]:
    """Return the buyer's postal address and identifiers, one printed line each."""
    lines = [buyer.street, f"{buyer.postcode} {buyer.city}", formats.country(buyer.country)]
    lines.append(f"{labels['org_number']} {buyer.org_number}")
    if buyer.vat_id:
        lines.append(f"{labels['vat_id']} {buyer.vat_id}")
    return lines


def _explanation(line: InvoiceLine | OrderLine, language: str) -> str | None:
    explanation = getattr(line, "explanation", None)
    return None if explanation is None else str(explanation.sentence(language))


def _unit(unit: str, labels: Labels) -> str:
    return labels[_UNITS[unit]] if unit in _UNITS else unit


def _row(line: InvoiceLine | OrderLine, cells: list[str], language: str) -> Content:
    labels, formats = LABELS[language], Formats(language)
    return {
        "description": item_name(
            line.kind, line.description, (line.period_start, line.period_end), language
        ),
        "period": f"{labels['period']} {formats.period(line.period_start, line.period_end)}",
        "explanation": _explanation(line, language),
        "cells": cells,
    }


def _invoice_table(invoice: Invoice, language: str) -> Content:
    labels, formats, currency = LABELS[language], Formats(language), invoice.currency
    header = ["description", "quantity", "unit", "unit_price", "vat_rate", "amount"]
    rows = [
        _row(
            line,
            [
                formats.number(line.quantity),
                _unit(line.unit, labels),
                formats.amount(line.unit_price, currency),
                formats.rate(line.vat_rate),
                formats.amount(line.amount, currency),
            ],
            language,
        )
        for line in invoice.lines
    ]
    return {"header": [labels[key] for key in header], "rows": rows}


def _vat_note(subtotal: VatSubtotal, labels: Labels) -> str:
    parts = [labels["reverse_charge"]] if subtotal.category == "AE" else []
    if subtotal.note and subtotal.note not in parts:
        parts.append(subtotal.note)
    return " / ".join(parts)


def _vat_table(invoice: Invoice, language: str) -> Content:
    labels, formats, currency = LABELS[language], Formats(language), invoice.currency
    header = ["vat_category", "vat_rate_short", "taxable", "vat", "vat_note"]
    rows = [
        [
            subtotal.category,
            formats.rate(subtotal.rate),
            formats.amount(subtotal.taxable, currency),
            formats.amount(subtotal.vat, currency),
            _vat_note(subtotal, labels),
        ]
        for subtotal in invoice.vat_breakdown
    ]
    return {"title": labels["vat_breakdown"], "header": [labels[k] for k in header], "rows": rows}


def _reference_label(invoice: Invoice, labels: Labels) -> str:
    """Name the reference by its scheme (R30): "KID" to a Norwegian payer, not a paraphrase.

    A document stored before R30, whose reference is its own number, keeps the plain label.
    """
    details = invoice.payment_details
    if details is None or invoice.payment_reference in (None, invoice.number):
        return labels["payment_reference"]
    scheme = details.reference_scheme or default_scheme(invoice.currency, invoice.seller.country)
    return labels.get(f"reference_{scheme}", labels["payment_reference"])


def _payment(invoice: Invoice, labels: Labels, formats: Formats) -> Content:
    if invoice.type_code == CREDIT_NOTE:
        sentence = labels["credit_sentence"].format(invoice=invoice.credited_invoice)
        return {"title": labels["payment"], "rows": [], "sentence": sentence}
    details = invoice.payment_details
    if details is None:
        sentence = labels["no_payment_details"].format(currency=invoice.currency)
        return {"title": labels["payment"], "rows": [], "sentence": sentence}
    if invoice.total == 0:  # issued (docs/billing.md), but there is nothing to pay
        return {"title": labels["payment"], "rows": [], "sentence": labels["nothing_to_pay"]}
    rows = [
        [labels["bank"], details.bank],
        [labels["account"], details.account],
        [labels["iban"], details.iban],
        *([[labels["bic"], details.bic]] if details.bic else []),
        [_reference_label(invoice, labels), invoice.payment_reference or ""],
    ]
    sentence = labels["pay_sentence"].format(
        total=formats.money(invoice.total, invoice.currency),
        due=formats.day(invoice.due_date),
        reference=invoice.payment_reference,
    )
    return {"title": labels["payment"], "rows": rows, "sentence": sentence}


def _invoice_facts(
    invoice: Invoice, labels: Labels, formats: Formats, credited_on: date | None = None
) -> list[list[str]]:
    credit = invoice.type_code == CREDIT_NOTE
    number_label = labels["credit_note_number" if credit else "invoice_number"]
    facts = [[number_label, invoice.number]]
    if credit:
        facts.append([labels["credit_date"], formats.day(invoice.issue_date)])
        credited = invoice.credited_invoice or ""
        if credited_on is not None:  # the invoice and its date (R33)
            credited = f"{credited} ({formats.day(credited_on)})"
        facts.append([labels["credits"], credited])
    else:
        facts.append([labels["issue_date"], formats.day(invoice.issue_date)])
        facts.append([labels["due_date"], formats.day(invoice.due_date)])
    if invoice.payment_reference is not None:
        facts.append([_reference_label(invoice, labels), invoice.payment_reference])
    facts.append([labels["customer_number"], invoice.customer_number])
    if invoice.order_sequence is not None and invoice.order_date is not None:
        order = labels["order_of"].format(
            sequence=f"{invoice.customer_number}-{invoice.order_sequence}",
            date=formats.day(invoice.order_date),
        )
        facts.append([labels["billed_order"], order])
    facts.append([labels["currency"], invoice.currency])
    if credit and invoice.reason:
        facts.append([labels["reason"], invoice.reason])
    return facts


def _printed_elsewhere(note: str, invoice: Invoice) -> bool:
    """Tell whether a note is already printed, translated: VAT, credit or payment notes."""
    credited = invoice.credited_invoice
    return (
        note in {s.note for s in invoice.vat_breakdown}
        or bool(credited and credited in note)
        or (invoice.payment_details is None and note.startswith(NO_PAYMENT_NOTE))
    )


def _extra_notes(invoice: Invoice) -> list[str]:
    """Return the invoice's notes that no other part of the PDF prints."""
    return [note for note in invoice.notes if not _printed_elsewhere(note, invoice)]


def invoice_content(
    invoice: Invoice, language: str, credited_issue_date: date | None = None
) -> Content:
    """Return what the PDF of an invoice or credit note shows, in ``language``.

    A credit note names the invoice it credits with ``credited_issue_date`` (R33).
    """
    labels, formats, currency = LABELS[language], Formats(language), invoice.currency
    credit = invoice.type_code == CREDIT_NOTE
    title = labels["credit_note" if credit else "invoice"]
    totals = [
        [labels["net"], formats.money(invoice.net, currency)],
        [labels["vat"], formats.money(invoice.vat, currency)],
        [labels["credit_total" if credit else "total"], formats.money(invoice.total, currency)],
    ]
    stated = invoice.vat_in_tax_currency
    if stated is not None:  # R32: after the totals, the VAT in the VAT country's currency
        rate = stated_rate(invoice)
        assert rate is not None  # noqa: S101 -- stated above
        label = labels["vat_in"].format(
            currency=stated.currency,
            base=rate.base,
            rate=formats.number(stated.rate),
            quote=rate.quote,
            date=formats.day(stated.rate_date),
            source=stated.source,
        )
        totals.append([label, formats.money(stated.vat, stated.currency)])
    return {
        "language": language,
        "title": title,
        "number": invoice.number,
        "seller": {
            "name": invoice.seller.name,
            "lines": seller_lines(invoice.seller, labels, language),
        },
        "buyer": _buyer(invoice.buyer, labels, formats),
        "facts": _invoice_facts(invoice, labels, formats, credited_issue_date),
        "table": _invoice_table(invoice, language),
        "vat": _vat_table(invoice, language),
        "totals": totals,
        "payment": _payment(invoice, labels, formats),
        "sentences": [],
        "notes": {"title": labels["notes"], "lines": _extra_notes(invoice)},
        "page": labels["page"],
    }


def _buyer(buyer: CompanyDetails, labels: Labels, formats: Formats) -> Content:
    return {
        "label": labels["buyer"],
        "name": buyer.legal_name,
        "lines": buyer_lines(buyer, labels, formats),
    }


def _order_table(order: OrderConfirmation, language: str) -> Content:
    labels, formats, currency = LABELS[language], Formats(language), order.currency
    header = ["description", "quantity", "unit", "unit_price", "amount"]
    rows = [
        _row(
            line,
            [
                formats.number(line.quantity),
                _unit(line.unit, labels),
                formats.amount(line.unit_price, currency),
                formats.amount(line.amount, currency),
            ],
            language,
        )
        for line in order.lines
    ]
    return {"header": [labels[key] for key in header], "rows": rows}


def order_content(
    order: OrderConfirmation,
    *,
    seller: SellerLike,
    buyer: CompanyDetails,
    invoice_date: date,
    invoice_number: str | None,
    language: str,
) -> Content:
    """Return what the PDF of an order confirmation shows, in ``language``."""
    labels, formats = LABELS[language], Formats(language)
    follows = labels["invoice_follows_numbered" if invoice_number else "invoice_follows"]
    facts = [
        [labels["order_number"], f"{order.customer_number}-{order.sequence}"],
        [labels["order_date"], formats.day(order.date)],
        [labels["customer_number"], order.customer_number],
        [labels["order_kind"], labels.get(order.kind, order.kind)],
        [labels["currency"], order.currency],
    ]
    return {
        "language": language,
        "title": labels["order"],
        "number": f"{order.customer_number}-{order.sequence}",
        "seller": {"name": seller.name, "lines": seller_lines(seller, labels, language)},
        "buyer": _buyer(buyer, labels, formats),
        "facts": facts,
        "table": _order_table(order, language),
        "vat": None,
        "totals": [[labels["order_total"], formats.money(order.net, order.currency)]],
        "payment": None,
        "sentences": [
            follows.format(date=formats.day(invoice_date), number=invoice_number),
            labels["prices_excl_vat"],
        ],
        "notes": {"title": labels["notes"], "lines": []},
        "page": labels["page"],
    }
