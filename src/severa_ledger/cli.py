"""The ``severa-ledger`` command: argument parsing, store opening and dispatch.

Every command opens the ledger at ``--db`` (else ``SEVERA_LEDGER_DB``, else the
SQLite file ``severa-ledger.db`` in the current folder), calls one Ledger
command or query and renders the result (:mod:`severa_ledger.render`):
``--format table`` (rich tables) or ``--format json`` (one JSON document,
amounts as strings, ISO 8601 dates). A refusal
(:class:`~severa_ledger.LedgerError`) prints ``error: <message>`` on stderr and
exits with 2. This is the one place that reads the clock: today is the default
``--as-of``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from eventsourcing.persistence import PersistenceError

from severa_ledger import render
from severa_ledger.application import Ledger
from severa_ledger.commands_file import apply_commands
from severa_ledger.demo import THROUGH, load_demo, seed_addition_invoice
from severa_ledger.domain.errors import LedgerError, SubscriptionExistsError

if TYPE_CHECKING:
    from severa_ledger.billing_run import BillingReport

Handler = Callable[[Ledger, argparse.Namespace], None]


def _emit(args: argparse.Namespace, document: object, *renderables: object) -> None:
    if args.format == "json":
        print(render.to_json(document))
        return
    console = render.console()
    for renderable in renderables:
        console.print(renderable)


# ------------------------------------------------------------------- commands


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text(encoding="utf-8-sig")


def cmd_apply(ledger: Ledger, args: argparse.Namespace) -> None:
    """Apply a JSON Lines command file, all-or-nothing."""
    report = apply_commands(ledger, _read(args.file))
    _emit(args, report, render.apply_summary(report))


def cmd_licenses(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print license counts per kind."""
    counts = ledger.license_counts(args.customer, as_of=args.as_of)
    document = {"customer_number": args.customer, "as_of": args.as_of, "licenses": counts}
    _emit(args, document, render.licenses_table(args.customer, counts, args.as_of))


def cmd_history(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the customer's recorded facts, oldest first."""
    entries = ledger.history(args.customer)
    _emit(args, entries, render.history_table(args.customer, entries))


def cmd_bill(ledger: Ledger, args: argparse.Namespace) -> None:
    """Run billing through a date and print what it recorded."""
    report = ledger.run_billing(through=args.through)
    _emit(args, report, render.billing_summary(report))


def cmd_preview(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the upcoming cost of the customer's next period."""
    preview = ledger.upcoming_cost(args.customer, as_of=args.as_of)
    _emit(args, preview, *render.preview_renderables(preview))


def cmd_invoices(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print one row per invoice, as a table, JSON or CSV."""
    views = ledger.invoices(args.customer, as_of=args.as_of)
    if args.format == "csv":
        render.write_invoices_csv(views, sys.stdout)
        return
    _emit(args, [render.invoice_row(v) for v in views], render.invoices_table(views, args.as_of))


def cmd_invoice(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print one whole invoice."""
    view = ledger.invoice(args.number, as_of=args.as_of)
    _emit(args, view, *render.invoice_renderables(view))


def _demo_output(ledger: Ledger, report: BillingReport) -> tuple[object, list[object]]:
    """Return the demo's JSON document and its renderables, as of the billing date."""
    through = report.through
    counts = {c: ledger.license_counts(c, as_of=through) for c in ledger.customers()}
    previews = [ledger.upcoming_cost(c, as_of=through) for c in counts]
    views = ledger.invoices(as_of=through)
    number = seed_addition_invoice(ledger)
    addition = ledger.invoice(number, as_of=through) if number else None
    return render.demo_output(report, counts, previews, views, addition)


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
