"""How the ``severa-ledger`` command shows ledger values: rich tables, JSON and CSV.

Pure conversions from values to renderables, JSON data or CSV rows; the
command (``cli/handlers.py``) decides where they go. JSON data has amounts as strings
and dates in ISO 8601.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, TextIO

import attrs
from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from severa_ledger.cli.demo import SEED_ADDITION
from severa_ledger.cli.words import plural
from severa_ledger.domain.data import plain
from severa_ledger.domain.documents import CREDIT_NOTE, InvoiceLine, InvoiceView, OrderLine

if TYPE_CHECKING:
    from severa_ledger.billing.plan import BillingReport
    from severa_ledger.billing.preview import BillingPreview
    from severa_ledger.cli.commands_file import ApplyReport
    from severa_ledger.domain.values import LicenseCount
    from severa_ledger.reader.views import HistoryEntry, Preview

INVOICE_COLUMNS = ("number", "customer", "type", "issue_date", "due_date", "seller",
                   "currency", "net", "vat", "total", "status", "paid", "open")  # fmt: skip
#: Invoice numbers a summary lists one by one; beyond, it counts them per series.
LISTED_NUMBERS = 10
SUMMARY_FIELDS = {
    "CompanyDetails": ("legal_name", "org_number"),
    "OrderConfirmation": ("kind", "sequence", "net", "currency"),
    "Invoice": ("number", "total", "currency"),
    "Migration": ("cohort", "seller"),
    "PriceVersion": ("effective", "prices"),
    "Payment": ("invoice_number", "amount"),
    "TermsAcceptance": ("version", "accepted_by"),
}

# ----------------------------------------------------------------- plain data


def to_json(document: object) -> str:
    """Return ``document`` as one indented JSON document."""
    return json.dumps(plain(document), indent=2, ensure_ascii=False)


def _brief(value: object) -> str:
    fields = SUMMARY_FIELDS.get(type(value).__name__)
    if fields is None and attrs.has(type(value)):
        return type(value).__name__
    if fields is not None:
        return " ".join(_brief(getattr(value, name)) for name in fields)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_brief(v)}" for k, v in value.items()) + "}"
    return str(plain(value))


# ---------------------------------------------------------------- rich pieces


def console() -> Console:
    """Return the console to print on: 160 columns wide when piped without ``COLUMNS``."""
    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(markup=False, highlight=False, width=160 if piped else None)


def _table(title: str | None, *columns: str, right: Iterable[str] = ()) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        numeric = column in right
        table.add_column(column, justify="right" if numeric else "left", no_wrap=numeric)
    return table


def _pairs(rows: Iterable[tuple[str, object]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key, value in rows:
        grid.add_row(key, "" if value is None else str(value))
    return grid


# -------------------------------------------------------------------- reports


def apply_summary(report: ApplyReport, *, checked: bool = False) -> str:
    """Return what applying (or checking) a command file did, in one sentence."""
    if not report.lines:
        return "the file holds no commands: nothing recorded"
    lines, events = plural(report.lines, "command line"), plural(report.events, "event")
    if checked:
        return (f"checked {lines}: every command is valid; applying the file would record "
                f"{events} (nothing recorded)")  # fmt: skip
    note = "" if report.events else " (nothing new: every command was already recorded)"
    return f"applied {lines}: {events} recorded{note}"


def numbers_summary(numbers: Iterable[str]) -> str:
    """Return invoice numbers: all of a few; of many, the count, first and last per series."""
    numbers = list(numbers)
    if len(numbers) <= LISTED_NUMBERS:
        return ", ".join(numbers) or "none"
    series: dict[str, list[str]] = {}
    for number in numbers:
        series.setdefault(number.rsplit("-", 1)[0], []).append(number)
    parts = [f"{name} {len(found):,} ({found[0]} to {found[-1]})" for name, found in series.items()]
    return "; ".join(parts) + " (every number: --format json)"


def billing_summary(report: BillingReport) -> str:
    """Return what a billing run recorded, in one sentence."""
    issued = report.invoice_numbers
    return (f"billed through {report.through.isoformat()}: "
            f"{plural(report.subscriptions, 'subscription')}, {plural(report.orders, 'order')}, "
            f"{plural(report.events, 'event')} recorded; {plural(len(issued), 'invoice')} "
            f"issued: {numbers_summary(issued)}")  # fmt: skip


def billing_preview_renderables(preview: BillingPreview) -> list[object]:
    """Return what a billing run would issue: a sentence, then counts and numbers per seller."""
    count = plural(len(preview.invoices), "invoice")
    head = (f"dry run, nothing recorded: billing through {preview.through.isoformat()} would "
            f"issue {count} for {plural(preview.subscriptions, 'subscription')} "
            f"({plural(preview.orders, 'new order')})")  # fmt: skip
    table = _table("Would be issued", "seller", "invoices", "first", "last",
                   right=("invoices",))  # fmt: skip
    for seller, issued in preview.by_seller().items():
        numbers = [i.number for i in preview.invoices if i.seller == seller]
        table.add_row(seller, f"{issued:,}", numbers[0], numbers[-1])
    totals = _pairs((f"Total {currency}", total) for currency, total in preview.totals().items())
    return [head, table, totals] if preview.invoices else [head]


def licenses_table(customer: str, counts: Mapping[str, LicenseCount], as_of: date | None) -> Table:
    """Return license counts per kind as a table."""
    when = f" as of {as_of.isoformat()}" if as_of else ""
    table = _table(f"Licenses of {customer}{when}", "kind", "licenses", "active users", "free",
                   "pending removal", right=("licenses", "active users", "free",
                                             "pending removal"))  # fmt: skip
    for kind, c in counts.items():
        table.add_row(kind, *map(str, (c.licenses, c.active_users, c.free, c.pending_removal)))
    return table


def lines_table(lines: Iterable[InvoiceLine], currency: str) -> Table:
    """Return invoice (or preview) lines as a table."""
    table = _table(None, "description (period)", "quantity", "unit", f"unit price {currency}",
                   f"amount {currency}", "VAT", right=("quantity", f"unit price {currency}",
                   f"amount {currency}"))  # fmt: skip
    for line in lines:
        vat = f"{line.vat_category} {line.vat_rate} %"
        table.add_row(
            described(line), str(line.quantity), line.unit, str(line.unit_price),
            str(line.amount), vat,
        )  # fmt: skip
    return table


def described(line: InvoiceLine | OrderLine, language: str = "en") -> Text:
    """Return a line's description with its explanation in a dim line under it (issue 19)."""
    text = Text(line.description)
    if line.explanation is not None:
        text.append("\n" + line.explanation.sentence(language), style="dim")
    return text


