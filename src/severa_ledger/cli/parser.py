"""The command line's arguments: every subcommand, its options, its examples and its handler."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from importlib import metadata

from severa_ledger.cli.audit_commands import add_audit_commands, add_projection_commands
from severa_ledger.cli.delivery import add_delivery_commands
from severa_ledger.cli.demo import THROUGH
from severa_ledger.cli.documents import add_document_commands
from severa_ledger.cli.handlers import (
    cmd_apply,
    cmd_bill,
    cmd_demo,
    cmd_history,
    cmd_init,
    cmd_invoices,
    cmd_licenses,
    cmd_preview,
)
from severa_ledger.cli.options import Parser, Subcommands, add_command, epilog, iso_date_arg
from severa_ledger.cli.payments import add_payments_command
from severa_ledger.cli.receivables import cmd_receivables
from severa_ledger.cli.web_commands import add_web_commands
from severa_ledger.cli.webhooks import add_webhook_commands
from severa_ledger.cli.writes import add_write_commands

#: Invoice statuses ``invoices --status`` filters on.
STATUSES = ("open", "paid", "overdue", "credited", "credit_note")


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"not an ISO date-time with a time zone (e.g. 2025-06-10T12:00:00Z): {text!r}"
        )
    return value


def _known_at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--known-at",
        type=_instant,
        default=None,
        metavar="INSTANT",
        help="report only what was recorded by this ISO date-time with a time "
        "zone (default: everything recorded)",
    )


def _as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=iso_date_arg,
        default=date.today(),
        metavar="DATE",
        help="business date to report as of (default: today)",
    )
    _known_at(parser)


def _bill_command(commands: Subcommands) -> None:
    bill = add_command(
        commands,
        "bill",
        cmd_bill,
        "run billing through a date",
        examples=(
            "bill --through 2025-06-30 --dry-run",
            "bill --through 2025-06-30",
            "bill --today",
        ),
    )
    when = bill.add_mutually_exclusive_group(required=True)
    when.add_argument(
        "--through",
        type=iso_date_arg,
        default=None,
        metavar="DATE",
        help="bill everything due up to and including DATE",
    )
    when.add_argument("--today", action="store_true", help="bill through today's date")
    bill.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be issued (counts per seller, first and last "
        "numbers, totals) and record nothing",
    )
    bill.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes advancing subscriptions (default: one per core, up to 4, "
        "from 2,000 customers on a file or server store)",
    )
    bill.add_argument(
        "--shared",
        action="store_true",
        help="PostgreSQL: share this run with every process billing the same date "
        "(on any machine) through claims in the database",
    )
    bill.add_argument(
        "--lease",
        type=float,
        default=None,
        metavar="SECONDS",
        help="with --shared: how long a claim of a stopped process blocks others (default 60)",
    )


def _invoices_command(commands: Subcommands) -> None:
    invoices = add_command(
        commands,
        "invoices",
        cmd_invoices,
        "list invoices",
        examples=(
            "invoices --status overdue --limit 20",
            "invoices --customer C1 --from 2025-06-01 --format csv",
        ),
        formats=("table", "json", "csv"),
    )
    invoices.add_argument(
        "customer",
        metavar="CUSTOMER",
        nargs="?",
        default=None,
        help="one customer only (as --customer)",
    )
    invoices.add_argument(
        "--customer",
        dest="customer_option",
        metavar="CUSTOMER",
        default=None,
        help="one customer only",
    )
    invoices.add_argument("--status", choices=STATUSES, default=None, help="only this status")
    invoices.add_argument(
        "--from",
        dest="since",
        type=iso_date_arg,
        default=None,
        metavar="DATE",
        help="issued on or after DATE",
    )
    invoices.add_argument(
        "--to",
        dest="until",
        type=iso_date_arg,
        default=None,
        metavar="DATE",
        help="issued on or before DATE",
    )
    invoices.add_argument(
        "--limit",
        type=_positive,
        default=None,
        metavar="N",
        help="at most N invoices, the first by number",
    )
    _as_of(invoices)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number >= 1: {text!r}")
    return int(text)


def _query_commands(commands: Subcommands) -> None:
    for name, handler, help_text in (
        ("licenses", cmd_licenses, "license counts of a customer"),
        ("preview", cmd_preview, "the upcoming cost of a customer's next period"),
    ):
        sub = add_command(
            commands, name, handler, help_text, examples=(f"{name} C1 --as-of 2025-06-30",)
        )
        sub.add_argument("customer", metavar="CUSTOMER")
        _as_of(sub)
    history = add_command(
        commands,
        "history",
        cmd_history,
        "a customer's audit trail",
        examples=("history C1", "history C1 --format json"),
    )
    history.add_argument("customer", metavar="CUSTOMER")
    _known_at(history)
    receivables = add_command(
        commands,
        "receivables",
        cmd_receivables,
        "what customers owe and hold as credit (R29)",
        examples=("receivables --as-of 2025-09-30", "receivables 1002 --format json"),
    )
    receivables.add_argument(
        "customer", metavar="CUSTOMER", nargs="?", default=None, help="one customer, with invoices"
    )
    _as_of(receivables)
    _as_of(add_document_commands(commands))


def build_parser() -> Parser:
    """Return the argument parser of ``severa-ledger``."""
    parser = Parser(
        prog="severa-ledger",
        description="Seat-based subscription billing as an event-sourced, auditable ledger.",
        epilog=epilog(
            "demo --db sqlite:///demo.db",
            "apply --check commands.jsonl",
            "bill --through 2025-06-30 --dry-run",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {metadata.version('severa-ledger')}"
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="store URL (default: $SEVERA_LEDGER_DB or sqlite:///severa-ledger.db)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    apply = add_command(
        commands,
        "apply",
        cmd_apply,
        "apply a JSON Lines command file",
        examples=(
            "apply --check commands.jsonl",
            "apply commands.jsonl",
            "apply - < commands.jsonl",
        ),
    )
    apply.add_argument("file", metavar="FILE", help="the command file, or - for stdin")
    apply.add_argument(
        "--check",
        action="store_true",
        help="parse and decide every command in memory; record nothing",
    )
    _query_commands(commands)
    add_audit_commands(commands)
    add_projection_commands(commands)
    _bill_command(commands)
    add_delivery_commands(commands)
    _invoices_command(commands)
    add_write_commands(commands)
    add_payments_command(commands)
    add_web_commands(commands)
    add_webhook_commands(commands)
    add_command(
        commands,
        "init",
        cmd_init,
        "create an empty store at --db (the only way, with demo, that a store is created)",
        examples=("--db sqlite:///ledger.db init",),
    )
    demo = add_command(
        commands,
        "demo",
        cmd_demo,
        "load, bill and print the demo scenario",
        examples=("demo --db sqlite:///demo.db",),
    )
    demo.add_argument(
        "--through",
        type=iso_date_arg,
        default=THROUGH,
        metavar="DATE",
        help=f"bill through DATE (default: {THROUGH.isoformat()})",
    )
    return parser
