"""How the ``severa-ledger`` command shows ledger values: rich tables and JSON.

Pure conversions from values to renderables or JSON data; the command
(``cli/handlers.py``) decides where they go. JSON data has amounts as strings and
dates in ISO 8601. Invoices (tables, rows, CSV, whole documents) are shown by
``cli/render_invoices.py``; the rich pieces both build on are ``cli/rich_pieces.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

import attrs
from rich.rule import Rule
from rich.table import Table

from severa_ledger.cli.demo import SEED_ADDITION
from severa_ledger.cli.render_invoices import (
    invoice_renderables,
    invoice_row,
    invoices_table,
    lines_table,
)
from severa_ledger.cli.rich_pieces import pairs, titled_table
from severa_ledger.cli.words import plural
from severa_ledger.domain.data import plain
from severa_ledger.domain.documents import InvoiceView

if TYPE_CHECKING:
    from collections.abc import Sequence

    from severa_ledger.billing.plan import BillingReport
    from severa_ledger.billing.preview import BillingPreview
    from severa_ledger.cli.commands_file import ApplyReport
    from severa_ledger.domain.values import LicenseCount
    from severa_ledger.reader.views import HistoryEntry, Preview

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


# -------------------------------------------------------------------- reports


def apply_summary(report: ApplyReport, *, checked: bool = False) -> str:
    """Return what applying (or checking) a command file did, in one sentence."""
    if not report.lines:
        return "the file holds no commands: nothing recorded"
    lines, events = plural(report.lines, "command line"), plural(report.events, "event")
    if checked:
        return (
            f"checked {lines}: every command is valid; applying the file would record "
            f"{events} (nothing recorded)"
        )
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
    return (
        f"billed through {report.through.isoformat()}: "
        f"{plural(report.subscriptions, 'subscription')}, {plural(report.orders, 'order')}, "
        f"{plural(report.events, 'event')} recorded; {plural(len(issued), 'invoice')} "
        f"issued: {numbers_summary(issued)}{_lacking(report.without_payment_details)}"
    )


def _lacking(numbers: Sequence[str]) -> str:
    """Return the sentence naming invoices without payment details (R23), or nothing."""
    if not numbers:
        return ""
    rest = len(numbers) - LISTED_NUMBERS
    shown = ", ".join(numbers[:LISTED_NUMBERS]) + (f" and {rest:,} more" if rest > 0 else "")
    return (
        f"; {plural(len(numbers), 'invoice')} without payment details (no seller account "
        f"in its currency, R23): {shown}"
    )


def billing_preview_renderables(preview: BillingPreview) -> list[object]:
    """Return what a billing run would issue: a sentence, then counts and numbers per seller."""
    count = plural(len(preview.invoices), "invoice")
    head = (
        f"dry run, nothing recorded: billing through {preview.through.isoformat()} would "
        f"issue {count} for {plural(preview.subscriptions, 'subscription')} "
        f"({plural(preview.orders, 'new order')})"
    )
    table = titled_table(
        "Would be issued", "seller", "invoices", "first", "last", right=("invoices",)
    )
    for seller, issued in preview.by_seller().items():
        numbers = [i.number for i in preview.invoices if i.seller == seller]
        table.add_row(seller, f"{issued:,}", numbers[0], numbers[-1])
    totals = pairs((f"Total {currency}", total) for currency, total in preview.totals().items())
    lacking = _lacking(preview.without_payment_details())
    head += f"{lacking}" if lacking else ""
    return [head, table, totals] if preview.invoices else [head]


def licenses_table(customer: str, counts: Mapping[str, LicenseCount], as_of: date | None) -> Table:
    """Return license counts per kind as a table."""
    when = f" as of {as_of.isoformat()}" if as_of else ""
    table = titled_table(
        f"Licenses of {customer}{when}",
        "kind",
        "licenses",
        "active users",
        "free",
        "pending removal",
        right=("licenses", "active users", "free", "pending removal"),
    )
    for kind, c in counts.items():
        table.add_row(kind, *map(str, (c.licenses, c.active_users, c.free, c.pending_removal)))
    return table


def preview_renderables(preview: Preview) -> list[object]:
    """Return the upcoming cost of a customer's next period, as rich renderables."""
    cur = preview.currency
    head = pairs(
        [
            ("Next period of", preview.customer_number),
            ("Period", f"{preview.period_start.isoformat()}..{preview.period_end.isoformat()}"),
            ("Seller", preview.seller),
            ("Ordered / invoiced", f"{preview.order_date.isoformat()} / {preview.issue_date}"),
        ]
    )
    totals = pairs(
        [
            ("Net", f"{preview.net} {cur}"),
            ("VAT", f"{preview.vat} {cur}"),
            ("Total", f"{preview.total} {cur}"),
        ]
    )
    return [head, lines_table(preview.lines, cur), totals, ""]


# ---------------------------------------------------------- history and demo


def history_table(customer: str, entries: Iterable[HistoryEntry]) -> Table:
    """Return the audit trail of a customer."""
    table = titled_table(
        f"History of {customer}",
        "version",
        "type",
        "effective",
        "recorded at",
        "summary",
        right=("version",),
    )
    for e in entries:
        data = {k: v for k, v in e.data.items() if k not in {"effective_date", "customer_number"}}
        effective = e.effective_date.isoformat() if e.effective_date else "-"
        effective += " (back-dated)" if e.backdated else ""
        summary = ", ".join(f"{k}: {_brief(v)}" for k, v in data.items())
        table.add_row(
            f"{e.aggregate} {e.version}",
            e.type,
            effective,
            e.recorded_at.isoformat(timespec="seconds"),
            summary,
        )
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
        billing_summary(report),
        Rule("License counts"),
        *[licenses_table(c, n, through) for c, n in counts.items()],
        Rule(f"Next periods, as of {through.isoformat()}"),
        *[r for p in previews for r in preview_renderables(p)],
        Rule("Invoices"),
        invoices_table(views, through),
        Rule(f"The invoice of the {SEED_ADDITION.isoformat()} addition"),
        *shown,
    ]