def preview_renderables(preview: Preview) -> list[object]:
    """Return the upcoming cost of a customer's next period, as rich renderables."""
    cur = preview.currency
    head = _pairs([
        ("Next period of", preview.customer_number),
        ("Period", f"{preview.period_start.isoformat()}..{preview.period_end.isoformat()}"),
        ("Seller", preview.seller),
        ("Ordered / invoiced", f"{preview.order_date.isoformat()} / {preview.issue_date}"),
    ])  # fmt: skip
    totals = _pairs([("Net", f"{preview.net} {cur}"), ("VAT", f"{preview.vat} {cur}"),
                     ("Total", f"{preview.total} {cur}")])  # fmt: skip
    return [head, lines_table(preview.lines, cur), totals, ""]


# ------------------------------------------------------------------- invoices


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
    return {column: str(plain(value)) for column, value in zip(INVOICE_COLUMNS, values,
                                                                  strict=True)}  # fmt: skip


def write_invoices_csv(views: Iterable[InvoiceView], stream: TextIO) -> None:
    """Write one CSV row per invoice, with a header, to ``stream``."""
    writer = csv.DictWriter(stream, fieldnames=INVOICE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(invoice_row(v) for v in views)


def invoices_table(views: Iterable[InvoiceView], as_of: date | None) -> Table:
    """Return one row per invoice."""
    when = f" (status as of {as_of.isoformat()})" if as_of else ""
    columns = ("number", "customer", "issued", "due", "cur", "net", "VAT", "total", "status",
               "paid", "open")  # fmt: skip
    table = _table(f"Invoices{when}", *columns, right=("net", "VAT", "total", "paid", "open"))
    for column in table.columns:
        column.no_wrap = True
    for view in views:
        row = invoice_row(view)
        number = row["number"] + (" (credit)" if view.type_code == CREDIT_NOTE else "")
        fields = ("customer", "issue_date", "due_date", "currency", "net", "vat", "total", "status",
                  "paid", "open")  # fmt: skip
        table.add_row(number, *(row[f] for f in fields))
    return table


def _parties(view: InvoiceView) -> Table:
    seller, pay, buyer = view.seller, view.payment_details, view.buyer
    payment = (f"{pay.bank}, account {pay.account}, IBAN {pay.iban}" if pay
               else f"none configured for {seller.name} in {view.currency}")  # fmt: skip
    return _pairs([
        ("Seller", f"{seller.name} (VAT id {seller.vat_id or 'not configured'})"),
        ("Seller address", seller.address or "not configured"),
        ("Payment details", payment),
        ("Buyer", f"{buyer.legal_name} ({buyer.org_number}, VAT id {buyer.vat_id or '-'})"),
        ("Buyer address", f"{buyer.street}, {buyer.postcode} {buyer.city}, {buyer.country}"),
    ])  # fmt: skip


def invoice_renderables(view: InvoiceView) -> list[object]:
    """Return a whole invoice as rich renderables: head, parties, lines, VAT, totals."""
    kind = "Credit note" if view.type_code == CREDIT_NOTE else "Invoice"
    head = _pairs([
        (kind, view.number), ("Customer", view.customer_number), ("Status", view.status),
        ("Issue date", view.issue_date), ("Due date", view.due_date),
        ("Payment reference", view.payment_reference), ("Currency", view.currency),
    ])  # fmt: skip
    vat = _table("VAT breakdown", "category", "rate", "taxable", "VAT", "note",
                 right=("rate", "taxable", "VAT"))  # fmt: skip
    for s in view.vat_breakdown:
        vat.add_row(s.category, f"{s.rate} %", str(s.taxable), str(s.vat), s.note or "")
    cur = view.currency
    totals = _pairs([("Net", f"{view.net} {cur}"), ("VAT", f"{view.vat} {cur}"),
                     ("Total", f"{view.total} {cur}"), ("Paid", f"{view.paid} {cur}"),
                     ("Open", f"{view.open_amount} {cur}"),
                     ("Notes", "; ".join(view.notes) or "-")])  # fmt: skip
    return [head, _parties(view), lines_table(view.lines, view.currency), vat, totals]


# ---------------------------------------------------------- history and demo


def history_table(customer: str, entries: Iterable[HistoryEntry]) -> Table:
    """Return the audit trail of a customer."""
    table = _table(f"History of {customer}", "version", "type", "effective", "recorded at",
                   "summary", right=("version",))  # fmt: skip
    for e in entries:
        data = {k: v for k, v in e.data.items() if k not in {"effective_date", "customer_number"}}
        effective = e.effective_date.isoformat() if e.effective_date else "-"
        effective += " (back-dated)" if e.backdated else ""
        summary = ", ".join(f"{k}: {_brief(v)}" for k, v in data.items())
        table.add_row(f"{e.aggregate} {e.version}", e.type, effective,
                      e.recorded_at.isoformat(timespec="seconds"), summary)  # fmt: skip
    return table


def demo_output(
    report: BillingReport,
    counts: Mapping[str, Mapping[str, LicenseCount]],
    previews: list[Preview],
    views: list[InvoiceView],
    addition: InvoiceView | None,
) -> tuple[object, list[object]]:
    """Return the demo's JSON document and its renderables, as of the billing date."""
    through = report.through
    shown = invoice_renderables(addition) if addition else ["not invoiced by that date"]
    document = {
        "billing": report,
        "licenses": counts,
        "previews": previews,
        "invoices": [invoice_row(v) for v in views],
        "addition_invoice": addition,
    }
    return document, [
        billing_summary(report), Rule("License counts"),
        *[licenses_table(c, n, through) for c, n in counts.items()],
        Rule(f"Next periods, as of {through.isoformat()}"),
        *[r for p in previews for r in preview_renderables(p)],
        Rule("Invoices"), invoices_table(views, through),
        Rule(f"The invoice of the {SEED_ADDITION.isoformat()} addition"),
        *shown,
    ]  # fmt: skip
