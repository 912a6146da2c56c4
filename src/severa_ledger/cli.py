"""The ``severa-ledger`` command: argument parsing and rendering, no business logic.

Every command opens the ledger at ``--db`` (else ``SEVERA_LEDGER_DB``, else the
SQLite file ``severa-ledger.db`` in the current folder), calls one Ledger
command or query and renders the result: ``--format table`` (rich tables) or
``--format json`` (one JSON document, amounts as strings, ISO 8601 dates).
A refusal (:class:`~severa_ledger.LedgerError`) prints ``error: <message>`` on
stderr and exits with 2. This is the one place that reads the clock: today is
the default ``--as-of``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.rule import Rule
from rich.table import Table

from severa_ledger.application import Ledger
from severa_ledger.commands_file import apply_commands
from severa_ledger.demo import SEED_ADDITION, THROUGH, load_demo, seed_addition_invoice
from severa_ledger.domain.documents import CREDIT_NOTE, InvoiceView
from severa_ledger.domain.errors import LedgerError, SubscriptionExistsError

if TYPE_CHECKING:
    from severa_ledger.billing_run import BillingReport
    from severa_ledger.queries import HistoryEntry, Preview

Handler = Callable[[Ledger, argparse.Namespace], None]
INVOICE_COLUMNS = ("number", "customer", "type", "issue_date", "due_date", "seller",
                   "currency", "net", "vat", "total", "status")  # fmt: skip
SUMMARY_FIELDS = {
    "CompanyDetails": ("legal_name", "org_number"),
    "OrderConfirmation": ("kind", "sequence", "net", "currency"),
    "Invoice": ("number", "total", "currency"),
    "Migration": ("cohort", "seller"),
    "PriceVersion": ("effective", "prices"),
    "Payment": ("invoice_number", "amount"),
    "TermsAcceptance": ("version", "accepted_by"),
}

# ------------------------------------------------------------------ rendering


def plain(value: object) -> object:
    """Return ``value`` as JSON data: Decimal as string, dates ISO 8601, attrs as objects."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    cls = type(value)
    if attrs.has(cls):
        return {f.name: plain(getattr(value, f.name)) for f in attrs.fields(cls)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _console() -> Console:
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


def _emit(args: argparse.Namespace, document: object, *renderables: object) -> None:
    if args.format == "json":
        print(json.dumps(plain(document), indent=2, ensure_ascii=False))
        return
    console = _console()
    for renderable in renderables:
        console.print(renderable)


def _brief(value: object) -> str:
    fields = SUMMARY_FIELDS.get(type(value).__name__)
    if fields is None and attrs.has(type(value)):
        return type(value).__name__
    if fields is not None:
        return " ".join(_brief(getattr(value, name)) for name in fields)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_brief(v)}" for k, v in value.items()) + "}"
    return str(plain(value))


def licenses_table(customer: str, counts: Mapping[str, Any], as_of: date | None) -> Table:
    """Return license counts per kind as a table."""
    when = f" as of {as_of.isoformat()}" if as_of else ""
    table = _table(f"Licenses of {customer}{when}", "kind", "licenses", "active users", "free",
                   "pending removal", right=("licenses", "active users", "free",
                                             "pending removal"))  # fmt: skip
    for kind, c in counts.items():
        table.add_row(kind, *map(str, (c.licenses, c.active_users, c.free, c.pending_removal)))
    return table


def lines_table(lines: Iterable[Any], currency: str) -> Table:
    """Return invoice (or preview) lines as a table."""
    table = _table(None, "description", "quantity", "unit", "unit price", "amount", "period",
                   "VAT", right=("quantity", "unit price", "amount"))  # fmt: skip
    for line in lines:
        period = f"{line.period_start.isoformat()}..{line.period_end.isoformat()}"
        vat = f"{line.vat_category} {line.vat_rate} %"
        table.add_row(
            line.description,
            str(line.quantity),
            line.unit,
            f"{line.unit_price} {currency}",
            f"{line.amount} {currency}",
            period,
            vat,
        )
    return table


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
    )
    return {column: str(plain(value)) for column, value in zip(INVOICE_COLUMNS, values,
                                                                  strict=True)}  # fmt: skip


def invoices_table(views: Iterable[InvoiceView], as_of: date | None) -> Table:
    """Return one row per invoice."""
    when = f" (status as of {as_of.isoformat()})" if as_of else ""
    table = _table(f"Invoices{when}", *INVOICE_COLUMNS, right=("net", "vat", "total"))
    for view in views:
        table.add_row(*invoice_row(view).values())
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


def history_table(customer: str, entries: Iterable[HistoryEntry]) -> Table:
    """Return the audit trail of a customer."""
    table = _table(f"History of {customer}", "version", "type", "effective", "recorded at",
                   "summary", right=("version",))  # fmt: skip
    for e in entries:
        data = {k: v for k, v in e.data.items() if k not in {"effective_date", "customer_number"}}
        effective = e.effective_date.isoformat() if e.effective_date else "-"
        summary = ", ".join(f"{k}: {_brief(v)}" for k, v in data.items())
        table.add_row(f"{e.aggregate} {e.version}", e.type, effective,
                      e.recorded_at.isoformat(timespec="seconds"), summary)  # fmt: skip
    return table


# ------------------------------------------------------------------- commands


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text(encoding="utf-8-sig")


def cmd_apply(ledger: Ledger, args: argparse.Namespace) -> None:
    """Apply a JSON Lines command file, all-or-nothing."""
    report = apply_commands(ledger, _read(args.file))
    note = "" if report.events else " (nothing new: every command was already recorded)"
    message = f"applied {report.lines} command lines: {report.events} events recorded{note}"
    _emit(args, report, message)


