"""How the ``severa-ledger`` command shows invoices: their lines, rows, CSV and whole documents."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from typing import TextIO

from rich.table import Table
from rich.text import Text

from severa_ledger.cli.rich_pieces import fit_narrow, pairs, titled_table
from severa_ledger.domain.data import plain
from severa_ledger.domain.documents import CREDIT_NOTE, InvoiceLine, InvoiceView, OrderLine

INVOICE_COLUMNS = (
    "number",
    "customer",
    "type",
    "issue_date",
    "due_date",
    "seller",
    "currency",
    "net",
    "vat",
    "total",
    "status",
    "paid",
    "open",
)


def lines_table(lines: Iterable[InvoiceLine], currency: str) -> Table:
    """Return invoice (or preview) lines as a table."""
    table = titled_table(
        None,
        "description (period)",
        "quantity",
        "unit",
        f"unit price {currency}",
        f"amount {currency}",
        "VAT",
        right=("quantity", f"unit price {currency}", f"amount {currency}"),
    )
    for line in lines:
        vat = f"{line.vat_category} {line.vat_rate} %"
        table.add_row(
            described(line),
            str(line.quantity),
            line.unit,
            str(line.unit_price),
            str(line.amount),
            vat,
        )
    return table


def described(line: InvoiceLine | OrderLine, language: str = "en") -> Text:
    """Return a line's description with its explanation in a dim line under it (issue 19)."""
    text = Text(line.description)
    if line.explanation is not None:
        text.append("\n" + line.explanation.sentence(language), style="dim")
    return text


def invoice_row(view: InvoiceView) -> dict[str, str]:
    """Return one invoice as the row of ``invoices`` (every format)."""
    kind = "credit note" if view.type_code == CREDIT_NOTE else "invoice"
    values = (
        view.number,
        view.customer_number,
        kind,
        view.issue_date,
        view.due_date,
        view.seller.name,
        view.currency,
        view.net,
        view.vat,
        view.total,
        view.status,
        view.paid,
        view.open_amount,
    )
    return {
        column: str(plain(value)) for column, value in zip(INVOICE_COLUMNS, values, strict=True)
    }


def write_invoices_csv(views: Iterable[InvoiceView], stream: TextIO) -> None:
    """Write one CSV row per invoice, with a header, to ``stream``."""
    writer = csv.DictWriter(stream, fieldnames=INVOICE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(invoice_row(v) for v in views)


def invoices_table(views: Iterable[InvoiceView], as_of: date | None) -> Table:
    """Return one row per invoice."""
    when = f" (status as of {as_of.isoformat()})" if as_of else ""
    columns = (
        "number",
        "customer",
        "issued",
        "due",
        "cur",
        "net",
        "VAT",
        "total",
        "status",
        "paid",
        "open",
    )
    table = titled_table(f"Invoices{when}", *columns, right=("net", "VAT", "total", "paid", "open"))
    fit_narrow(table, text=("customer", "status"))
    for view in views:
        row = invoice_row(view)
        number = row["number"] + ("\n(credit)" if view.type_code == CREDIT_NOTE else "")
        fields = (
            "customer",
            "issue_date",
            "due_date",
            "currency",
            "net",
            "vat",
            "total",
            "status",
            "paid",
            "open",
        )
        table.add_row(number, *(row[f] for f in fields))
    return table


def _parties(view: InvoiceView) -> Table:
    seller, pay, buyer = view.seller, view.payment_details, view.buyer
    payment = (
        f"{pay.bank}, account {pay.account}, IBAN {pay.iban}"
        + (f", BIC {pay.bic}" if pay.bic else "")
        if pay
        else f"none configured for {seller.name} in {view.currency}"
    )
    return pairs(
        [
            ("Seller", f"{seller.name} (VAT id {seller.vat_id or 'not configured'})"),
            ("Seller address", seller.address or "not configured"),
            ("Payment details", payment),
            ("Buyer", f"{buyer.legal_name} ({buyer.org_number}, VAT id {buyer.vat_id or '-'})"),
            ("Buyer address", f"{buyer.street}, {buyer.postcode} {buyer.city}, {buyer.country}"),
        ]
    )


def invoice_renderables(view: InvoiceView) -> list[object]:
    """Return a whole invoice as rich renderables: head, parties, lines, VAT, totals."""
    kind = "Credit note" if view.type_code == CREDIT_NOTE else "Invoice"
    head = pairs(
        [
            (kind, view.number),
            ("Customer", view.customer_number),
            ("Status", view.status),
            ("Issue date", view.issue_date),
            ("Due date", view.due_date),
            ("Payment reference", view.payment_reference or "none (no payment details)"),
            ("Currency", view.currency),
        ]
    )
    vat = titled_table(
        "VAT breakdown",
        "category",
        "rate",
        "taxable",
        "VAT",
        "note",
        right=("rate", "taxable", "VAT"),
    )
    for s in view.vat_breakdown:
        vat.add_row(s.category, f"{s.rate} %", str(s.taxable), str(s.vat), s.note or "")
    cur = view.currency
    totals = pairs(
        [
            ("Net", f"{view.net} {cur}"),
            ("VAT", f"{view.vat} {cur}"),
            ("Total", f"{view.total} {cur}"),
            ("Paid", f"{view.paid} {cur}"),
            ("Open", f"{view.open_amount} {cur}"),
            ("Notes", "; ".join(view.notes) or "-"),
        ]
    )
    return [head, _parties(view), lines_table(view.lines, view.currency), vat, totals]