def cmd_licenses(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print license counts per kind."""
    counts = ledger.license_counts(args.customer, as_of=args.as_of)
    document = {"customer_number": args.customer, "as_of": args.as_of, "licenses": counts}
    _emit(args, document, licenses_table(args.customer, counts, args.as_of))


def cmd_history(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the customer's recorded facts, oldest first."""
    entries = ledger.history(args.customer)
    _emit(args, entries, history_table(args.customer, entries))


def billing_summary(report: BillingReport) -> str:
    """Return what a billing run recorded, in one sentence."""
    numbers = ", ".join(report.invoice_numbers) or "none"
    return (f"billed through {report.through.isoformat()}: {report.subscriptions} "
            f"subscriptions, {report.orders} orders, {report.events} events recorded; "
            f"{len(report.invoice_numbers)} invoices issued: {numbers}")  # fmt: skip


def cmd_bill(ledger: Ledger, args: argparse.Namespace) -> None:
    """Run billing through a date and print what it recorded."""
    report = ledger.run_billing(through=args.through)
    _emit(args, report, billing_summary(report))


def cmd_preview(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the upcoming cost of the customer's next period."""
    preview = ledger.upcoming_cost(args.customer, as_of=args.as_of)
    _emit(args, preview, *preview_renderables(preview))


def cmd_invoices(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print one row per invoice, as a table, JSON or CSV."""
    views = ledger.invoices(args.customer, as_of=args.as_of)
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=INVOICE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(invoice_row(v) for v in views)
        return
    _emit(args, [invoice_row(v) for v in views], invoices_table(views, args.as_of))


def cmd_invoice(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print one whole invoice."""
    view = ledger.invoice(args.number, as_of=args.as_of)
    _emit(args, view, *invoice_renderables(view))


def _demo_output(ledger: Ledger, report: BillingReport) -> tuple[object, list[object]]:
    """Return the demo's JSON document and its renderables, as of the billing date."""
    through = report.through
    counts = {c: ledger.license_counts(c, as_of=through) for c in ledger.customers()}
    previews = [ledger.upcoming_cost(c, as_of=through) for c in counts]
    views = ledger.invoices(as_of=through)
    number = seed_addition_invoice(ledger)
    addition = ledger.invoice(number, as_of=through) if number else None
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


def cmd_demo(ledger: Ledger, args: argparse.Namespace) -> None:
    """Load the demo scenario into an empty store, bill it and print the result."""
    existing = ledger.customers()
    if existing:
        raise SubscriptionExistsError(
            f"this store already holds {len(existing)} subscriptions; the demo never adds "
            f"to existing data: choose an empty store, e.g. --db sqlite:///other.db"
        )
    load_demo(ledger)
    document, renderables = _demo_output(ledger, ledger.run_billing(through=args.through))
    _emit(args, document, *renderables)


# --------------------------------------------------------------------- parser


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    handler: Handler,
    help_text: str,
    formats: tuple[str, ...] = (),
) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="store URL")
    common.add_argument(
        "--format", choices=("table", "json", *formats), default="table", help="output format"
    )
    parser = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser


def _as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=_iso_date, default=date.today(), metavar="DATE",
                        help="business date to report as of (default: today)")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``severa-ledger``."""
    parser = argparse.ArgumentParser(
        prog="severa-ledger",
        description="Seat-based subscription billing as an event-sourced, auditable ledger.",
    )
    parser.add_argument("--db", metavar="URL", default=None,
                        help="store URL (default: $SEVERA_LEDGER_DB or "
                             "sqlite:///severa-ledger.db)")  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _command(commands, "apply", cmd_apply, "apply a JSON Lines command file").add_argument(
        "file", metavar="FILE", help="the command file, or - for stdin"
    )
    for name, handler, help_text in (
        ("licenses", cmd_licenses, "license counts of a customer"),
        ("preview", cmd_preview, "the upcoming cost of a customer's next period"),
    ):
        sub = _command(commands, name, handler, help_text)
        sub.add_argument("customer", metavar="CUSTOMER")
        _as_of(sub)
    _command(commands, "history", cmd_history, "a customer's audit trail").add_argument(
        "customer", metavar="CUSTOMER"
    )
    bill = _command(commands, "bill", cmd_bill, "run billing through a date")
    bill.add_argument(
        "--through",
        type=_iso_date,
        default=date.today(),
        metavar="DATE",
        help="bill everything due up to and including DATE (default: today)",
    )
    invoices = _command(commands, "invoices", cmd_invoices, "list invoices", ("csv",))
    invoices.add_argument("customer", metavar="CUSTOMER", nargs="?", default=None)
    _as_of(invoices)
    invoice = _command(commands, "invoice", cmd_invoice, "show one whole invoice")
    invoice.add_argument("number", metavar="NUMBER")
    _as_of(invoice)
    demo = _command(commands, "demo", cmd_demo, "load, bill and print the demo scenario")
    demo.add_argument(
        "--through",
        type=_iso_date,
        default=THROUGH,
        metavar="DATE",
        help=f"bill through DATE (default: {THROUGH.isoformat()})",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``severa-ledger``; return the exit code (2 when the ledger refuses)."""
    args = build_parser().parse_args(argv)
    try:
        with Ledger.open(args.db) as ledger:
            args.handler(ledger, args)
    except BrokenPipeError:  # the reader (e.g. `head`) stopped: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except PersistenceError as error:
        print(f"error: the store could not be used: {error}", file=sys.stderr)
        return 2
    except (LedgerError, OSError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
